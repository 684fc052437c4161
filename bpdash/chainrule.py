"""The chain rule path by path: the article's expansion of ∂J/∂θ_jk^(l), computed in full.

θ_jk^(l) feeds neuron j of layer l+1; from there every path through the later layers to an
output neuron o carries its influence to J. Along one path j = n_(l+1) → n_(l+2) → … → n_L = o
the article multiplies, from the output back:

    ∂J/∂a_o^(L) · f′(z_o^(L)) · θ_(o n_(L−1))^(L−1) · f′(z_(n_(L−1))^(L−1)) · … · f′(z_j^(l+1)) · a_k^(l)

and ∂J/∂θ_jk^(l) is the sum of these products over all paths (and over the samples). When the
cost has a fused form for the output activation (cross-entropy after a sigmoid) the first two
factors come as one, δ_o^(L) = ∂J/∂z_o^(L). ``k = 0`` names the bias b_j^(l), whose "input" is
the bias neuron a_0^(l) = 1.

Indices are 1-based as in the article: layer l = 1 … L−1, j = 1 … sizes[l], k = 0 … sizes[l-1].
This module never calls backprop for the sum: it multiplies the factors path by path. The
backprop value is reported beside it for comparison.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .gradcheck import _check_index
from .network import Network, as_matrix, derivative
from .regularization import active, check, gradient

MAX_PATHS = 200            # paths returned with their factors
MAX_ENUMERATED = 4_000_000  # samples × paths multiplied one by one; beyond, summed layer by layer


@dataclass(frozen=True)
class Factor:
    """One factor of a path: its label in the article's notation and its value per sample (m,)."""

    label: str     # e.g. "∂J/∂a_1^(3)", "f′(z_1^(3))", "θ_11^(2)", "a_1^(1)"
    latex: str     # the same in LaTeX
    values: np.ndarray


@dataclass(frozen=True)
class Path:
    """One path from neuron j of layer l+1 to an output neuron.

    ``neurons`` are the 1-based neuron numbers on layers l+1 … L; ``products`` (m,) the product
    of the factors for each sample; ``value`` their sum over the samples.
    """

    neurons: tuple
    factors: tuple
    products: np.ndarray

    @property
    def value(self) -> float:
        return float(self.products.sum())


@dataclass(frozen=True)
class ChainRule:
    """The expansion of ∂J/∂θ_jk^(layer) over ``samples`` (row indices of X, or None for all).

    ``paths`` holds at most ``MAX_PATHS`` paths (in order of their neuron numbers);
    ``total`` is the sum over all ``n_paths`` paths and the samples, ``truncated`` says whether
    ``paths`` is shorter than ``n_paths``, ``enumerated`` whether the total multiplied every path
    out (False: summed layer by layer by the distributive law, as there were too many paths).
    ``backprop`` is backprop's value of the same derivative, on the same samples, regularization
    included: the paths are the data term ∂J_data/∂θ only, and ``regularization_term`` is
    ∂R/∂θ_jk^(layer) for the chosen weight (λθ for "l2", λ sign θ for "l1", 0 for a bias or
    without regularization), so ``gradient`` = ``total`` + ``regularization_term`` ≈ ``backprop``.
    """

    layer: int
    j: int
    k: int
    samples: tuple | None
    fused: bool
    paths: list
    n_paths: int
    truncated: bool
    enumerated: bool
    total: float
    backprop: float
    regularization: str = "none"
    reg_rate: float = 0.0
    regularization_term: float = 0.0

    @property
    def label(self) -> str:
        return f"∂J/∂{_theta(self.layer, self.j, self.k)}"

    @property
    def gradient(self) -> float:
        """∂J/∂θ in full: the sum over the paths plus the regularization term."""
        return self.total + self.regularization_term

    @property
    def regularization_label(self) -> str:
        """The regularization term in the article's notation ("λθ_11^(1)", "λ sign(θ_11^(1))"),
        or "" when there is none for this parameter."""
        if self.k == 0 or not active(self.regularization, self.reg_rate):
            return ""
        theta = _theta(self.layer, self.j, self.k)
        return f"λ{theta}" if self.regularization == "l2" else f"λ sign({theta})"

    @property
    def regularization_latex(self) -> str:
        """The same as LaTeX (\\lambda\\theta_{11}^{(1)} or \\lambda\\,\\mathrm{sign}(...)), or ""."""
        if not self.regularization_label:
            return ""
        theta = _theta_latex(self.layer, self.j, self.k)
        return f"\\lambda {theta}" if self.regularization == "l2" else f"\\lambda\\,\\mathrm{{sign}}({theta})"


