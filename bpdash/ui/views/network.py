"""Network view: the architecture as a diagram, every edge of Θ^(l) coloured and sized by its θ,
and a table of the layers: each with its type, width, activation and parameter count."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.charts.network import network_figure
from bpdash.layer_summary import NO_ACTIVATION, summarize


def _layers(net) -> pd.DataFrame:
    """One row per article layer: the type of the layer that makes it, its size, activation
    and how many parameters feed it (those of that layer)."""
    rows = [{"layer": 1, "type": "input", "neurons": net.sizes[0], "activation": NO_ACTIVATION,
             "settings": "", "parameters in": 0}]
    for layer in summarize(net):
        rows.append({"layer": layer.layer + 1, "type": layer.kind, "neurons": layer.n_out,
                     "activation": layer.activation, "settings": layer.settings,
                     "parameters in": layer.n_parameters})
    return pd.DataFrame(rows)


def render(exp, registry) -> None:
    """The current network, weights as they are now."""
    net = exp.net
    st.plotly_chart(network_figure(net), key="network_chart")
    st.caption("Blue edges are positive θ, red negative; wider and darker means larger |θ|. Grey edges carry "
               "no θ: dashed one-to-one through dropout (the identity outside training), solid where a layer "
               "mixes its inputs (a layer norm). Neurons are coloured by their bias. Hover an edge (small "
               "networks) or a neuron for values.")
    st.dataframe(_layers(net), key="network_layers", hide_index=True)
