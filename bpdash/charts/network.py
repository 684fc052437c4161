"""The network diagram: neurons as dots in layers, every θ_jk^(l) an edge coloured by its sign and
sized by its magnitude. Data in, plotly figure out: no Streamlit, no session state.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

POSITIVE, NEGATIVE = "31, 119, 180", "214, 39, 40"  # blue θ > 0, red θ < 0 (rgb)
N_BINS = 4            # magnitude classes per sign: one trace each, since a trace has one width
MAX_EDGES = 1500      # the strongest edges are drawn beyond this
MAX_HOVER_EDGES = 400  # edges with a hover label at their midpoint


def neuron_positions(sizes) -> list[np.ndarray]:
    """y of each neuron, per layer: ``ys[l-1]`` ``(sizes[l-1],)``, centred at 0, neuron 1 on top."""
    spacing = min(1.0, 16.0 / max(max(sizes) - 1, 1))
    return [spacing * ((n - 1) / 2 - np.arange(n)) for n in sizes]


def edge_table(weights, max_edges: int = MAX_EDGES):
    """Every θ_jk^(l) as rows ``(l, j, k, θ)`` (1-based l, j, k), the ``max_edges`` largest |θ| only.

    ``weights[l-1]`` is Θ^(l), ``(sizes[l], sizes[l-1])``. Returns an ``(n_edges, 4)`` float array.
    """
    parts = []
    for l, W in enumerate(weights, start=1):
        W = np.asarray(W, dtype=float)
        j, k = np.indices(W.shape)
        parts.append(np.column_stack([np.full(W.size, l), j.ravel() + 1, k.ravel() + 1, W.ravel()]))
    edges = np.vstack(parts) if parts else np.zeros((0, 4))
    edges = edges[np.isfinite(edges[:, 3])]
    if len(edges) > max_edges:
        edges = edges[np.argpartition(-np.abs(edges[:, 3]), max_edges)[:max_edges]]
    return edges


def _segments(edges, ys):
    """x and y of every edge as polyline coordinates separated by None-like NaN gaps."""
    l, j, k = edges[:, 0].astype(int), edges[:, 1].astype(int), edges[:, 2].astype(int)
    y_from = np.array([ys[a - 1][b - 1] for a, b in zip(l, k)])
    y_to = np.array([ys[a][b - 1] for a, b in zip(l, j)])
    gap = np.full(len(edges), np.nan)
    x = np.column_stack([l, l + 1, gap]).ravel()
    y = np.column_stack([y_from, y_to, gap]).ravel()
    return x, y, (l + 0.5), (y_from + y_to) / 2


def _edge_traces(edges, ys):
    """One line trace per (sign, magnitude class), plus hover points at edge midpoints."""
    if not len(edges):
        return []
    theta = edges[:, 3]
    top = float(np.abs(theta).max()) or 1.0
    level = np.minimum((np.abs(theta) / top * N_BINS).astype(int), N_BINS - 1)
    traces = []
    for sign, rgb in ((1, POSITIVE), (-1, NEGATIVE)):
        for b in range(N_BINS):
            chosen = (level == b) & ((theta >= 0) if sign > 0 else (theta < 0))
            if chosen.any():
                x, y, _, _ = _segments(edges[chosen], ys)
                alpha = 0.25 + 0.75 * (b + 1) / N_BINS
                traces.append(go.Scatter(x=x, y=y, mode="lines", hoverinfo="skip", showlegend=False,
                                         line=dict(color=f"rgba({rgb}, {alpha:.2f})", width=0.6 + 1.2 * b)))
    if len(edges) <= MAX_HOVER_EDGES:
        _, _, mx, my = _segments(edges, ys)
        text = [f"θ<sub>{int(j)}{int(k)}</sub><sup>({int(l)})</sup> = {t:.4g}<br>to neuron {int(j)} of layer "
                f"{int(l) + 1}, from neuron {int(k)} of layer {int(l)}" for l, j, k, t in edges]
        traces.append(go.Scatter(x=mx, y=my, mode="markers", marker=dict(size=6, opacity=0),
                                 hovertemplate="%{text}<extra></extra>", text=text, showlegend=False))
    return traces


def _node_trace(sizes, ys, biases, activation_names):
    """Neurons as dots, coloured by their bias b_j (white for the input layer)."""
    x, y, colour, text = [], [], [], []
    for l, n in enumerate(sizes, start=1):
        f = "input" if l == 1 else (activation_names[l - 2] if activation_names else "")
        b = np.zeros(n) if l == 1 or biases is None else np.asarray(biases[l - 2], dtype=float)
        for j in range(n):
            x.append(l)
            y.append(ys[l - 1][j])
            colour.append(float(b[j]))
            text.append(f"layer {l}, neuron {j + 1}<br>{f}" + ("" if l == 1 else f", b = {b[j]:.4g}"))
    top = max((abs(c) for c in colour if np.isfinite(c)), default=1.0) or 1.0
    return go.Scatter(x=x, y=y, mode="markers", text=text, hovertemplate="%{text}<extra></extra>",
                      showlegend=False, marker=dict(size=max(6, 18 - max(sizes) // 8), color=colour,
                                                    colorscale="RdBu", cmin=-top, cmax=top,
                                                    line=dict(width=1, color="black")))


def network_figure(sizes, weights, biases=None, activation_names=None, *, max_edges: int = MAX_EDGES):
    """The diagram of a network with layer sizes ``sizes`` and Θ^(l) = ``weights[l-1]``.

    ``biases[l-1]`` ``(sizes[l],)`` colours the neurons; ``activation_names`` (one per non-input
    layer) label the layers. Edges: blue for θ > 0, red for θ < 0, wider and darker as |θ| grows;
    beyond ``max_edges`` only the largest |θ| are drawn.
    """
    ys = neuron_positions(sizes)
    edges = edge_table(weights, max_edges)
    fig = go.Figure(_edge_traces(edges, ys) + [_node_trace(sizes, ys, biases, activation_names)])
    labels = [f"layer {l}<br>{n} · {'input' if l == 1 else (activation_names or [''] * l)[l - 2]}"
              for l, n in enumerate(sizes, start=1)]
    shown = len(edges)
    total = sum(np.size(W) for W in weights)
    note = "" if shown == total else f" (the {shown} largest |θ| of {total})"
    fig.update_layout(title=f"Network {'-'.join(map(str, sizes))}: edges coloured and sized by θ{note}",
                      height=420, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white",
                      xaxis=dict(tickmode="array", tickvals=list(range(1, len(sizes) + 1)), ticktext=labels,
                                 showgrid=False, zeroline=False),
                      yaxis=dict(visible=False))
    return fig
