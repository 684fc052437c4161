"""The Overview's board as one frame of plain data: the data with the decision surface (or the
fitted curve), the network with every θ and each neuron's activation map, and the cost curves.
With one output per class (k classes) the surface is the predicted class shaded by confidence,
in the colours of ``bpdash.charts.classes``, and the samples carry their class.

``bpdash/ui/board/`` draws a frame on canvases in the browser; a new frame redraws them in place.
Data in, a JSON-ready dict out: no Streamlit, no session state. Grids travel as bytes (base64),
rows from the top (the highest x₂) down, each value quantized over the range given beside it.
"""
from __future__ import annotations

import base64

import numpy as np
import plotly.colors

from bpdash import surface
from bpdash.features import FEATURE_LABELS
from bpdash.metrics import labels_of

from . import classes
from .network import network_edges
from .neurons import activation_scale
from . import training
from .training import downsample

SURFACE_RESOLUTION = 48  # the surface's grid; the browser smooths it when drawn larger
TILE_RESOLUTION = 16     # each neuron's map
MAX_TILES = 16           # neurons per layer drawn as maps; larger layers are drawn as dots
MAX_POINTS = 1000        # samples drawn on the plane (evenly chosen beyond this)
MAX_CURVE_POINTS = 600   # points per cost curve
PALETTE = [[int(c) for c in colour[4:-1].split(",")] for colour in plotly.colors.sequential.RdBu]  # the charts' DIVERGING


def quantized(values, low: float, high: float, wide: bool = False) -> str:
    """``values`` mapped linearly from [low, high] to 0 … 255 bytes (``wide``: 0 … 65535, two
    bytes each, little-endian), clipped, NaN → 0, in base64. A colour needs a byte; a contour
    drawn from bytes comes out in steps, so the surface travels wide."""
    values = np.asarray(values, dtype=float)
    top = 65535.0 if wide else 255.0
    span = high - low if high > low else 1.0
    with np.errstate(invalid="ignore"):
        scaled = np.clip(np.nan_to_num((values - low) / span * top, nan=0.0, posinf=top, neginf=0.0), 0, top)
    return base64.b64encode(np.round(scaled).astype("<u2" if wide else np.uint8).tobytes()).decode("ascii")


def target_range(Y) -> tuple[float, float]:
    """(low, high) that colours targets ``Y`` (any shape): [0, 1] for classes, else their range."""
    y = np.asarray(Y, dtype=float).ravel()
    y = y[np.isfinite(y)]
    if y.size == 0 or (y.min() >= 0 and y.max() <= 1):
        return 0.0, 1.0
    return float(y.min()), float(max(y.max(), y.min() + 1e-12))


def _sample_rows(n: int) -> np.ndarray:
    return downsample(n, MAX_POINTS)


def _points(X, Y, columns, output: int) -> list:
    """Rows ``[x…, y]`` of the samples (at most MAX_POINTS), rounded for the wire."""
    rows = _sample_rows(len(X))
    return np.column_stack([X[rows][:, columns], Y[rows][:, [output]]]).round(4).tolist()


def plane(net, transform, data, output: int = 0) -> dict:
    """2-D inputs: output ``output`` over the raw plane, and the samples coloured by their target
    (for one output per class: every class at once, ``class_plane``)."""
    X = np.vstack([data.X_train, data.X_test])
    if data.one_hot:
        return class_plane(net, transform, data, X)
    xs, ys, P = surface.prediction_grid(net, X, SURFACE_RESOLUTION, output=output, transform=transform)
    classification = data.task == "classification"
    low, high = target_range(data.Y_train[:, output]) if not classification else (0.0, 1.0)
    return {"kind": "plane", "bounds": [[xs[0], xs[-1]], [ys[0], ys[-1]]], "resolution": len(xs),
            "grid": quantized(P[::-1], low, high, wide=True), "range": [low, high],
            "boundary": 0.5 if classification else None,
            "train": _points(data.X_train, data.Y_train, [0, 1], output),
            "test": _points(data.X_test, data.Y_test, [0, 1], output),
            "shown": [min(len(data.X_train), MAX_POINTS), len(data.X_train)],
            "names": [_label(n) for n in data.feature_names[:2]], "output": data.target_names[output]}


