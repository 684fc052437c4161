"""Gradient checking: backpropagation against central differences of the cost J.

For every layer l = 1 … L−1 with parameters the check perturbs each entry θ of each of its
parameter arrays (Θ^(l) and b^(l) for a dense layer, γ and β for a layer norm …) by ±h,
measures J on both sides and compares

    g_num = (J(θ + h) − J(θ − h)) / (2h)

with backprop's ∂J/∂θ. The verdict per layer is the relative error
‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12) over the layer's parameters together.

Indices follow the article: layer ``l`` is 1-based (Θ^(l) feeds layer l+1), and so are ``j``
(to neuron j of layer l+1) and ``k`` (from neuron k of layer l): θ_jk^(l) is
``net.weights[l-1][j-1, k-1]``. ``k = 0`` names the bias b_j^(l), the weight from the article's
bias neuron a_0^(l) = 1.

The check runs on a float64 copy of the network's parameters (whatever its dtype), so the
network itself is never touched. With a training ``context`` (dropout) the masks of one
recorded pass are replayed for every perturbed pass. Numpy's floating-point warnings are
silenced: a non-finite result shows up as a failing check instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .context import Context, recording, replaying
from .network import Network, as_matrix
from .regularization import active, check

DEFAULT_STEP = 1e-5
PASS_THRESHOLD = 1e-6  # what the dashboard shows in green; tests ask for < 1e-7


@dataclass(frozen=True)
class LayerCheck:
    """The check of the parameters of one layer ``layer`` (1-based, as in the article).

    - ``symbols``, ``roles``: of each parameter array ("Θ", "b"; "weight", "bias").
    - ``backprop``, ``numeric``: ∂J/∂(each parameter array) by backprop and by differences.
    - ``relative_error``: ‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12) over them all.
    - ``max_abs_diff``: max |g_bp − g_num| over them all.

    ``backprop_weights`` / ``numeric_weights`` are ∂J/∂Θ^(l), shape ``(sizes[l], sizes[l-1])``,
    and ``backprop_biases`` / ``numeric_biases`` ∂J/∂b^(l) ``(sizes[l],)`` (None without).
    """

    layer: int
    symbols: tuple
    roles: tuple
    backprop: tuple
    numeric: tuple
    relative_error: float

    def _of(self, which, role):
        return next((a for a, r in zip(which, self.roles) if r == role), None)

    @property
    def backprop_weights(self):
        return self._of(self.backprop, "weight")

    @property
    def numeric_weights(self):
        return self._of(self.numeric, "weight")

    @property
    def backprop_biases(self):
        return self._of(self.backprop, "bias")

    @property
    def numeric_biases(self):
        return self._of(self.numeric, "bias")

    @property
    def labels(self) -> tuple:
        """Each parameter array in the article's notation: ("Θ^(1)", "b^(1)"), ("γ^(2)", "β^(2)")."""
        return tuple(f"{s}^({self.layer})" for s in self.symbols)

    @property
    def label(self) -> str:
        return ", ".join(self.labels)

    @property
    def relative_errors(self) -> tuple:
        """The relative error of each parameter array on its own."""
        return tuple(relative_error(b, n) for b, n in zip(self.backprop, self.numeric))

    @property
    def max_abs_diff(self) -> float:
        """max |g_bp − g_num| over every parameter array of the layer."""
        return max(self.max_abs_diffs, default=0.0)

    @property
    def max_abs_diffs(self) -> tuple:
        """max |g_bp − g_num| of each parameter array."""
        return tuple(float(np.abs(b - n).max()) if b.size else 0.0 for b, n in zip(self.backprop, self.numeric))

    def passed(self, threshold: float = PASS_THRESHOLD) -> bool:
        """True when the relative error is finite and below ``threshold``."""
        return passes(self.relative_error, threshold)


def passes(error: float, threshold: float = PASS_THRESHOLD) -> bool:
    """True when a relative ``error`` is finite and below ``threshold``."""
    return bool(np.isfinite(error) and error < threshold)


