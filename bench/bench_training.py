"""Training speed of bpdash against PyTorch, scikit-learn and the matrix products alone.

    python bench/bench_training.py           # the full run (about a minute)
    python bench/bench_training.py --quick   # fewer epochs and repeats (a few seconds)

Every side trains the same network on the same data in this one process, timed as the best of
several interleaved repeats after a warm-up (timeit-style, garbage collector off), so the ratios
hold on a noisy machine even when the absolute times do not. See bench/README.md for what each
side computes and for the targets.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, installed or not
from bpdash import Network  # noqa: E402
from bpdash.trainer import Trainer  # noqa: E402

HAVE_TORCH = importlib.util.find_spec("torch") is not None
HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "linear": "identity", "relu": "relu"}


# -- workloads -----------------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    sizes: list
    activation: str  # every non-input layer, as the dashboard would build it
    X: np.ndarray
    Y: np.ndarray
    batch_size: int | None  # None: the full batch
    learning_rate: float
    epochs: int  # per timed repeat
    quick_epochs: int

    @property
    def describe(self) -> str:
        batch = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        return (f"{'-'.join(map(str, self.sizes))} {self.activation}, {len(self.X)} samples, {batch}")

    def batches(self) -> list[int]:
        """Rows in each of an epoch's batches, split as the trainer splits them."""
        m = len(self.X)
        size = self.batch_size if self.batch_size is not None and self.batch_size < m else m
        return [len(rows) for rows in np.array_split(np.arange(m), range(size, m, size))]


def workloads() -> list[Workload]:
    rng = np.random.default_rng(0)
    # tiny: the article's 2-2-2 network on the four corners of the square, XOR as two one-hot outputs
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    # moons: two interleaved half circles with noise (what sklearn's make_moons draws)
    n = 1000
    t = rng.uniform(0, np.pi, n)
    upper = rng.uniform(size=n) < 0.5
    moons = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    moons += rng.normal(scale=0.1, size=moons.shape)
    # wide: MNIST-shaped random data, 784 pixels in [0, 1] and ten one-hot classes
    pixels = rng.uniform(size=(8192, 784))
    digits = np.eye(10)[rng.integers(0, 10, 8192)]
    return [
        Workload("tiny", [2, 2, 2], "sigmoid", corners, xor, None, 0.5, 20000, 4000),
        Workload("moons", [2, 16, 16, 1], "tanh", moons, upper[:, None].astype(float), None, 0.1,
                 2000, 400),
        Workload("wide", [784, 256, 128, 10], "sigmoid", pixels, digits, 256, 0.1, 3, 1),
    ]


# -- the sides -----------------------------------------------------------------------------------
# Each side is (label, what it computes, setup, run): setup() builds a fresh model outside the
# timing, run(state, epochs) trains it.

def bpdash_side(w: Workload, output: str):
    activations = [w.activation] * (len(w.sizes) - 2) + [output]

    def setup():
        net = Network(w.sizes, activations, seed=0)
        return Trainer(net, w.X, w.Y, learning_rate=w.learning_rate, batch_size=w.batch_size, seed=0)

    def run(trainer, epochs):
        trainer.fit(epochs)
        if trainer.epoch != epochs:
            raise RuntimeError(f"bpdash stopped after {trainer.epoch} of {epochs} epochs: {trainer.message}")

    what = ("Trainer.fit, float64; every epoch a history row (cost, accuracy, ‖∂J/∂Θ‖, ‖Θ‖ per layer), "
            "a snapshot and the divergence check; mini-batches in a seeded shuffled order")
    return f"bpdash ({output} out)", what, setup, run


