"""Colours for k classes: each class its own hue, a decision surface's lightness by confidence.

A network with one output per class (a softmax over k classes) gives each point of the plane the
arg-max of a^(L), as accuracy counts it. The plane is coloured by that class and shaded by how
sure the network is: its winning output p, from 1/k (no better than a guess: nearly white) to 1
(the class's colour, STRONG). Samples are drawn in their class's full colour, one legend entry
per class name. ``table`` and ``codes`` serve both the plotly figures here and the Overview's board
(``bpdash.charts.board``), so the two colour alike.

Data in (grids from ``bpdash.surface.class_grid``, samples), plotly figure out: no Streamlit.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bpdash.metrics import labels_of

from .text import literal, literals
from .training import LEGEND, MARGIN

# One hue per class (up to bpdash.config.MAX_CLASSES), plotly's qualitative colours with red
# first and blue second: two classes look as they do with one sigmoid output (red 0, blue 1).
COLOURS = ((214, 39, 40), (31, 119, 180), (44, 160, 44), (148, 103, 189), (255, 127, 14),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
# The share of a class's colour on the plane: PALE where the network is least sure (a hint of its
# hue), STRONG where it is sure; the samples, in the full colour, stand out on both
PALE, STRONG = 0.1, 0.45
# A neuron's activation under samples in their classes' colours: light low, dark high, no hue of
# its own (a red sample on the red end of a diverging scale would vanish)
NEUTRAL = [[0.0, "rgb(250,250,250)"], [1.0, "rgb(70,70,70)"]]


def colour(c: int) -> str:
    """Class ``c``'s full colour (its samples'), as CSS."""
    r, g, b = COLOURS[c % len(COLOURS)]
    return f"rgb({r},{g},{b})"


def colours(k: int) -> list:
    """The full colours of k classes, ``[[r, g, b], …]``."""
    return [list(COLOURS[c % len(COLOURS)]) for c in range(k)]


def levels(k: int) -> int:
    """Shades per class: k classes share one byte's 256 codes."""
    return 256 // k


def table(k: int) -> np.ndarray:
    """The colours of ``codes``: ``(k · levels(k), 3)`` RGB bytes; code c · levels + i is class c
    at shade i, from PALE of its colour over white (i = 0) to STRONG (i = levels − 1)."""
    n = levels(k)
    share = PALE + (STRONG - PALE) * np.linspace(0.0, 1.0, n)[:, None]
    white = np.full(3, 255.0)
    return np.vstack([np.round(white + share * (np.array(COLOURS[c % len(COLOURS)]) - white))
                      for c in range(k)]).astype(np.uint8)


def codes(C, P, k: int, discrete: bool = False) -> np.ndarray:
    """Each cell's code in ``table(k)`` (uint8, C's shape): class C at the shade of its winning
    output P, scaled from 1/k (shade 0) to 1 (the last shade); ``discrete``: every cell at its
    last shade (the predicted class alone). A NaN P gets shade 0."""
    n = levels(k)
    sure = np.clip((np.asarray(P, dtype=float) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    shade = np.full(sure.shape, n - 1) if discrete else np.round(np.nan_to_num(sure, nan=0.0) * (n - 1))
    return (np.asarray(C, dtype=int) * n + shade.astype(int)).astype(np.uint8)


def points(X, Y, class_names, *, test: bool = False) -> list:
    """The samples X ``(m, 2)`` with one-hot targets Y ``(m, k)``, one scatter per class in its
    colour (training rows ringed in white, test rows as × ringed in black); the training rows
    name the classes in the legend, the test rows share their entries."""
    X, found = np.asarray(X, dtype=float), labels_of(np.asarray(Y, dtype=float), "classification")
    traces = []
    for c, name in enumerate(class_names):
        rows = found == c
        if not rows.any():
            continue
        shown = literal(name)
        traces.append(go.Scatter(
            x=X[rows, 0], y=X[rows, 1], mode="markers", name=shown, legendgroup=f"class {c}",
            showlegend=not test,
            marker=dict(size=8, color=colour(c), symbol="x" if test else "circle",
                        line=dict(width=1.5 if test else 1.2, color="black" if test else "white")),
            hovertemplate=f"x1 %{{x:.3g}}, x2 %{{y:.3g}}<br>class {shown}<extra>{'test' if test else 'train'}</extra>"))
    return traces


def surface_figure(xs, ys, C, P, X_train, Y_train, X_test, Y_test, *, class_names, names=("x1", "x2"),
                   discrete: bool = False, title: str = "Decision surface", height: int = 480):
    """The class a network gives each point of the plane, ``C`` and ``P`` ``(len(ys), len(xs))``
    from ``bpdash.surface.class_grid``, shaded by confidence, with the samples (Y one-hot
    ``(m, k)``) on top in their classes' colours. ``class_names`` and ``names`` (the inputs'
    column names) are shown as written; empty X_test draws no test points."""
    k = len(class_names)
    colours = table(k)
    top = len(colours) - 1
    scale = [[i / top, f"rgb({r},{g},{b})"] for i, (r, g, b) in enumerate(colours)]
    shown = literals(class_names)
    P = np.asarray(P, dtype=float)
    hover = np.array([[f"class {shown[c]}, a = {p:.3g}" for c, p in zip(row_c, row_p)]
                      for row_c, row_p in zip(np.asarray(C), P)])
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=codes(C, P, k, discrete), zmin=0, zmax=top, colorscale=scale,
                               zsmooth=False, showscale=False, name="network", text=hover,
                               hovertemplate="x1 %{x:.3g}, x2 %{y:.3g}<br>%{text}<extra>network</extra>"))
    for X, Y, test in ((X_train, Y_train, False), (X_test, Y_test, True)):
        if len(X):
            fig.add_traces(points(X, Y, class_names, test=test))
    names = literals(names)
    fig.update_layout(title=title, xaxis_title=names[0], yaxis_title=names[1], height=height,
                      margin=MARGIN, legend={**LEGEND, "title": {"text": "class"}})
    return fig


def data_figure(X_train, Y_train, X_test, Y_test, *, class_names, names=("x1", "x2")):
    """The 2-D samples alone, in their classes' colours (Y one-hot ``(m, k)``)."""
    fig = go.Figure()
    for X, Y, test in ((X_train, Y_train, False), (X_test, Y_test, True)):
        if len(X):
            fig.add_traces(points(X, Y, class_names, test=test))
    names = literals(names)
    fig.update_layout(title="The data", xaxis_title=names[0], yaxis_title=names[1], height=420,
                      margin=MARGIN, legend={**LEGEND, "title": {"text": "class"}})
    return fig
