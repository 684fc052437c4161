"""Neuron previews (2-D data): every neuron's activation over the input plane, as small heatmaps
layer by layer (as TensorFlow Playground shows inside each node); choose one to see it large.

The grids come from ``bpdash.surface.neuron_grids`` over the raw (x₁, x₂) plane, through the
experiment's input features. Their shapes are kept in ``st.session_state["neuron_grid_shapes"]``.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from bpdash import surface
from bpdash.charts import classes
from bpdash.charts.neurons import layer_previews, neuron_figure

RESOLUTION = 32        # small previews
LARGE_RESOLUTION = 80  # the chosen neuron
SHAPES = "neuron_grid_shapes"


def _chosen(net) -> tuple[int, int]:
    """(layer, neuron), 1-based in the article's numbering (layers 2 … L)."""
    left, right = st.columns(2)
    layers = list(range(2, net.n_layers + 1))
    if st.session_state.get("neurons_layer") not in layers:
        st.session_state["neurons_layer"] = layers[0]
    layer = left.selectbox("Layer", layers, key="neurons_layer",
                           format_func=lambda l: f"{l} (output)" if l == net.n_layers else str(l))
    units = list(range(1, net.sizes[layer - 1] + 1))
    if st.session_state.get("neurons_unit") not in units:
        st.session_state["neurons_unit"] = 1
    return layer, right.selectbox("Neuron j", units, key="neurons_unit")


def render(exp, registry) -> None:
    """Small previews of every neuron, then the chosen one large."""
    data = exp.data
    if data.n_features != 2:
        st.info(f"Neuron previews draw each neuron over the (x₁, x₂) plane: they need 2-D data, and "
                f"{data.name} has {data.n_features} input column(s).")
        return
    net = exp.net
    bounds = surface.input_bounds(np.vstack([data.X_train, data.X_test]))
    grids = surface.neuron_grids(net, exp.transform, bounds, RESOLUTION)
    st.session_state[SHAPES] = [g.shape for g in grids]
    xs, ys = surface.grid_axes(bounds, RESOLUTION)
    st.caption("Each square is one neuron's activation a_j^(l) over the input plane (blue high, red low; "
               "hover for values). Choose a neuron below to see it large with the training points"
               + (" in their classes' colours, on its activation in grey (dark high, light low)."
                  if data.one_hot else "."))
    layer, j = _chosen(net)
    left, right = st.columns([1.2, 1])
    with left:
        for l, grid in enumerate(grids, start=2):
            st.plotly_chart(layer_previews(grid, xs, ys, l), key=f"neurons_layer_{l}_chart")
        if any(len(g) > 32 for g in grids):
            st.caption("Layers of more than 32 neurons show their first 32.")
    with right:
        _large(exp, bounds, layer, j)


def _large(exp, bounds, layer: int, j: int) -> None:
    """The chosen neuron large, with the training points in their classes' colours; with one
    output per class, the output layer as the class it gives each point beneath it."""
    data, net = exp.data, exp.net
    class_names = data.class_names if data.one_hot else ()
    big = surface.neuron_grids(net, exp.transform, bounds, LARGE_RESOLUTION)[layer - 2][j - 1]
    bx, by = surface.grid_axes(bounds, LARGE_RESOLUTION)
    st.plotly_chart(neuron_figure(big, bx, by, layer, j, data.X_train, data.Y_train, data.feature_names,
                                  class_names=class_names), key="neurons_large_chart")
    if class_names and layer == net.n_layers:
        X = np.vstack([data.X_train, data.X_test])
        cx, cy, C, P = surface.class_grid(net, X, LARGE_RESOLUTION, transform=exp.transform)
        st.plotly_chart(classes.surface_figure(cx, cy, C, P, data.X_train, data.Y_train, data.X_test[:0],
                                               data.Y_test[:0], class_names=class_names, names=data.feature_names,
                                               title=f"Output layer {layer}: the class a<sup>({layer})</sup> gives each point",
                                               height=460), key="neurons_classes_chart")
        st.caption(f"Each output neuron is one class's probability; together they give each point the "
                   f"class of the largest, paler where it is less sure (nearly white at 1/{len(class_names)}).")
