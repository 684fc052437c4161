"""The chain rule path by path: the article's expansion of ∂J/∂θ_jk^(l), computed in full.

θ_jk^(l) feeds neuron j of layer l+1; from there every path through the later layers to an
output neuron o carries its influence to J. Along one path j = n_(l+1) → n_(l+2) → … → n_L = o
the article multiplies, from the output back:

    ∂J/∂a_o^(L) · f′(z_o^(L)) · θ_(o n_(L−1))^(L−1) · f′(z_(n_(L−1))^(L−1)) · … · f′(z_j^(l+1)) · a_k^(l)

and ∂J/∂θ_jk^(l) is the sum of these products over all paths (and over the samples). When the
cost links to the output activation (cross-entropy after a sigmoid), or the output is not
elementwise (a softmax), the first two factors come as one, δ_o^(L) = ∂J/∂z_o^(L). Through a
dropout layer a path stays on its neuron, with the factor r_j/(1 − p) for its f′. A layer that
mixes its inputs (a layer norm) cannot be expanded this way: ``chain_rule`` raises
ChainRuleError saying so. ``k = 0`` names the bias b_j^(l), whose "input" is the bias neuron
a_0^(l) = 1.

Indices are 1-based as in the article: layer l = 1 … L−1, j = 1 … sizes[l], k = 0 … sizes[l-1].
The local factors come from backprop's forward pass and output δ (``bpdash.backprop``), but
this module never runs the backward pass for the sum: it multiplies the factors path by path.
The backprop value is reported beside it for comparison.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from . import backprop
from .context import EVALUATION, recording, replaying
from .factors import Factor, factor, theta, theta_latex
from .gradcheck import _check_index
from .layers import LayerOp
from .network import Network, as_matrix
from .regularization import active, check, gradient

MAX_PATHS = 200            # paths returned with their factors
MAX_ENUMERATED = 4_000_000  # samples × paths multiplied one by one; beyond, summed layer by layer


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
    ``note`` says in words why the output's factors come as one, δ_o^(L), when they do.
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
    note: str = ""  # why the paths start from δ^(L) when they do (see output_note)

    @property
    def label(self) -> str:
        return f"∂J/∂{theta(self.layer, self.j, self.k)}"

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
        symbol = theta(self.layer, self.j, self.k)
        return f"λ{symbol}" if self.regularization == "l2" else f"λ sign({symbol})"

    @property
    def regularization_latex(self) -> str:
        """The same as LaTeX (\\lambda\\theta_{11}^{(1)} or \\lambda\\,\\mathrm{sign}(...)), or ""."""
        if not self.regularization_label:
            return ""
        symbol = theta_latex(self.layer, self.j, self.k)
        return f"\\lambda {symbol}" if self.regularization == "l2" else f"\\lambda\\,\\mathrm{{sign}}({symbol})"


class ChainRuleError(ValueError):
    """The derivative cannot be expanded path by path in this network; the message says why, in
    words the dashboard can show."""


def _check_path(net: Network, layer: int) -> None:
    """ChainRuleError unless every layer from θ^(layer)'s on is one the expansion can follow:
    its z an affine map of its input (dense, softmax) or its input itself (dropout), and its
    output a function of z neuron by neuron (the output layer may be any: its factor is δ^(L))."""
    ops = net.layers
    if ops[layer - 1].connection != "affine" or net.layout.weight[layer - 1] is None:
        raise ChainRuleError(f"layer {layer} ({net.activation_names[layer - 1]}) has no weights θ_jk "
                             "to expand the derivative of")
    for i in range(layer - 1, len(ops)):
        op, output = ops[i], i == len(ops) - 1
        if op.connection not in ("affine", "identity") or (not output and not _elementwise(op)):
            raise ChainRuleError(
                f"the chain rule cannot be expanded path by path through layer {i + 2} ({op.output}): "
                "its outputs mix its inputs, so a path through it is not a product of one factor per "
                "neuron. Backprop's δ handles it: see the δ of every layer above.")


def _elementwise(op) -> bool:
    return type(op).slope is not LayerOp.slope


def _local_terms(net: Network, X, Y, cost, context):
    """Forward pass and the per-neuron factors: (activations, slopes, top, fused).

    ``slopes[t]`` is layer t+2's ∂a/∂z (f′(z^(t+2)), dropout's r/(1 − p)), (m, sizes[t+1]), None
    for a layer whose output is not elementwise; ``top`` is ∂J/∂a^(L) (m, n_out), or δ^(L) when
    the cost links to the output or the output is not elementwise (then ``fused`` is True).
    """
    ops, params = net.layers, net.params
    _, activations, caches = backprop.forward(ops, params, X, context)
    slopes = [op.slope(cache) for op, cache in zip(ops, caches)]
    record = net.registry.get("costs", cost) if isinstance(cost, str) else cost
    linked = backprop.links(record, ops[-1])
    if linked or slopes[-1] is None:
        A = activations[-1]
        return activations, slopes, backprop.output_delta(ops[-1], record, caches[-1], A, Y, linked), True
    return activations, slopes, record.gradient(activations[-1], Y), False


def output_note(net: Network, cost) -> str:
    """Why the paths start from δ_o^(L) instead of the article's ∂J/∂a_o^(L) · f′(z_o^(L)), in
    words the dashboard shows: the output layer's Jacobian is not diagonal (a softmax), or the
    cost links to it (cross-entropy after a sigmoid); "" when the product is expanded."""
    op, L = net.layers[-1], net.n_layers
    if not _elementwise(op):
        return (f"The output layer ({op.output}) is not expanded into ∂J/∂a_o^({L}) · f′(z_o^({L})): its "
                f"Jacobian is not diagonal (every a_k^({L}) depends on every z_j^({L})), so no path passes "
                f"through one output neuron's slope alone. Each path starts from δ_o^({L}) = ∂J/∂z_o^({L}), "
                "which backprop's output step computes for all the outputs together.")
    record = net.registry.get("costs", cost) if isinstance(cost, str) else cost
    if backprop.links(record, op):
        return (f"The cost ({record.name}) and the output ({op.output}) are taken together: their "
                f"derivatives cancel to δ_o^({L}) = (a_o^({L}) − y_o)/m, so each path starts from δ_o^({L}).")
    return ""


def _weight(net, t):
    """Θ^(t) of the affine layer t (1-based), or None for an identity connection (dropout)."""
    w = net.layout.weight[t - 1]
    return None if net.layers[t - 1].connection == "identity" else net.params[t - 1][w]


def _path_factors(net, layer, j, k, path, activations, slopes, top, fused):
    """The factors of one path (1-based neurons on layers l+1 … L), output end first."""
    L = net.n_layers
    o = path[-1]
    if fused:
        factors = [factor("delta", L, o, values=top[:, o - 1])]
    else:
        factors = [factor("cost", L, o, values=top[:, o - 1]),
                   _slope(net, L, o, slopes[-1][:, o - 1])]
    for t in range(L - 1, layer, -1):  # back from layer L−1 to layer l+1
        to, frm = path[t - layer], path[t - layer - 1]
        W = _weight(net, t)
        if W is not None:
            factors.append(factor("weight", t, to, frm, values=np.full(len(top), W[to - 1, frm - 1])))
        factors.append(_slope(net, t, frm, slopes[t - 2][:, frm - 1]))
    a_k = np.ones(len(top)) if k == 0 else activations[layer - 1][:, k - 1]
    factors.append(factor("input", layer, k, values=a_k))
    return tuple(factors)


def _slope(net, t, n, values):
    """The factor ∂a_n^(t)/∂z_n^(t), labelled by the layer (f′(z_n^(t)) for a dense layer)."""
    label, latex = net.layers[t - 2].slope_label(t, n)
    return Factor(label, latex, np.asarray(values, dtype=np.float64))


def _node_terms(net, t, slopes, top, fused):
    """What each neuron of layer t contributes to a path through it, (m, sizes[t-1]):
    its slope, times ∂J/∂a^(L) on the output layer (or δ^(L) alone when fused)."""
    if t < net.n_layers:
        return slopes[t - 2]
    return top if fused else top * slopes[-1]


def _path_tensor(net, layer, j, k, activations, slopes, top, fused):
    """Every path's product for every sample, (m, n_paths), paths in the order of their neurons.

    An axis per layer entered through weights; through an identity (dropout) the path stays on
    its neuron, so no axis is added."""
    m = len(top)
    a_k = np.ones(m) if k == 0 else activations[layer - 1][:, k - 1]
    g = a_k * _node_terms(net, layer + 1, slopes, top, fused)[:, j - 1]      # (m,): the path is at j
    at_j = True
    for t in range(layer + 1, net.n_layers):                               # layer t → t+1
        W = _weight(net, t)                                                # (sizes[t], sizes[t-1])
        node = _node_terms(net, t + 1, slopes, top, fused)
        if W is not None:
            g = g[:, None] * W[:, j - 1] if at_j else g[..., None] * W.T
            at_j = False
        if at_j:
            g = g * node[:, j - 1]
        else:
            g = g * node.reshape(m, *([1] * (g.ndim - 2)), node.shape[1])
    return g.reshape(m, -1)


def _layered_sum(net, layer, j, k, activations, slopes, top, fused) -> float:
    """Σ over all paths and samples by the distributive law (too many paths to multiply out)."""
    L = net.n_layers
    g = _node_terms(net, L, slopes, top, fused)            # (m, n_out): path sums from each neuron
    for t in range(L - 1, layer, -1):
        W = _weight(net, t)
        g = (g if W is None else g @ W) * slopes[t - 2]     # (m, sizes[t-1])
    a_k = np.ones(len(top)) if k == 0 else activations[layer - 1][:, k - 1]
    return float((g[:, j - 1] * a_k).sum())


def _all_paths(net, layer, j):
    """Lazily, every path as 1-based neurons on layers l+1 … L, starting at j (a path through an
    identity connection stays on its neuron)."""
    choices = [range(1, n + 1) if _weight(net, t) is not None else None
               for t, n in zip(range(layer + 1, net.n_layers), net.sizes[layer + 1:])]
    for picks in itertools.product(*(c for c in choices if c is not None)):
        path, free = [j], iter(picks)
        for c in choices:
            path.append(path[-1] if c is None else next(free))
        yield tuple(path)


def count_paths(net: Network, layer: int) -> int:
    """How many paths lead from one neuron of layer l+1 to the outputs: Π of the sizes of the
    layers l+2 … L entered through weights."""
    return math.prod(n for t, n in zip(range(layer + 1, net.n_layers), net.sizes[layer + 1:])
                     if _weight(net, t) is not None)


def chain_rule(net: Network, X, Y, cost="squared_error", layer=1, j=1, k=1, sample=None,
               max_paths=MAX_PATHS, regularization="none", reg_rate=0.0, context=None) -> ChainRule:
    """Expand ∂J/∂θ_jk^(layer) path by path (1-based indices; k = 0 the bias b_j^(layer)).

    ``sample`` is a row index of X (0-based) to use that one sample alone — J is then the cost of
    that sample, m = 1 — or None for the whole batch of m rows. X is ``(m, sizes[0])``,
    Y ``(m, sizes[-1])``. ``regularization``/``reg_rate`` add the penalty's term (see
    ``ChainRule.regularization_term``); the paths are the data term alone. ``context``: a
    replaying ``Context`` expands a training pass of X's rows with its dropout masks (with
    ``sample``, that row's masks; default: none).
    ChainRuleError when a layer on the way cannot be expanded (a layer norm).
    """
    _check_index(net, layer, j, k)
    _check_path(net, layer)
    check(regularization, reg_rate)
    context = recording(context) or EVALUATION  # a fresh training pass: recorded, then replayed
    X = as_matrix(X, net.sizes[0], "X").astype(np.float64)
    Y = as_matrix(Y, net.sizes[-1], "Y").astype(np.float64)
    if sample is not None:
        if not 0 <= sample < len(X):
            raise ValueError(f"sample must be a row index 0 … {len(X) - 1}, got {sample}")
        X, Y = X[sample:sample + 1], Y[sample:sample + 1]
        if context.replaying is not None:  # the masks of that one row
            context = context.take(slice(sample, sample + 1))
    with np.errstate(all="ignore"):
        terms = _local_terms(net, X, Y, cost, context)
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
        grads = net.backprop(X, Y, cost, regularization, reg_rate, context=replaying(context))
    by_backprop = grads.biases[layer - 1][j - 1] if k == 0 else grads.weights[layer - 1][j - 1, k - 1]
    term = 0.0 if k == 0 else float(gradient(net.weights[layer - 1], regularization, reg_rate)[j - 1, k - 1])
    return ChainRule(layer, j, k, None if sample is None else (int(sample),), terms[3], paths, n_paths,
                     len(paths) < n_paths, enumerated, total, float(by_backprop), regularization,
                     float(reg_rate), term, output_note(net, cost))
