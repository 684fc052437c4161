"""Figures of training: cost and accuracy curves, and heatmaps of Θ^(l) (or ∂J/∂Θ^(l)) with b^(l).

Data in, plotly figure out: no Streamlit, no session state. A history is the trainer's DataFrame
(one row per epoch; row e measures the parameters epoch e started from, i.e. after e − 1 epochs).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .text import literal, literals

MAX_POINTS = 2000
DIVERGING = "RdBu"  # plotly's RdBu: negative red … zero white … positive blue
TRAIN_COLOUR, TEST_COLOUR = "#1f77b4", "#ff7f0e"
# Samples coloured by their target: RdBu's strong red and blue, not its darkest ends, so they
# stand out on a decision surface drawn in the same colours.
POINT_SCALE = [[0.0, "rgb(178,24,43)"], [0.5, "rgb(247,247,247)"], [1.0, "rgb(33,102,172)"]]
# Legends sit in the figure's bottom margin, under the x axis' title, never across it (even on a
# phone's narrow, short chart); MARGIN leaves them room.
LEGEND = dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left")
MARGIN = dict(l=10, r=10, t=40, b=60)
MIN_HEATMAP_HEIGHT = 300  # px: a one-row Θ^(l) still has room for its axis title and colour bar


def downsample(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread rows of ``n``, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def curve(history, column, current=None, max_points=MAX_POINTS):
    """(x, y): ``column`` by epochs trained (row e → x = e − 1), plus the ``current`` (epoch, value)."""
    rows = downsample(len(history), max_points)
    x = history["epoch"].to_numpy(dtype=float)[rows] - 1
    y = history[column].to_numpy(dtype=float)[rows]
    if current is not None and np.isfinite(current[1]):
        x, y = np.append(x, current[0]), np.append(y, current[1])
    keep = np.isfinite(y)
    return x[keep], y[keep]


def _line(x, y, name, colour, symbol, value_format=".5g"):
    return go.Scatter(x=x, y=y, mode="lines" if len(x) > 1 else "markers", name=name,
                      line=dict(color=colour, width=2), marker=dict(color=colour),
                      hovertemplate=f"epoch %{{x}}<br>{symbol} = %{{y:{value_format}}}<extra>{name}</extra>")


def cost_figure(history, *, current=None, log_y: bool = False, max_points: int = MAX_POINTS, best=None):
    """Train and test cost J by epoch; ``current`` = (epoch, J_train, J_test) adds today's point;
    ``best`` (a ``bpdash.overfitting.Overfitting``) marks the epoch of the least test cost.

    At most ``max_points`` points per curve are drawn (evenly thinned), so a long run stays light.
    """
    fig = go.Figure()
    for column, name, colour, i in (("cost", "train", TRAIN_COLOUR, 1), ("test_cost", "test", TEST_COLOUR, 2)):
        now = None if current is None else (current[0], current[i])
        x, y = curve(history, column, now, max_points)
        if len(x):
            fig.add_trace(_line(x, y, name, colour, "J"))
    if best is not None:  # overfitting: the weights after this epoch had the least test cost
        fig.add_vline(x=best.best_epoch, line=dict(color="#31333f", width=1, dash="dash"),
                      annotation_text=f"best for new data: epoch {best.best_epoch:,}", annotation_position="top")
    fig.update_layout(title="Cost J(θ) by epoch", xaxis_title="epochs trained", yaxis_title="cost J",
                      yaxis_type="log" if log_y else "linear", hovermode="x unified",
                      height=380, margin=MARGIN, legend=LEGEND)
    return fig


def accuracy_figure(history, *, current=None, max_points: int = MAX_POINTS):
    """Train and test accuracy by epoch (classification); ``current`` = (epoch, acc_train, acc_test)."""
    fig = go.Figure()
    for column, name, colour, i in (("accuracy", "train", TRAIN_COLOUR, 1),
                                    ("test_accuracy", "test", TEST_COLOUR, 2)):
        now = None if current is None else (current[0], current[i])
        x, y = curve(history, column, now, max_points)
        if len(x):
            fig.add_trace(_line(x, y, name, colour, "accuracy", ".1%"))
    fig.update_layout(title="Accuracy by epoch", xaxis_title="epochs trained", yaxis_title="accuracy",
                      yaxis=dict(range=[0, 1.02], tickformat=".0%"), hovermode="x unified", height=320,
                      margin=MARGIN, legend=LEGEND)
    return fig


def parameter_heatmap(W, b, layer: int, *, gradient: bool = False, epoch: int | None = None,
                      mark_zeros: bool = False):
    """Θ^(l) (or ∂J/∂Θ^(l)) as a heatmap, b^(l) (or ∂J/∂b^(l)) in a column beside it.

    ``W`` is ``(n_to, n_from)`` = (sizes[l], sizes[l-1]), ``b`` is ``(n_to,)``. Row j is "to
    neuron j" of layer l+1, column k "from neuron k" of layer l (the article's θ_jk^(l)), both
    counted from 1. The colour scale is diverging and centred at zero, shared by both panels.
    ``mark_zeros`` puts a × on every weight that is exactly 0 (as L1 regularization makes them).
    """
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    n_to, n_from = W.shape
    symbol = f"∂J/∂θ<sub>jk</sub><sup>({layer})</sup>" if gradient else f"θ<sub>jk</sub><sup>({layer})</sup>"
    bias = f"∂J/∂b<sub>j</sub><sup>({layer})</sup>" if gradient else f"b<sub>j</sub><sup>({layer})</sup>"
    finite = np.concatenate([W.ravel(), b.ravel()])
    finite = finite[np.isfinite(finite)]
    zmax = float(np.abs(finite).max()) if finite.size else 1.0
    zmax = zmax if zmax > 0 else 1.0
    scale = dict(colorscale=DIVERGING, zmid=0.0, zmin=-zmax, zmax=zmax)
    rows, cols = np.arange(1, n_to + 1), np.arange(1, n_from + 1)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.9, 0.1], shared_yaxes=True,
                        horizontal_spacing=0.04)
    fig.add_trace(go.Heatmap(
        z=W, x=cols, y=rows, colorbar=dict(thickness=12, exponentformat="power"), **scale,
        hovertemplate=f"{symbol}: to neuron j=%{{y}}, from neuron k=%{{x}}<br>value %{{z:.4g}}<extra></extra>"),
        row=1, col=1)
    fig.add_trace(go.Heatmap(
        z=b.reshape(-1, 1), x=["b"], y=rows, showscale=False, **scale,
        hovertemplate=f"{bias}: to neuron j=%{{y}}<br>value %{{z:.4g}}<extra></extra>"), row=1, col=2)
    zero_j, zero_k = np.nonzero(W == 0) if mark_zeros else ((), ())
    if len(zero_j):
        fig.add_trace(go.Scatter(x=cols[zero_k], y=rows[zero_j], mode="text", text=["×"] * len(zero_j),
                                 textfont=dict(size=14, color="black"), showlegend=False,
                                 hovertemplate="exactly 0: j=%{y}, k=%{x}<extra></extra>"), row=1, col=1)
    name = "∂J/∂Θ" if gradient else "Θ"
    when = "" if epoch is None else (f", epoch {epoch}'s update" if gradient else f" after epoch {epoch}")
    fig.update_layout(title=f"{name}<sup>({layer})</sup>: layer {layer} → {layer + 1}{when}",
                      height=max(MIN_HEATMAP_HEIGHT, min(140 + 22 * n_to, 520)), margin=dict(l=10, r=10, t=40, b=10))
    fig.update_yaxes(title_text=f"to neuron j (layer {layer + 1})", autorange="reversed", row=1, col=1)
    fig.update_xaxes(title_text=f"from neuron k (layer {layer})", row=1, col=1)
    fig.update_xaxes(title_text="bias", row=1, col=2)
    fig.update_yaxes(showticklabels=False, ticks="", row=1, col=2)
    if n_from <= 16:
        fig.update_xaxes(tickmode="array", tickvals=cols, row=1, col=1)
    if n_to <= 16:
        fig.update_yaxes(tickmode="array", tickvals=rows, row=1, col=1)
    return fig


# -- predictions and data ----------------------------------------------------------------------

def _colour_range(y):
    """(low, high) for colouring targets y: [0, 1] when they lie in it (classes), else their range."""
    y = y[np.isfinite(y)]
    if y.size == 0 or (y.min() >= 0 and y.max() <= 1):
        return 0.0, 1.0
    return float(y.min()), float(max(y.max(), y.min() + 1e-12))


def _points(X, Y, name, symbol, *, colour_by_target: bool, dims: int):
    """A scatter of samples: 2-D inputs coloured by the target, or (x, y) pairs for 1-D inputs."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if dims == 2:  # training rows ringed in white, test rows in black: both clear on any surface
        marker = dict(size=8, symbol=symbol, line=dict(width=1.5 if name == "test" else 1.2,
                                                       color="black" if name == "test" else "white"))
        if colour_by_target:
            low, high = _colour_range(Y[:, 0])
            marker.update(color=Y[:, 0], colorscale=POINT_SCALE, cmin=low, cmax=high)
        return go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", name=name, marker=marker,
                          customdata=Y[:, 0],
                          hovertemplate="x1 %{x:.3g}, x2 %{y:.3g}<br>y = %{customdata:.3g}"
                                        f"<extra>{name}</extra>")
    return go.Scatter(x=X[:, 0], y=Y[:, 0], mode="markers", name=name,
                      marker=dict(size=7, symbol=symbol, color=TRAIN_COLOUR if name == "train" else TEST_COLOUR),
                      hovertemplate=f"x %{{x:.3g}}<br>y %{{y:.3g}}<extra>{name}</extra>")


