"""The dashboard's long computations as ``bpdash.background.Job``s: cut into short slices, so
each shows progress, stops when asked, and stops when its session goes away.

- ``Training``: epochs of a trainer, a fixed number (Train N) or until stopped (Play), at full
  speed or at a pace of so many epochs a second.
- ``LabTraining``: epochs of the symmetry lab, all its runs in lockstep.
- ``GradientCheck``: backprop against central differences, one parameter at a time; the
  result is what ``bpdash.gradcheck.gradient_check`` returns for the same network.

A slice is at least one unit (an epoch, a parameter), so on the largest networks a slice is as
long as one epoch: the shortest time in which training can stop.
"""
from __future__ import annotations

import time

import numpy as np

from .background import Job
from .gradcheck import LayerCheck, numeric_gradient, relative_error
from .regularization import active


class Training(Job):
    """Train ``trainer`` ``epochs`` epochs (None: until cancelled), ``rate`` epochs a second at
    most (None: as fast as it goes). Ends early when training diverges or a stopping rule fires
    (the trainer's ``diverged``, ``stopped`` and ``message`` say why)."""

    def __init__(self, trainer, epochs: int | None = None, rate: float | None = None, **job):
        super().__init__(**job)
        self.trainer, self.total, self.rate = trainer, epochs, rate
        self._start, self._paced = None, 0  # when the pace began, and the epochs done before

    def pace(self, rate: float | None) -> None:
        """Train ``rate`` epochs a second (None: as fast as it goes) from now on."""
        with self.lock:
            self.rate, self._start, self._paced, self.ready_at = rate, None, self.done, 0.0

    def work(self, deadline: float) -> bool:
        trainer, now = self.trainer, time.perf_counter()
        if self._start is None:
            self._start = now
        while True:
            if self.total is not None and self.done >= self.total:
                return True
            if self.rate is not None:
                due = self._start + (self.done - self._paced) / self.rate  # the pace's time for the next epoch
                if due > now:
                    self.ready_at = due
                    return False
            if trainer.run_epoch() is None:  # diverged, or a stopping rule fired
                return True
            self.done += 1
            now = time.perf_counter()
            if now >= deadline:
                return self.total is not None and self.done >= self.total


class LabTraining(Job):
    """Train every run of a ``bpdash.symmetry.SymmetryLab`` ``epochs`` more epochs, in lockstep."""

    def __init__(self, lab, epochs: int, **job):
        super().__init__(**job)
        self.lab, self.total = lab, int(epochs)

    def work(self, deadline: float) -> bool:
        while self.done < self.total:
            self.lab.step(1)
            self.done += 1
            if time.perf_counter() >= deadline:
                break
        return self.done >= self.total


class GradientCheck(Job):
    """``gradient_check(net, X, Y, cost, step, regularization=..., reg_rate=...)`` in slices of
    parameters: each θ_jk^(l) (then each b_j^(l)) by a central difference, layer by layer.

    ``net`` must not change while the check runs: give it a network of its own. ``result`` holds
    the list of ``LayerCheck`` once the job has finished.
    """

    def __init__(self, net, X, Y, cost="squared_error", step=1e-5, *, regularization="none", reg_rate=0.0,
                 **job):
        super().__init__(**job)
        self.net, self.X, self.Y = net, X, Y
        self.options = dict(cost=cost, step=step, regularization=regularization, reg_rate=reg_rate)
        self.total = sum(W.size + (b.size if net.bias else 0) for W, b in zip(net.weights, net.biases))
        self.result: list[LayerCheck] | None = None
        self._numeric = [np.empty(W.shape) for W in net.weights]
        self._numeric_biases = [np.empty(b.shape) for b in net.biases] if net.bias else None
        self._parameters = self._each_parameter()

    def _each_parameter(self):
        """(numeric array, index, layer, j, k) for every parameter, 1-based j, k; k = 0 a bias."""
        for layer, W in enumerate(self.net.weights, start=1):
            for j, k in np.ndindex(W.shape):
                yield self._numeric[layer - 1], (j, k), layer, j + 1, k + 1
            if self.net.bias:
                for j in range(W.shape[0]):
                    yield self._numeric_biases[layer - 1], (j,), layer, j + 1, 0

    def work(self, deadline: float) -> bool:
        o = self.options
        for into, index, layer, j, k in self._parameters:
            into[index] = numeric_gradient(self.net, self.X, self.Y, o["cost"], layer, j, k, o["step"],
                                           o["regularization"], o["reg_rate"])
            self.done += 1
            if time.perf_counter() >= deadline and self.done < self.total:
                return False
        self.result = self._compare()
        return True

    def _compare(self) -> list[LayerCheck]:
        """Backprop's gradient beside the numeric one, per layer, as ``gradient_check`` reports it."""
        o, net = self.options, self.net
        reg = (o["regularization"], o["reg_rate"]) if active(o["regularization"], o["reg_rate"]) else ()
        with np.errstate(all="ignore"):
            grads = net.backprop(np.asarray(self.X, dtype=np.float64), np.asarray(self.Y, dtype=np.float64),
                                 o["cost"], *reg)
        checks = []
        for layer in range(1, net.n_layers):
            bp_W = np.asarray(grads.weights[layer - 1], dtype=np.float64)
            bp_b = np.asarray(grads.biases[layer - 1], dtype=np.float64) if net.bias else None
            dW = self._numeric[layer - 1]
            db = None if bp_b is None else self._numeric_biases[layer - 1]
            g_bp = bp_W.ravel() if bp_b is None else np.concatenate([bp_W.ravel(), bp_b])
            g_num = dW.ravel() if db is None else np.concatenate([dW.ravel(), db])
            diff = np.abs(g_bp - g_num)
            checks.append(LayerCheck(layer, bp_W, dW, bp_b, db, relative_error(g_bp, g_num),
                                     float(diff.max()) if diff.size else 0.0))
        return checks
