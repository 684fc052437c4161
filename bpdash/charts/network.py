"""The network diagram: neurons as dots in layers, every θ_jk^(l) an edge coloured by its sign and
sized by its magnitude, the edges of a layer without Θ (dropout, a layer norm) in grey. Data in,
plotly figure out: no Streamlit, no session state. ``edge_table`` is the one list of edges both
the Network view and the Overview's board draw.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bpdash.layer_summary import summarize

from .training import downsample

POSITIVE, NEGATIVE = "31, 119, 180", "214, 39, 40"  # blue θ > 0, red θ < 0 (rgb)
N_BINS = 4            # magnitude classes per sign: one trace each, since a trace has one width
MAX_EDGES = 1500      # the strongest edges are drawn beyond this
MAX_HOVER_EDGES = 400  # edges with a hover label at their midpoint
THETA, IDENTITY, MIXING = 0, 1, 2  # edge kinds: a weight θ_jk, dropout's one-to-one, a layer mixing its inputs
NEUTRAL = "rgba(120, 120, 120, 0.55)"  # edges that carry no θ


def neuron_positions(sizes) -> list[np.ndarray]:
    """y of each neuron, per layer: ``ys[l-1]`` ``(sizes[l-1],)``, centred at 0, neuron 1 on top."""
    spacing = min(1.0, 16.0 / max(max(sizes) - 1, 1))
    return [spacing * ((n - 1) / 2 - np.arange(n)) for n in sizes]


def edge_table(weights, layers=None, max_edges: int = MAX_EDGES):
    """Every edge of the diagram as rows ``(l, j, k, θ, kind)``: from neuron k of layer l to
    neuron j of layer l + 1 (1-based l, j, k), an ``(n_edges, 5)`` float array.

    ``weights[l-1]`` is Θ^(l), ``(sizes[l], sizes[l-1])``: each θ_jk^(l) is an edge of kind
    THETA, the ``max_edges`` largest |θ| only. A layer without Θ (None) needs ``layers[l-1]``
    (a ``bpdash.layer_summary.LayerSummary``: its widths and connection): an "identity" layer
    (dropout) joins neuron j to neuron j (kind IDENTITY), any other joins every pair (kind
    MIXING, at most ``max_edges`` of them, evenly chosen); their θ is 0.
    """
    thetas, joins = [], []
    for l, W in enumerate(weights, start=1):
        if W is not None:
            W = np.asarray(W, dtype=float)
            thetas.append(_rows(l, *np.indices(W.shape), W, THETA))
        elif layers is not None:
            joins.append(_joins(l, layers[l - 1], max_edges))
    edges = np.vstack(thetas) if thetas else np.zeros((0, 5))
    edges = edges[np.isfinite(edges[:, 3])]
    if len(edges) > max_edges:
        edges = edges[np.argpartition(-np.abs(edges[:, 3]), max_edges)[:max_edges]]
    return np.vstack([edges, *joins])


def _rows(l, j, k, theta, kind):
    """Edge rows ``(l, j+1, k+1, θ, kind)`` from 0-based index arrays j, k (any shape)."""
    j, k = np.ravel(j), np.ravel(k)
    return np.column_stack([np.full(j.size, l), j + 1, k + 1, np.broadcast_to(np.ravel(theta), j.shape),
                            np.full(j.size, kind)])


def _joins(l, layer, max_edges):
    """The neutral edges of a layer without Θ: one-to-one, or every pair (evenly thinned)."""
    if layer.connection == "identity" and layer.n_in == layer.n_out:
        j = np.arange(layer.n_out)
        return _rows(l, j, j, 0.0, IDENTITY)
    j, k = np.indices((layer.n_out, layer.n_in))
    chosen = downsample(j.size, max_edges)
    return _rows(l, j.ravel()[chosen], k.ravel()[chosen], 0.0, MIXING)


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
    """Θ edges: one line trace per (sign, magnitude class), plus hover points at their midpoints;
    edges without θ: grey, dashed for dropout's one-to-one."""
    kind, traces = edges[:, 4], []
    for neutral in (IDENTITY, MIXING):
        if (kind == neutral).any():
            x, y, _, _ = _segments(edges[kind == neutral], ys)
            traces.append(go.Scatter(x=x, y=y, mode="lines", hoverinfo="skip", showlegend=False,
                                     line=dict(color=NEUTRAL, width=1, dash="dash" if neutral == IDENTITY else "solid")))
    edges = edges[kind == THETA]
    if not len(edges):
        return traces
    theta = edges[:, 3]
    top = float(np.abs(theta).max()) or 1.0
    level = np.minimum((np.abs(theta) / top * N_BINS).astype(int), N_BINS - 1)
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
                f"{int(l) + 1}, from neuron {int(k)} of layer {int(l)}" for l, j, k, t, _ in edges]
        traces.append(go.Scatter(x=mx, y=my, mode="markers", marker=dict(size=6, opacity=0),
                                 hovertemplate="%{text}<extra></extra>", text=text, showlegend=False))
    return traces


