"""A layered network and backpropagation, in the article's notation.

Layers are numbered l = 1 … L, layer 1 the input; layer ``layers[l-1]`` maps a^(l) to a^(l+1).
In code (0-based lists), for the fully connected layers of the article:

- ``weights[l-1]`` is Θ^(l), shape ``(sizes[l], sizes[l-1])``: row j is "to neuron j of layer
  l+1", column k is "from neuron k of layer l" (the article's mailing label θ_jk^(l)).
- ``biases[l-1]`` is b^(l), shape ``(sizes[l],)``: zero and frozen when ``bias=False``.
- Samples are rows: z^(l+1) = a^(l) Θ^(l)ᵀ + b^(l), a^(l+1) = f(z^(l+1)), a^(1) = x.
- δ^(l) = ∂J/∂z^(l) (the article's δ has the opposite sign; see the README).

Any layer type (softmax, dropout, a plugin's) keeps its arrays in ``params[l-1]``, in the order
its ``LayerOp.parameters`` declares them; ``weights`` and ``biases`` are views of them (see
``bpdash.parameters``). The math itself is ``bpdash.backprop``'s, shared with the trainer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import backprop, stack
from .context import EVALUATION
from .parameters import Layout
from .plugins import default_registry
from .regularization import active as regularization_active, add_gradient, penalty
from .regularization import check as regularization_check

DTYPES = ("float64", "float32")


@dataclass
class Gradients:
    """What one backward pass over m samples found.

    - ``cost``: J at the current parameters (float), the regularization penalty included.
    - ``weights[l-1]``: ∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l) (+ ∂R/∂Θ^(l) when regularized), shape
      ``(sizes[l], sizes[l-1])`` (None for a layer without a weight).
    - ``biases[l-1]``: ∂J/∂b^(l) = Σ_samples δ^(l+1), shape ``(sizes[l],)`` (zeros without bias).
    - ``deltas[i]``: δ^(i+2), shape ``(m, sizes[i+1])``, for layers 2 … L.
    - ``zs[i]``: z^(i+2), shape ``(m, sizes[i+1])``, for layers 2 … L.
    - ``activations[i]``: a^(i+1), shape ``(m, sizes[i])``, for layers 1 … L (a^(1) = X).
    - ``params[l-1]``: ∂J/∂(every parameter of layer l), shaped like ``Network.params[l-1]``.
    - ``context``: the forward pass's ``Context`` (replay its draws: ``context.replay()``).
    """

    cost: float
    weights: list
    biases: list
    deltas: list
    zs: list
    activations: list
    params: list = None
    context: object = None


def as_matrix(values, n_columns: int, what: str, dtype=float) -> np.ndarray:
    """``values`` as a ``(m, n_columns)`` array of ``dtype`` (a 1-D input is one column or one sample)."""
    M = np.asarray(values, dtype=dtype)
    if M.ndim == 1:
        M = M.reshape(-1, 1) if n_columns == 1 else M.reshape(1, -1)
    if M.ndim != 2 or M.shape[1] != n_columns:
        raise ValueError(f"{what} must have shape (m, {n_columns}), got {np.shape(values)}")
    return M


class Network:
    """A layered network: ``Network([2, 2, 2], "sigmoid")`` is the article's 2-2-2 network.

    ``sizes`` lists neurons per layer, input first. ``activations`` names one activation for
    every non-input layer, or gives a list with one name per non-input layer; a name may also
    be an output layer type: ``Network([2, 8, 3], ["tanh", "softmax"])``. Stacks with dropout or
    plugin layers come from layer specs: ``Network.from_specs`` (see ``bpdash.stack``).

    ``init`` names an initializer ("uniform" draws from [−ε, ε], the article's choice); ``seed``
    makes the draw reproducible. ``registry`` supplies the names (default: every loaded plugin).
    ``dtype`` ("float64", or "float32" for speed) is how the parameters are kept and trained;
    ``forward``, ``backprop`` and the teaching tools compute in float64 whatever it is.
    """

    def __init__(self, sizes, activations="sigmoid", *, bias=True, init="uniform",
                 epsilon=0.5, seed=None, registry=None, dtype="float64"):
        sizes = _check_sizes(sizes)
        names = [activations] * (len(sizes) - 1) if isinstance(activations, str) else list(activations)
        if len(names) != len(sizes) - 1:
            raise ValueError(f"activations: expected 1 or {len(sizes) - 1} names "
                             f"(one per non-input layer), got {len(names)}")
        registry = registry if registry is not None else default_registry()
        self._build(sizes[0], stack.from_sizes(sizes, names, registry), registry, bias, init,
                    epsilon, seed, dtype)

    @classmethod
    def from_specs(cls, n_inputs: int, specs, *, bias=True, init="uniform", epsilon=0.5, seed=None,
                   registry=None, dtype="float64") -> "Network":
        """A network on ``n_inputs`` inputs with one layer per spec (see ``bpdash.stack``)."""
        _check_sizes([n_inputs, 1])
        net = cls.__new__(cls)
        net._build(int(n_inputs), specs, registry if registry is not None else default_registry(),
                   bias, init, epsilon, seed, dtype)
        return net

    def _build(self, n_inputs, specs, registry, bias, init, epsilon, seed, dtype) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        if not np.isfinite(epsilon) or epsilon < 0:
            raise ValueError(f"epsilon must be a finite number ≥ 0, got {epsilon!r}")
        if not isinstance(specs, (list, tuple)) or not specs:
            raise stack.LayerSpecError("a network needs at least one layer spec")
        self.registry = registry
        self.specs = [stack.canonical(spec, registry, i) for i, spec in enumerate(specs)]
        self.bias = bool(bias)
        self.init = init
        self.initializer = registry.get("initializers", init)
        self.epsilon = float(epsilon)
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.layers = stack.bind(n_inputs, self.specs, registry, self.bias)
        self.layout = Layout(self.layers)
        self.sizes = [n_inputs] + [int(op.n_out) for op in self.layers]
        self.activation_names = [op.output for op in self.layers]
        self.reset(seed)

    def bind(self) -> list:
        """A fresh copy of the stack's layers (``LayerOp``s): what a trainer trains with, so
        that buffers its layers keep are its own."""
        return stack.bind(self.sizes[0], self.specs, self.registry, self.bias)

    @property
    def n_layers(self) -> int:
        """L, the number of layers including the input."""
        return len(self.sizes)

    # -- parameters ------------------------------------------------------------------------------

    @property
    def weights(self) -> tuple:
        """Θ^(l) for l = 1 … L−1 (None for a layer without a weight). Assign a whole list to
        change them: ``net.weights = [...]``."""
        return self.layout.weights(self.params)

    @weights.setter
    def weights(self, arrays) -> None:
        self.params = self.layout.replace(self.params, "weight", arrays)

    @property
    def biases(self) -> tuple:
        """b^(l) for l = 1 … L−1 (zeros without bias; None for a layer without a weight)."""
        return self.layout.biases(self.params)

    @biases.setter
    def biases(self, arrays) -> None:
        self.params = self.layout.replace(self.params, "bias", arrays)

    def reset(self, seed=None) -> None:
        """Draw fresh parameters from ``numpy.random.default_rng(seed)``: layer by layer, each
        weight Θ^(l) then bias b^(l) from the initializer (in that order, so a seed gives the
        same Θ and b as ever); "ones" and "zeros" parameters start at 1 and 0."""
        rng = np.random.default_rng(seed)
        sample, params = self.initializer.sample, []
        for op, n_in in zip(self.layers, self.sizes):
            arrays = []
            for p in op.parameters:
                if p.role in ("weight", "bias"):
                    values = sample(tuple(p.shape), n_in, op.n_out, self.epsilon, rng)
                else:
                    values = np.ones(p.shape) if p.role == "ones" else np.zeros(p.shape)
                arrays.append(np.asarray(values, float).astype(self.dtype, copy=False))
            params.append(tuple(arrays))
        self.params = tuple(params)

    def check_parameters(self) -> None:
        """Raise ValueError when an assigned parameter array has the wrong shape."""
        self.layout.check(self.params)

    # -- the passes --------------------------------------------------------------------------------

    def forward_pass(self, X, context=None):
        """``(zs, activations)``: z^(l) for l = 2 … L and a^(l) for l = 1 … L, each ``(m, sizes[l-1])``.

        ``context`` (a ``bpdash.context.Context``) makes it a training pass (dropout drops units);
        default: evaluation."""
        self.check_parameters()
        X = as_matrix(X, self.sizes[0], "X")
        zs, activations, _ = backprop.forward(self.layers, self.params, X, context or EVALUATION)
        return zs, activations

    def forward(self, X) -> np.ndarray:
        """The outputs a^(L), shape ``(m, sizes[-1])``, for inputs X of shape ``(m, sizes[0])``."""
        return self.forward_pass(X)[1][-1]

    def cost(self, X, Y, cost="squared_error", regularization="none", reg_rate=0.0, *, context=None) -> float:
        """J at the current parameters, as ``backprop`` computes it, without the backward pass."""
        regularization_check(regularization, reg_rate)
        activations = self.forward_pass(X, context)[1]
        J = float(self._cost_record(cost).value(activations[-1], self._targets(Y, activations[0])))
        return J + penalty(self._weights(), regularization, reg_rate) if regularization_active(
            regularization, reg_rate) else J

    def backprop(self, X, Y, cost="squared_error", regularization="none", reg_rate=0.0, *,
                 context=None) -> Gradients:
        """J and ∂J/∂(every parameter) by backpropagation over the m rows of X and Y.

        ``regularization`` ("none", "l1", "l2") with rate λ = ``reg_rate`` adds the penalty R(Θ)
        to ``.cost`` and ∂R/∂Θ^(l) (λθ or λ sign θ) to ``.weights``; biases are never
        regularized, and ``.deltas`` stay the data term's (see ``bpdash.regularization``).
        ``context``: as for ``forward_pass`` (a recording one keeps its dropout masks).
        """
        regularization_check(regularization, reg_rate)
        self.check_parameters()
        X = as_matrix(X, self.sizes[0], "X")
        Y = self._targets(Y, X)
        ctx = context or EVALUATION
        record, ops, params = self._cost_record(cost), self.layers, self.params
        zs, activations, caches = backprop.forward(ops, params, X, ctx)
        A = activations[-1]
        J = float(record.value(A, Y))
        delta = backprop.output_delta(ops[-1], record, caches[-1], A, Y, backprop.links(record, ops[-1]))
        deltas = []
        grads = backprop.backward(ops, params, caches, delta, deltas)
        deltas.reverse()
        if regularization_active(regularization, reg_rate):
            J = J + penalty(self._weights(), regularization, reg_rate)
            grads = [layer if w is None else
                     layer[:w] + (add_gradient(layer[w], params[l][w], regularization, reg_rate),) + layer[w + 1:]
                     for l, (layer, w) in enumerate(zip(grads, self.layout.weight))]
        return Gradients(J, list(self.layout.weights(grads)), list(self.layout.biases(grads)), deltas, zs,
                         activations, grads, ctx)

    def _cost_record(self, cost):
        return self.registry.get("costs", cost) if isinstance(cost, str) else cost

    def _targets(self, Y, X):
        Y = as_matrix(Y, self.sizes[-1], "Y")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}")
        return Y

    def _weights(self) -> list:
        return [W for W in self.weights if W is not None]

    def copy(self) -> "Network":
        """An independent network with the same architecture and copies of the parameters."""
        return self.with_params(tuple(tuple(p.copy() for p in layer) for layer in self.params))

    def with_params(self, params: tuple) -> "Network":
        """A network with this one's architecture (layers of its own) and ``params`` as they are,
        not copied (as ``params`` is: per layer a tuple of arrays): for parameters that nobody
        changes in place, such as a snapshot's."""
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.layers = self.bind()
        twin.params = params
        return twin

    def describe(self) -> str:
        """``2-2-2 sigmoid/sigmoid`` style summary."""
        return "-".join(map(str, self.sizes)) + " " + "/".join(self.activation_names)


def _check_sizes(sizes) -> list:
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output layer, got {sizes}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"sizes[{i}] must be a whole number ≥ 1, got {n!r}")
    return [int(n) for n in sizes]
