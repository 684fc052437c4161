"""The update step: plain gradient descent fused with the history's norms, or an optimizer plugin.

``descend`` is the engine's own θ := θ − η ∂J/∂θ, measuring on the way what the history needs
(the trainer's fast path). Every other case goes through an ``Updater``: any optimizer
that is not ``plain`` (momentum, Adam, …), and plain gradient descent with L1 regularization,
whose update is followed by ``bpdash.regularization.clip_l1`` (the numbers of a plain step are
the fast path's: θ − η g).

The parameters handed to the optimizer are θ = [Θ^(1) … Θ^(L−1), b^(1) … b^(L−1)] (the biases
only when the network has them), the gradients ∂J/∂θ in the same order, the regularization's
terms already in the weights' gradients. ``t`` counts the updates, 1 for the first (every
mini-batch is one).
"""
from __future__ import annotations

import math

import numpy as np

from .records import Optimizer
from .regularization import clip_l1
from .validation import RecordError, check_optimizer_state

def hyperparameters(optimizer, optimizer_params=None, registry=None) -> dict:
    """Name → value of every hyperparameter ``optimizer`` (an ``Optimizer``) declares: its
    declared default, or the value in ``optimizer_params``. A name only another optimizer of
    ``registry`` declares is left out (a config keeps another optimizer's settings when the
    optimizer changes); a name none declares, or a value the declaration refuses, raises
    ValueError naming it."""
    declared = {f.name: f for f in optimizer.hyperparameters}
    hp = {name: f.default for name, f in declared.items()}
    elsewhere = {f.name for record in getattr(registry, "optimizers", {}).values()
                 for f in record.hyperparameters}
    for key, value in (optimizer_params or {}).items():
        if key not in declared:
            if key in elsewhere:
                continue
            raise ValueError(f"optimizer_params: {optimizer.name!r} has no hyperparameter {key!r}; "
                             f"its hyperparameters are {', '.join(declared) or 'none'}")
        problem = declared[key].problem(value)
        if problem:
            raise ValueError(f"optimizer_params[{key!r}] {problem}")
        hp[key] = declared[key].normal(value)
    return hp


def descend(net, dW, db, minus_eta):
    """θ := θ − η ∂J/∂θ for every Θ^(l) and b^(l) of ``net`` (``minus_eta``: −η as a 0-d array),
    measuring on the way what the history and the divergence guard need: (‖∂J/∂Θ^(l)‖ per
    layer, ‖Θ^(l)‖ after the update, Σ b^(l) after it).

    Its parameters and gradients outlive the epoch (the network, a snapshot) and the ones it
    starts from are held by a snapshot and the divergence guard, so none is changed: each
    new θ is a new array, made as (−η ∂J/∂θ) + θ (the product into a fresh array, θ added to
    it in place), the same floating-point numbers as θ − η ∂J/∂θ with one new array instead
    of two (a thrown-away temporary as large as Θ costs page faults). One loop does the
    update and the norms: on small networks the loops' Python overhead is a cost of its own.
    ‖A‖ is ``sqrt(flat.dot(flat))`` on the flattened view: np.vdot's Σ a², the same BLAS ddot,
    without vdot's dispatch layer (≈0.2 µs less a call on small arrays).
    """
    bias, sqrt = net.bias, math.sqrt
    weights, biases, grad_norms, weight_norms = [], [], [], []
    bias_sum = 0.0
    for W, dJ_dW, b, dJ_db in zip(net.weights, dW, net.biases, db):
        flat = dJ_dW.ravel()
        grad_norms.append(sqrt(flat.dot(flat)))
        W_new = dJ_dW * minus_eta
        W_new += W
        flat = W_new.ravel()
        weight_norms.append(sqrt(flat.dot(flat)))
        weights.append(W_new)
        if bias:
            b_new = dJ_db * minus_eta
            b_new += b
            # For the divergence guard only: Σ b is finite exactly when every b is (short of
            # an overflow at |b| ≈ 1e308, long after Σ b² would overflow). Summed as Python
            # floats: a bias vector is one value per neuron, and tolist() and sum() cost less
            # than a numpy call on small layers and little beside a layer's work on large ones.
            bias_sum += sum(b_new.tolist())
            biases.append(b_new)
    net.weights = weights
    if bias:
        net.biases = biases
    return grad_norms, weight_norms, bias_sum


