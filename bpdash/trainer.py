"""Training by gradient descent, epoch by epoch, with a history, snapshots and a divergence guard.

One epoch is one pass over the training set: one update with the full batch (the article's
epoch, the default) or one update per mini-batch in a seeded shuffled order.

History rows (one per epoch, see ``Trainer.history``) describe epoch e like this:

- ``cost``, ``accuracy``: J and accuracy on the training set measured by the epoch's own forward
  passes, i.e. at the parameters *each update started from*. With the full batch that is exactly
  the parameters after epoch e − 1 (row 1 holds the initial cost); with mini-batches it is the
  sample-weighted mean over the epoch's batches.
- ``test_cost``, ``test_accuracy``: the same at the parameters the epoch started from.
- ``grad_norm_l``: ‖∂J/∂Θ^(l)‖ (Frobenius) of the epoch's last update.
- ``weight_norm_l``: ‖Θ^(l)‖ after the epoch's updates.

``Trainer.evaluate()`` gives the cost at the current parameters.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .network import Network, as_matrix, derivative, output_delta
from .snapshots import Snapshot, SnapshotStore


class Trainer:
    """Trains ``net`` on X ``(m, sizes[0])`` and Y ``(m, sizes[-1])`` with step size η = ``learning_rate``.

    ``batch_size=None`` is the full batch. ``seed`` drives the mini-batch shuffling, so the same
    network, data, settings and seed give a bit-identical history. ``task`` is "classification"
    (accuracy is reported) or "regression"; None infers classification when every target is 0 or 1.
    """

    def __init__(self, net: Network, X, Y, *, learning_rate, batch_size=None, cost="squared_error",
                 seed=None, X_test=None, Y_test=None, task=None, snapshot_budget=32 * 2**20):
        self.net = net
        self.X = as_matrix(X, net.sizes[0], "X")
        self.Y = as_matrix(Y, net.sizes[-1], "Y")
        if len(self.X) != len(self.Y) or len(self.X) == 0:
            raise ValueError(f"X has {len(self.X)} rows and Y has {len(self.Y)}: need the same, ≥ 1")
        self.X_test = None if X_test is None or len(X_test) == 0 else as_matrix(X_test, net.sizes[0], "X_test")
        self.Y_test = None if self.X_test is None else as_matrix(Y_test, net.sizes[-1], "Y_test")
        self.learning_rate = learning_rate
        if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) != batch_size
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be a whole number ≥ 1 or None, got {batch_size!r}")
        self.batch_size = None if batch_size is None or batch_size >= len(self.X) else int(batch_size)
        self.cost = net.registry.get("costs", cost) if isinstance(cost, str) else cost
        self.task = task or ("classification" if np.isin(self.Y, (0.0, 1.0)).all() else "regression")
        self.rng = np.random.default_rng(seed)
        fused = self.cost.fused.get(net.activation_names[-1])
        self._output_delta = ((lambda Z, A, Y: (fused[0](Z, Y), fused[1](Z, Y))) if fused else
                              (lambda Z, A, Y: output_delta(net, Z, A, Y, self.cost)))
        self._ones = np.ones(len(self.X))
        self.epoch = 0
        self.diverged = False
        self.message = ""
        self._rows: list[tuple] = []
        self._frame: pd.DataFrame | None = None
        self.snapshots = SnapshotStore(snapshot_budget)
        self.snapshots.add(Snapshot(0, tuple(net.weights), tuple(net.biases)))

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, bool) or not np.isfinite(value) or value <= 0:
            raise ValueError(f"learning_rate must be a finite number > 0, got {value!r}")
        self._learning_rate = float(value)

    @property
    def columns(self) -> list[str]:
        layers = range(1, len(self.net.sizes))
        return (["epoch", "cost", "test_cost", "accuracy", "test_accuracy"]
                + [f"grad_norm_{l}" for l in layers] + [f"weight_norm_{l}" for l in layers])

    @property
    def history(self) -> pd.DataFrame:
        """One row per finished epoch (see the module docstring for what each column measures)."""
        if self._frame is None or len(self._frame) != len(self._rows):
            self._frame = pd.DataFrame(self._rows, columns=self.columns)
        return self._frame

    def run_epoch(self) -> dict | None:
        """Train one epoch; return its history row, or None when training has diverged."""
        if self.diverged:
            return None
        self.net.check_parameters()
        with np.errstate(all="ignore"):  # overflow is caught as divergence, not warned about
            row = self._epoch()
        return None if row is None else dict(zip(self.columns, row))

    def fit(self, epochs: int, callback=None) -> pd.DataFrame:
        """Train up to ``epochs`` epochs (fewer if training diverges); return the history.

        ``callback(trainer, row)`` runs after each epoch; returning True from it stops early.
        """
        self.net.check_parameters()
        with np.errstate(all="ignore"):
            for _ in range(int(epochs)):
                if self.diverged:
                    break
                row = self._epoch()
                if row is not None and callback is not None and callback(self, dict(zip(self.columns, row))):
                    break
        return self.history

    def evaluate(self, X=None, Y=None) -> dict:
        """Cost (and accuracy) of the current parameters on (X, Y), default the training set."""
        X = self.X if X is None else as_matrix(X, self.net.sizes[0], "X")
        Y = self.Y if Y is None else as_matrix(Y, self.net.sizes[-1], "Y")
        with np.errstate(all="ignore"):
            J, A = self._cost_and_outputs(X, Y)
        return {"cost": J, "accuracy": self._accuracy(A, Y)}

    # -- the epoch -------------------------------------------------------------------------------

    def _epoch(self):
        net, eta = self.net, self._learning_rate
        start = (net.weights, net.biases)
        test_cost, test_accuracy = self._test_metrics()
        if self.batch_size is None:
            J, A, dW, db = self._gradients(self.X, self.Y)
            accuracy = self._accuracy(A, self.Y)
            self._update(eta, dW, db)
        else:
            J, accuracy, m = 0.0, 0.0, len(self.X)
            for rows in np.array_split(self.rng.permutation(m), range(self.batch_size, m, self.batch_size)):
                Xb, Yb = self.X[rows], self.Y[rows]
                Jb, A, dW, db = self._gradients(Xb, Yb)
                J += Jb * len(rows) / m
                accuracy += self._accuracy(A, Yb) * len(rows) / m
                self._update(eta, dW, db)
        grad_norms = [math.sqrt(np.vdot(g, g)) for g in dW]
        weight_norms = [math.sqrt(np.vdot(W, W)) for W in net.weights]
        if not self._finite(J, grad_norms, weight_norms):
            net.weights, net.biases = start
            self.diverged = True
            self.message = (f"Training diverged in epoch {self.epoch + 1}: the cost or the weights "
                            f"became infinite or NaN. The learning rate η = {eta:g} is probably too "
                            f"high; the network keeps its weights from epoch {self.epoch}.")
            return None
        self.epoch += 1
        row = (self.epoch, J, test_cost, accuracy, test_accuracy, *grad_norms, *weight_norms)
        self._rows.append(row)
        self.snapshots.add(Snapshot(self.epoch, tuple(net.weights), tuple(net.biases), tuple(dW), tuple(db)))
        return row

    def _gradients(self, X, Y):
        """(J, a^(L), ∂J/∂Θ, ∂J/∂b) on the batch (X, Y): the backprop of ``Network.backprop``
        without its input checks and bookkeeping, since the trainer checked once up front."""
        net = self.net
        activations, zs = [X], []
        A = X
        for W, b, fn in zip(net.weights, net.biases, net.functions):
            Z = A @ W.T
            if net.bias:
                Z += b
            A = fn.f(Z)
            zs.append(Z)
            activations.append(A)
        J, delta = self._output_delta(Z, A, Y)
        L1 = len(net.weights)
        dW, db = [None] * L1, [None] * L1
        for l in range(L1 - 1, -1, -1):  # ∂J/∂Θ^(l+1) = (δ^(l+2))ᵀ a^(l+1), then δ one layer back
            dW[l] = delta.T @ activations[l]
            db[l] = self._ones[:len(delta)] @ delta if net.bias else None  # Σ over samples; faster than sum()
            if l:
                delta = (delta @ net.weights[l]) * derivative(net.functions[l - 1], zs[l - 1], activations[l])
        return J, A, dW, db

    def _update(self, eta, dW, db):
        """θ := θ − η ∂J/∂θ, into new arrays (snapshots keep references to the old ones)."""
        net = self.net
        net.weights = [W - eta * g for W, g in zip(net.weights, dW)]
        if net.bias:
            net.biases = [b - eta * g for b, g in zip(net.biases, db)]
        else:
            db[:] = [np.zeros_like(b) for b in net.biases]

    def _finite(self, J, grad_norms, weight_norms) -> bool:
        total = J + sum(grad_norms) + sum(weight_norms)
        if self.net.bias:
            total += sum(np.vdot(b, b) for b in self.net.biases)
        return math.isfinite(total)

    def _cost_and_outputs(self, X, Y):
        net = self.net
        A = X
        for W, b, fn in zip(net.weights, net.biases, net.functions):
            Z = A @ W.T
            if net.bias:
                Z += b
            A = fn.f(Z)
        J, _ = self._output_delta(Z, A, Y)
        return J, A

    def _test_metrics(self):
        if self.X_test is None:
            return math.nan, math.nan
        J, A = self._cost_and_outputs(self.X_test, self.Y_test)
        return J, self._accuracy(A, self.Y_test)

    def _accuracy(self, A, Y) -> float:
        """Share of samples classified right: a > ½ for one output, the arg-max for several."""
        if self.task != "classification":
            return math.nan
        if A.shape[1] == 1:
            return float(np.mean((A > 0.5) == (Y > 0.5)))
        return float(np.mean(A.argmax(axis=1) == Y.argmax(axis=1)))
