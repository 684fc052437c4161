"""Long work in short slices, on one background thread that every session shares.

A ``Job`` is work cut into slices: ``work(deadline)`` does some of it and returns True when all
is done. The ``Worker`` takes the active jobs in turn (round robin), gives each a slice of at
most ``slice_s`` seconds while holding the job's ``lock``, and rests ``rest_s`` between rounds.
So one thread trains, checks or steps for every session at once, fairly, and:

- whoever else holds a job's lock (a page drawing that job's network, a Step, a Reset) never
  sees it half-way through a slice, and makes the worker pass over that job, not wait;
- a cancelled job does no further slice once ``cancel`` has returned to a caller holding its
  lock, and a slice in progress ends by its deadline (or after one epoch, whichever is later);
- a job whose owner has gone (``alive()`` false: its browser tab closed) is cancelled before
  its next slice, so abandoned work stops within a slice;
- the server's own threads get the interpreter between slices: Python threads share one core
  (the GIL), and one busy thread per session would leave a page's own work a thin share;
- pages come first: while a page is being drawn (``page()``), the worker waits before its next
  slice (up to ``PAGE_WAIT_S``), so a frame or a Step is not slowed by training.

Nothing here knows about Streamlit: the dashboard gives each job its session's lock and a test
of whether the session is still there.
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Callable

SLICE_S = 0.02   # one job's turn: long enough that switching costs nothing, short enough to stop fast
REST_S = 0.0005  # a pause after each round, in which the server's threads take the interpreter
IDLE_S = 0.05    # the longest sleep while every job waits for its time (a slow Play speed)
# While the worker computes, a thread that waits on I/O (the server sending a page its frame)
# gets the interpreter back only at the next switch: Python's default 5 ms, paid on every
# message. The worker asks for switches this often instead.
SWITCH_INTERVAL_S = 0.001
PAGE_WAIT_S = 0.05  # the longest the worker gives way to pages being drawn before its next slice

RUNNING, FINISHED, CANCELLED, FAILED = "running", "finished", "cancelled", "failed"


class Job:
    """Work done in slices by the ``Worker``. Subclasses define ``work`` and may set ``total``.

    ``lock`` is held during every slice (a ``threading.RLock`` shared with whoever else reads or
    changes what the job works on); ``alive`` says whether anyone still wants the result.
    ``ready_at`` (a ``time.perf_counter()`` time) lets a job wait, e.g. to keep an epochs/s pace.
    ``label`` says what it does, for a progress bar ("Training 500 epochs").
    """

    total: int | None = None  # units of work in all, when known (for a progress bar)

    def __init__(self, lock=None, alive: Callable[[], bool] | None = None, label: str = ""):
        self.lock = lock if lock is not None else threading.RLock()
        self.label = label
        self.alive = alive or (lambda: True)
        self.done = 0  # units of work done so far
        self.state = RUNNING
        self.reason = ""  # why it ended, in words, when cancelled or failed
        self.error: BaseException | None = None
        self.ready_at = 0.0
        self._ended = threading.Event()

    def work(self, deadline: float) -> bool:
        """Do work until ``time.perf_counter() >= deadline`` (at least one unit); True when all done."""
        raise NotImplementedError

    @property
    def active(self) -> bool:
        return self.state == RUNNING

    @property
    def progress(self) -> float | None:
        """The share done, 0 … 1, when ``total`` is known."""
        return None if not self.total else min(1.0, self.done / self.total)

    def cancel(self, reason: str = "stopped") -> None:
        """End the job: no slice starts after this returns (one running now ends by its deadline)."""
        with self.lock:
            self._end(CANCELLED, reason)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended or ``timeout`` seconds passed; True when it has ended."""
        return self._ended.wait(timeout)

    def _end(self, state: str, reason: str = "", error: BaseException | None = None) -> None:
        if self.state == RUNNING:
            self.state, self.reason, self.error = state, reason, error
            self._ended.set()

    def _slice(self, deadline: float) -> None:
        """One turn, called by the worker with ``lock`` held."""
        if not self.active:
            return
        try:
            if self.work(deadline):
                self._end(FINISHED)
        except Exception as exc:  # a plugin raised, say: the job ends, the worker lives on
            self._end(FAILED, f"{type(exc).__name__}: {exc}", exc)


class Worker:
    """One daemon thread that runs every submitted job in slices, round robin (see the module)."""

    def __init__(self, slice_s: float = SLICE_S, rest_s: float = REST_S):
        self.slice_s, self.rest_s = slice_s, rest_s
        self._jobs: list[Job] = []
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pages = 0  # pages being drawn now
        self._pages_done = threading.Condition()

    @contextlib.contextmanager
    def page(self):
        """Around drawing a page: the worker starts no slice meanwhile (for up to PAGE_WAIT_S)."""
        with self._pages_done:
            self._pages += 1
        try:
            yield
        finally:
            with self._pages_done:
                self._pages -= 1
                if not self._pages:
                    self._pages_done.notify_all()

    def _give_way(self) -> None:
        """Wait while pages are being drawn, PAGE_WAIT_S at most."""
        with self._pages_done:
            if self._pages:
                self._pages_done.wait(PAGE_WAIT_S)

    def submit(self, job: Job) -> Job:
        with self._changed:
            self._jobs.append(job)
            if self._thread is None or not self._thread.is_alive():
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
                self._thread = threading.Thread(target=self._run, name="bpdash-worker", daemon=True)
                self._thread.start()
            self._changed.notify()
        return job

    @property
    def jobs(self) -> list[Job]:
        """The jobs not ended yet."""
        with self._changed:
            return [job for job in self._jobs if job.active]

    def _run(self) -> None:
        while True:
            with self._changed:
                self._jobs = [job for job in self._jobs if job.active]
                while not self._jobs:
                    self._changed.wait()
                jobs = list(self._jobs)
            if not self._round(jobs):
                now = time.perf_counter()
                wake = min((job.ready_at for job in jobs if job.active), default=now)
                with self._changed:  # a new job wakes the worker early
                    self._changed.wait(min(IDLE_S, max(0.0, wake - now)))
            time.sleep(self.rest_s)

    def _round(self, jobs: list[Job]) -> bool:
        """One slice for each job that is ready and whose lock is free; False when none was."""
        worked = False
        for job in jobs:
            if not job.active or job.ready_at > time.perf_counter():
                continue
            if not _alive(job):
                job._end(CANCELLED, "nobody is watching it any more")
                continue
            self._give_way()
            if not job.lock.acquire(blocking=False):  # its page is reading it: the next round
                continue
            try:
                job._slice(time.perf_counter() + self.slice_s)
                worked = True
            finally:
                job.lock.release()
        return worked


def _alive(job: Job) -> bool:
    try:
        return bool(job.alive())
    except Exception:  # a failing test of liveness means nobody can be asked: stop
        return False


_worker: Worker | None = None
_worker_lock = threading.Lock()


def worker() -> Worker:
    """The process's worker, started on first use."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = Worker()
        return _worker
