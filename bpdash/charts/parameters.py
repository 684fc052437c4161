"""Figures of one layer's parameters, at an epoch or played through the kept snapshots.

A layer with a weight matrix is drawn as Θ^(l) with b^(l) beside it (``parameter_heatmap``);
a layer with other parameters (γ and β of a layer norm) as its arrays by their symbols, one
heatmap row each (``layer_parameters_heatmap``). ``parameter_animation`` plays either. Data in,
plotly figure out: no Streamlit, no session state.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .training import DIVERGING, MIN_HEATMAP_HEIGHT, parameter_heatmap

ROW_HEIGHT = 60  # px per row of a parameter's heatmap


def _grid(values) -> np.ndarray:
    """A parameter's values as the rows a heatmap draws: a vector ``(n,)`` as one row ``(1, n)``,
    a matrix as it is, more axes folded into the columns."""
    values = np.asarray(values, dtype=float)
    return values.reshape(1, -1) if values.ndim < 2 else values.reshape(values.shape[0], -1)


def _panels(arrays, theta: bool) -> list:
    """What each heatmap of a layer's figure draws, in trace order: Θ and b as a column, or
    each parameter's grid."""
    if theta:
        W, b = arrays
        return [np.asarray(W, dtype=float), np.reshape(b, (-1, 1))]
    return [_grid(a) for a in arrays]


def _symmetric_range(arrays) -> float:
    """The largest finite |value| of ``arrays`` (1 when there is none or it is 0)."""
    values = np.concatenate([np.ravel(a) for a in arrays]) if len(arrays) else np.zeros(0)
    values = np.abs(values[np.isfinite(values)])
    return float(values.max()) if values.size and values.max() > 0 else 1.0


def _names(symbols, layer: int, gradient: bool) -> list[str]:
    """"γ<sup>(3)</sup>" (or "∂J/∂γ<sup>(3)</sup>") per symbol."""
    return [("∂J/∂" if gradient else "") + f"{s}<sup>({layer})</sup>" for s in symbols]


def layer_parameters_heatmap(arrays, symbols, layer: int, *, kind: str = "", gradient: bool = False,
                             epoch: int | None = None):
    """The parameters of layer ``layer`` (from article layer l to l + 1) that are not a weight
    matrix, e.g. a layer norm's γ ``(n,)`` and β ``(n,)``: one heatmap per array, a vector as
    one row whose column j is neuron j of layer l + 1, labelled by ``symbols`` ("γ", "β").

    ``gradient``: the arrays are ∂J/∂(each). One diverging colour scale centred at zero for all
    of them, as for Θ^(l); ``kind`` (the layer type) goes in the title.
    """
    grids = [_grid(a) for a in arrays]
    names = _names(symbols, layer, gradient)
    zmax = _symmetric_range(grids)
    shared = len({z.shape[1] for z in grids}) == 1  # one neuron axis under all the rows
    fig = make_subplots(rows=len(grids), cols=1, shared_xaxes=shared,
                        vertical_spacing=(0.06 if shared else 0.2) if len(grids) > 1 else 0.0)
    for i, (z, name) in enumerate(zip(grids, names), start=1):
        columns, rows = np.arange(1, z.shape[1] + 1), np.arange(1, z.shape[0] + 1)
        fig.add_trace(go.Heatmap(
            z=z, x=columns, y=rows, colorscale=DIVERGING, zmid=0.0, zmin=-zmax, zmax=zmax, showscale=i == 1,
            colorbar=dict(thickness=12, exponentformat="power"),
            hovertemplate=f"{name}: neuron j=%{{x}}<br>value %{{z:.4g}}<extra></extra>"), row=i, col=1)
        fig.update_yaxes(title_text=name, showticklabels=z.shape[0] > 1, ticks="", autorange="reversed",
                         row=i, col=1)
        if z.shape[1] <= 16:
            fig.update_xaxes(tickmode="array", tickvals=columns, row=i, col=1)
    fig.update_xaxes(title_text=f"neuron j (layer {layer + 1})", row=len(grids), col=1)
    when = "" if epoch is None else (f", epoch {epoch}'s update" if gradient else f" after epoch {epoch}")
    what = f" ({kind})" if kind else ""
    fig.update_layout(title=f"{', '.join(names)}: layer {layer} → {layer + 1}{what}{when}",
                      height=max(MIN_HEATMAP_HEIGHT, 120 + sum(ROW_HEIGHT * max(1, min(len(z), 6)) for z in grids)),
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


def parameter_animation(frames, layer: int, *, gradient: bool = False, symbols=None, kind: str = ""):
    """The heatmap of the last of ``frames`` with a play button and a slider through them all.

    ``frames`` is a list of ``(epoch, arrays)``: with ``symbols`` None, arrays is ``(W, b)``,
    W ``(n_to, n_from)`` and b ``(n_to,)`` (``parameter_heatmap``); else the layer's other
    parameters (``layer_parameters_heatmap``). The colour scale is fixed over all frames
    (centred at zero) so colours compare across epochs.
    """
    arrays = frames[-1][1]
    theta = symbols is None
    fig = parameter_heatmap(*arrays, layer, gradient=gradient) if theta else \
        layer_parameters_heatmap(arrays, symbols, layer, kind=kind, gradient=gradient)
    zmax = _symmetric_range([a for _, frame in frames for a in frame])
    fig.update_traces(zmin=-zmax, zmax=zmax)
    fig.frames = [go.Frame(name=str(e), data=[go.Heatmap(z=z) for z in _panels(frame, theta)],
                           traces=list(range(len(frame)))) for e, frame in frames]
    play = dict(label="▶", method="animate",
                args=[None, dict(frame=dict(duration=150, redraw=True), fromcurrent=True, transition=dict(duration=0))])
    pause = dict(label="⏸", method="animate", args=[[None], dict(mode="immediate", frame=dict(duration=0))])
    steps = [dict(label=str(e), method="animate",
                  args=[[str(e)], dict(mode="immediate", frame=dict(duration=0, redraw=True))]) for e, _ in frames]
    fig.update_layout(updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.08, xanchor="left",
                                        yanchor="top", buttons=[play, pause], showactive=False)],
                      sliders=[dict(steps=steps, active=len(steps) - 1, x=0.12, y=-0.02, len=0.85,
                                    currentvalue=dict(prefix="epoch "))],
                      margin=dict(l=10, r=10, t=40, b=90), height=fig.layout.height + 60)
    return fig