def class_plane(net, transform, data, X) -> dict:
    """2-D inputs, k classes: each grid cell's code in ``classes.table(k)`` (its predicted class,
    shaded by the winning output; one byte each), the table with ``levels`` shades per class, the
    classes' names and full colours (the samples'), and the samples as rows ``[x1, x2, class]``."""
    xs, ys, C, P = surface.class_grid(net, X, SURFACE_RESOLUTION, transform=transform)
    k = data.n_classes
    def rows(X, Y):
        chosen = _sample_rows(len(X))
        found = labels_of(Y[chosen], "classification")
        return [[round(float(a), 4), round(float(b), 4), int(c)] for (a, b), c in zip(X[chosen][:, :2], found)]
    return {"kind": "plane", "bounds": [[xs[0], xs[-1]], [ys[0], ys[-1]]], "resolution": len(xs),
            "grid": base64.b64encode(classes.codes(C[::-1], P[::-1], k).tobytes()).decode("ascii"),
            "classes": {"names": list(data.class_names), "levels": classes.levels(k),
                        "table": classes.table(k).ravel().tolist(), "colours": classes.colours(k)},
            "range": [0, 255], "boundary": None,
            "train": rows(data.X_train, data.Y_train), "test": rows(data.X_test, data.Y_test),
            "shown": [min(len(data.X_train), MAX_POINTS), len(data.X_train)],
            "names": [_label(n) for n in data.feature_names[:2]], "output": "class"}


def curve(net, data, output: int = 0) -> dict:
    """1-D inputs: the function the network computes over the samples."""
    x, y = surface.fitted_curve(net, np.vstack([data.X_train, data.X_test]), output=output)
    return {"kind": "curve", "x": x.round(5).tolist(), "y": np.nan_to_num(y).round(5).tolist(),
            "train": _points(data.X_train, data.Y_train, [0], output),
            "test": _points(data.X_test, data.Y_test, [0], output),
            "names": [data.feature_names[0], data.target_names[output]]}


def scatter(net, transform, data, output: int = 0) -> dict:
    """More inputs: predicted against actual for output ``output``."""
    def pairs(X, Y):
        rows = _sample_rows(len(X))
        P = surface.predictions(net, transform(X[rows]))
        return np.column_stack([Y[rows][:, output], np.nan_to_num(P[:, output])]).round(4).tolist()
    return {"kind": "scatter", "train": pairs(data.X_train, data.Y_train), "test": pairs(data.X_test, data.Y_test),
            "names": ["actual " + data.target_names[output], "predicted"]}


def _label(name: str) -> str:
    return FEATURE_LABELS.get(name, name)


def network(net, transform=None, bounds=None, input_names=()) -> dict:
    """Layer sizes and labels (a layer's activation, or its type: "dropout p = 0.2"), every edge
    of ``network_edges`` as ``[l, j, k, θ, kind]`` (the Network view's edges: Θ's, the largest
    |θ| beyond its limit, and the grey ones of layers without Θ), and with ``bounds`` (2-D data)
    each neuron's map over the plane: per layer the maps of its first MAX_TILES neurons and the
    range they are quantized over. A dropout layer's maps are its input's: outside training it
    is the identity."""
    sizes = list(net.sizes)
    edges, layers = network_edges(net)
    frame = {"sizes": sizes, "labels": [layer.label for layer in layers], "edges": edges.round(4).tolist(),
             "inputs": [_label(n) for n in input_names][:sizes[0]],
             "tile_resolution": TILE_RESOLUTION, "tiles": None}
    if bounds is not None:
        layers = surface.neuron_grids(net, transform, bounds, TILE_RESOLUTION, inputs=True)
        tiles = []
        for grids in layers:
            grids = np.asarray(grids[:MAX_TILES], dtype=float)
            scale = activation_scale(grids)
            tiles.append({"range": [scale["zmin"], scale["zmax"]],
                          "maps": [quantized(g[::-1], scale["zmin"], scale["zmax"]) for g in grids]})
        frame["tiles"] = tiles
    return frame


def costs(history, current=None, best=None) -> dict:
    """Train and test J by epochs trained (row e → e − 1), thinned to MAX_CURVE_POINTS, plus
    ``current`` = (epoch, J_train, J_test) and the overfitting mark ``best`` (an ``Overfitting``)."""
    def series(column, now):
        x, y = training.curve(history, column, now, MAX_CURVE_POINTS)
        return [x.tolist(), y.round(6).tolist()]
    return {"train": series("cost", None if current is None else (current[0], current[1])),
            "test": series("test_cost", None if current is None else (current[0], current[2])),
            "best": None if best is None else {"epoch": best.best_epoch, "cost": best.best_cost}}


def board_frame(net, transform, data, history, *, metrics, current, best=None, output: int = 0) -> dict:
    """Everything the board draws for the network ``net`` on ``data`` after ``current[0]`` epochs.

    ``transform`` maps raw inputs to the network's (``Experiment.transform``); ``history`` is the
    trainer's; ``metrics`` a list of (label, value as text); ``current`` = (epoch, J_train, J_test).
    """
    if data.n_features == 2:
        view = plane(net, transform, data, output)
        bounds = view["bounds"]
    elif data.n_features == 1:
        view, bounds = curve(net, data, output), None
    else:
        view, bounds = scatter(net, transform, data, output), None
    names = transform.names if getattr(transform, "names", ()) else data.feature_names
    return {"epoch": int(current[0]), "metrics": [list(m) for m in metrics], "palette": PALETTE,
            "task": data.task, "data": view,
            "network": network(net, transform, bounds, names),
            "cost": costs(history, current, best)}
