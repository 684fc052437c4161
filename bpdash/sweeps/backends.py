"""Where a sweep's runs train: in this process, on local worker processes, on Ray or on Dask.

Each backend runs ``bpdash.sweeps.task.run`` on a config dict and offers the same few methods
to the scheduler: ``submit``, ``finished`` (the handles done within a timeout), ``outcome`` (the
row, or ``WorkerLost`` when the process running it died), ``recover`` (after a worker died on a
shared pool: a fresh pool), ``cancel`` and ``close``.
``capacity`` is how many runs it keeps in flight (queued on it or running); ``shared_fate`` says whether a dying worker
takes the other runs in flight with it (a local process pool breaks as a whole), which tells the
scheduler whom to suspect.

- ``serial``: one run after the other in this process (the reference the others must equal).
- ``local``: one worker process per core (``jobs``), joblib's loky executor.
- ``ray``: a Ray cluster at ``address``, or a local Ray started for the sweep (``pip install
  bpdash[ray]``).
- ``dask``: a Dask distributed scheduler at ``address`` (``tcp://host:8786``), or a
  ``LocalCluster`` started for the sweep (``pip install bpdash[dask]``).

Every run gets the same config and computes the same numbers wherever it runs.
"""
from __future__ import annotations

import concurrent.futures
import os

from . import task

BACKENDS = ("serial", "local", "ray", "dask")
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


class WorkerLost(Exception):
    """The process running a run died (killed, out of memory, its machine gone)."""


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Serial:
    """Runs in this process, one at a time: what every other backend must equal."""

    name, capacity, shared_fate = "serial", 1, False

    def submit(self, config, **options):
        future = concurrent.futures.Future()
        future.set_result(task.run(config, **options))
        return future

    def finished(self, handles, timeout):
        return list(handles)

    def outcome(self, handle):
        return handle.result()

    def cancel(self, handles):
        pass

    def recover(self):
        pass

    def close(self):
        pass


class Local:
    """``jobs`` worker processes on this machine (default: one per core), each with one BLAS
    thread so that the processes, not threads, share the cores. Twice as many runs as workers
    are in flight, so a worker finds its next run queued when it finishes one rather than
    waiting for this process to hand it over (on a busy machine that wait is long)."""

    name, shared_fate = "local", True

    def __init__(self, jobs: int | None = None):
        self.workers = max(1, int(jobs or cores()))
        self.capacity = 2 * self.workers
        self._pool = self._start()

    def _start(self):
        from joblib.externals.loky import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers, env=ONE_THREAD)

    def submit(self, config, **options):
        return self._pool.submit(task.run, config, **options)

    def finished(self, handles, timeout):
        return list(concurrent.futures.wait(handles, timeout, concurrent.futures.FIRST_COMPLETED).done)

    def outcome(self, handle):
        try:
            return handle.result()
        except concurrent.futures.BrokenExecutor as exc:
            raise WorkerLost(str(exc).splitlines()[0][:300]) from None

    def cancel(self, handles):
        for handle in handles:
            handle.cancel()

    def recover(self):
        """After a worker died the pool is broken: a fresh one."""
        self._pool.shutdown(wait=False, kill_workers=True)
        self._pool = self._start()

    def close(self):
        self._pool.shutdown(wait=False, kill_workers=True)


class Ray:
    """A Ray cluster at ``address`` (``ray://host:10001`` or ``host:6379``), or, without one, a
    local Ray with ``jobs`` CPUs started for the sweep and stopped after it."""

    name, shared_fate = "ray", False

    def __init__(self, address: str | None = None, jobs: int | None = None):
        import ray

        self._ray, self._owned = ray, not ray.is_initialized()
        if self._owned:
            ray.init(address=address, num_cpus=None if address else (jobs or cores()),
                     include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        self._run = ray.remote(max_retries=0)(task.run)  # the scheduler retries, on every backend alike
        self.capacity = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))

    def submit(self, config, **options):
        return self._run.remote(config, **options)

    def finished(self, handles, timeout):
        if not handles:
            return []
        ready, _ = self._ray.wait(list(handles), num_returns=1, timeout=timeout)
        if ready:  # and whatever else is done by now
            ready, _ = self._ray.wait(list(handles), num_returns=len(handles), timeout=0)
        return ready

    def outcome(self, handle):
        try:
            return self._ray.get(handle)
        except self._ray.exceptions.RayTaskError as exc:  # cannot come from task.run, which catches
            return task.failed(str(exc).splitlines()[0][:300])
        except self._ray.exceptions.RayError as exc:  # the worker or its node died
            raise WorkerLost(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None

    def cancel(self, handles):
        for handle in handles:
            self._ray.cancel(handle, force=True)

    def recover(self):
        pass

    def close(self):
        if self._owned:
            self._ray.shutdown()


class Dask:
    """A Dask distributed scheduler at ``address`` (``tcp://host:8786``), or, without one, a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes started for the sweep. A
    local cluster reschedules no run whose worker died (the scheduler here retries, as on every
    backend); a remote scheduler first follows its own ``allowed-failures``."""

    name, shared_fate = "dask", False

    def __init__(self, address: str | None = None, jobs: int | None = None):
        import dask
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if address:
            self.client = Client(address, timeout="20s")
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._cluster = LocalCluster(n_workers=jobs or cores(), threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            self.client = Client(self._cluster)
        threads = sum(self.client.nthreads().values()) or 1
        self.capacity = 2 * threads

    def submit(self, config, **options):
        return self.client.submit(task.run, config, pure=False, **options)

    def finished(self, handles, timeout):
        from dask.distributed import wait

        try:
            return list(wait(list(handles), timeout=timeout, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            return []

    def outcome(self, handle):
        try:
            return handle.result()
        except Exception as exc:  # KilledWorker, a lost connection: the run did not finish
            raise WorkerLost(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None

    def cancel(self, handles):
        self.client.cancel(list(handles))

    def recover(self):
        pass

    def close(self):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_backend(name: str, address: str | None = None, jobs: int | None = None):
    """The backend ``name`` (one of BACKENDS); ValueError saying how to get one that is not
    installed, or what is wrong with the arguments."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    if address and name in ("serial", "local"):
        raise ValueError(f"--address is for the ray and dask backends, not {name}")
    if name == "serial":
        return Serial()
    if name == "local":
        return Local(jobs)
    try:
        return (Ray if name == "ray" else Dask)(address, jobs)
    except ImportError:
        raise ValueError(f"the {name} backend needs {name}: pip install 'bpdash[{name}]'") from None
