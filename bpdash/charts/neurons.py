"""Neuron previews: each neuron's activation over the raw input plane, as TensorFlow Playground
draws inside each node. Grids in, figures out (the grids come from ``bpdash.surface.neuron_grids``).
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import classes
from .text import literals
from .training import DIVERGING, LEGEND, _points

COLUMNS = 8


def activation_scale(values) -> dict:
    """A colour scale for activations: [0, 1] centred at ½ when they lie in it, else centred at 0."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict(zmin=-1.0, zmax=1.0, zmid=0.0)
    if finite.min() >= 0 and finite.max() <= 1:
        return dict(zmin=0.0, zmax=1.0, zmid=0.5)
    top = float(np.abs(finite).max()) or 1.0
    return dict(zmin=-top, zmax=top, zmid=0.0)


def layer_previews(grids, xs, ys, layer: int, *, max_units: int = 32):
    """Small heatmaps of the neurons of ``layer`` (the article's numbering: 2 … L).

    ``grids`` is ``(units, len(ys), len(xs))``: ``grids[j, i, k]`` = a_j at ``(xs[k], ys[i])``.
    At most ``max_units`` neurons are drawn, ``COLUMNS`` to a row, on one colour scale.
    """
    grids = np.asarray(grids, dtype=float)[:max_units]
    units = len(grids)
    cols = min(units, COLUMNS)
    rows = math.ceil(units / cols)
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.015, vertical_spacing=0.04,
                        subplot_titles=[f"a{j + 1}" for j in range(units)])
    scale = activation_scale(grids)
    for j, grid in enumerate(grids):
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=grid, colorscale=DIVERGING, showscale=j == 0, **scale, zsmooth="best",
                                 colorbar=dict(thickness=10, len=0.9),
                                 hovertemplate=f"neuron {j + 1} of layer {layer}<br>x1 %{{x:.3g}}, "
                                               "x2 %{y:.3g}<br>a = %{z:.3g}<extra></extra>"),
                      row=j // cols + 1, col=j % cols + 1)
    fig.update_xaxes(showticklabels=False, ticks="", constrain="domain")
    fig.update_yaxes(showticklabels=False, ticks="", constrain="domain")
    for j in range(units):  # square tiles: each map's y axis scaled to its x axis
        suffix = "" if j == 0 else str(j + 1)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", scaleratio=(xs[-1] - xs[0]) / (ys[-1] - ys[0]))
    fig.update_annotations(font_size=11, yshift=-2)
    fig.update_layout(height=50 + rows * min(130, 900 // max(cols, 1)), margin=dict(l=5, r=5, t=48, b=5),
                      title=dict(text=f"Layer {layer}", font_size=13, y=0.98, yanchor="top"))
    return fig


def neuron_figure(grid, xs, ys, layer: int, j: int, X_train=None, Y_train=None, names=("x1", "x2"),
                  class_names=()):
    """One neuron's activation a_j^(layer) over the plane, large, with the training points on it;
    ``names`` (the inputs' column names) are shown as written. With ``class_names`` (one-hot
    targets Y ``(m, k)``) the points are drawn in their classes' colours, the legend naming them,
    on the activation in grey (``classes.NEUTRAL``)."""
    names = literals(names)
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=np.asarray(grid, dtype=float),
                               colorscale=classes.NEUTRAL if class_names else DIVERGING,
                               zsmooth="best", opacity=0.8, colorbar=dict(title=f"a{j}", thickness=12),
                               **activation_scale(grid),
                               hovertemplate="x1 %{x:.3g}, x2 %{y:.3g}<br>a = %{z:.3g}<extra></extra>"))
    if X_train is not None and len(X_train):
        fig.add_traces(classes.points(X_train, Y_train, class_names) if class_names else
                       [_points(X_train, Y_train, "train", "circle", colour_by_target=True, dims=2)])
    fig.update_layout(title=f"Neuron {j} of layer {layer}: a<sub>{j}</sub><sup>({layer})</sup> over the "
                            "input plane", xaxis_title=names[0], yaxis_title=names[1], height=460,
                      margin=dict(l=10, r=10, t=40, b=60 if class_names else 10), showlegend=bool(class_names))
    if class_names:
        fig.update_layout(legend={**LEGEND, "title": {"text": "class"}})
    return fig