class Updater:
    """Updates a network's parameters by ``optimizer`` (a ``bpdash.records.Optimizer``).

    ``l1_rate``: λ of L1 regularization (0 for none): after each step, ``clip_l1`` sets the
    weights that crossed 0 (or stay at it) to exactly 0. ``state`` and ``t`` are the
    optimizer's memory and update count, saved with a run (``export``, ``load``).
    """

    def __init__(self, optimizer, net, hp: dict, l1_rate: float = 0.0):
        self.optimizer, self.hp, self.l1_rate, self.bias = optimizer, hp, float(l1_rate), net.bias
        self.reset(net)

    def params(self, net) -> list:
        """θ as the optimizer sees it: the weights, then the biases (when the network has them)."""
        return list(net.weights) + (list(net.biases) if self.bias else [])

    def reset(self, net) -> None:
        """A fresh state for ``net``'s parameters, t = 0."""
        self.t = 0
        self.state = self.optimizer.init([p.copy() for p in self.params(net)])

    def apply(self, net, dW, db, lr: float):
        """One update of ``net`` with ∂J/∂Θ ``dW`` and ∂J/∂b ``db`` at step size ``lr``; returns
        (‖∂J/∂Θ^(l)‖ per layer, ‖Θ^(l)‖ after, Σ b^(l) after) as ``descend`` does."""
        n = len(dW)
        old = self.params(net)
        self.t += 1
        new = self.optimizer.step(old, list(dW) + (list(db) if self.bias else []), self.state,
                                  lr, self.hp, self.t)
        new = [np.asarray(p, dtype=float) for p in new]
        weights = new[:n]
        if self.l1_rate > 0:
            # clip_l1 writes in place: into a copy when the optimizer returned a state array
            weights = [clip_l1(W_old, W.copy() if any(np.shares_memory(W, s) for s in self._state_arrays())
                               else W, g, self.l1_rate)
                       for W_old, W, g in zip(old[:n], weights, dW)]
        net.weights = weights
        if self.bias:
            net.biases = new[n:]
        grad_norms = [math.sqrt(float(g.ravel().dot(g.ravel()))) for g in dW]
        weight_norms = [math.sqrt(float(W.ravel().dot(W.ravel()))) for W in weights]
        bias_sum = float(sum(float(b.sum()) for b in net.biases)) if self.bias else 0.0
        return grad_norms, weight_norms, bias_sum

    def _state_arrays(self):
        return [a for arrays in self.state.values() for a in arrays]

    def finite(self) -> bool:
        """Whether every value of the state is finite (False after a diverged update)."""
        return all(np.isfinite(a).all() for a in self._state_arrays())

    def export(self) -> dict:
        """``{"name", "t", "state": {key: [nested lists]}}``: JSON-ready, exact (floats by repr)."""
        return {"name": self.optimizer.name, "t": self.t,
                "state": {key: [np.asarray(a).tolist() for a in arrays] for key, arrays in self.state.items()}}

    def load(self, saved: dict, net) -> None:
        """Take the state ``export`` gave (arrays or nested lists) for ``net``'s parameters;
        ValueError when its name, keys or shapes do not fit this optimizer and network."""
        if not isinstance(saved, dict):
            raise ValueError("optimizer_state must be a dict with name, t and state")
        if saved.get("name", self.optimizer.name) != self.optimizer.name:
            raise ValueError(f"optimizer_state is for optimizer {saved.get('name')!r}, "
                             f"but this run uses {self.optimizer.name!r}")
        t = saved.get("t")
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"optimizer_state t must be a whole number ≥ 0, got {t!r}")
        raw = saved.get("state")
        if not isinstance(raw, dict):
            raise ValueError("optimizer_state state must be a dict of name → list of arrays")
        fresh = self.optimizer.init([p.copy() for p in self.params(net)])
        if set(raw) != set(fresh):
            raise ValueError(f"optimizer_state holds {sorted(raw)}, but {self.optimizer.name!r} keeps "
                             f"{sorted(fresh)}")
        try:
            state = {key: [np.array(a, dtype=float) for a in arrays] for key, arrays in raw.items()}
            check_optimizer_state(state, [p.shape for p in self.params(net)], "optimizer_state")
        except (TypeError, ValueError, RecordError) as exc:
            raise ValueError(str(exc)) from None
        self.t, self.state = int(t), state


def _plain_step(params, grads, state, lr, hp, t):
    return [p - lr * g for p, g in zip(params, grads)]


# The engine's own plain gradient descent, for a registry without the "gd" plugin (one built by
# hand in a test): the trainer's fast path needs no more than ``plain=True``.
PLAIN_GD = Optimizer("gd", lambda params: {}, _plain_step, "θ := θ − η ∂J/∂θ", plain=True)


def resolve(registry, optimizer):
    """The Optimizer record for ``optimizer`` (a name or a record) from ``registry``."""
    if not isinstance(optimizer, str):
        return optimizer
    table = getattr(registry, "optimizers", {})
    if optimizer == "gd" and "gd" not in table:
        return PLAIN_GD
    return registry.get("optimizers", optimizer)