def relative_error(g_bp, g_num) -> float:
    """‖g_bp − g_num‖ / max(‖g_bp‖ + ‖g_num‖, 1e-12), norms over all entries."""
    g_bp, g_num = np.ravel(g_bp), np.ravel(g_num)
    scale = max(np.linalg.norm(g_bp) + np.linalg.norm(g_num), 1e-12)
    return float(np.linalg.norm(g_bp - g_num) / scale)


def training_context(net: Network, seed=None) -> Context | None:
    """A training ``Context`` drawing from ``numpy.random.default_rng(seed)`` when a layer of
    ``net`` behaves differently in training (dropout), else None: what checks ``net`` as it
    trains. The check records the draws of its first pass (the masks) and replays them in every
    other, so that each J differs from the next only by the nudged parameter."""
    if not any(op.training_differs for op in net.layers):
        return None
    return Context(training=True, rng=np.random.default_rng(seed))


def cost_value(net: Network, X, Y, cost="squared_error", regularization="none", reg_rate=0.0,
               context=None) -> float:
    """J at the network's current parameters, computed as backprop computes it, plus the
    regularization penalty R(Θ) when ``regularization`` is "l1" or "l2"."""
    return net.cost(X, Y, cost, regularization, reg_rate, context=context)


def _float64(net, X, Y):
    """A twin of ``net`` with float64 copies of its parameters, and X, Y as float64."""
    twin = net.with_params(tuple(tuple(p.astype(np.float64) for p in layer) for layer in net.params))
    return twin, as_matrix(X, net.sizes[0], "X"), as_matrix(Y, net.sizes[-1], "Y")


def _central_difference(net, X, Y, cost, layer, slot, index, step, reg, context) -> float:
    """(J(θ + h) − J(θ − h)) / 2h for entry ``index`` of parameter ``slot`` of ``layer``
    (0-based), on a fresh copy of that one array each time."""
    params = net.params
    values = []
    try:
        for h in (step, -step):
            array = params[layer][slot].copy()
            array[index] += h
            layer_params = params[layer][:slot] + (array,) + params[layer][slot + 1:]
            net.params = params[:layer] + (layer_params,) + params[layer + 1:]
            values.append(net.cost(X, Y, cost, *reg, context=context))
    finally:
        net.params = params
    return (values[0] - values[1]) / (2.0 * step)


def _check_index(net: Network, layer: int, j: int, k: int) -> None:
    if not 1 <= layer <= net.n_layers - 1:
        raise ValueError(f"layer must be 1 … {net.n_layers - 1} (Θ^(l) feeds layer l+1), got {layer}")
    if net.layout.weight[layer - 1] is None:
        raise ValueError(f"layer {layer} ({net.activation_names[layer - 1]}) has no weights θ_jk")
    n_to, n_from = net.sizes[layer], net.sizes[layer - 1]
    if not 1 <= j <= n_to:
        raise ValueError(f"j must be 1 … {n_to} (a neuron of layer {layer + 1}), got {j}")
    if not 0 <= k <= n_from:
        raise ValueError(f"k must be 1 … {n_from} (a neuron of layer {layer}), or 0 for the bias; got {k}")
    if k == 0 and net.layout.bias[layer - 1] is None:
        raise ValueError("k = 0 names the bias, but this network has no biases")


def numeric_gradient(net: Network, X, Y, cost="squared_error", layer=1, j=1, k=1,
                     step=DEFAULT_STEP, regularization="none", reg_rate=0.0, context=None) -> float:
    """∂J/∂θ_jk^(layer) by a central difference; ``layer``, ``j``, ``k`` 1-based, k = 0 the bias.

    X is ``(m, sizes[0])``, Y ``(m, sizes[-1])``; J is averaged over those m samples, plus the
    penalty of ``regularization`` at rate ``reg_rate`` (see ``bpdash.regularization``).
    ``context``: a replaying ``Context`` holds dropout's masks fixed (default: no dropout).
    """
    _check_index(net, layer, j, k)
    check(regularization, reg_rate)
    twin, X, Y = _float64(net, X, Y)
    slot, index = ((twin.layout.bias[layer - 1], (j - 1,)) if k == 0
                   else (twin.layout.weight[layer - 1], (j - 1, k - 1)))
    with np.errstate(all="ignore"):
        first = recording(context)
        if first is not context:
            twin.cost(X, Y, cost, context=first)  # the pass whose draws every J replays
        return float(_central_difference(twin, X, Y, cost, layer - 1, slot, index, step,
                                         (regularization, reg_rate), replaying(first)))


