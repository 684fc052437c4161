"""The dashboard's long computations as ``bpdash.background.Job``s: cut into short slices, so
each shows progress, stops when asked, and stops when its session goes away.

- ``Training``: epochs of a trainer, a fixed number (Train N) or until stopped (Play), at full
  speed or at a pace of so many epochs a second; asked to, it records the trainer's state every
  so often (``record``), so a page that draws less often can still show how training went.
- ``LabTraining``: epochs of the symmetry lab, all its runs in lockstep.
- ``GradientCheck``: backprop against central differences, one parameter at a time; the
  result is what ``bpdash.gradcheck.gradient_check`` returns for the same network.

A slice is at least one unit (an epoch, a parameter), so on the largest networks a slice is as
long as one epoch: the shortest time in which training can stop.
"""
from __future__ import annotations

import collections
import time
from typing import NamedTuple

from .background import Job
from .gradcheck import Checking, LayerCheck


MAX_STATES = 16  # recorded states kept at most, the oldest dropped first


class State(NamedTuple):
    """The trainer after ``epoch`` epochs, recorded at ``time`` (``time.perf_counter()``):
    ``params`` is ``Network.params`` then, by reference (the trainer assigns new arrays at each
    update and never changes old ones, so this is a snapshot without a copy)."""

    time: float
    epoch: int
    params: tuple


class Training(Job):
    """Train ``trainer`` ``epochs`` epochs (None: until cancelled), ``rate`` epochs a second at
    most (None: as fast as it goes). Ends early when training diverges or a stopping rule fires
    (the trainer's ``diverged``, ``stopped`` and ``message`` say why)."""

    def __init__(self, trainer, epochs: int | None = None, rate: float | None = None, **job):
        super().__init__(**job)
        self.trainer, self.total, self.rate = trainer, epochs, rate
        self._start, self._paced = None, 0  # when the pace began, and the epochs done before
        self.record_s: float | None = None  # seconds between recorded states (None: none recorded)
        self.states: collections.deque[State] = collections.deque(maxlen=MAX_STATES)
        self._recorded = -float("inf")  # when the last state was recorded

    def pace(self, rate: float | None) -> None:
        """Train ``rate`` epochs a second (None: as fast as it goes) from now on."""
        with self.lock:
            self.rate, self._start, self._paced, self.ready_at = rate, None, self.done, 0.0

    def record(self, every_s: float | None) -> None:
        """Record the trainer's state about every ``every_s`` seconds of training from now on
        (None: record none, and forget those kept). Call it holding ``lock``."""
        self.record_s = every_s
        if every_s is None:
            self.states.clear()

    def recorded(self) -> list[State]:
        """The states recorded since the last call, oldest first (MAX_STATES at most), and forgets
        them. Call it holding ``lock``."""
        states = list(self.states)
        self.states.clear()
        return states

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
            if self.record_s is not None and now - self._recorded >= self.record_s:
                self.states.append(State(now, trainer.epoch, trainer.net.params))
                self._recorded = now
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
    """``gradient_check(net, X, Y, cost, step, regularization=..., reg_rate=..., context=...)``
    in slices of parameters (``bpdash.gradcheck.Checking``): one central difference per entry of
    every parameter array, layer by layer; a training ``context`` holds dropout's masks fixed.

    ``net`` must not change while the check runs: give it a network of its own. ``result`` holds
    the list of ``LayerCheck`` once the job has finished.
    """

    def __init__(self, net, X, Y, cost="squared_error", step=1e-5, *, regularization="none", reg_rate=0.0,
                 context=None, **job):
        super().__init__(**job)
        self.checking = Checking(net, X, Y, cost, step, regularization=regularization, reg_rate=reg_rate,
                                 context=context)
        self.total = self.checking.total
        self.result: list[LayerCheck] | None = None

    def work(self, deadline: float) -> bool:
        for _ in self.checking.steps:
            self.done += 1
            if time.perf_counter() >= deadline and self.done < self.total:
                return False
        self.result = self.checking.result()
        return True
