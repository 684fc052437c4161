"""Stopping rules: stop training at a target cost, or once the cost stops improving (patience).

``Stopper.observe(epoch, cost, test_cost)`` is called with each finished epoch's history row
and returns the reason to stop (a sentence for the dashboard) or "" to go on:

- target: the epoch's training cost J ≤ ``target_cost`` — "reached the target cost J ≤ 0.05 at
  epoch 212";
- patience: the monitored cost (the test cost when there is a test set, else the training cost)
  has not improved on its best by more than 1e-12·|best| for ``patience`` epochs — "no
  improvement of the test cost for 50 epochs (best 0.1234 at epoch 180)".

The costs are those of the history (regularization penalty included, see ``bpdash.trainer``).
"""
from __future__ import annotations

import math

from . import schema

RELATIVE_IMPROVEMENT = 1e-12


class Stopper:
    """The stopping state of one run: the best monitored cost so far and when it was reached.

    ``monitor_test``: whether the run has a test set (then the test cost is monitored).
    """

    def __init__(self, target_cost=None, patience=None, monitor_test=False):
        schema.check("target_cost", target_cost)  # None (off), or within the declared bounds
        schema.check("patience", patience)
        self.target_cost = None if target_cost is None else float(target_cost)
        self.patience = None if patience is None else int(patience)
        self.monitor_test = bool(monitor_test)
        self.best = math.inf
        self.best_epoch = 0

    @property
    def active(self) -> bool:
        """Whether any rule is set."""
        return self.target_cost is not None or self.patience is not None

    @property
    def monitored(self) -> str:
        """Which cost patience watches: "test cost" or "training cost"."""
        return "test cost" if self.monitor_test else "training cost"

    def observe(self, epoch: int, cost: float, test_cost: float) -> str:
        """Take epoch ``epoch``'s costs; return why to stop after it, or ""."""
        if self.target_cost is not None and cost <= self.target_cost:
            return f"reached the target cost J ≤ {self.target_cost:g} at epoch {epoch}"
        if self.patience is None:
            return ""
        value = test_cost if self.monitor_test else cost
        if value < self.best - RELATIVE_IMPROVEMENT * abs(self.best) or self.best == math.inf:
            if value == value:  # not NaN
                self.best, self.best_epoch = float(value), int(epoch)
            return ""
        if epoch - self.best_epoch >= self.patience:
            return (f"no improvement of the {self.monitored} for {self.patience} epochs "
                    f"(best {self.best:.4g} at epoch {self.best_epoch})")
        return ""

    def replay(self, history) -> str:
        """Observe every row of a history DataFrame (a restored run) in order; the reason the
        last row would have stopped training, or ""."""
        reason = ""
        if not self.active or history is None:
            return reason
        for epoch, cost, test_cost in history[["epoch", "cost", "test_cost"]].itertuples(index=False):
            reason = self.observe(int(epoch), cost, test_cost)
        return reason
