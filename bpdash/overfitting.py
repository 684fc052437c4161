"""Overfitting, read from a history: the test cost has risen for a while past its minimum.

While the network learns what the training and test rows share, both costs fall. When it starts
to learn the training rows' noise, the training cost still falls but the test cost turns up:
the weights after the epoch of the least test cost were the best for new data. A noisy test
cost (mini-batches, a high η) dips and rises by itself, so a rise counts only when it lasts:
for the last ``patience`` epochs the test cost stayed more than ``RISE`` above its minimum,
where ``patience`` is ``MIN_PATIENCE`` epochs or ``PATIENCE_SHARE`` of the epochs it took to
reach the minimum, whichever is more; and the training cost is now below what it was then (when
both rise, training itself goes wrong: that is no overfitting).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RISE = 0.01            # 1 % above the least test cost …
MIN_PATIENCE = 25      # … for at least this many epochs …
PATIENCE_SHARE = 0.2   # … and at least this share of the epochs it took to reach the minimum


@dataclass(frozen=True)
class Overfitting:
    """The test cost was least, ``best_cost``, at the weights after ``best_epoch`` epochs; after
    ``epoch`` epochs it is ``cost``."""

    best_epoch: int
    best_cost: float
    epoch: int
    cost: float

    def describe(self) -> str:
        return (f"Overfitting: the test cost has risen since epoch {self.best_epoch:,} "
                f"(J = {self.best_cost:.4g}, now {self.cost:.4g}) while the training cost kept falling. "
                f"The weights after epoch {self.best_epoch:,} were the best for new data.")


def overfitting(history) -> Overfitting | None:
    """The overfitting a trainer's history shows (see the module docstring), or None.

    ``history`` has one row per epoch with ``epoch``, ``cost`` and ``test_cost``: row e holds J_test at the
    weights after e − 1 epochs, so epochs are counted here as epochs trained (row e → e − 1).
    """
    if len(history) == 0:
        return None
    trained = history["epoch"].to_numpy(dtype=float) - 1
    test = history["test_cost"].to_numpy(dtype=float)
    finite = np.isfinite(test)
    if not finite.any():
        return None
    best = int(np.argmin(np.where(finite, test, np.inf)))
    patience = max(MIN_PATIENCE, int(round(PATIENCE_SHARE * trained[best])))
    since = test[best + 1:]
    if len(since) < patience:
        return None
    recent = since[-patience:]
    if not np.isfinite(recent).all() or recent.min() <= test[best] * (1 + RISE):
        return None
    train = history["cost"].to_numpy(dtype=float)
    if not train[-1] < train[best]:  # the training cost did not keep falling
        return None
    return Overfitting(int(trained[best]), float(test[best]), int(trained[-1]), float(test[-1]))
