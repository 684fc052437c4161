"""Network view: the architecture as a diagram, every edge coloured and sized by its θ."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.charts.network import network_figure


def _layers(net) -> pd.DataFrame:
    """One row per layer: its size, activation and how many parameters feed it."""
    rows = [{"layer": 1, "neurons": net.sizes[0], "activation": "input", "parameters in": 0}]
    for l, (W, name) in enumerate(zip(net.weights, net.activation_names), start=2):
        rows.append({"layer": l, "neurons": net.sizes[l - 1], "activation": name,
                     "parameters in": W.size + (W.shape[0] if net.bias else 0)})
    return pd.DataFrame(rows)


def render(exp, registry) -> None:
    """The current network, weights as they are now."""
    net = exp.net
    st.plotly_chart(network_figure(net.sizes, net.weights, net.biases if net.bias else None,
                                   net.activation_names), key="network_chart")
    st.caption("Blue edges are positive θ, red negative; wider and darker means larger |θ|. "
               "Neurons are coloured by their bias. Hover an edge (small networks) or a neuron for values.")
    st.dataframe(_layers(net), key="network_layers", hide_index=True)