def surface_figure(xs, ys, P, X_train, Y_train, X_test, Y_test, *, classification=True,
                   names=("x1", "x2"), output_name="a", discrete=False):
    """The decision surface P ``(len(ys), len(xs))`` of a 2-input network, with the samples on top.

    ``P[i, j]`` is the output at ``(xs[j], ys[i])``. X ``(m, 2)`` and Y ``(m, n_outputs)``; points
    are coloured by Y[:, 0]. ``names`` (the inputs' column names) are shown as written;
    ``output_name`` is plotly markup (``a<sub>1</sub>``). For classification the colour scale spans [0, 1] centred at ½ and
    the decision boundary a = ½ is drawn as a line; ``discrete`` colours each point of the plane
    by the class it is given (a ≥ ½ or not) instead of by a. Empty X_test draws no test points.
    """
    P = np.asarray(P, dtype=float)
    if discrete and classification:
        P = np.where(np.isfinite(P), (P >= 0.5).astype(float), np.nan)
    scale = (dict(zmin=0, zmax=1, zmid=0.5) if classification else
             dict(zmid=float(np.nanmean(P)) if np.isfinite(P).any() else 0.0))
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=P, colorscale=DIVERGING, opacity=0.6, name="network",
                               zsmooth=False if discrete else "best",
                               colorbar=dict(title=output_name, thickness=12), **scale,
                               hovertemplate=f"x1 %{{x:.3g}}, x2 %{{y:.3g}}<br>{output_name} = %{{z:.3g}}"
                                             "<extra>network</extra>"))
    if classification:
        fig.add_trace(go.Contour(x=xs, y=ys, z=P, contours=dict(start=0.5, end=0.5, coloring="none"),
                                 line=dict(color="black", width=2), showscale=False,
                                 name="a = ½", hoverinfo="skip"))
    for X, Y, name, symbol in ((X_train, Y_train, "train", "circle"), (X_test, Y_test, "test", "x")):
        if len(X):
            fig.add_trace(_points(X, Y, name, symbol, colour_by_target=True, dims=2))
    names = literals(names)
    fig.update_layout(title="Decision surface" if classification else f"Network output {output_name}",
                      xaxis_title=names[0], yaxis_title=names[1], height=480,
                      margin=MARGIN, legend=LEGEND)
    return fig