def torch_side(w: Workload, output: str):
    import torch
    from torch import nn
    from torch.nn import functional as F

    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    X = torch.from_numpy(w.X)
    Y = torch.from_numpy(w.Y)
    m = len(w.X)
    sizes = w.sizes

    def setup():
        torch.manual_seed(0)
        layers = []
        for l, (n_from, n_to) in enumerate(zip(sizes[:-1], sizes[1:]), start=2):
            layers.append(nn.Linear(n_from, n_to, dtype=torch.float64))
            name = output if l == len(sizes) else w.activation
            if name != "linear":
                layers.append(modules[name]())
        model = nn.Sequential(*layers)
        return model, torch.optim.SGD(model.parameters(), lr=w.learning_rate), torch.Generator().manual_seed(0)

    def step(model, optimizer, xb, yb):
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb, reduction="sum") * (0.5 / len(xb))  # J = 1/(2m) ΣΣ (y − a)²
        loss.backward()
        optimizer.step()
        return loss

    def run(state, epochs):
        model, optimizer, generator = state
        for _ in range(epochs):
            if w.batch_size is None:
                J = step(model, optimizer, X, Y).item()  # read every epoch, as a history row would
            else:
                J = 0.0
                order = torch.randperm(m, generator=generator)
                for rows in order.split(w.batch_size):
                    J += step(model, optimizer, X[rows], Y[rows]).item() * len(rows) / m
            if not math.isfinite(J):
                raise RuntimeError("torch diverged")

    what = ("float64 nn.Sequential of Linear + activation modules, optim.SGD, "
            "F.mse_loss(reduction='sum') / 2m, loss.item() read after every update (the epoch's cost "
            "for the history); mini-batches in a torch.randperm order")
    return f"PyTorch ({output} out)", what, setup, run


