"""Gradient checking: backpropagation against central differences of the cost J.

For every layer l = 1 … L−1 the check perturbs each θ_jk^(l) (and each bias b_j^(l) when the
network has biases) by ±h, measures J on both sides and compares

    g_num = (J(θ + h) − J(θ − h)) / (2h)

with backprop's ∂J/∂θ. The verdict per layer is the relative error
‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12) over the layer's weights and biases together.

Indices follow the article: layer ``l`` is 1-based (Θ^(l) feeds layer l+1), and so are ``j``
(to neuron j of layer l+1) and ``k`` (from neuron k of layer l): θ_jk^(l) is
``net.weights[l-1][j-1, k-1]``. ``k = 0`` names the bias b_j^(l), the weight from the article's
bias neuron a_0^(l) = 1.

The network's parameters are never modified in place: each perturbation assigns fresh copies,
and the original arrays are assigned back afterwards, so nothing else sees a changed value.
Everything is evaluated in float64 with numpy's floating-point warnings silenced (a non-finite
result shows up as a failing check instead).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, as_matrix, output_delta
from .regularization import active, check, penalty

DEFAULT_STEP = 1e-5
PASS_THRESHOLD = 1e-6  # what the dashboard shows in green; tests ask for < 1e-7


@dataclass(frozen=True)
class LayerCheck:
    """The check of Θ^(l) (and b^(l)) for one layer ``l`` (1-based, as in the article).

    - ``backprop_weights`` / ``numeric_weights``: ∂J/∂Θ^(l), shape ``(sizes[l], sizes[l-1])``.
    - ``backprop_biases`` / ``numeric_biases``: ∂J/∂b^(l), shape ``(sizes[l],)``, or None
      without biases.
    - ``relative_error``: ‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12) over both.
    - ``max_abs_diff``: max |g_bp − g_num| over both.
    """

    layer: int
    backprop_weights: np.ndarray
    numeric_weights: np.ndarray
    backprop_biases: np.ndarray | None
    numeric_biases: np.ndarray | None
    relative_error: float
    max_abs_diff: float

    @property
    def label(self) -> str:
        return f"Θ^({self.layer})" + (f", b^({self.layer})" if self.backprop_biases is not None else "")

    def passed(self, threshold: float = PASS_THRESHOLD) -> bool:
        """True when the relative error is finite and below ``threshold``."""
        return bool(np.isfinite(self.relative_error) and self.relative_error < threshold)


def relative_error(g_bp, g_num) -> float:
    """‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12), norms over all entries."""
    g_bp, g_num = np.ravel(g_bp), np.ravel(g_num)
    scale = max(np.linalg.norm(g_bp) + np.linalg.norm(g_num), 1e-12)
    return float(np.linalg.norm(g_bp - g_num) / scale)


def cost_value(net: Network, X, Y, cost="squared_error", regularization="none", reg_rate=0.0) -> float:
    """J at the network's current parameters, computed as backprop computes it (fused or not),
    plus the regularization penalty R(Θ) when ``regularization`` is "l1" or "l2"."""
    zs, activations = net.forward_pass(X)
    Y = as_matrix(Y, net.sizes[-1], "Y")
    J = float(output_delta(net, zs[-1], activations[-1], Y, cost)[0])
    return J + penalty(net.weights, regularization, reg_rate) if active(regularization, reg_rate) else J


def _perturbed_cost(net, X, Y, cost, layer, j, k, h, reg=("none", 0.0)) -> float:
    """J with θ_jk^(layer) (0-based j, k; k = −1 is the bias b_j) moved by h, on copies."""
    weights, biases = net.weights, net.biases
    try:
        if k < 0:
            b = biases[layer - 1].copy()
            b[j] += h
            net.biases = [*biases[:layer - 1], b, *biases[layer:]]
        else:
            W = weights[layer - 1].copy()
            W[j, k] += h
            net.weights = [*weights[:layer - 1], W, *weights[layer:]]
        return cost_value(net, X, Y, cost, *reg)
    finally:
        net.weights, net.biases = weights, biases


def _central_difference(net, X, Y, cost, layer, j, k, step, reg=("none", 0.0)) -> float:
    return (_perturbed_cost(net, X, Y, cost, layer, j, k, step, reg)
            - _perturbed_cost(net, X, Y, cost, layer, j, k, -step, reg)) / (2.0 * step)


def _check_index(net: Network, layer: int, j: int, k: int) -> None:
    if not 1 <= layer <= net.n_layers - 1:
        raise ValueError(f"layer must be 1 … {net.n_layers - 1} (Θ^(l) feeds layer l+1), got {layer}")
    n_to, n_from = net.sizes[layer], net.sizes[layer - 1]
    if not 1 <= j <= n_to:
        raise ValueError(f"j must be 1 … {n_to} (a neuron of layer {layer + 1}), got {j}")
    if not 0 <= k <= n_from:
        raise ValueError(f"k must be 1 … {n_from} (a neuron of layer {layer}), or 0 for the bias; got {k}")
    if k == 0 and not net.bias:
        raise ValueError("k = 0 names the bias, but this network has no biases")


def numeric_gradient(net: Network, X, Y, cost="squared_error", layer=1, j=1, k=1,
                     step=DEFAULT_STEP, regularization="none", reg_rate=0.0) -> float:
    """∂J/∂θ_jk^(layer) by a central difference; ``layer``, ``j``, ``k`` 1-based, k = 0 the bias.

    X is ``(m, sizes[0])``, Y ``(m, sizes[-1])``; J is averaged over those m samples, plus the
    penalty of ``regularization`` at rate ``reg_rate`` (see ``bpdash.regularization``).
    """
    _check_index(net, layer, j, k)
    check(regularization, reg_rate)
    X, Y = _float64(net, X, Y)
    with np.errstate(all="ignore"):
        return float(_central_difference(net, X, Y, cost, layer, j - 1, k - 1, step,
                                         (regularization, reg_rate)))


def _float64(net, X, Y):
    return (as_matrix(X, net.sizes[0], "X").astype(np.float64),
            as_matrix(Y, net.sizes[-1], "Y").astype(np.float64))


def _numeric_layer(net, X, Y, cost, layer, step, reg=("none", 0.0)):
    """(∂J/∂Θ^(layer), ∂J/∂b^(layer) or None) by central differences, entry by entry."""
    n_to, n_from = net.sizes[layer], net.sizes[layer - 1]
    dW = np.empty((n_to, n_from))
    for j in range(n_to):
        for k in range(n_from):
            dW[j, k] = _central_difference(net, X, Y, cost, layer, j, k, step, reg)
    if not net.bias:
        return dW, None
    db = np.array([_central_difference(net, X, Y, cost, layer, j, -1, step, reg) for j in range(n_to)])
    return dW, db


def gradient_check(net: Network, X, Y, cost="squared_error", step=DEFAULT_STEP, *,
                   regularization="none", reg_rate=0.0) -> list[LayerCheck]:
    """One ``LayerCheck`` per layer l = 1 … L−1: backprop against central differences.

    X is ``(m, sizes[0])`` and Y ``(m, sizes[-1])``. With ``regularization`` "l1" or "l2" at
    rate ``reg_rate`` both sides use the penalized J = J_data + R(Θ) (for L1, R has a kink at
    θ = 0: a weight within ``step`` of 0 cannot be checked by differences). Costs 2 forward
    passes per parameter: meant for the small networks one inspects, not for routine training.
    """
    check(regularization, reg_rate)
    X, Y = _float64(net, X, Y)
    reg = (regularization, reg_rate)
    checks = []
    with np.errstate(all="ignore"):
        grads = (net.backprop(X, Y, cost, regularization, reg_rate) if active(regularization, reg_rate)
                 else net.backprop(X, Y, cost))  # (a subclass may take no regularization)
        for layer in range(1, net.n_layers):
            dW, db = _numeric_layer(net, X, Y, cost, layer, step, reg)
            bp_W = np.asarray(grads.weights[layer - 1], dtype=np.float64)
            bp_b = np.asarray(grads.biases[layer - 1], dtype=np.float64) if net.bias else None
            g_bp = bp_W.ravel() if bp_b is None else np.concatenate([bp_W.ravel(), bp_b])
            g_num = dW.ravel() if db is None else np.concatenate([dW.ravel(), db])
            diff = np.abs(g_bp - g_num)
            checks.append(LayerCheck(layer, bp_W, dW, bp_b, db, relative_error(g_bp, g_num),
                                     float(diff.max()) if diff.size else 0.0))
    return checks
