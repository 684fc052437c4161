"""Sweep speed: a 64-run sweep on local worker processes against one process, and each backend's
overhead per run.

    python bench/bench_sweeps.py            # local against serial; Ray and Dask when installed
    python bench/bench_sweeps.py --quick    # smaller runs, one repeat

Peers are in the same run: the serial backend (this process, one run after the other) does the
same work, so the speed-up is a ratio that holds on a noisy machine. For the overhead, a sweep
of runs of a single epoch is timed on each backend and on the serial one; the difference per run
is what a backend adds (shipping the config and the row, scheduling), its start separately.
The load average is printed: on a shared machine it says how far the cores were free.
"""
from __future__ import annotations

import argparse
import os
import time

from bpdash.config import ExperimentConfig
from bpdash.plugins import default_registry
from bpdash.sweeps import backends, plan, scheduler, space

def workload(quick: bool):
    base = ExperimentConfig(dataset="moons", n_samples=400, hidden=(32, 32), epochs=60 if quick else 300)
    return plan.make(base, space.parse_axes(["learning_rate=0.05..2:8", "seed=0..7"], default_registry()),
                     default_registry())


def tiny():
    base = ExperimentConfig(dataset="moons", n_samples=40, hidden=(4,), epochs=1)
    return plan.make(base, space.parse_axes(["seed=0..63"], default_registry()), default_registry())


def available(name: str) -> bool:
    try:
        __import__({"ray": "ray", "dask": "distributed"}.get(name, "json"))
        return True
    except ImportError:
        return False


def sweep_seconds(backend, the_plan):
    start = time.perf_counter()
    rows = scheduler.run_all(backend, the_plan.config_dicts())
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    cores = backends.cores()
    print(f"{cores} cores; load average before: {os.getloadavg()[0]:.2f}")
    names = ["serial", "local"] + [n for n in ("ray", "dask") if available(n)]
    opened, started = {}, {}
    for name in names:
        start = time.perf_counter()
        opened[name] = backends.open_backend(name, jobs=None if name == "serial" else cores)
        started[name] = time.perf_counter() - start
        scheduler.run_all(opened[name], tiny().config_dicts())  # warm the workers: imports, plugins
    work, small = workload(args.quick), tiny()
    best = {name: (float("inf"), None) for name in names}
    overhead = {name: float("inf") for name in names}
    try:
        for _ in range(repeats):  # interleaved, so every backend sees the same noise
            for name, backend in opened.items():
                seconds, rows = sweep_seconds(backend, work)
                if seconds < best[name][0]:
                    best[name] = (seconds, rows)
                overhead[name] = min(overhead[name], sweep_seconds(backend, small)[0])
    finally:
        for backend in opened.values():
            backend.close()
    serial, reference = best["serial"]
    print(f"\n## {len(work)}-run sweep: {work.base.hidden} hidden, {work.base.epochs} epochs, "
          f"{work.base.n_samples} samples (best of {repeats}, interleaved)\n")
    print("| backend | start (s) | sweep (s) | speed-up over one process | same rows as serial |")
    print("|---|---|---|---|---|")
    for name in names:
        seconds, rows = best[name]
        same = all(rows[i][k] == reference[i][k] for i in reference for k in ("final_cost", "best_test_cost"))
        workers = "one process" if name == "serial" else f"{cores} workers"
        print(f"| {name} ({workers}) | {started[name]:.1f} | {seconds:.2f} | {serial / seconds:.2f}× | "
              f"{'yes' if same else 'NO'} |")
    print(f"\n## Overhead per run ({len(small)} runs of one epoch, about {1000 * overhead['serial'] / len(small):.1f} ms "
          "of work each)\n")
    print("| backend | sweep (s) | overhead per run (ms) |")
    print("|---|---|---|")
    for name in names:
        print(f"| {name} | {overhead[name]:.3f} | {1000 * (overhead[name] - overhead['serial']) / len(small):+.1f} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
