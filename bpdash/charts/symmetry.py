"""Figures for the symmetry lab: cost curves and distinct units over the epochs.

The weight heatmaps come from ``bpdash.charts.training.parameter_heatmap``.

Data in (DataFrames, arrays), plotly figure out; no Streamlit, no session state.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .text import literal
from .training import LEGEND, MARGIN
from .training import downsample as spread_rows

MAX_POINTS = 2000
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def downsample(frame: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most ``max_points`` evenly spread rows of ``frame``, first and last included."""
    return frame if len(frame) <= max_points else frame.iloc[spread_rows(len(frame), max_points)]


def cost_curves(histories: dict, column: str = "cost", height: int = 300) -> go.Figure:
    """One line of ``column`` against epoch per run: ``histories`` maps run name → trainer history
    (names shown as written)."""
    fig = go.Figure()
    for i, (name, history) in enumerate(histories.items()):
        h = downsample(history)
        fig.add_trace(go.Scatter(x=h["epoch"], y=h[column], name=literal(name), mode="lines",
                                 line=dict(color=PALETTE[i % len(PALETTE)], width=2)))
    fig.update_layout(height=height, margin={**MARGIN, "t": 30}, xaxis_title="epoch",
                      yaxis_title="cost J (training)", legend=LEGEND)
    return fig


def distinct_figure(distinct: dict, units: list | None = None, height: int = 300) -> go.Figure:
    """Distinct units per hidden layer over the epochs: ``distinct`` maps run name → a DataFrame
    with ``epoch`` and one ``layer l`` column per hidden layer; ``units`` (per hidden layer) draws
    the layer sizes as dotted ceilings."""
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i, (name, frame) in enumerate(distinct.items()):
        f = downsample(frame)
        for d, layer in enumerate(c for c in frame.columns if c != "epoch"):
            fig.add_trace(go.Scatter(x=f["epoch"], y=f[layer], name=literal(f"{name}: {layer}"), mode="lines",
                                     line=dict(color=PALETTE[i % len(PALETTE)], dash=dashes[d % 4],
                                               shape="hv", width=2)))
    for n in sorted(set(units or [])):
        fig.add_hline(y=n, line=dict(color="grey", width=0.8, dash="dot"))
    fig.update_layout(height=height, margin={**MARGIN, "t": 30}, xaxis_title="epoch",
                      yaxis_title="distinct units", yaxis=dict(rangemode="tozero", dtick=1),
                      legend=LEGEND)
    return fig
