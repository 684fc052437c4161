"""Figures for the Sweeps view: a result against a swept setting with its spread over seeds, a
heatmap over two settings, and every run's cost curve overlaid with the diverged ones marked.

Data in (the sweep's result table, its rows' curves), plotly figure out; no Streamlit. Values
shown on an axis are the table's own (a list setting as its text, "8,8").
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .training import downsample

MAX_CURVES = 256
DIVERGED = "#d62728"
LAYOUT = dict(margin=dict(l=10, r=10, t=30, b=10))


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series)


def by_value(table: pd.DataFrame, x: str, y: str = "final_cost", log_x: bool = False, height: int = 320) -> go.Figure:
    """The mean of ``y`` over the runs that share each value of ``x`` (the seeds), with a band
    from their lowest to their highest; each run a dot, diverged runs as red crosses."""
    ok = table[table["status"] == "ok"]
    groups = ok.groupby(x, sort=True)[y]
    stats = pd.DataFrame({"mean": groups.mean(), "low": groups.min(), "high": groups.max()}).reset_index()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(stats[x]) + list(stats[x])[::-1], y=list(stats["high"]) + list(stats["low"])[::-1],
                             fill="toself", fillcolor="rgba(31,119,180,0.15)", line=dict(width=0),
                             name="lowest to highest over seeds", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=stats[x], y=stats["mean"], mode="lines+markers", name="mean over seeds",
                             line=dict(color="#1f77b4", width=2)))
    calm = ok[ok["stop"] != "diverged"]
    fig.add_trace(go.Scatter(x=calm[x], y=calm[y], mode="markers", name="a run", marker=dict(size=5, opacity=0.5),
                             text=[f"run {r}" for r in calm["run"]]))
    gone = table[table["stop"] == "diverged"]
    if len(gone):
        fig.add_trace(go.Scatter(x=gone[x], y=gone[y].fillna(stats["high"].max() if len(stats) else 0),
                                 mode="markers", name="diverged", marker=dict(symbol="x", size=9, color=DIVERGED),
                                 text=[f"run {r}: diverged" for r in gone["run"]]))
    fig.update_layout(height=height, xaxis_title=x, yaxis_title=y, legend=dict(orientation="h", y=-0.3), **LAYOUT)
    if log_x and _numeric(table[x]) and (table[x] > 0).all():
        fig.update_xaxes(type="log")
    return fig


def heatmap(table: pd.DataFrame, x: str, y: str, z: str = "final_cost", height: int = 360) -> go.Figure:
    """The mean of ``z`` over seeds for every pair of values of ``x`` and ``y``."""
    ok = table[table["status"] == "ok"]
    grid = ok.pivot_table(index=y, columns=x, values=z, aggfunc="mean")
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[str(v) for v in grid.columns], y=[str(v) for v in grid.index],
                               colorscale="Viridis", colorbar=dict(title=z)))
    fig.update_layout(height=height, xaxis_title=x, yaxis_title=y, **LAYOUT)
    return fig


def curves(rows: dict, labels: dict, log_y: bool = True, height: int = 360) -> go.Figure:
    """Every run's training cost by epoch (``rows``: run → its row with ``cost_curve``; ``labels``:
    run → its legend text); diverged runs in red, ending in a cross where they blew up."""
    fig = go.Figure()
    for run in sorted(rows)[:MAX_CURVES]:
        row = rows[run]
        curve = np.asarray(row.get("cost_curve") or [], dtype=float)
        if not len(curve):
            continue
        keep = downsample(len(curve), 500)
        epochs, values = np.arange(1, len(curve) + 1)[keep], curve[keep]
        diverged = row.get("stop") == "diverged"
        fig.add_trace(go.Scatter(x=epochs, y=values, mode="lines", name=labels.get(run, f"run {run}"),
                                 line=dict(width=1.2, color=DIVERGED if diverged else None),
                                 opacity=0.9 if diverged else 0.6, showlegend=False,
                                 hovertemplate=f"{labels.get(run, run)}<br>epoch %{{x}}<br>J %{{y:.4g}}<extra></extra>"))
        if diverged:
            fig.add_trace(go.Scatter(x=[epochs[-1]], y=[values[-1]], mode="markers", showlegend=False,
                                     marker=dict(symbol="x", size=9, color=DIVERGED), hoverinfo="skip"))
    fig.update_layout(height=height, xaxis_title="epoch", yaxis_title="J (training)", **LAYOUT)
    if log_y:
        fig.update_yaxes(type="log")
    return fig
