"""A fully connected network and backpropagation, in the article's notation.

Layers are numbered l = 1 … L, layer 1 the input. In code (0-based lists):

- ``weights[l-1]`` is Θ^(l), shape ``(sizes[l], sizes[l-1])``: row j is "to neuron j of layer
  l+1", column k is "from neuron k of layer l" (the article's mailing label θ_jk^(l)).
- ``biases[l-1]`` is b^(l), shape ``(sizes[l],)``: zero and frozen when ``bias=False``.
- Samples are rows: z^(l+1) = a^(l) Θ^(l)ᵀ + b^(l), a^(l+1) = f(z^(l+1)), a^(1) = x.
- δ^(l) = ∂J/∂z^(l) (the article's δ has the opposite sign; see the README).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .plugins import default_registry
from .regularization import active as regularization_active, add_gradient, penalty
from .regularization import check as regularization_check


@dataclass
class Gradients:
    """What one backward pass over m samples found.

    - ``cost``: J at the current parameters (float), the regularization penalty included.
    - ``weights[l-1]``: ∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l) (+ ∂R/∂Θ^(l) when regularized), shape
      ``(sizes[l], sizes[l-1])``.
    - ``biases[l-1]``: ∂J/∂b^(l) = Σ_samples δ^(l+1), shape ``(sizes[l],)`` (zeros without bias).
    - ``deltas[i]``: δ^(i+2), shape ``(m, sizes[i+1])``, for layers 2 … L.
    - ``zs[i]``: z^(i+2), shape ``(m, sizes[i+1])``, for layers 2 … L.
    - ``activations[i]``: a^(i+1), shape ``(m, sizes[i])``, for layers 1 … L (a^(1) = X).
    """

    cost: float
    weights: list
    biases: list
    deltas: list
    zs: list
    activations: list


def as_matrix(values, n_columns: int, what: str) -> np.ndarray:
    """``values`` as a float ``(m, n_columns)`` array (a 1-D input is one column or one sample)."""
    M = np.asarray(values, dtype=float)
    if M.ndim == 1:
        M = M.reshape(-1, 1) if n_columns == 1 else M.reshape(1, -1)
    if M.ndim != 2 or M.shape[1] != n_columns:
        raise ValueError(f"{what} must have shape (m, {n_columns}), got {np.shape(values)}")
    return M


class Network:
    """A layered network: ``Network([2, 2, 2], "sigmoid")`` is the article's 2-2-2 network.

    ``sizes`` lists neurons per layer, input first. ``activations`` names one activation for
    every non-input layer, or gives a list with one name per non-input layer. ``init`` names
    an initializer ("uniform" draws from [−ε, ε], the article's choice); ``seed`` makes the
    draw reproducible. ``registry`` supplies the names (default: every loaded plugin).
    """

    def __init__(self, sizes, activations="sigmoid", *, bias=True, init="uniform",
                 epsilon=0.5, seed=None, registry=None):
        self.sizes = _check_sizes(sizes)
        names = [activations] * (len(self.sizes) - 1) if isinstance(activations, str) else list(activations)
        if len(names) != len(self.sizes) - 1:
            raise ValueError(f"activations: expected 1 or {len(self.sizes) - 1} names "
                             f"(one per non-input layer), got {len(names)}")
        self.registry = registry if registry is not None else default_registry()
        self.activation_names = names
        self.functions = [self.registry.get("activations", n) for n in names]
        self.bias = bool(bias)
        self.init = init
        self.initializer = self.registry.get("initializers", init)
        if not np.isfinite(epsilon) or epsilon < 0:
            raise ValueError(f"epsilon must be a finite number ≥ 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.seed = seed
        self.reset(seed)

    @property
    def n_layers(self) -> int:
        """L, the number of layers including the input."""
        return len(self.sizes)

    def reset(self, seed=None) -> None:
        """Draw fresh Θ^(l) (then b^(l)) for l = 1 … L−1 from ``numpy.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for n_from, n_to in zip(self.sizes[:-1], self.sizes[1:]):
            sample = self.initializer.sample
            self.weights.append(np.asarray(sample((n_to, n_from), n_from, n_to, self.epsilon, rng), float))
            b = sample((n_to,), n_from, n_to, self.epsilon, rng) if self.bias else np.zeros(n_to)
            self.biases.append(np.asarray(b, float))

    def check_parameters(self) -> None:
        """Raise ValueError when an assigned Θ^(l) or b^(l) has the wrong shape."""
        if len(self.weights) != len(self.sizes) - 1 or len(self.biases) != len(self.sizes) - 1:
            raise ValueError(f"expected {len(self.sizes) - 1} weight matrices and bias vectors")
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            want = (self.sizes[l], self.sizes[l - 1])
            if np.shape(W) != want:
                raise ValueError(f"weights[{l - 1}] (Θ^({l})) must have shape {want}, got {np.shape(W)}")
            if np.shape(b) != want[:1]:
                raise ValueError(f"biases[{l - 1}] (b^({l})) must have shape {want[:1]}, got {np.shape(b)}")

    def forward_pass(self, X):
        """``(zs, activations)``: z^(l) for l = 2 … L and a^(l) for l = 1 … L, each ``(m, sizes[l-1])``."""
        self.check_parameters()
        A = as_matrix(X, self.sizes[0], "X")
        zs, activations = [], [A]
        for W, b, fn in zip(self.weights, self.biases, self.functions):
            Z = A @ W.T
            if self.bias:
                Z += b
            A = fn.f(Z)
            zs.append(Z)
            activations.append(A)
        return zs, activations

    def forward(self, X) -> np.ndarray:
        """The outputs a^(L), shape ``(m, sizes[-1])``, for inputs X of shape ``(m, sizes[0])``."""
        return self.forward_pass(X)[1][-1]

    def backprop(self, X, Y, cost="squared_error", regularization="none", reg_rate=0.0) -> Gradients:
        """J and ∂J/∂Θ^(l), ∂J/∂b^(l) by backpropagation over the m rows of X and Y.

        ``regularization`` ("none", "l1", "l2") with rate λ = ``reg_rate`` adds the penalty R(Θ)
        to ``.cost`` and ∂R/∂Θ^(l) (λθ or λ sign θ) to ``.weights``; biases are never
        regularized, and ``.deltas`` stay the data term's (see ``bpdash.regularization``).
        """
        regularization_check(regularization, reg_rate)
        zs, activations = self.forward_pass(X)
        Y = as_matrix(Y, self.sizes[-1], "Y")
        if Y.shape[0] != activations[0].shape[0]:
            raise ValueError(f"X has {activations[0].shape[0]} rows but Y has {Y.shape[0]}")
        J, delta = output_delta(self, zs[-1], activations[-1], Y, cost)
        deltas = [delta]
        for l in range(len(self.weights) - 1, 0, -1):
            # δ^(l) = (δ^(l+1) Θ^(l)) ⊙ f′(z^(l)), with Θ^(l) = weights[l]
            deltas.append((deltas[-1] @ self.weights[l]) * derivative(self.functions[l - 1],
                                                                      zs[l - 1], activations[l]))
        deltas.reverse()
        dW = [d.T @ a for d, a in zip(deltas, activations[:-1])]
        db = [d.sum(axis=0) if self.bias else np.zeros(d.shape[1]) for d in deltas]
        if regularization_active(regularization, reg_rate):
            J = J + penalty(self.weights, regularization, reg_rate)
            dW = [add_gradient(g, W, regularization, reg_rate) for g, W in zip(dW, self.weights)]
        return Gradients(J, dW, db, deltas, zs, activations)

    def copy(self) -> "Network":
        """An independent network with the same architecture and copies of the parameters."""
        twin = object.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.weights = [W.copy() for W in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        return twin

    def describe(self) -> str:
        """``2-2-2 sigmoid/sigmoid`` style summary."""
        return "-".join(map(str, self.sizes)) + " " + "/".join(self.activation_names)


def derivative(fn, Z, A):
    """f′(z), from a = f(z) when the activation offers that faster form."""
    return fn.df_from_a(A) if fn.df_from_a is not None else fn.df(Z)


def output_delta(net, Z, A, Y, cost):
    """(J, δ^(L)): via the cost's fused form for this output activation when it has one."""
    record = net.registry.get("costs", cost) if isinstance(cost, str) else cost
    fused = record.fused.get(net.activation_names[-1])
    if fused is not None:
        value_from_z, delta_from_z = fused
        return value_from_z(Z, Y), delta_from_z(Z, Y)
    # δ^(L) = ∂J/∂a^(L) ⊙ f′(z^(L))
    return record.value(A, Y), record.gradient(A, Y) * derivative(net.functions[-1], Z, A)


def _check_sizes(sizes) -> list:
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output layer, got {sizes}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"sizes[{i}] must be a whole number ≥ 1, got {n!r}")
    return [int(n) for n in sizes]
