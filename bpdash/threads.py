"""How many threads numpy's BLAS may use while bpdash trains: one, unless told otherwise.

A trainer's matrix products are small or mid-sized and come one after another, every few
microseconds to milliseconds. Measured on a 2-core machine shared with browsers and other
work (bench/bench_training.py; docs/layers.md has the figures), a second BLAS thread made
the mid-size and wide workloads 2–20× slower whenever the other core was busy, and at best
1.6× faster when it was idle. A dashboard server is rarely idle: one thread is the policy.

The first ``Trainer`` applies it (``apply_policy``), through threadpoolctl, for the whole
process: OpenBLAS keeps one thread count per library. ``use_blas_threads(n)`` sets another
count, before or after (on a machine of one's own with idle cores, 2 may pay for wide layers);
bpdash then leaves it alone.
"""
from __future__ import annotations

DEFAULT_BLAS_THREADS = 1

_chosen = False


def use_blas_threads(n: int = DEFAULT_BLAS_THREADS) -> None:
    """Let numpy's (and scipy's) BLAS use ``n`` ≥ 1 threads from now on, in this process."""
    global _chosen
    from threadpoolctl import threadpool_limits

    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"BLAS threads must be a whole number ≥ 1, got {n!r}")
    threadpool_limits(limits=int(n), user_api="blas")
    _chosen = True


def apply_policy() -> None:
    """One BLAS thread, unless ``use_blas_threads`` chose otherwise (once per process)."""
    if not _chosen:
        use_blas_threads(DEFAULT_BLAS_THREADS)
