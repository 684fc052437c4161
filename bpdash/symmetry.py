"""Symmetry: why the article initializes weights at random, measured.

If every weight starts equal (zero init is the classic case), every hidden neuron of a layer
computes the same thing, receives the same δ and the same update, and stays a copy of its
neighbours. Two failures show in practice:

- "symmetric": the hidden units move but stay identical (sigmoid, where f(0) = ½);
- "dead": no gradient reaches a hidden layer's incoming weights at all (tanh or linear with zero
  weights and biases, where f(0) = 0: only the output bias learns).

Random values in [−ε, ε] break the symmetry. Layers are numbered as in the article: layer 1 is
the input, hidden layer l (2 ≤ l ≤ L−1) is fed by Θ^(l−1) and b^(l−1).

A hidden layer without Θ (dropout, a layer norm) is not a layer of units of its own: it passes
on the units of the layer before it (``passed_on``), and that layer's diagnosis stands for them.
Dropout's masks drop different units of the layer before it in every training pass, so the lab
trains with them: what they do to an equal start is measured, not assumed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .experiment import Experiment, build
from .network import Network

GRADIENT_TOL = 1e-12


def distinct_rows(M, tol=1e-9) -> int:
    """How many distinct rows M (n, p) has: rows within ``tol`` (max-abs difference, scaled by
    max(1, largest |entry|)) of an earlier distinct row count once.

    Rows are first sorted by a fixed random projection: rows far apart there cannot be within
    tolerance, so only runs of close projections are compared entry by entry (O(n log n) for
    both the all-distinct and the all-copies case).
    """
    M = np.asarray(M, dtype=np.float64)
    if len(M) == 0:
        return 0
    if not np.all(np.isfinite(M)):
        return len(M)
    limit = tol * max(1.0, float(np.abs(M).max()))
    direction = np.random.default_rng(0).standard_normal(M.shape[1])
    s = M @ direction
    order = np.argsort(s, kind="stable")
    breaks = np.flatnonzero(np.diff(s[order]) > limit * np.abs(direction).sum()) + 1
    return sum(_greedy_count(M[group], limit) for group in np.split(order, breaks))


def _greedy_count(M, limit) -> int:
    representatives = [M[0]]
    for row in M[1:]:
        if all(np.abs(row - r).max() > limit for r in representatives):
            representatives.append(row)
    return len(representatives)


def hidden_layers(net: Network) -> list[int]:
    """The hidden layers l (2 … L−1, article numbering) fed through weights Θ^(l−1): those whose
    units can be copies of each other (a dropout layer's units follow the layer before)."""
    return [l for l in range(2, net.n_layers) if net.layout.weight[l - 2] is not None]


def hidden_units(net: Network) -> list[int]:
    """The number of units of each hidden layer of ``hidden_layers``."""
    return [net.sizes[l - 1] for l in hidden_layers(net)]


@dataclass(frozen=True)
class PassedOn:
    """A hidden layer ``layer`` (article numbering) of type ``kind`` with no weight Θ: its
    ``units`` are computed from the units of layer ``source`` (the nearest layer before it with
    Θ, or 1, the input) without weights of their own, so ``source``'s diagnosis stands for them."""

    layer: int
    kind: str
    source: int
    units: int


def passed_on(net: Network) -> list[PassedOn]:
    """The hidden layers (2 … L−1) that are not in ``hidden_layers``: dropout, a layer norm."""
    fed = set(hidden_layers(net))
    found = []
    for l in range(2, net.n_layers):
        if l in fed:
            continue
        source = l - 1
        while source >= 2 and source not in fed:
            source -= 1
        found.append(PassedOn(l, net.specs[l - 2]["layer"], source, net.sizes[l - 1]))
    return found


def _incoming(net: Network) -> list:
    """Per hidden layer l of ``hidden_layers``: [Θ^(l−1) | b^(l−1)] ``(sizes[l-1], sizes[l-2] + 1)``,
    one row of incoming weights per unit."""
    weights, biases = net.weights, net.biases
    return [np.column_stack([weights[l - 2], biases[l - 2]]) for l in hidden_layers(net)]


def distinct_neurons(net: Network, tol=1e-9) -> list[int]:
    """Per hidden layer l of ``hidden_layers``: the number of distinct rows of
    [Θ^(l−1) | b^(l−1)], i.e. of distinct incoming weight vectors (units with equal ones compute
    the same thing)."""
    return [distinct_rows(M, tol) for M in _incoming(net)]


def spreads(net: Network) -> list[float]:
    """Per hidden layer of ``hidden_layers``: how far apart its units are, the largest difference
    between two units' incoming weights (or biases) to the same input: 0 for copies."""
    return [float(np.ptp(M, axis=0).max()) for M in _incoming(net)]


@dataclass(frozen=True)
class LayerDiagnosis:
    """What initialization did to hidden layer ``layer`` (article numbering, 2 … L−1).

    ``kind`` is "dead" (no gradient reaches Θ^(layer−1)), "symmetric" (all ``units`` are copies)
    or "broken" (the symmetry is broken: ``distinct`` different units); ``gradient_norm`` is
    ‖∂J/∂Θ^(layer−1)‖ and ‖∂J/∂b^(layer−1)‖ together; ``spread`` how far apart the units are
    (``spreads``: 0 for copies).
    """

    layer: int
    units: int
    distinct: int
    gradient_norm: float
    kind: str
    message: str
    spread: float = 0.0


def _diagnosis(layer: int, units: int, distinct: int, gradient_norm: float, spread: float = 0.0) -> LayerDiagnosis:
    if not gradient_norm > GRADIENT_TOL:
        kind = "dead"
        message = (f"dead: no gradient reaches layer {layer} (∂J/∂Θ^({layer - 1}) = 0), "
                   f"so its {units} unit{'s' * (units != 1)} never change")
    elif distinct == 1 and units > 1:
        kind, message = "symmetric", f"symmetric: the {units} hidden units of layer {layer} are copies"
    else:
        kind = "broken"
        message = (f"{distinct} distinct units" if distinct == units
                   else f"{distinct} distinct units of {units}")
    return LayerDiagnosis(layer, units, distinct, gradient_norm, kind, message, spread)


def diagnose(net: Network, X, Y, cost="squared_error", tol=1e-9) -> list[LayerDiagnosis]:
    """One LayerDiagnosis per hidden layer of ``hidden_layers``, from the parameters now and one
    backward pass (outside training) over X ``(m, sizes[0])``, Y ``(m, sizes[-1])``."""
    with np.errstate(all="ignore"):
        grads = net.backprop(X, Y, cost)
    diagnoses = []
    for l, distinct, spread in zip(hidden_layers(net), distinct_neurons(net, tol), spreads(net)):
        g = np.concatenate([np.ravel(grads.weights[l - 2]), np.ravel(grads.biases[l - 2])])
        norm = float(np.linalg.norm(g))
        diagnoses.append(_diagnosis(l, net.sizes[l - 1], distinct, norm, spread))
    return diagnoses


@dataclass
class LabRun:
    """One initialization in the lab: ``experiment`` (config, data, net, trainer) and ``distinct``,
    a DataFrame with an ``epoch`` column and one ``layer l`` column per hidden layer."""

    name: str
    init: str
    epsilon: float
    experiment: Experiment
    rows: list = field(default_factory=list)

    @property
    def trainer(self):
        return self.experiment.trainer

    @property
    def net(self) -> Network:
        return self.experiment.net

    @property
    def distinct(self) -> pd.DataFrame:
        columns = ["epoch"] + [f"layer {l}" for l in hidden_layers(self.net)]
        return pd.DataFrame(self.rows, columns=columns)

    def record(self) -> None:
        self.rows.append((self.trainer.epoch, *distinct_neurons(self.net)))


def run_name(init: str, value: float, inits) -> str:
    """The run's key: the initializer's name, plus ε when two runs share an initializer."""
    shared = sum(1 for name, _ in inits if name == init) > 1
    return f"{init} ε={value:g}" if shared else init


class SymmetryLab:
    """Several initializations trained in lockstep on the same data, seed and settings.

    ``inits`` is a sequence of (initializer name, ε) pairs, e.g. ("zeros", 0.0), ("constant",
    0.3), ("uniform", 0.5). Each run is ``build(config.replace(init=..., epsilon=...))`` on the
    shared ``data``, so the runs differ only in their initial parameters: each trainer draws its
    batches and dropout masks from the same seed, so every run sees the same masks.
    """

    def __init__(self, config, data, registry=None, inits=None):
        self.config = config
        self.data = data
        self.registry = registry
        self.inits = tuple(inits) if inits is not None else (("zeros", 0.0), ("uniform", config.epsilon))
        self.runs: dict[str, LabRun] = {}
        for init, value in self.inits:
            name = run_name(init, value, self.inits)
            exp = build(config.replace(init=init, epsilon=float(value)), registry, data=data)
            self.runs[name] = LabRun(name, init, float(value), exp)
            self.runs[name].record()

    @property
    def epoch(self) -> int:
        """The epoch the runs have reached (the furthest, should one have diverged)."""
        return max(run.trainer.epoch for run in self.runs.values())

    def step(self, epochs: int = 1) -> None:
        """Train every run ``epochs`` more epochs, one epoch each in turn, recording the distinct
        units per hidden layer after each epoch (a diverged run stops)."""
        for _ in range(int(epochs)):
            for run in self.runs.values():
                if run.trainer.run_epoch() is not None:
                    run.record()

    def diagnoses(self) -> dict[str, list[LayerDiagnosis]]:
        """Run name → its diagnosis per hidden layer, on the training data (as the network sees
        it: after the config's input features)."""
        return {name: diagnose(run.net, run.trainer.X, run.trainer.Y, self.config.cost)
                for name, run in self.runs.items()}