def curve_figure(x, y, X_train, Y_train, X_test, Y_test, *, names=("x", "y")):
    """The network's curve ``y(x)`` (both ``(n_points,)``) over the 1-D samples X ``(m, 1)``, Y ``(m, 1)``;
    ``names`` (input and target column names) are shown as written."""
    names = literals(names)
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines", name="network", line=dict(color="black", width=3),
                               hovertemplate="x %{x:.3g}<br>network %{y:.4g}<extra></extra>"))
    for X, Y, name, symbol in ((X_train, Y_train, "train", "circle"), (X_test, Y_test, "test", "x")):
        if len(X):
            fig.add_trace(_points(X, Y, name, symbol, colour_by_target=False, dims=1))
    fig.update_layout(title="Fitted curve", xaxis_title=names[0], yaxis_title=names[1], height=420,
                      margin=MARGIN, legend=LEGEND)
    return fig


def predicted_actual_figure(Y_train, P_train, Y_test, P_test, *, output_name="y"):
    """Predicted against actual for one output: Y and P are ``(m,)``; the diagonal is a perfect fit.
    ``output_name`` (the target's column name) is shown as written."""
    values = np.concatenate([np.ravel(a) for a in (Y_train, P_train, Y_test, P_test)])
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    fig = go.Figure(go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect fit",
                               line=dict(color="grey", dash="dash"), hoverinfo="skip"))
    for Y, P, name, colour in ((Y_train, P_train, "train", TRAIN_COLOUR), (Y_test, P_test, "test", TEST_COLOUR)):
        if len(Y):
            fig.add_trace(go.Scatter(x=Y, y=P, mode="markers", name=name, marker=dict(color=colour, size=6),
                                     hovertemplate=f"actual %{{x:.4g}}<br>predicted %{{y:.4g}}<extra>{name}</extra>"))
    fig.update_layout(title=f"Predicted vs actual: {literal(output_name)}", xaxis_title="actual",
                      yaxis_title="predicted", height=420, margin=MARGIN, legend=LEGEND)
    return fig


def data_figure(X_train, Y_train, X_test, Y_test, *, names=("x1", "x2"), target="y"):
    """The samples alone: a scatter coloured by target for 2-D inputs, y against x for 1-D.

    X ``(m, n_features)``, Y ``(m, n_outputs)``; returns None for other input sizes (show a table).
    ``names`` and ``target`` (column names) are shown as written.
    """
    dims = np.shape(X_train)[1]
    if dims not in (1, 2):
        return None
    fig = go.Figure()
    for X, Y, name, symbol in ((X_train, Y_train, "train", "circle"), (X_test, Y_test, "test", "x")):
        if len(X):
            fig.add_trace(_points(X, Y, name, symbol, colour_by_target=True, dims=dims))
    axes = literals((names[0], names[1]) if dims == 2 else (names[0], target))
    fig.update_layout(title="The data", xaxis_title=axes[0], yaxis_title=axes[1], height=420,
                      margin=MARGIN, legend=LEGEND)
    return fig
