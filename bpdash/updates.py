"""The update step: an optimizer plugin's rule applied to a network's parameters, and the norms
the history keeps.

Every update goes through the optimizer's ``step`` (the built-in "gd" is the article's
θ := θ − η ∂J/∂θ). The parameters it sees are every layer's arrays, layer by layer
(θ = [Θ^(1), b^(1), Θ^(2), b^(2), …], ``bpdash.parameters.Layout.flat``), the gradients ∂J/∂θ
in the same order, the regularization's terms already in the weights' gradients. A saved state
lists the weights' entries first, then the biases' (``export``), as saved runs always have. ``t`` counts the updates, 1 for the first (every mini-batch is one). With L1
regularization, ``bpdash.regularization.clip_l1`` follows each step.
"""
from __future__ import annotations

import math

import numpy as np

from .regularization import clip_l1
from .validation import RecordError, check_optimizer_state

SMALL = 256  # values: up to this a parameter is summed as Python floats (see Updater.apply)


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


class Updater:
    """Updates per-layer parameters (a network's ``params``) by ``optimizer`` (an ``Optimizer``).

    ``layout``: the network's ``bpdash.parameters.Layout``. ``l1_rate``: λ of L1 regularization
    (0 for none): after each step, ``clip_l1`` sets the weights that crossed 0 (or stay at it)
    to exactly 0. ``state`` and ``t`` are the optimizer's memory and update count, saved with a
    run (``export``, ``load``).
    """

    def __init__(self, optimizer, layout, params, hp: dict, l1_rate: float = 0.0):
        self.optimizer, self.layout, self.hp, self.l1_rate = optimizer, layout, hp, float(l1_rate)
        arrays = layout.flat(params)
        self.dtype = arrays[0].dtype if arrays else np.dtype(np.float64)
        self.reset(params)

    def reset(self, params) -> None:
        """A fresh state for ``params``, t = 0."""
        self.t = 0
        self.state = self.optimizer.init([p.copy() for p in self.layout.flat(params)])

    def apply(self, params, grads, lr: float, measure: bool = True):
        """One update of ``params`` with the gradients ``grads`` (per layer, the same structure)
        at step size ``lr``. Returns (new params, ‖∂J/∂Θ^(l)‖ per weight, ‖Θ^(l)‖ after,
        a sum of every other new parameter) — the last three, for the history and the divergence
        guard, only when ``measure`` (else empty, empty, 0.0).

        The sum is finite exactly when those parameters are (short of an overflow at |b| ≈ 1e308,
        long after Σ b² would overflow); small vectors are summed as Python floats, which costs
        less than a numpy call. ‖A‖ is ``sqrt(flat.dot(flat))``: np.vdot's Σ a², the same BLAS
        ddot, without vdot's dispatch layer.
        """
        layout, dtype = self.layout, self.dtype
        old, gradients = layout.flat(params), layout.flat(grads)
        self.t += 1
        new = self.optimizer.step(old, gradients, self.state, lr, self.hp, self.t)
        for p in new:  # an optimizer may hand back another dtype: the network keeps its own
            if type(p) is not np.ndarray or p.dtype is not dtype:
                new = [np.asarray(p, dtype) for p in new]
                break
        if self.l1_rate > 0:
            # clip_l1 writes in place: into a copy when the optimizer returned a state array
            states = self._state_arrays()
            for i in layout.weight_positions:
                W = new[i]
                new[i] = clip_l1(old[i], W.copy() if any(np.shares_memory(W, s) for s in states) else W,
                                 gradients[i], self.l1_rate)
        if not measure:
            return layout.unflat(new), (), (), 0.0
        sqrt, grad_norms, weight_norms = math.sqrt, [], []
        for i in layout.weight_positions:
            flat = gradients[i].ravel()
            grad_norms.append(sqrt(flat.dot(flat)))
            flat = new[i].ravel()
            weight_norms.append(sqrt(flat.dot(flat)))
        rest = 0.0
        for i in layout.other_positions:
            p = new[i]
            rest += sum(p.tolist()) if p.ndim == 1 and p.size <= SMALL else float(p.sum())
        return layout.unflat(new), grad_norms, weight_norms, rest

    def _state_arrays(self):
        return [a for arrays in self.state.values() for a in arrays]

    def finite(self) -> bool:
        """Whether every value of the state is finite (False after a diverged update)."""
        return all(np.isfinite(a).all() for a in self._state_arrays())

    def export(self) -> dict:
        """``{"name", "t", "state": {key: [nested lists]}}``: JSON-ready, exact (floats by repr),
        each list in the saved order (every weight's entry, every bias's, then the rest)."""
        to_saved = self.layout.to_saved
        return {"name": self.optimizer.name, "t": self.t,
                "state": {key: [np.asarray(a).tolist() for a in to_saved(arrays)]
                          for key, arrays in self.state.items()}}

    def load(self, saved: dict, params) -> None:
        """Take the state ``export`` gave (arrays or nested lists) for ``params``; ValueError when
        its name, keys or shapes do not fit this optimizer and network."""
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
        layout = self.layout
        saved = layout.to_saved(layout.flat(params))
        fresh = self.optimizer.init([p.copy() for p in saved])
        if set(raw) != set(fresh):
            raise ValueError(f"optimizer_state holds {sorted(raw)}, but {self.optimizer.name!r} keeps "
                             f"{sorted(fresh)}")
        try:
            state = {key: [np.array(a, dtype=self.dtype) for a in arrays] for key, arrays in raw.items()}
            check_optimizer_state(state, [p.shape for p in saved], "optimizer_state")
        except (TypeError, ValueError, RecordError) as exc:
            raise ValueError(str(exc)) from None
        self.t, self.state = int(t), {key: layout.from_saved(arrays) for key, arrays in state.items()}


def resolve(registry, optimizer):
    """The Optimizer record for ``optimizer`` (a name or a record) from ``registry``."""
    return registry.get("optimizers", optimizer) if isinstance(optimizer, str) else optimizer
