"""Running a sweep's configs on a backend: runs in flight up to its capacity, a lost run retried
once, a stop honoured at once, each row handed on as it finishes.

A run whose worker died is retried once and then reported as failed with the error; the sweep
goes on. On a backend where a dying worker takes the others in flight with it (a local process
pool), every run in flight when it died (running or queued) is suspect: each is charged one
loss and run again alone, so the run that kills its worker is the one that dies twice, and the
others finish.
"""
from __future__ import annotations

import collections

from . import task
from .backends import WorkerLost

MAX_LOSSES = 2  # a run lost this often is reported as failed: the first loss is retried


def run_all(backend, configs, *, options=None, on_result=None, stop=None, poll: float = 0.2) -> dict:
    """Run every config dict of ``configs`` on ``backend``; ``{index: row}`` of the runs that
    finished (all of them unless ``stop()`` turned true, or Ctrl-C, which cancels the rest).

    ``options`` go to ``task.run`` (``curve``, ``units``); ``on_result(index, row)`` is called as
    each run finishes."""
    options = options or {}
    pending = collections.deque(range(len(configs)))
    suspects = collections.deque()  # runs to retry alone (a pool broke while they ran)
    losses = collections.Counter()
    in_flight, rows = {}, {}
    alone = False  # whether the run in flight is a suspect running alone

    def finish(index, row):
        rows[index] = row
        if on_result is not None:
            on_result(index, row)

    try:
        while pending or suspects or in_flight:
            if stop is not None and stop():
                break
            if suspects or alone:
                if not in_flight and suspects:  # a suspect runs alone: no other run shares its fate
                    index = suspects.popleft()
                    alone = True
                    in_flight[backend.submit(configs[index], **options)] = index
            else:
                while pending and len(in_flight) < backend.capacity:
                    index = pending.popleft()
                    in_flight[backend.submit(configs[index], **options)] = index
            for handle in backend.finished(list(in_flight), poll):
                if handle not in in_flight:  # already moved to the suspects below
                    continue
                index = in_flight.pop(handle)
                alone = alone and bool(in_flight)
                try:
                    finish(index, backend.outcome(handle))
                except WorkerLost as exc:
                    _lost(backend, index, exc, in_flight, pending, suspects, losses, finish)
    finally:
        if in_flight:
            backend.cancel(list(in_flight))
    return rows


def _lost(backend, index, exc, in_flight, pending, suspects, losses, finish) -> None:
    """A run's worker died: charge it (and on a shared pool every run in flight) one loss;
    retry those below MAX_LOSSES, report the others as failed."""
    charged = [index]
    if backend.shared_fate:
        charged += list(in_flight.values())
        in_flight.clear()
        backend.recover()
    for i in charged:
        losses[i] += 1
        if losses[i] >= MAX_LOSSES:
            finish(i, task.failed(f"its worker died {losses[i]} times; last: {exc}"))
        elif backend.shared_fate:
            suspects.append(i)
        else:
            pending.appendleft(i)
