"""What the network predicts over the input space: grids for decision surfaces, curves for 1-D fits.

The dashboard draws these; the computing happens here, in the engine, so the UI holds no math.
Inputs X are ``(m, n_features)`` arrays as everywhere else; outputs are the network's a^(L).
Grids always span the RAW input plane (x₁, x₂); with input features the network is fed
``transform(G)`` (``Experiment.transform``), so pass it along.
"""
from __future__ import annotations

import numpy as np

from .network import Network, as_matrix


def input_range(x, margin: float = 0.15) -> tuple[float, float]:
    """``(low, high)`` of the values ``x`` widened by ``margin`` of their span on each side.

    A constant (or empty) ``x`` gets a span of 1 around its value (or around 0).
    """
    x = np.asarray(x, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return -1.0, 1.0
    low, high = float(x.min()), float(x.max())
    span = high - low
    if span == 0:
        return low - 0.5, high + 0.5
    return low - margin * span, high + margin * span


def grid_points(X, resolution: int = 60, margin: float = 0.15):
    """A ``resolution × resolution`` grid covering the 2-D inputs X ``(m, 2)``.

    Returns ``(xs, ys, G)``: the axes ``xs`` ``(resolution,)`` for x1 and ``ys`` ``(resolution,)``
    for x2, and the grid points ``G`` ``(resolution², 2)``, row by row: ``G[i·r + j] = (xs[j], ys[i])``.
    """
    X = as_matrix(X, 2, "X")
    r = int(resolution)
    if r < 2:
        raise ValueError(f"resolution must be ≥ 2, got {resolution!r}")
    xs = np.linspace(*input_range(X[:, 0], margin), r)
    ys = np.linspace(*input_range(X[:, 1], margin), r)
    G = np.column_stack([np.tile(xs, r), np.repeat(ys, r)])
    return xs, ys, G


def _grid_outputs(net: Network, X, resolution, margin, transform):
    """(xs, ys, A): the grid of ``grid_points`` and a^(L) at its points ``(resolution², sizes[-1])``."""
    if transform is None and net.sizes[0] != 2:
        raise ValueError(f"a prediction grid needs a network with 2 inputs, got {net.sizes[0]}")
    xs, ys, G = grid_points(X, resolution, margin)
    with np.errstate(all="ignore"):
        return xs, ys, net.forward(G if transform is None else transform(G))


def prediction_grid(net: Network, X, resolution: int = 60, output: int = 0, margin: float = 0.15,
                    transform=None):
    """Output ``output`` of the network over a grid around the raw 2-D inputs X ``(m, 2)``.

    ``transform`` maps raw points ``(k, 2)`` to the network's inputs ``(k, sizes[0])`` (the
    experiment's input features); None for a network fed the raw (x₁, x₂).
    Returns ``(xs, ys, P)`` with ``P[i, j]`` = a^(L)_output at ``(xs[j], ys[i])``, P of shape
    ``(resolution, resolution)``: ready for a heatmap or contour with x = xs and y = ys.
    """
    _check_output(net, output)
    xs, ys, A = _grid_outputs(net, X, resolution, margin, transform)
    return xs, ys, A[:, output].reshape(len(ys), len(xs))


def class_grid(net: Network, X, resolution: int = 60, margin: float = 0.15, transform=None):
    """The class a network with one output per class gives each point of the grid around the raw
    2-D inputs X ``(m, 2)``, and how sure it is (``transform`` as for ``prediction_grid``).

    Returns ``(xs, ys, C, P)``: ``C[i, j]`` the arg-max of a^(L) at ``(xs[j], ys[i])`` (the
    predicted class, 0 … k−1, as accuracy counts it) and ``P[i, j]`` that winning output (a
    softmax's probability of the class), both ``(resolution, resolution)``. A point whose outputs
    are not finite gets class 0 and P = NaN.
    """
    xs, ys, A = _grid_outputs(net, X, resolution, margin, transform)
    finite = np.isfinite(A).all(axis=1)
    C = np.where(finite, np.nan_to_num(A, nan=-np.inf).argmax(axis=1), 0)
    P = np.where(finite, A[np.arange(len(A)), C], np.nan)
    return xs, ys, C.reshape(len(ys), len(xs)), P.reshape(len(ys), len(xs))


def input_bounds(X, margin: float = 0.15) -> tuple:
    """``((x1_low, x1_high), (x2_low, x2_high))`` around the raw 2-D inputs X ``(m, 2)``, each
    widened by ``margin`` of its span (as ``grid_points`` does): the ``bounds`` of ``neuron_grids``."""
    X = as_matrix(X, 2, "X")
    return input_range(X[:, 0], margin), input_range(X[:, 1], margin)


def grid_axes(bounds, resolution: int = 40):
    """``(xs, ys)``, each ``(resolution,)``: the axes of a grid over ``bounds``
    ``((x1_low, x1_high), (x2_low, x2_high))``."""
    (x_low, x_high), (y_low, y_high) = bounds
    r = int(resolution)
    if r < 2:
        raise ValueError(f"resolution must be ≥ 2, got {resolution!r}")
    return np.linspace(float(x_low), float(x_high), r), np.linspace(float(y_low), float(y_high), r)


def neuron_grids(net: Network, transform, bounds, resolution: int = 40, inputs: bool = False) -> list:
    """Every neuron's activation over the raw input plane, for the neuron previews.

    ``transform`` maps raw points ``(k, 2)`` to the network's inputs (None: the raw inputs, for a
    2-input network); ``bounds`` is ``((x1_low, x1_high), (x2_low, x2_high))`` (``input_bounds``).
    Returns one array per non-input layer l = 2 … L, shape ``(sizes[l-1], resolution,
    resolution)``: ``grids[l-2][u, i, j]`` = a_(u+1)^(l) at ``(xs[j], ys[i])`` with
    ``xs, ys = grid_axes(bounds, resolution)``. With ``inputs``, layer 1 comes first: the
    network's inputs over the plane, laid out alike.
    """
    if transform is None and net.sizes[0] != 2:
        raise ValueError(f"neuron previews need a network with 2 inputs, got {net.sizes[0]}")
    points, r = _plane_inputs(transform, bounds, resolution)
    with np.errstate(all="ignore"):
        activations = net.forward_pass(points)[1][0 if inputs else 1:]
    return [A.T.reshape(A.shape[1], r, r) for A in activations]


def _plane_inputs(transform, bounds, resolution):
    """(network inputs at the grid points ``(r², n_inputs)``, r) for a grid over ``bounds``."""
    xs, ys = grid_axes(bounds, resolution)
    r = len(xs)
    G = np.column_stack([np.tile(xs, r), np.repeat(ys, r)])
    return (G if transform is None else transform(G)), r


def fitted_curve(net: Network, X, n_points: int = 200, output: int = 0, margin: float = 0.15):
    """The function a 1-input network computes, over a range around the inputs X ``(m, 1)``.

    Returns ``(x, y)``, both ``(n_points,)``: evenly spaced inputs and a^(L)_output at each.
    """
    if net.sizes[0] != 1:
        raise ValueError(f"a fitted curve needs a network with 1 input, got {net.sizes[0]}")
    _check_output(net, output)
    x = np.linspace(*input_range(X, margin), int(n_points))
    with np.errstate(all="ignore"):
        A = net.forward(x.reshape(-1, 1))
    return x, A[:, output]


def predictions(net: Network, X) -> np.ndarray:
    """a^(L) for the rows of X ``(m, sizes[0])``: shape ``(m, sizes[-1])`` (empty X gives 0 rows)."""
    X = np.asarray(X, dtype=float)
    if X.size == 0:
        return np.zeros((0, net.sizes[-1]))
    with np.errstate(all="ignore"):
        return net.forward(X)


def _check_output(net, output):
    if not 0 <= int(output) < net.sizes[-1]:
        raise ValueError(f"output must be from 0 to {net.sizes[-1] - 1}, got {output!r}")