def sklearn_side(w: Workload):
    import warnings
    from sklearn.neural_network import MLPRegressor

    Y = w.Y.ravel() if w.Y.shape[1] == 1 else w.Y  # a one-column y would warn on every call

    def setup():
        model = MLPRegressor(hidden_layer_sizes=tuple(w.sizes[1:-1]),
                             activation=SKLEARN_ACTIVATION[w.activation], solver="sgd", momentum=0,
                             nesterovs_momentum=False, alpha=0,
                             batch_size=w.batch_size or len(w.X), shuffle=False,
                             learning_rate_init=w.learning_rate, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(w.X, Y)  # the first call initialises the weights
        return model

    def run(model, epochs):
        for _ in range(epochs):
            model.partial_fit(w.X, Y)

    what = ("MLPRegressor(solver='sgd', momentum=0, nesterovs_momentum=False, alpha=0, shuffle=False), "
            "partial_fit once per epoch (input validation included), float64; its output layer is "
            "always the identity, and its reported loss divides by the outputs too (the gradient does "
            "not: the updates are bpdash's); mini-batches in order, not shuffled")
    return "scikit-learn (identity out)", what, setup, run


def floor_side(w: Workload):
    """The matrix products of backprop alone, into preallocated buffers, at the same sizes."""
    rng = np.random.default_rng(1)
    sizes = w.sizes
    weights = [rng.uniform(-0.5, 0.5, (n_to, n_from)) for n_from, n_to in zip(sizes[:-1], sizes[1:])]
    per_batch = []
    for rows in sorted(set(w.batches())):
        a = [rng.uniform(size=(rows, n)) for n in sizes]  # a^(1) … a^(L)
        d = [rng.uniform(size=(rows, n)) for n in sizes[1:]]  # δ^(2) … δ^(L)
        z = [np.empty((rows, n)) for n in sizes[1:]]
        back = [np.empty((rows, n)) for n in sizes[1:-1]]
        grads = [np.empty_like(W) for W in weights]
        per_batch.append((rows, a, d, z, back, grads))
    by_rows = {p[0]: p for p in per_batch}
    schedule = [by_rows[rows] for rows in w.batches()]
    dot = np.dot

    def run(_, epochs):
        for _ in range(epochs):
            for _, a, d, z, back, grads in schedule:
                for l, W in enumerate(weights):
                    dot(a[l], W.T, out=z[l])  # forward: z^(l+1) = a^(l) Θ^(l)ᵀ
                for l, W in enumerate(weights):
                    dot(d[l].T, a[l], out=grads[l])  # ∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l)
                    if l:
                        dot(d[l], W, out=back[l - 1])  # δ^(l+1) Θ^(l), for every layer but the input

    what = ("the matrix products of backprop alone, at the same sizes and batches, np.dot into "
            "preallocated buffers: forward z = aΘᵀ for each layer, backward ∂J/∂Θ = δᵀa for each layer "
            "and δΘ for each layer but the first (the input has no δ)")
    return "matmul floor (numpy)", what, (lambda: None), run


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


# -- same-work check -----------------------------------------------------------------------------

def same_work_check(w: Workload, epochs: int = 3) -> str:
    """Start every side from bpdash's initial weights, train a few full-batch epochs, compare."""
    if w.batch_size is not None:
        return "not checked (each side shuffles its own way)"
    results = []
    for output in (w.activation, "linear"):
        net = Network(w.sizes, [w.activation] * (len(w.sizes) - 2) + [output], seed=0)
        start_W = [W.copy() for W in net.weights]
        start_b = [b.copy() for b in net.biases]
        Trainer(net, w.X, w.Y, learning_rate=w.learning_rate).fit(epochs)
        if HAVE_TORCH:
            import torch
            _, _, setup, run = torch_side(w, output)
            state = setup()
            linears = [mod for mod in state[0] if isinstance(mod, torch.nn.Linear)]
            with torch.no_grad():
                for lin, W, b in zip(linears, start_W, start_b):
                    lin.weight.copy_(torch.from_numpy(W))  # nn.Linear stores (out, in), as Θ^(l)
                    lin.bias.copy_(torch.from_numpy(b))
            run(state, epochs)
            gap = max(float(np.max(np.abs(lin.weight.detach().numpy() - W)))
                      for lin, W in zip(linears, net.weights))
            results.append(f"PyTorch ({output} out) {gap:.1e}")
        if HAVE_SKLEARN and output == "linear":
            _, _, setup, run = sklearn_side(w)
            model = setup()
            model.coefs_ = [W.T.copy() for W in start_W]  # sklearn stores (in, out)
            model.intercepts_ = [b.copy() for b in start_b]
            run(model, epochs)
            gap = max(float(np.max(np.abs(C.T - W))) for C, W in zip(model.coefs_, net.weights))
            results.append(f"scikit-learn (identity out) {gap:.1e}")
    return f"max |Θ_bpdash − Θ_peer| after {epochs} epochs from the same start: " + ", ".join(results)


# -- report --------------------------------------------------------------------------------------

def set_threads(n: int) -> None:
    """Every side on ``n`` threads: numpy's and scipy's BLAS (through threadpoolctl, which comes
    with scikit-learn) and PyTorch's intra-op pool."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        print("--threads: threadpoolctl is not installed, so numpy's BLAS keeps its own thread count")
    if HAVE_TORCH:
        import torch
        torch.set_num_threads(n)


def environment() -> str:
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}", f"{os.cpu_count()} CPUs"]
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
                        help="run only this workload (tiny, moons, wide); repeatable")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="threads for every side's BLAS and PyTorch (default: each library's own)")
    args = parser.parse_args(argv)
    if args.threads:
        set_threads(args.threads)
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
        sides = [bpdash_side(w, w.activation)]
        if HAVE_TORCH:
            sides.append(torch_side(w, w.activation))
        if HAVE_SKLEARN or HAVE_TORCH:
            sides.append(bpdash_side(w, "linear"))
            if HAVE_TORCH:
                sides.append(torch_side(w, "linear"))
            if HAVE_SKLEARN:
                sides.append(sklearn_side(w))
        sides.append(floor_side(w))
        seconds, epochs = time_sides(sides, budget, w.quick_epochs if args.quick else w.epochs, repeats)
        mine = {w.activation: seconds[sides[0][0]], "linear": seconds.get("bpdash (linear out)")}
        for label, what, _, _ in sides:
            legend.setdefault(label.split(" (")[0], set()).add(what)
            output = "linear" if "linear out" in label or "identity out" in label else w.activation
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
    return lines


if __name__ == "__main__":
    sys.exit(main())
