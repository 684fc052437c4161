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

Beyond the article's rule: regularization (costs and gradient norms then include the penalty),
optimizer plugins, learning-rate schedules and stopping rules, wired in by
``bpdash.training_options`` (see there for what each changes in the history).

Speed. The epoch loop is the engine's hot path, and ``bench/bench_training.py`` holds it to
targets against PyTorch and against the bare matrix products. Two costs shape the code below:
on small networks every numpy call costs ≈0.3–1 µs whatever its size, so an epoch of the
article's 2-2-2 network is counted in calls; on large layers fresh memory costs page faults, so
no temporary as large as a weight matrix is made and thrown away. Each faster form says why.
The full-batch epoch is a closure of its own (``bpdash.fullbatch``), the update with its norms
is ``bpdash.updates.descend``; mini-batch epochs are built here from ``_gradients``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from . import regularization
from .fullbatch import full_batch_epoch
from .history import HistoryTable
from .metrics import hits, labels_of
from .minibatch import MiniBatches
from .network import Network, as_matrix
from .snapshots import SnapshotStore
from .training_options import TrainingOptions
from .updates import descend
from .validation import RecordError, check_value_and_delta



class Trainer(TrainingOptions, MiniBatches):
    """Trains ``net`` on X ``(m, sizes[0])`` and Y ``(m, sizes[-1])`` with step size η = ``learning_rate``.

    ``batch_size=None`` is the full batch. ``seed`` drives the mini-batch shuffling, so the same
    network, data, settings and seed give a bit-identical history. ``task`` is "classification"
    (accuracy is reported) or "regression"; None infers classification when every target is 0 or 1.

    The playground's settings (defaults: the article's plain run, on the fast path):
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
        # Looked up once here rather than every epoch: a network's layers and a trainer's cost
        # never change under it.
        self._layer_functions = [(fn.f, fn.df_from_a, fn.df) for fn in net.functions]
        self._activations = [fn.f for fn in net.functions]
        self._fused = self.cost.fused.get(net.activation_names[-1])  # (J, δ^(L)) from z^(L), or None
        self._value_and_delta = self._checked_value_and_delta(net.functions[-1])
        self._cost_value, self._cost_gradient = self.cost.value, self.cost.gradient
        self._bias = net.bias
        self._zero_bias_gradients = [np.zeros(n) for n in net.sizes[1:]]  # ∂J/∂b without biases; never mutated
        self._ones = np.ones(len(self.X))
        self._batch_buffers: dict[int, tuple] = {}  # rows in a mini-batch → (X, Y) buffers, see _batch
        self._dW_buffers = None  # see _gradient_buffers
        self._labels = labels_of(self.Y, self.task)
        self._test_labels = None if self.X_test is None else labels_of(self.Y_test, self.task)
        self.epoch = 0
        self.diverged = False
        self.message = ""
        self._setup_options(optimizer, optimizer_params, regularization, reg_rate, lr_schedule,
                            lr_decay, lr_step, target_cost, patience)
        self._history = HistoryTable(self.columns)
        self.snapshots = SnapshotStore(snapshot_budget)
        self.snapshots.record(0, tuple(net.weights), tuple(net.biases))
        self._full_batch = None  # the full-batch epoch, see _core_epoch

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, bool) or not np.isfinite(value) or value <= 0:
            raise ValueError(f"learning_rate must be a finite number > 0, got {value!r}")
        self._learning_rate = self._eta = float(value)  # η, and η of the epoch (see _use_rate)
        self._minus_eta = np.array(-self._learning_rate)  # 0-d: numpy converts a Python float on every call

    @property
    def columns(self) -> list[str]:
        layers = range(1, len(self.net.sizes))
        return (["epoch", "cost", "test_cost", "accuracy", "test_accuracy"]
                + [f"grad_norm_{l}" for l in layers] + [f"weight_norm_{l}" for l in layers])

    @property
    def history(self) -> pd.DataFrame:
        """One row per finished epoch (see the module docstring for what each column measures)."""
        return self._history.frame()

    def restore(self, history: pd.DataFrame | None, epoch: int, rng_state: dict | None = None,
                optimizer_state: dict | None = None) -> None:
        """Continue from a saved run: its history, epoch count, shuffling state and optimizer state
        (``optimizer_state`` as the property gives it; None: the optimizer starts afresh).

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
        self.snapshots = SnapshotStore(self.snapshots.budget_bytes)
        self.snapshots.record(self.epoch, tuple(self.net.weights), tuple(self.net.biases))
        self._full_batch = None  # it holds the history and snapshots just replaced

    def run_epoch(self) -> dict | None:
        """Train one epoch; return its history row, or None when training has diverged or stopped."""
        if self.diverged or self.stopped:
            return None
        self.net.check_parameters()
        with np.errstate(all="ignore"):  # overflow is caught as divergence, not warned about
            try:
                row = self._epoch_function()()
            except Exception as exc:  # a plugin's f, f′, cost or optimizer raised mid-epoch
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
            except Exception as exc:  # a plugin's f, f′, cost or optimizer raised mid-epoch
                self._fail(exc)
        return self.history

    def _fail(self, exc: Exception) -> None:
        """Stop like a divergence after a plugin raised: the parameters of the epoch's start stay."""
        self.net.weights, self.net.biases = getattr(self, "_start", (self.net.weights, self.net.biases))
        if self._updater is not None:
            self._updater.reset(self.net)
        self.diverged = True
        plugins = ", ".join(dict.fromkeys([*self.net.activation_names, self.cost.name]))
        self.message = (f"Training stopped in epoch {self.epoch + 1}: a plugin raised "
                        f"{type(exc).__name__}: {str(exc)[:200]} (this run uses {plugins}). "
                        f"The network keeps its weights from epoch {self.epoch}.")

    def evaluate(self, X=None, Y=None) -> dict:
        """Cost (and accuracy) of the current parameters on (X, Y), default the training set."""
        X = self.X if X is None else as_matrix(X, self.net.sizes[0], "X")
        Y = self.Y if Y is None else as_matrix(Y, self.net.sizes[-1], "Y")
        with np.errstate(all="ignore"):
            J, A = self._cost_and_outputs(X, Y)
        return {"cost": J, "accuracy": self._accuracy(A, Y)}

    # -- the epoch -------------------------------------------------------------------------------

    def _core_epoch(self):
        """What trains one epoch and returns its row (None: diverged): the full-batch closure of
        ``bpdash.fullbatch`` (built on first use) or the mini-batch epoch."""
        if self.batch_size is not None:
            return self._mini_batch_epoch
        if self._full_batch is None:
            self._full_batch = full_batch_epoch(self)
        return self._full_batch

    def _mini_batch_epoch(self):
        """One epoch of mini-batches (see ``MiniBatches``), then the history row and snapshot."""
        net = self.net
        self._start = start = (net.weights, net.biases)  # what a failed epoch falls back to
        test_cost, test_accuracy = self._test_metrics()
        J, right, dW, db = self._mini_batches()
        updater = self._updater
        grad_norms, weight_norms, bias_sum = (descend(net, dW, db, self._minus_eta) if updater is None
                                              else updater.apply(net, dW, db, self._eta))
        # Divergence: one sum of what is already measured (any inf or NaN in it makes it non-finite)
        if not math.isfinite(J + sum(grad_norms) + sum(weight_norms) + bias_sum):
            return self._diverge(start)
        self.epoch = epoch = self.epoch + 1
        row = (epoch, J, test_cost, math.nan if self._labels is None else right / len(self.X),
               test_accuracy, *grad_norms, *weight_norms)
        self._history.append(row)
        self.snapshots.record(epoch, tuple(net.weights), tuple(net.biases), tuple(dW), tuple(db))
        return row

    def _diverge(self, start) -> None:
        """Stop after an epoch whose cost or parameters are not finite: back to ``start`` (the
        parameters the epoch began from), the optimizer's state afresh, and a message."""
        self.net.weights, self.net.biases = start
        if self._updater is not None:
            self._updater.reset(self.net)
        self.diverged = True
        self.message = (f"Training diverged in epoch {self.epoch + 1}: the cost or the weights "
                        f"became infinite or NaN. The learning rate η = {self._learning_rate:g} is "
                        f"probably too high; the network keeps its weights from epoch {self.epoch}.")

    def _gradients(self, X, Y, into=None):
        """(J, a^(L), ∂J/∂Θ, ∂J/∂b) on the batch (X, Y): the backprop of ``Network.backprop``
        without its input checks and bookkeeping, since the trainer checked once up front.

        Faster forms, same numbers: ``A.dot(B)`` is ``A @ B`` (the same BLAS call) without the
        generalized-ufunc set-up of matmul, ≈0.6 µs less per product on small arrays; Σ over
        samples of δ is ``ones · δ``, one BLAS call, faster than ``δ.sum(axis=0)``.

        ``into``, when given, holds arrays shaped like the weights for ∂J/∂Θ to be written into
        (for the mini-batches whose gradients die with their update, see
        ``MiniBatches._mini_batches``).
        """
        weights, layer_functions, bias = self.net.weights, self._layer_functions, self._bias
        A = X
        activations, zs = [X], []
        for W, b, f in zip(weights, self.net.biases, self._activations):
            Z = A.dot(W.T)  # z^(l+1) = a^(l) Θ^(l)ᵀ + b^(l)
            if bias:
                Z += b
            A = f(Z)
            zs.append(Z)
            activations.append(A)
        value_and_delta = self._value_and_delta
        J, delta = value_and_delta(Z, A, Y) if value_and_delta is not None else self._output_delta(Z, A, Y)
        n_layers = len(weights)
        dW = [None] * n_layers
        db = [None] * n_layers if bias else list(self._zero_bias_gradients)
        ones = self._ones if len(delta) == len(self._ones) else self._ones[:len(delta)]  # no new view
        for l in range(n_layers - 1, -1, -1):  # ∂J/∂Θ^(l+1) = (δ^(l+2))ᵀ a^(l+1), then δ one layer back
            if into is None:
                dW[l] = delta.T.dot(activations[l])
            else:
                dW[l] = delta.T.dot(activations[l], out=into[l])
            if bias:
                db[l] = ones.dot(delta)
            if l:
                # δ^(l+1) = (δ^(l+2) Θ^(l+1)) ⊙ f′(z^(l+1)), the product taken in place in the
                # fresh array the matrix product made
                _, df_from_a, df = layer_functions[l - 1]
                delta = delta.dot(weights[l])
                delta *= df_from_a(activations[l]) if df_from_a is not None else df(zs[l - 1])
        return J, A, dW, db

    def _checked_value_and_delta(self, output):
        """The cost's faster (J, δ^(L)) for the output activation, once checked against the
        composition it replaces (None if there is none, or if it disagrees: then a warning, and
        the composition is used)."""
        if self._fused is not None or output.name not in self.cost.value_and_delta:
            return None
        try:
            check_value_and_delta(self.cost, output)
        except Exception as exc:  # RecordError, or whatever the plugin's function raised
            reason = exc if isinstance(exc, RecordError) else (
                f"cost '{self.cost.name}': value_and_delta raised {exc!r}")
            warnings.warn(f"{reason}; training uses value, gradient and f′ instead", stacklevel=3)
            return None
        return self.cost.value_and_delta[output.name]

    def _output_delta(self, Z, A, Y):
        """(J, δ^(L)): via the cost's fused form for the output activation when it has one, else
        δ^(L) = ∂J/∂a^(L) ⊙ f′(z^(L)) (the same as ``network.output_delta``). ``_gradients``
        calls the cost's ``value_and_delta`` for the activation itself when there is one."""
        if self._fused is not None:
            value_from_z, delta_from_z = self._fused
            return value_from_z(Z, Y), delta_from_z(Z, Y)
        _, df_from_a, df = self._layer_functions[-1]
        return (self._cost_value(A, Y),
                self._cost_gradient(A, Y) * (df_from_a(A) if df_from_a is not None else df(Z)))

    def _update(self, dW, db, scratch_parameters=False):
        """θ := θ − η ∂J/∂θ for every Θ^(l) and b^(l), for a mini-batch before the epoch's last.

        Between two mini-batches of one epoch nobody else sees the gradients, so no new memory
        is needed for the step: ∂J/∂θ is scaled in place into −η ∂J/∂θ. The parameters the epoch
        started from are seen (a snapshot, the divergence guard), so the first batch's step
        becomes the new θ (θ added to it in place); after that θ is the epoch's own too and
        ``scratch_parameters`` says it may take the step in place. The numbers are those of
        θ − η ∂J/∂θ in every case.
        """
        net, minus_eta = self.net, self._minus_eta
        pairs = ((net.weights, dW), (net.biases, db)) if self._bias else ((net.weights, dW),)
        updated = []
        for thetas, gradients in pairs:
            new_thetas = []
            for theta, gradient in zip(thetas, gradients):
                step = gradient  # the epoch's own array: scaled in place
                step *= minus_eta
                if scratch_parameters:
                    theta += step  # the epoch's own array too: it takes the step in place
                    new_thetas.append(theta)
                else:
                    step += theta  # the step's array becomes the new θ
                    new_thetas.append(step)
            updated.append(new_thetas)
        net.weights = updated[0]
        if self._bias:
            net.biases = updated[1]

    def _cost_and_outputs(self, X, Y):
        """(J, a^(L)) of the current parameters on (X, Y): the forward pass and the cost alone."""
        net = self.net
        A = X
        for W, b, (f, _, _) in zip(net.weights, net.biases, self._layer_functions):
            Z = A.dot(W.T)
            if self._bias:
                Z += b
            A = f(Z)
        J = self._fused[0](Z, Y) if self._fused is not None else self._cost_value(A, Y)
        if self._regularized:
            J += regularization.penalty(net.weights, self.regularization, self.reg_rate)
        return J, A

    def _test_metrics(self):
        if self.X_test is None:
            return math.nan, math.nan
        J, A = self._cost_and_outputs(self.X_test, self.Y_test)
        labels = self._test_labels
        return J, (math.nan if labels is None else hits(A, labels) / len(A))

    def _accuracy(self, A, Y) -> float:
        """Share of samples classified right: a > ½ for one output, the arg-max for several."""
        labels = labels_of(Y, self.task)
        return math.nan if labels is None else hits(A, labels) / len(A)