def _neuron_values(layer, arrays):
    """The layer's parameters that hold one value per neuron it makes (b, γ, β), as (symbol,
    values), and which of them colours the neurons (its bias b), or None."""
    values = [(p.symbol or p.name, np.asarray(a, dtype=float)) for p, a in zip(layer.parameters, arrays)
              if tuple(p.shape) == (layer.n_out,)]
    colour = next((np.asarray(a, dtype=float) for p, a in zip(layer.parameters, arrays)
                   if p.role == "bias" and tuple(p.shape) == (layer.n_out,)), None)
    return values, colour


def _node_trace(sizes, ys, layers, params):
    """Neurons as dots, coloured by their bias b_j (white for the input layer and a layer
    without b); the hover shows every per-neuron parameter of the layer making them."""
    x, y, colour, text = [], [], [], []
    for l, n in enumerate(sizes, start=1):
        layer = layers[l - 2] if l > 1 else None
        values, b = _neuron_values(layer, params[l - 2]) if layer else ([], None)
        b = np.zeros(n) if b is None else b
        for j in range(n):
            x.append(l)
            y.append(ys[l - 1][j])
            colour.append(float(b[j]))
            shown = ", ".join(f"{symbol} = {v[j]:.4g}" for symbol, v in values)
            text.append(f"layer {l}, neuron {j + 1}<br>{layer.label if layer else 'input'}"
                        + (f", {shown}" if shown else ""))
    top = max((abs(c) for c in colour if np.isfinite(c)), default=1.0) or 1.0
    return go.Scatter(x=x, y=y, mode="markers", text=text, hovertemplate="%{text}<extra></extra>",
                      showlegend=False, marker=dict(size=max(6, 18 - max(sizes) // 8), color=colour,
                                                    colorscale="RdBu", cmin=-top, cmax=top,
                                                    line=dict(width=1, color="black")))


def network_edges(net, max_edges: int = MAX_EDGES):
    """``edge_table`` of a ``bpdash.Network``: Θ edges for every layer with a weight matrix
    Θ^(l), neutral ones for the rest; and the network's ``LayerSummary`` list."""
    layers = summarize(net)
    return edge_table(net.weights, layers, max_edges), layers


def network_figure(net, *, max_edges: int = MAX_EDGES):
    """The diagram of ``net`` (a ``bpdash.Network``): a column of neurons per article layer.

    Every θ_jk^(l) of a weight matrix Θ^(l) is an edge, blue for θ > 0 and red for θ < 0, wider
    and darker as |θ| grows (beyond ``max_edges`` only the largest |θ|); a dropout layer's
    edges are grey, dashed and one-to-one; another layer without Θ (a layer norm) joins every
    pair in grey. Under each column: its activation, or the type of the layer making it.
    Neurons are coloured by their bias.
    """
    sizes = list(net.sizes)
    ys = neuron_positions(sizes)
    edges, layers = network_edges(net, max_edges)
    fig = go.Figure(_edge_traces(edges, ys) + [_node_trace(sizes, ys, layers, net.params)])
    labels = [f"layer {l}<br>{n} · {'input' if l == 1 else layers[l - 2].label}" for l, n in enumerate(sizes, start=1)]
    shown = int(np.count_nonzero(edges[:, 4] == THETA))
    total = sum(layer.n_in * layer.n_out for layer in layers if layer.theta is not None)
    note = "" if shown == total else f" (the {shown} largest |θ| of {total})"
    fig.update_layout(title=f"Network {'-'.join(map(str, sizes))}: edges coloured and sized by θ{note}",
                      height=420, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white",
                      xaxis=dict(tickmode="array", tickvals=list(range(1, len(sizes) + 1)), ticktext=labels,
                                 showgrid=False, zeroline=False),
                      yaxis=dict(visible=False))
    return fig
