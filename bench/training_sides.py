"""The sides of bench_training.py: the workloads, and how bpdash, PyTorch, scikit-learn and the
bare matrix products each train them; and a check that the sides do the same arithmetic.

Each ``*_side(workload)`` returns ``(label, what it computes, setup(), run(state, epochs))``:
setup builds a fresh model outside the timing, run(state, epochs) trains it.
"""
from __future__ import annotations

import importlib.util
import math
import sys
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
    activation: str  # every hidden layer, and the output unless ``output`` says otherwise
    X: np.ndarray
    Y: np.ndarray
    batch_size: int | None  # None: the full batch
    learning_rate: float
    epochs: int  # per timed repeat
    quick_epochs: int
    output: str = ""  # an output layer type ("softmax", with categorical cross-entropy); "": activation
    cost: str = "squared_error"

    @property
    def outputs(self) -> str:
        """What the output layer is as specified: the hidden activation, or ``output``."""
        return self.output or self.activation

    @property
    def describe(self) -> str:
        batch = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        out = f" + {self.output} output, {self.cost}" if self.output else ""
        return (f"{'-'.join(map(str, self.sizes))} {self.activation}{out}, {len(self.X)} samples, {batch}")

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
    # softmax: a spiral of five arms, 2000 points, one-hot classes
    arms, n_spiral = 5, 2000
    arm = rng.integers(0, arms, n_spiral)
    t = rng.uniform(0.05, 1.0, n_spiral)
    angle = 1.75 * np.pi * t + 2 * np.pi * arm / arms
    spiral = np.c_[t * np.cos(angle), t * np.sin(angle)] + rng.normal(scale=0.03, size=(n_spiral, 2))
    return [
        Workload("tiny", [2, 2, 2], "sigmoid", corners, xor, None, 0.5, 20000, 4000),
        Workload("moons", [2, 16, 16, 1], "tanh", moons, upper[:, None].astype(float), None, 0.1,
                 2000, 400),
        Workload("wide", [784, 256, 128, 10], "sigmoid", pixels, digits, 256, 0.1, 3, 1),
        Workload("softmax", [2, 64, 64, 5], "tanh", spiral, np.eye(arms)[arm], None, 0.5, 400, 80,
                 output="softmax", cost="categorical_cross_entropy"),
    ]


# -- the sides -----------------------------------------------------------------------------------
# Each side is (label, what it computes, setup, run): setup() builds a fresh model outside the
# timing, run(state, epochs) trains it.

def bpdash_side(w: Workload, output: str, dtype: str = "float64"):
    activations = [w.activation] * (len(w.sizes) - 2) + [output]
    cost = w.cost if output == w.outputs else "squared_error"

    def setup():
        net = Network(w.sizes, activations, seed=0, dtype=dtype)
        return Trainer(net, w.X, w.Y, learning_rate=w.learning_rate, batch_size=w.batch_size, seed=0,
                       cost=cost)

    def run(trainer, epochs):
        trainer.fit(epochs)
        if trainer.epoch != epochs:
            raise RuntimeError(f"bpdash stopped after {trainer.epoch} of {epochs} epochs: {trainer.message}")

    what = (f"Trainer.fit, {dtype}; every epoch a history row (cost, accuracy, ‖∂J/∂Θ‖, ‖Θ‖ per layer), "
            "a snapshot and the divergence check; mini-batches in a seeded shuffled order")
    return f"bpdash ({output} out{', ' + dtype if dtype != 'float64' else ''})", what, setup, run


def torch_side(w: Workload, output: str):
    import torch
    from torch import nn
    from torch.nn import functional as F

    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    X = torch.from_numpy(w.X)
    Y = torch.from_numpy(w.Y)
    m = len(w.X)
    sizes = w.sizes
    classes = output == "softmax"  # CrossEntropyLoss on the logits (its log-softmax is the output layer)
    if classes:
        Y = torch.from_numpy(w.Y.argmax(axis=1))

    def setup():
        torch.manual_seed(0)
        layers = []
        for l, (n_from, n_to) in enumerate(zip(sizes[:-1], sizes[1:]), start=2):
            layers.append(nn.Linear(n_from, n_to, dtype=torch.float64))
            name = output if l == len(sizes) else w.activation
            if name not in ("linear", "softmax"):
                layers.append(modules[name]())
        model = nn.Sequential(*layers)
        return model, torch.optim.SGD(model.parameters(), lr=w.learning_rate), torch.Generator().manual_seed(0)

    def step(model, optimizer, xb, yb):
        optimizer.zero_grad()
        if classes:  # J = −(1/m) Σ log softmax(z)_y
            loss = F.cross_entropy(model(xb), yb)
        else:  # J = 1/(2m) ΣΣ (y − a)²
            loss = F.mse_loss(model(xb), yb, reduction="sum") * (0.5 / len(xb))
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
            "F.mse_loss(reduction='sum') / 2m (F.cross_entropy on the logits for a softmax output), "
            "loss.item() read after every update (the epoch's cost for the history); mini-batches in "
            "a torch.randperm order")
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


def floor_side(w: Workload, dtype=np.float64):
    """The matrix products of backprop alone, into preallocated buffers, at the same sizes."""
    rng = np.random.default_rng(1)
    sizes = w.sizes
    weights = [rng.uniform(-0.5, 0.5, (n_to, n_from)).astype(dtype) for n_from, n_to in zip(sizes[:-1], sizes[1:])]
    per_batch = []
    for rows in sorted(set(w.batches())):
        a = [rng.uniform(size=(rows, n)).astype(dtype) for n in sizes]  # a^(1) … a^(L)
        d = [rng.uniform(size=(rows, n)).astype(dtype) for n in sizes[1:]]  # δ^(2) … δ^(L)
        z = [np.empty((rows, n), dtype) for n in sizes[1:]]
        back = [np.empty((rows, n), dtype) for n in sizes[1:-1]]
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
    label = "matmul floor (numpy)" if dtype == np.float64 else f"matmul floor (numpy, {np.dtype(dtype).name})"
    return label, what, (lambda: None), run


# -- same-work check -----------------------------------------------------------------------------

def same_work_check(w: Workload, epochs: int = 3) -> str:
    """Start every side from bpdash's initial weights, train a few full-batch epochs, compare."""
    if w.batch_size is not None:
        return "not checked (each side shuffles its own way)"
    results = []
    for output in (w.outputs, "linear"):
        net = Network(w.sizes, [w.activation] * (len(w.sizes) - 2) + [output], seed=0)
        start_W = [W.copy() for W in net.weights]
        start_b = [b.copy() for b in net.biases]
        Trainer(net, w.X, w.Y, learning_rate=w.learning_rate,
                cost=w.cost if output == w.outputs else "squared_error").fit(epochs)
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
