"""Training speed of bpdash against PyTorch, scikit-learn and the matrix products alone.

    python bench/bench_training.py           # the full run (about a minute)
    python bench/bench_training.py --quick   # fewer epochs and repeats (a few seconds)

Every side trains the same network on the same data in this one process, timed as the best of
several interleaved repeats after a warm-up (timeit-style, garbage collector off), so the ratios
hold on a noisy machine even when the absolute times do not. The workloads and the sides are in
training_sides.py; bench/README.md says what each side computes, and the targets.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import time

import numpy as np

from training_sides import (HAVE_SKLEARN, HAVE_TORCH, Workload, bpdash_side, floor_side,  # beside this file
                            same_work_check, sklearn_side, torch_side, workloads)

# -- timing --------------------------------------------------------------------------------------

REST = 0.25  # seconds between timed runs, see time_sides


def time_sides(sides, budget: float, max_epochs: int, repeats: int) -> tuple[dict, dict]:
    """Seconds per epoch for each side, and the epochs each timed run trained.

    timeit-style: a warm-up run first (imports, BLAS threads, lazy initialisation), which also
    sizes each side's timed runs to about ``budget`` seconds (at most ``max_epochs`` epochs);
    then ``repeats`` timed runs per side, each from a fresh setup with the garbage collector
    off, the sides taking turns so that drift hits them alike; the best run counts.

    Each timed run starts after a short rest: numpy's OpenBLAS and PyTorch's OpenMP keep their
    worker threads spinning for a while after a call, and on a machine with few cores the spinning
    pool of the side that ran before steals the CPU from the side being timed (seen here: PyTorch's
    moons epochs 10× slower right after bpdash's).
    """
    best = {label: math.inf for label, *_ in sides}
    epochs = {}
    gc_was_enabled = gc.isenabled()
    try:
        for label, _, setup, run in sides:
            run(setup(), 1)  # warm-up
            n = 1
            while True:  # size the timed runs: time a run long enough to trust
                state = setup()
                time.sleep(REST)
                start = time.perf_counter()
                run(state, n)
                elapsed = time.perf_counter() - start
                if elapsed > budget / 5 or n >= max_epochs:
                    break
                n = min(max_epochs, n * 4)
            epochs[label] = max(1, min(max_epochs, round(budget * n / elapsed)))
        for _ in range(repeats):
            for label, _, setup, run in sides:
                state = setup()
                gc.collect()
                time.sleep(REST)
                gc.disable()
                start = time.perf_counter()
                run(state, epochs[label])
                elapsed = time.perf_counter() - start
                gc.enable()
                best[label] = min(best[label], elapsed / epochs[label])
    finally:
        if gc_was_enabled:
            gc.enable()
    return best, epochs


# -- report --------------------------------------------------------------------------------------

def set_threads(n: int) -> None:
    """Every side on ``n`` threads: numpy's and scipy's BLAS (bpdash's own setting, which its
    trainers then keep instead of their one-thread policy), OpenMP pools, and PyTorch's
    intra-op pool."""
    from threadpoolctl import threadpool_limits

    from bpdash.threads import use_blas_threads
    use_blas_threads(n)
    threadpool_limits(n, user_api="openmp")
    if HAVE_TORCH:
        import torch
        torch.set_num_threads(n)


def environment() -> str:
    import scipy  # the sigmoid plugin's expit, on small layers
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}", f"scipy {scipy.__version__}",
             f"{os.cpu_count()} CPUs"]
    try:
        from threadpoolctl import threadpool_info
        blas = [f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info()
                if i.get("user_api") == "blas"]
        parts.append("BLAS: " + ", ".join(blas))
    except ImportError:
        pass
    if HAVE_TORCH:
        import torch
        parts.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    else:
        parts.append("torch: skipped: not installed")
    if HAVE_SKLEARN:
        import sklearn
        parts.append(f"scikit-learn {sklearn.__version__}")
    else:
        parts.append("scikit-learn: skipped: not installed")
    return "; ".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer repeats (noisier)")
    parser.add_argument("--repeats", type=int, help="timed runs per side (default 7, quick 3)")
    parser.add_argument("--only", action="append", metavar="WORKLOAD",
                        help="run only this workload (tiny, moons, wide, softmax); repeatable")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="threads for every side's BLAS and PyTorch (default: each library's own)")
    parser.add_argument("--dtypes", action="store_true",
                        help="also time bpdash and the matmul floor in float32")
    args = parser.parse_args(argv)
    if args.threads:
        set_threads(args.threads)
    else:  # bpdash's policy, applied by its first trainer; applied here so the floor shares it
        from bpdash.threads import apply_policy
        apply_policy()
    repeats = args.repeats or (3 if args.quick else 7)
    budget = 0.15 if args.quick else 0.5  # seconds per timed run

    print(f"# bpdash training benchmark{' (--quick)' if args.quick else ''}\n")
    print(environment() + "\n")
    print(f"Each side: best of {repeats} timed runs of about {budget:g} s. \"bpdash ÷ side\" is bpdash's "
          "epochs/s over that side's,\nbpdash taken with the same output activation as the side "
          "(the floor: bpdash as specified).\n")
    print("| workload | side | epochs/s | µs/epoch | bpdash ÷ side | epochs per run |")
    print("|---|---|---:|---:|---:|---:|")
    verdicts, notes, legend = [], [], {}
    for w in workloads():
        if args.only and w.name not in args.only:
            continue
        sides = [bpdash_side(w, w.outputs)]
        if HAVE_TORCH:
            sides.append(torch_side(w, w.outputs))
        if (HAVE_SKLEARN or HAVE_TORCH) and not w.output:
            sides.append(bpdash_side(w, "linear"))
            if HAVE_TORCH:
                sides.append(torch_side(w, "linear"))
            if HAVE_SKLEARN:
                sides.append(sklearn_side(w))
        if args.dtypes:
            sides.append(bpdash_side(w, w.outputs, "float32"))
            sides.append(floor_side(w, np.float32))
        sides.append(floor_side(w))
        seconds, epochs = time_sides(sides, budget, w.quick_epochs if args.quick else w.epochs, repeats)
        mine = {w.outputs: seconds[sides[0][0]], "linear": seconds.get("bpdash (linear out)")}
        for label, what, _, _ in sides:
            legend.setdefault(label.split(" (")[0], set()).add(what)
            output = "linear" if "linear out" in label or "identity out" in label else w.outputs
            ratio = "" if label.startswith("bpdash") else f"{seconds[label] / mine[output]:.2f}×"
            print(f"| {w.name} | {label} | {1 / seconds[label]:,.0f} | {seconds[label] * 1e6:,.1f} | "
                  f"{ratio} | {epochs[label]:,} |")
        for peer, have in (("PyTorch", HAVE_TORCH), ("scikit-learn", HAVE_SKLEARN)):
            if not have:
                print(f"| {w.name} | {peer} | skipped: not installed | | | |")
        notes.append(f"- {w.name} ({w.describe}): {same_work_check(w)}")
        verdicts += targets(w, seconds, mine)
        sys.stdout.flush()
    print("\n## Targets\n")
    print("\n".join(verdicts))
    print("\n## What each side computes\n")
    for side, whats in legend.items():
        print(f"- {side}: " + "; ".join(sorted(whats)))
    print("\n## Same work\n")
    print("\n".join(notes))
    return 0


def targets(w: Workload, seconds: dict, mine: dict) -> list[str]:
    """The workload's target, met or not, as report lines."""
    def verdict(ok):
        return "MET" if ok else "NOT MET"
    lines = []
    if w.name == "tiny":
        for peer, output, note in ((f"PyTorch ({w.activation} out)", w.activation, ""),
                                   ("scikit-learn (identity out)", "linear", ""),
                                   ("PyTorch (linear out)", "linear", " (for information)")):
            if peer not in seconds:
                lines.append(f"- tiny vs {peer}: skipped: not installed")
                continue
            s = seconds[peer] / mine[output]
            lines.append(f"- tiny: bpdash ({output} out) ≥ 10× the epochs/s of {peer}{note}: "
                         f"{s:.1f}× → {verdict(s >= 10)}")
    elif w.name == "moons":
        peer = f"PyTorch ({w.activation} out)"
        if peer in seconds:
            s = seconds[peer] / mine[w.activation]
            lines.append(f"- moons: bpdash ≥ 1.5× the epochs/s of {peer}: {s:.2f}× → {verdict(s >= 1.5)}")
        else:
            lines.append("- moons vs PyTorch: skipped: not installed")
    elif w.name == "wide":
        r = mine[w.activation] / seconds["matmul floor (numpy)"]
        lines.append(f"- wide: bpdash's time per epoch ≤ 1.3× the matmul floor's: {r:.2f}× → {verdict(r <= 1.3)}")
        if "bpdash (sigmoid out, float32)" in seconds:
            s = mine[w.activation] / seconds["bpdash (sigmoid out, float32)"]
            lines.append(f"- wide: float32 ≥ 1.8× the epochs/s of float64: {s:.2f}× → {verdict(s >= 1.8)} "
                         f"(the floor gains {seconds['matmul floor (numpy)'] / seconds['matmul floor (numpy, float32)']:.2f}×)")
    elif w.name == "softmax":
        peer = "PyTorch (softmax out)"
        if peer in seconds:
            s = seconds[peer] / mine["softmax"]
            lines.append(f"- softmax: bpdash ≥ 1.5× the epochs/s of {peer} (CrossEntropyLoss): {s:.2f}× → "
                         f"{verdict(s >= 1.5)}")
        else:
            lines.append("- softmax vs PyTorch: skipped: not installed")
    return lines


if __name__ == "__main__":
    sys.exit(main())
