"""A sweep in the background, for the dashboard: progress to poll, a Stop that ends it at once,
and an end of its own when nobody polls any more (the session went away).

The backend is a Ray cluster when ``BPDASH_RAY_ADDRESS`` is set, a Dask scheduler when
``BPDASH_DASK_ADDRESS`` is, and else local worker processes; local sweeps take turns (one at a
time per server process), so visitors share the cores rather than multiply the processes.
"""
from __future__ import annotations

import os
import threading
import time

from . import backends, scheduler

LOCAL_TURN = threading.Lock()  # one local sweep at a time in this process
IDLE_SECONDS = 30.0            # a job nobody polled for this long stops


def backend_from_environment():
    """``(name, address)`` of the backend the dashboard uses (see the module docstring)."""
    for name, variable in (("ray", "BPDASH_RAY_ADDRESS"), ("dask", "BPDASH_DASK_ADDRESS")):
        if os.environ.get(variable):
            return name, os.environ[variable]
    return "local", None


class Job:
    """Runs ``plan``'s configs on a thread of its own; ``rows`` fills as runs finish.

    ``state`` is "queued" (waiting for another local sweep), "running", "done", "stopped" or
    "failed" (``error`` says why: a backend that could not start)."""

    def __init__(self, plan, options=None, idle_seconds: float = IDLE_SECONDS, backend=None):
        self.plan, self.options = plan, dict(options or {})
        self.rows, self.state, self.error = {}, "queued", ""
        self.backend_name, self.address = backend or backend_from_environment()
        self._stop, self._idle, self._seen = threading.Event(), idle_seconds, time.monotonic()
        self._thread = threading.Thread(target=self._run, name="bpdash-sweep", daemon=True)
        self._thread.start()

    @property
    def total(self) -> int:
        return len(self.plan)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")

    def touch(self) -> None:
        """Say that someone still watches (the view calls it on every redraw)."""
        self._seen = time.monotonic()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _stopping(self) -> bool:
        return self._stop.is_set() or time.monotonic() - self._seen > self._idle

    def _run(self) -> None:
        local = self.backend_name == "local"
        if local:
            while not LOCAL_TURN.acquire(timeout=0.2):
                if self._stopping():
                    self.state = "stopped"
                    return
        try:
            self.state = "running"
            backend = backends.open_backend(self.backend_name, self.address)
            try:
                scheduler.run_all(backend, self.plan.config_dicts(), options=self.options,
                                  on_result=self.rows.__setitem__, stop=self._stopping)
            finally:
                backend.close()
            self.state = "stopped" if len(self.rows) < self.total else "done"
        except Exception as exc:  # a backend that cannot start or reach its cluster
            self.state, self.error = "failed", f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            if local:
                LOCAL_TURN.release()
