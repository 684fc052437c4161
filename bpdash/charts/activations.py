"""Figures of activation functions: f and f′ over z. Data in, plotly figure out."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .training import LEGEND, MARGIN

Z_RANGE = (-4.0, 4.0)


def activation_curves(activation, z=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, f(z), f′(z)) on 201 points of [−4, 4] (or the given z, 1-D); non-finite → NaN."""
    z = np.linspace(*Z_RANGE, 201) if z is None else np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        a = activation.f(z.copy())
        f = np.asarray(a, dtype=float)
        df = np.asarray(activation.df(z.copy(), np.array(a)), dtype=float)
    return z, np.where(np.isfinite(f), f, np.nan), np.where(np.isfinite(df), df, np.nan)


def activation_figure(activation, z=None, height=260) -> go.Figure:
    """f(z) (solid) and f′(z) (dashed) of one activation record."""
    z, f, df = activation_curves(activation, z)
    fig = go.Figure([
        go.Scatter(x=z, y=f, name="f(z)", mode="lines", line=dict(width=2.5)),
        go.Scatter(x=z, y=df, name="f′(z)", mode="lines", line=dict(width=2, dash="dash")),
    ])
    fig.update_layout(title=activation.name, height=height, margin=MARGIN, legend=LEGEND, xaxis_title="z")
    fig.add_hline(y=0, line=dict(color="grey", width=0.5))
    fig.add_vline(x=0, line=dict(color="grey", width=0.5))
    return fig