def _sub(*indices) -> str:
    """Subscript digits as the article writes them: "11", or "10,2" once a number has 2 digits."""
    parts = [str(i) for i in indices]
    return ("," if any(len(p) > 1 for p in parts) else "").join(parts)


def _theta(layer, j, k) -> str:
    return f"b_{j}^({layer})" if k == 0 else f"θ_{_sub(j, k)}^({layer})"


def _theta_latex(layer, j, k) -> str:
    return f"b_{{{j}}}^{{({layer})}}" if k == 0 else f"\\theta_{{{_sub(j, k)}}}^{{({layer})}}"


def _factor(kind, layer, *index, values):
    """A Factor for kind "cost", "delta", "slope", "weight" or "input" at 1-based indices."""
    n, L = _sub(*index), f"^{{({layer})}}"
    if kind == "weight":
        label, latex = _theta(layer, *index), _theta_latex(layer, *index)
    elif kind == "cost":
        label, latex = f"∂J/∂a_{n}^({layer})", f"\\frac{{\\partial J}}{{\\partial a_{{{n}}}{L}}}"
    elif kind == "delta":
        label, latex = f"δ_{n}^({layer}) = ∂J/∂z_{n}^({layer})", f"\\delta_{{{n}}}{L}"
    elif kind == "slope":
        label, latex = f"f′(z_{n}^({layer}))", f"f'(z_{{{n}}}{L})"
    else:  # "input": a_k^(l), or the bias neuron a_0^(l) = 1
        label = f"a_{n}^({layer})" if index[0] else f"a_0^({layer}) = 1 (bias)"
        latex = f"a_{{{n}}}{L}"
    return Factor(label, latex, np.asarray(values, dtype=np.float64))


def _local_terms(net: Network, X, Y, cost):
    """Forward pass and the per-neuron factors: (activations, slopes, top, fused).

    ``slopes[t]`` is f′(z^(t+2)) (m, sizes[t+1]); ``top`` is ∂J/∂a^(L) (m, n_out), or δ^(L) when
    the cost is fused with the output activation (then ``fused`` is True and f′(z^(L)) is folded in).
    """
    zs, activations = net.forward_pass(X)
    slopes = [derivative(fn, Z, A) for fn, Z, A in zip(net.functions, zs, activations[1:])]
    record = net.registry.get("costs", cost) if isinstance(cost, str) else cost
    fused = record.fused.get(net.activation_names[-1])
    if fused is not None:
        return activations, slopes, fused[1](zs[-1], Y), True
    return activations, slopes, record.gradient(activations[-1], Y), False


def _path_factors(net, layer, j, k, path, activations, slopes, top, fused):
    """The factors of one path (1-based neurons on layers l+1 … L), output end first."""
    L = net.n_layers
    o = path[-1]
    factors = ([_factor("delta", L, o, values=top[:, o - 1])] if fused else
               [_factor("cost", L, o, values=top[:, o - 1]),
                _factor("slope", L, o, values=slopes[-1][:, o - 1])])
    for t in range(L - 1, layer, -1):  # back from layer L−1 to layer l+1
        to, frm = path[t - layer], path[t - layer - 1]
        factors.append(_factor("weight", t, to, frm, values=np.full(len(top), net.weights[t - 1][to - 1, frm - 1])))
        factors.append(_factor("slope", t, frm, values=slopes[t - 2][:, frm - 1]))
    a_k = np.ones(len(top)) if k == 0 else activations[layer - 1][:, k - 1]
    factors.append(_factor("input", layer, k, values=a_k))
    return tuple(factors)


def _node_terms(net, t, slopes, top, fused):
    """What each neuron of layer t contributes to a path through it, (m, sizes[t-1]):
    f′(z^(t)), times ∂J/∂a^(L) on the output layer (or δ^(L) alone when fused)."""
    if t < net.n_layers:
        return slopes[t - 2]
    return top if fused else top * slopes[-1]


