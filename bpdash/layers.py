"""The layer interface: what a layer type's ``make`` returns, and the affine map as a building block.

A layer takes the activations a^(l) of article layer l, shape ``(m, n_in)`` with one row per
sample, to its weighted input z^(l+1) and its output a^(l+1), both ``(m, n_out)``. Backprop
asks it two more things: from ∂J/∂a^(l+1) its δ^(l+1) = ∂J/∂z^(l+1) (``delta``), and from δ its
parameters' gradients and ∂J/∂a^(l), the gradient going out to the layer before (``backward``).
The article's recurrence δ^(l) = (δ^(l+1) Θ^(l)) ⊙ f′(z^(l)) is exactly the backward of layer
l+1 followed by the delta of layer l. docs/layers.md walks through a layer plugin.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROLES = ("weight", "bias", "ones", "zeros")
# A layer whose z holds at most this many values is small: its z gets b^(l) through a kept
# (m, n) buffer filled with b (the broadcasting add costs ≈0.6 µs of set-up a call, the fill
# ≈0.1 µs; beyond it the two passes over the buffer cost more than the set-up saves), and its
# arrays come fresh from malloc's free lists; a large one's may be kept instead (``reuse``).
SMALL_LAYER = 4096


@dataclass(frozen=True)
class Parameter:
    """One parameter array of a layer.

    - ``name``: its name within the layer ("weights", "biases", "gamma").
    - ``shape``: a tuple of whole numbers.
    - ``role``: "weight" (drawn by the network's initializer as Θ^(l) is, regularized, counted
      in the history's norms), "bias" (drawn by the initializer as b^(l) is; left out, and zero,
      when the network has no biases), or "ones" / "zeros" (starts at 1 or 0: a scale γ, a shift β).
    - ``symbol``: how formulas write it ("Θ", "b", "γ").
    """

    name: str
    shape: tuple
    role: str
    symbol: str = ""


class LayerOp:
    """One layer of a network, bound to its input width and settings: what ``Layer.make`` returns.

    A subclass sets in its ``__init__`` ``n_out`` (its width), ``parameters`` (a tuple of
    ``Parameter``, default none) and ``output`` (the name a cost's ``link`` matches: a dense
    layer's activation, "softmax"), and implements:

    - ``forward(params, a, ctx) → (z, a_out, cache)``: ``params`` is a tuple of arrays in the
      order of ``parameters``; ``a`` is ``(m, n_in)``; z and a_out are ``(m, n_out)``; ``cache``
      is a tuple of what ``delta`` and ``backward`` need. It must change neither ``params`` nor
      ``a``, and returns new arrays (z may be ``a`` itself when the layer's weighted input is
      its input, as dropout's is). ``ctx`` is a ``bpdash.context.Context``: ``ctx.training``
      says whether this is a training pass, and ``ctx.draw(sample)`` gives random numbers that
      runs reproduce and checks replay.
    - ``delta(cache, grad) → δ``: δ = ∂J/∂z from ``grad`` = ∂J/∂a_out ``(m, n_out)``. ``grad``
      is the engine's own array, used for nothing else: δ may be written into it.
    - ``backward(params, cache, delta) → (grads, grad_in)``: ``grads`` a tuple of ∂J/∂(each
      parameter), shaped like them, summed over the rows; ``grad_in`` = ∂J/∂a ``(m, n_in)`` as a
      new array (the previous layer's ``delta`` may write into it). When ``needs_grad_in`` is
      False (the first layer of a stack) it may return None for ``grad_in``.
    - ``formulas(l)``: the layer's formulas in the article's notation, as LaTeX, for a layer
      feeding article layer l + 1 from layer l: a dict with "forward", "delta" and "gradients".

    The engine sets ``n_in`` (the input width ``make`` was given) and ``needs_grad_in`` on
    every op of a stack. The chain rule's path-by-path expansion (``bpdash.chainrule``) also
    reads ``connection`` and ``slope``; a layer that sets neither is refused there with a
    message, and works everywhere else. The inspector shows what a layer drew in a training
    pass (``ctx.draw``) under ``draws_label`` and ``draws_note``.
    """

    n_out: int
    parameters: tuple = ()
    output: str = ""
    needs_grad_in: bool = True
    # True on a trainer's own copy of the stack: what forward and backward return (other than
    # parameter gradients, which snapshots keep) is dead by the op's next call with the same
    # batch size, so it may be written into arrays kept from the last call (Affine does)
    reuse_buffers: bool = False
    # True when forward differs in training (dropout) or mixes the rows of a batch (a batch
    # norm): then the engine never stacks test rows under the training rows in one pass. When it
    # does stack them, it cuts every per-sample array of the cache to the training rows (head).
    training_differs: bool = False
    # How z depends on the layer's input, for the chain rule: "affine" (z = a Θᵀ + b with its
    # "weight" parameter Θ), "identity" (z = a), or "" (neither: no path-by-path expansion)
    connection: str = ""

    def forward(self, params, a, ctx):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(params, a, ctx)")

    def delta(self, cache, grad):
        raise NotImplementedError(f"{type(self).__name__} must implement delta(cache, grad)")

    def backward(self, params, cache, delta):
        raise NotImplementedError(f"{type(self).__name__} must implement backward(params, cache, delta)")

    def slope(self, cache):
        """∂a_out/∂z ``(m, n_out)`` when a_out depends on z element by element (f′(z) of a dense
        layer), else None (a softmax: its Jacobian is not diagonal)."""
        return None

    def slope_label(self, layer: int, j: int) -> tuple[str, str]:
        """How the chain rule writes ``slope`` of neuron j of article layer ``layer``: (text, LaTeX)."""
        return f"f′(z_{j}^({layer}))", f"f'(z_{{{j}}}^{{({layer})}})"

    def formulas(self, l: int) -> dict:
        return {}

    def draws_label(self, layer: int, j: int) -> str:
        """How the inspector heads the column of unit j of what this layer drew in a training
        pass, its output being article layer ``layer`` (dropout: "r_j^(layer)/(1−p)")."""
        return f"drawn_{j}^({layer})"

    def draws_note(self, layer: int, drawn: list) -> str:
        """A sentence on what the layer drew in one training pass (``drawn``: the arrays, in
        order), for the inspector; "" says nothing."""
        return ""

    def head(self, cache, m: int, rows: int):
        """The cache of the first ``m`` of the pass's ``rows`` rows: every array in it with
        ``rows`` as its first axis is cut. Override when a cache holds anything else of that
        length (keep parameters out of a cache: backward receives them)."""
        return tuple(x[:m] if isinstance(x, np.ndarray) and x.ndim and x.shape[0] == rows else x
                     for x in cache)


class Affine:
    """z = a Θᵀ + b, the weighted input of a fully connected layer: a building block for layer
    types with a weight matrix Θ ``(n_out, n_in)`` (row j: into neuron j, column k: from neuron
    k, the article's θ_jk) and, when ``bias``, a bias vector b ``(n_out,)``.

    ``parameters`` declares them; ``forward`` and ``backward`` take the layer's ``params`` tuple
    with Θ first. The dense and softmax layers are this map followed by their output function.

    It keeps small buffers between calls (filled with b, or with ones), one per batch size, and
    with ``reuse`` the large arrays it returns too (fresh memory for large arrays every epoch
    costs page faults: measured a third of a 2000-sample epoch): an instance belongs to one
    network or trainer.
    """

    def __init__(self, n_in: int, n_out: int, bias: bool = True):
        self.bias = bool(bias)
        weights = Parameter("weights", (n_out, n_in), "weight", "Θ")
        self.parameters = (weights, Parameter("biases", (n_out,), "bias", "b")) if bias else (weights,)
        self._rows = {}  # m → (m, n_out) buffer for b on a small layer, see SMALL_LAYER
        self._ones = {}  # m → (m,) ones: Σ over samples of δ as ones · δ, one BLAS call
        self._kept = {}  # (what, m) → an array returned last time, see reuse

    def _kept_array(self, what: str, shape: tuple, dtype):
        """The array kept for ``what`` at this shape, made on first use."""
        kept = self._kept.get((what, shape[0]))
        if kept is None or kept.dtype is not dtype:
            kept = self._kept[what, shape[0]] = np.empty(shape, dtype)
        return kept

    def forward(self, params, a, reuse: bool = False):
        """z = a Θᵀ + b, ``(m, n_out)``: a new array, or with ``reuse`` on a large layer the one
        returned the last time for this m (when a and Θ share a dtype).

        A.dot(B) is A @ B without matmul's generalized-ufunc set-up, and the output array goes
        by position: numpy parses keyword arguments slowly (≈0.1 µs each on tiny arrays). See
        SMALL_LAYER for how b goes in.
        """
        W = params[0]
        if len(a) * len(W) > SMALL_LAYER:
            z = a.dot(W.T, self._kept_array("z", (len(a), len(W)), a.dtype)) if reuse and a.dtype is W.dtype \
                else a.dot(W.T)
            if self.bias:
                z += params[1]
            return z
        z = a.dot(W.T)
        if self.bias:
            rows = self._rows.get(len(z))
            if rows is None or rows.dtype is not z.dtype:
                rows = self._rows[len(z)] = np.empty_like(z)
            rows[...] = params[1]
            z += rows
        return z

    def backward(self, params, a, delta, grad_in: bool = True, reuse: bool = False):
        """((∂J/∂Θ, ∂J/∂b), ∂J/∂a) from δ = ∂J/∂z ``(m, n_out)`` and the input ``a`` ``(m, n_in)``:
        ∂J/∂Θ = δᵀ a, ∂J/∂b = Σ over the samples of δ, ∂J/∂a = δ Θ (None unless ``grad_in``;
        with ``reuse``, in the array returned the last time for this m). The gradients are new
        arrays: snapshots keep them."""
        W = params[0]
        dW = delta.T.dot(a)
        if self.bias:
            ones = self._ones.get(len(delta))
            if ones is None or ones.dtype is not delta.dtype:
                ones = self._ones[len(delta)] = np.ones(len(delta), delta.dtype)
            grads = (dW, ones.dot(delta))
        else:
            grads = (dW,)
        if not grad_in:
            return grads, None
        if reuse and delta.dtype is W.dtype and delta.shape[0] * W.shape[1] > SMALL_LAYER:
            return grads, delta.dot(W, self._kept_array("grad_in", (len(delta), W.shape[1]), W.dtype))
        return grads, delta.dot(W)

    def latex(self, l: int) -> str:
        """z^(l+1) = a^(l) Θ^(l)ᵀ (+ b^(l)) as LaTeX."""
        return (rf"z^{{({l + 1})}} = a^{{({l})}}\,\Theta^{{({l})\top}}"
                + (rf" + b^{{({l})}}" if self.bias else ""))

    def gradients_latex(self, l: int) -> str:
        """∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l) (and ∂J/∂b^(l) = Σ_i δ_i^(l+1)) as LaTeX."""
        text = (rf"\frac{{\partial J}}{{\partial \Theta^{{({l})}}}} = (\delta^{{({l + 1})}})^\top a^{{({l})}}")
        if self.bias:
            text += rf", \quad \frac{{\partial J}}{{\partial b^{{({l})}}}} = \sum_i \delta_i^{{({l + 1})}}"
        return text