class Checking:
    """A gradient check one parameter entry at a time, for work done in slices (a dashboard job):
    ``total`` entries; each ``next(checking.steps)`` takes one more central difference; once
    they are all taken, ``result()`` gives what ``gradient_check`` returns. The arguments are
    ``gradient_check``'s; backprop runs once, up front."""

    def __init__(self, net: Network, X, Y, cost="squared_error", step=DEFAULT_STEP, *,
                 regularization="none", reg_rate=0.0, context=None):
        check(regularization, reg_rate)
        self.net, self.X, self.Y = _float64(net, X, Y)
        self.cost, self.step, self.reg = cost, step, (regularization, reg_rate)
        first = recording(context)
        with np.errstate(all="ignore"):
            self.grads = (self.net.backprop(self.X, self.Y, cost, regularization, reg_rate, context=first)
                          if active(regularization, reg_rate) or first is not None
                          else self.net.backprop(self.X, self.Y, cost))  # (a subclass may take no more)
        self.perturbed = replaying(first)
        self.numeric = [tuple(np.empty(array.shape) for array in arrays) for arrays in self.net.params]
        self.total = sum(array.size for arrays in self.net.params for array in arrays)
        self.steps = self._steps()

    def _steps(self):
        net = self.net
        with np.errstate(all="ignore"):
            for l, arrays in enumerate(net.params):
                for slot, array in enumerate(arrays):
                    into = self.numeric[l][slot]
                    for index in np.ndindex(array.shape):
                        into[index] = _central_difference(net, self.X, self.Y, self.cost, l, slot, index,
                                                          self.step, self.reg, self.perturbed)
                        yield

    def result(self) -> list[LayerCheck]:
        """One ``LayerCheck`` per layer with parameters (call once every step is taken)."""
        checks = []
        for l, (op, numeric) in enumerate(zip(self.net.layers, self.numeric)):
            if not numeric:
                continue
            backprop = tuple(np.asarray(g, dtype=np.float64) for g in self.grads.params[l])
            g_bp = np.concatenate([g.ravel() for g in backprop])
            g_num = np.concatenate([g.ravel() for g in numeric])
            checks.append(LayerCheck(l + 1, tuple(p.symbol or p.name for p in op.parameters),
                                     tuple(p.role for p in op.parameters), backprop, numeric,
                                     relative_error(g_bp, g_num)))
        return checks


def gradient_check(net: Network, X, Y, cost="squared_error", step=DEFAULT_STEP, *,
                   regularization="none", reg_rate=0.0, context=None) -> list[LayerCheck]:
    """One ``LayerCheck`` per layer with parameters: backprop against central differences.

    X is ``(m, sizes[0])`` and Y ``(m, sizes[-1])``. With ``regularization`` "l1" or "l2" at
    rate ``reg_rate`` both sides use the penalized J = J_data + R(Θ) (for L1, R has a kink at
    θ = 0: a weight within ``step`` of 0 cannot be checked by differences). ``context``: a
    training ``Context`` checks a training pass, its dropout masks held fixed. Costs 2 forward
    passes per parameter: meant for the small networks one inspects, not for routine training
    (``Checking`` takes them in slices).
    """
    checking = Checking(net, X, Y, cost, step, regularization=regularization, reg_rate=reg_rate,
                        context=context)
    for _ in checking.steps:
        pass
    return checking.result()
