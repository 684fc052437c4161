"""The trainer's settings beyond the article's rule, wired into ``bpdash.trainer.Trainer``.

Each setting's logic lives in its own small module; this mixin keeps the trainer's state for
them and the few methods the epoch loop calls:

- Regularization (``bpdash.regularization``): with L1 or L2 every cost the trainer reports —
  the history's ``cost`` and ``test_cost``, ``evaluate()`` — is the regularized
  J = J_data + R(Θ), and ``grad_norm_l`` (and the snapshots' gradients) include ∂R/∂Θ^(l).
  After each update, L1 sets the weights that crossed 0 to exactly 0 (``clip_l1``).
- Optimizers (an ``Optimizer`` plugin, ``bpdash.updates``): every update goes through an
  ``Updater`` and the optimizer's ``step``; its state and update count t travel with a saved run
  (``optimizer_state``, ``Trainer.restore``). When training diverges that state restarts (t = 0).
- Learning-rate schedules (``bpdash.schedules``): epoch e updates with η_e;
  ``current_learning_rate`` is the η of the next epoch.
- Stopping (``bpdash.stopping``): at a target cost, or after ``patience`` epochs without the
  monitored cost improving. Then ``stopped`` is True, ``stop_reason`` says why, and
  ``run_epoch`` returns None, as after divergence, which stays separate (``diverged``).
"""
from __future__ import annotations

from . import regularization, schedules
from .stopping import Stopper
from .updates import Updater, hyperparameters, resolve


class TrainingOptions:
    """Mixin for ``Trainer``: needs ``net``, ``X_test``, ``epoch``, ``history`` and
    ``_learning_rate`` (η) from it."""

    def _setup_options(self, optimizer, optimizer_params, kind, rate, schedule, decay, step,
                       target_cost, patience) -> None:
        """Check and keep the settings (see ``Trainer``'s docstring for each)."""
        regularization.check(kind, rate)
        schedules.check(schedule, decay, step)
        self.regularization, self.reg_rate = kind, float(rate)
        self.lr_schedule, self.lr_decay, self.lr_step = schedule, float(decay), int(step)
        self.optimizer = resolve(self.net.registry, optimizer)
        self.optimizer_params = hyperparameters(self.optimizer, optimizer_params, self.net.registry)
        self._regularized = regularization.active(kind, rate)
        l1 = self.reg_rate if self._regularized and kind == "l1" else 0.0
        self._updater = Updater(self.optimizer, self.net.layout, self.net.params, self.optimizer_params, l1)
        self._scheduled = schedule != "constant"
        self.target_cost = None if target_cost is None else float(target_cost)
        self.patience = None if patience is None else int(patience)
        self._stopper = self._new_stopper()
        self.stopped, self.stop_reason = False, ""

    def _new_stopper(self):
        stopper = Stopper(self.target_cost, self.patience, monitor_test=self.X_test is not None)
        return stopper if stopper.active else None

    def _restore_options(self, optimizer_state) -> None:
        """For ``Trainer.restore``: the optimizer's saved state (None: a fresh one), and the
        stopping rules replayed over the restored history."""
        if optimizer_state is None:
            self._updater.reset(self.net.params)
        else:
            self._updater.load(optimizer_state, self.net.params)
        self._stopper = self._new_stopper()
        self.stop_reason = "" if self._stopper is None else self._stopper.replay(self.history)
        self.stopped = bool(self.stop_reason)

    def _epoch_function(self):
        """What trains one epoch and returns its row (None: diverged): the trainer's
        ``_core_epoch()`` itself on a run without a schedule or stopping rules, else wrapped in
        them (so the article's plain run pays nothing for them)."""
        return self._core_epoch() if not self._scheduled and self._stopper is None else self._options_epoch

    def _options_epoch(self):
        """The core epoch with the schedule's η_e set before it and the stopping rules after it."""
        if self._scheduled:
            self._use_rate(self.epoch + 1)
        row = self._core_epoch()()
        if row is not None and self._stopper is not None:
            self.stop_reason = self._stopper.observe(row[0], row[1], row[2])  # epoch, cost, test_cost
            self.stopped = bool(self.stop_reason)
        return row

    @property
    def current_learning_rate(self) -> float:
        """η for the next epoch, after the schedule: η_e with e = epoch + 1."""
        return schedules.learning_rate(self._learning_rate, self.epoch + 1, self.lr_schedule,
                                       self.lr_decay, self.lr_step)

    def _use_rate(self, epoch: int) -> None:
        """Make the schedule's η_e the step size of the updates of ``epoch``."""
        self._eta = schedules.learning_rate(self._learning_rate, epoch, self.lr_schedule,
                                            self.lr_decay, self.lr_step)

    @property
    def optimizer_state(self) -> dict | None:
        """The optimizer's memory as JSON-ready data ``{"name", "t", "state"}`` (see
        ``bpdash.updates.Updater.export``); None for an optimizer that keeps none (plain
        gradient descent), so a saved run carries nothing for it."""
        return self._updater.export() if self._updater.state else None

    def _penalty(self, params) -> float:
        """R(Θ) of the weights in ``params`` (per-layer parameter tuples)."""
        return regularization.penalty([W for W in self.net.layout.weights(params) if W is not None],
                                      self.regularization, self.reg_rate)

    def _regularize(self, J, grads, params):
        """J + R(Θ), with ∂R/∂Θ^(l) added into ∂J/∂Θ^(l) (in ``grads``: the epoch's own arrays),
        at the weights ``params`` the gradients were taken at (see ``bpdash.regularization``)."""
        kind, rate, layout = self.regularization, self.reg_rate, self.net.layout
        for dJ, W in zip(layout.weights(grads), layout.weights(params)):
            if W is not None:
                regularization.add_gradient(dJ, W, kind, rate)
        return J + self._penalty(params)
