"""Training by gradient descent, epoch by epoch, with a history, snapshots and a divergence guard.

One epoch is one pass over the training set: one update with the full batch (the article's
epoch, the default) or one update per mini-batch in a seeded shuffled order.

History rows (one per epoch, see ``Trainer.history``) describe epoch e like this:

- ``cost``, ``accuracy``: J and accuracy on the training set measured by the epoch's own forward
  passes, i.e. at the parameters *each update started from*. With the full batch that is exactly
  the parameters after epoch e − 1 (row 1 holds the initial cost); with mini-batches it is the
  sample-weighted mean over the epoch's batches. Accuracy counts a > ½ for one output, the
  arg-max for several.
- ``test_cost``, ``test_accuracy``: the same at the parameters the epoch started from.
- ``grad_norm_l``: ‖∂J/∂Θ^(l)‖ (Frobenius) of the epoch's last update, for every layer l with a
  weight Θ^(l).
- ``weight_norm_l``: ‖Θ^(l)‖ after the epoch's updates.

``Trainer.evaluate()`` gives the cost at the current parameters.

Beyond the article's rule: regularization (costs and gradient norms then include the penalty),
optimizer plugins, learning-rate schedules and stopping rules, wired in by
``bpdash.training_options`` (see there for what each changes in the history).

The epoch itself is ``bpdash.epochs`` over ``bpdash.backprop``; the trainer trains with its own
copy of the network's layers (``layers``), so buffers they keep are private to it, and in the
network's dtype (float32 when the network is).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import backprop, threads
from .context import EVALUATION, Context
from .epochs import epoch_function
from .history import HistoryTable
from .metrics import hits, labels_of
from .network import Network, as_matrix
from .snapshots import SnapshotStore
from .training_options import TrainingOptions


class Trainer(TrainingOptions):
    """Trains ``net`` on X ``(m, sizes[0])`` and Y ``(m, sizes[-1])`` with step size η = ``learning_rate``.

    ``batch_size=None`` is the full batch. ``seed`` drives the mini-batch shuffling and the
    dropout masks, so the same network, data, settings and seed give a bit-identical history.
    ``task`` is "classification" (accuracy is reported) or "regression"; None infers
    classification when every target is 0 or 1.

    The playground's settings (defaults: the article's plain run):
    ``optimizer`` an optimizer plugin's name (or record), ``optimizer_params`` its
    ``{"momentum", "beta2", "epsilon"}`` (defaults 0.9, 0.999, 1e-8); ``regularization``
    "none" | "l1" | "l2" with rate ``reg_rate``; ``lr_schedule`` "constant" | "step" |
    "exponential" with ``lr_decay`` and ``lr_step``; ``target_cost`` and ``patience`` (None: off).
    See the module docstring.
    """

    def __init__(self, net: Network, X, Y, *, learning_rate, batch_size=None, cost="squared_error",
                 seed=None, X_test=None, Y_test=None, task=None, snapshot_budget=32 * 2**20,
                 optimizer="gd", optimizer_params=None, regularization="none", reg_rate=0.0,
                 lr_schedule="constant", lr_decay=0.5, lr_step=100, target_cost=None, patience=None):
        threads.apply_policy()
        self.net = net
        dtype = net.dtype
        self.X = as_matrix(X, net.sizes[0], "X", dtype)
        self.Y = as_matrix(Y, net.sizes[-1], "Y", dtype)
        if len(self.X) != len(self.Y) or len(self.X) == 0:
            raise ValueError(f"X has {len(self.X)} rows and Y has {len(self.Y)}: need the same, ≥ 1")
        self.X_test = None if X_test is None or len(X_test) == 0 else as_matrix(X_test, net.sizes[0], "X_test", dtype)
        self.Y_test = None if self.X_test is None else as_matrix(Y_test, net.sizes[-1], "Y_test", dtype)
        self.learning_rate = learning_rate
        if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) != batch_size
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be a whole number ≥ 1 or None, got {batch_size!r}")
        self.batch_size = None if batch_size is None or batch_size >= len(self.X) else int(batch_size)
        self.cost = net.registry.get("costs", cost) if isinstance(cost, str) else cost
        self.task = task or ("classification" if np.isin(self.Y, (0.0, 1.0)).all() else "regression")
        self.rng = np.random.default_rng(seed)
        self.layers = net.bind()
        # The context of the training passes: with a layer that behaves differently in training
        # (dropout), it records each pass's draws, so that the last pass can be shown again
        self.context = Context(training=True, rng=self.rng,
                               record=any(op.training_differs for op in self.layers))
        self.last_draws = None  # (rows of X or None for all, draws) of the last pass, see last_pass
        for op in self.layers:  # the trainer's own: what a pass returns is dead by the next
            op.reuse_buffers = True
        self._linked = backprop.links(self.cost, self.layers[-1])
        self._labels = labels_of(self.Y, self.task)
        self._test_labels = None if self.X_test is None else labels_of(self.Y_test, self.task)
        self.epoch = 0
        self.diverged = False
        self.message = ""
        self._setup_options(optimizer, optimizer_params, regularization, reg_rate, lr_schedule,
                            lr_decay, lr_step, target_cost, patience)
        self._history = HistoryTable(self.columns)
        self.snapshots = SnapshotStore(snapshot_budget, net.layout)
        self.snapshots.record(0, net.params)
        self._epoch = None  # the epoch function, built on first use (see _core_epoch)

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, bool) or not np.isfinite(value) or value <= 0:
            raise ValueError(f"learning_rate must be a finite number > 0, got {value!r}")
        self._learning_rate = self._eta = float(value)  # η, and η of the epoch (see _use_rate)

    @property
    def columns(self) -> list[str]:
        layers = [l + 1 for l in self.net.layout.weight_layers]
        return (["epoch", "cost", "test_cost", "accuracy", "test_accuracy"]
                + [f"grad_norm_{l}" for l in layers] + [f"weight_norm_{l}" for l in layers])

    @property
    def history(self) -> pd.DataFrame:
        """One row per finished epoch (see the module docstring for what each column measures)."""
        return self._history.frame()

    def restore(self, history: pd.DataFrame | None, epoch: int, rng_state: dict | None = None,
                optimizer_state: dict | None = None) -> None:
        """Continue from a saved run: its history, epoch count, generator state (shuffling,
        dropout masks) and optimizer state (``optimizer_state`` as the property gives it; None:
        the optimizer starts afresh).

        The network's parameters are the caller's to set first; they become the snapshot of
        ``epoch`` (older snapshots are not saved with a run). The stopping rules are replayed
        over the history, so a run that had stopped is stopped again.
        """
        if history is not None and list(history.columns) != self.columns:
            raise ValueError(f"history columns {list(history.columns)} do not match this network's {self.columns}")
        self._history = HistoryTable(self.columns, None if history is None else history.to_numpy(float))
        self.epoch = int(epoch)
        if rng_state is not None:
            self.rng.bit_generator.state = rng_state
        self.diverged, self.message = False, ""
        self._restore_options(optimizer_state)
        self.snapshots = SnapshotStore(self.snapshots.budget_bytes, self.net.layout)
        self.snapshots.record(self.epoch, self.net.params)
        self.last_draws = None  # no pass of this trainer yet
        self._epoch = None  # it holds the history and snapshots just replaced

    def last_pass(self):
        """``(rows, context)`` of the last epoch's last training pass, to show it again: the row
        indices of X it held (every row, in order, with the full batch; the last mini-batch's
        otherwise) and a Context replaying what its layers drew (dropout's masks) for those rows
        in that order. None before the first epoch, and when no layer of the stack behaves
        differently in training (every pass is then the evaluation pass)."""
        if self.last_draws is None:
            return None
        rows, draws = self.last_draws
        return (np.arange(len(self.X)) if rows is None else rows), Context(training=True, replay=draws)

    def run_epoch(self) -> dict | None:
        """Train one epoch; return its history row, or None when training has diverged or stopped."""
        if self.diverged or self.stopped:
            return None
        self.net.check_parameters()
        with np.errstate(all="ignore"):  # overflow is caught as divergence, not warned about
            try:
                row = self._epoch_function()()
            except Exception as exc:  # a plugin's f, f′, cost, layer or optimizer raised mid-epoch
                return self._fail(exc)
        return None if row is None else dict(zip(self.columns, row))

    def fit(self, epochs: int, callback=None) -> pd.DataFrame:
        """Train up to ``epochs`` epochs (fewer if training diverges or stops); return the history.

        ``callback(trainer, row)`` runs after each epoch; returning True from it stops early.
        """
        self.net.check_parameters()
        columns, epoch, stops = self.columns, self._epoch_function(), self._stopper is not None
        with np.errstate(all="ignore"):
            try:
                for _ in range(0 if self.diverged or self.stopped else int(epochs)):
                    row = epoch()  # None: diverged
                    if row is None or (callback is not None and callback(self, dict(zip(columns, row)))) \
                            or (stops and self.stopped):
                        break
            except Exception as exc:  # a plugin's f, f′, cost, layer or optimizer raised mid-epoch
                self._fail(exc)
        return self.history

    def _core_epoch(self):
        """The epoch function of ``bpdash.epochs`` (built on first use, kept for the run)."""
        if self._epoch is None:
            self._epoch = epoch_function(self)
        return self._epoch

    def _fail(self, exc: Exception) -> None:
        """Stop like a divergence after a plugin raised: the network keeps the parameters the epoch
        started from (an epoch assigns them only once it succeeded)."""
        self._updater.reset(self.net.params)
        self.diverged = True
        plugins = ", ".join(dict.fromkeys([*self.net.activation_names, self.cost.name]))
        self.message = (f"Training stopped in epoch {self.epoch + 1}: a plugin raised "
                        f"{type(exc).__name__}: {str(exc)[:200]} (this run uses {plugins}). "
                        f"The network keeps its weights from epoch {self.epoch}.")

    def _diverge(self) -> None:
        """Stop after an epoch whose cost or parameters are not finite: the network keeps the
        parameters the epoch began from, the optimizer's state starts afresh, and a message."""
        self._updater.reset(self.net.params)
        self.diverged = True
        self.message = (f"Training diverged in epoch {self.epoch + 1}: the cost or the weights "
                        f"became infinite or NaN. The learning rate η = {self._learning_rate:g} is "
                        f"probably too high; the network keeps its weights from epoch {self.epoch}.")

    def evaluate(self, X=None, Y=None) -> dict:
        """Cost (and accuracy) of the current parameters on (X, Y), default the training set,
        computed in float64 by the network's own layers."""
        net = self.net
        X = as_matrix(self.X if X is None else X, net.sizes[0], "X")
        Y = as_matrix(self.Y if Y is None else Y, net.sizes[-1], "Y")
        with np.errstate(all="ignore"):
            J, A = backprop.cost_and_outputs(net.layers, net.params, X, Y, self.cost, EVALUATION)
            if self._regularized:
                J += self._penalty(net.params)
        labels = labels_of(Y, self.task)
        return {"cost": J, "accuracy": math.nan if labels is None else hits(A, labels) / len(A)}