def _path_tensor(net, layer, j, k, activations, slopes, top, fused):
    """Every path's product for every sample, (m, n_paths), paths in the order of their neurons."""
    a_k = np.ones(len(top)) if k == 0 else activations[layer - 1][:, k - 1]
    g = a_k * _node_terms(net, layer + 1, slopes, top, fused)[:, j - 1]      # (m,)
    for t in range(layer + 1, net.n_layers):                               # layer t → t+1
        W = net.weights[t - 1]                                             # (sizes[t], sizes[t-1])
        g = g[:, None] * W[:, j - 1] if t == layer + 1 else g[..., None] * W.T
        node = _node_terms(net, t + 1, slopes, top, fused)
        g = g * node.reshape(node.shape[0], *([1] * (g.ndim - 2)), node.shape[1])
    return g.reshape(len(top), -1)


def _layered_sum(net, layer, j, k, activations, slopes, top, fused) -> float:
    """Σ over all paths and samples by the distributive law (too many paths to multiply out)."""
    L = net.n_layers
    g = _node_terms(net, L, slopes, top, fused)            # (m, n_out): path sums from each neuron
    for t in range(L - 1, layer, -1):
        g = (g @ net.weights[t - 1]) * slopes[t - 2]       # (m, sizes[t-1])
    a_k = np.ones(len(top)) if k == 0 else activations[layer - 1][:, k - 1]
    return float((g[:, j - 1] * a_k).sum())


def _all_paths(net, layer, j):
    """Lazily, every path as 1-based neurons on layers l+1 … L, starting at j."""
    return ((j, *rest) for rest in itertools.product(*(range(1, n + 1) for n in net.sizes[layer + 1:])))


def count_paths(net: Network, layer: int) -> int:
    """How many paths lead from one neuron of layer l+1 to the outputs: Π sizes of layers l+2 … L."""
    return math.prod(net.sizes[layer + 1:])


def chain_rule(net: Network, X, Y, cost="squared_error", layer=1, j=1, k=1, sample=None,
               max_paths=MAX_PATHS, regularization="none", reg_rate=0.0) -> ChainRule:
    """Expand ∂J/∂θ_jk^(layer) path by path (1-based indices; k = 0 the bias b_j^(layer)).

    ``sample`` is a row index of X (0-based) to use that one sample alone — J is then the cost of
    that sample, m = 1 — or None for the whole batch of m rows. X is ``(m, sizes[0])``,
    Y ``(m, sizes[-1])``. ``regularization``/``reg_rate`` add the penalty's term (see
    ``ChainRule.regularization_term``); the paths are the data term alone.
    """
    _check_index(net, layer, j, k)
    check(regularization, reg_rate)
    X = as_matrix(X, net.sizes[0], "X").astype(np.float64)
    Y = as_matrix(Y, net.sizes[-1], "Y").astype(np.float64)
    if sample is not None:
        if not 0 <= sample < len(X):
            raise ValueError(f"sample must be a row index 0 … {len(X) - 1}, got {sample}")
        X, Y = X[sample:sample + 1], Y[sample:sample + 1]
    with np.errstate(all="ignore"):
        terms = _local_terms(net, X, Y, cost)
        n_paths = count_paths(net, layer)
        enumerated = n_paths * len(X) <= MAX_ENUMERATED
        total = (float(_path_tensor(net, layer, j, k, *terms).sum()) if enumerated
                 else _layered_sum(net, layer, j, k, *terms))
        paths = []
        for path in _all_paths(net, layer, j):
            if len(paths) >= max_paths:
                break
            factors = _path_factors(net, layer, j, k, path, *terms)
            paths.append(Path(path, factors, np.prod([f.values for f in factors], axis=0)))
        grads = (net.backprop(X, Y, cost, regularization, reg_rate) if active(regularization, reg_rate)
                 else net.backprop(X, Y, cost))
    backprop = grads.biases[layer - 1][j - 1] if k == 0 else grads.weights[layer - 1][j - 1, k - 1]
    term = 0.0 if k == 0 else float(gradient(net.weights[layer - 1], regularization, reg_rate)[j - 1, k - 1])
    return ChainRule(layer, j, k, None if sample is None else (int(sample),), terms[3], paths, n_paths,
                     len(paths) < n_paths, enumerated, total, float(backprop), regularization,
                     float(reg_rate), term)
