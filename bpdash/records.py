"""The small typed records that plugins hand to bpdash.

Every pluggable part is a frozen dataclass: a plugin's hook returns a list of them, and the
registry validates each one before anything uses it (see ``bpdash.validation``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation function f and its derivative f′, both of the weighted input z.

    ``f(z)`` and ``df(z)`` map an array of any shape to an array of the same shape.
    ``df_from_a(a)``, when given, is f′ written in terms of a = f(z) (sigmoid: a(1 − a),
    tanh: 1 − a²): the engine uses it in backprop because a is already computed.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    description: str = ""
    df_from_a: Optional[Callable[[Array], Array]] = None
    latex: str = ""  # f(z) as LaTeX, for the dashboard's formulas


@dataclass(frozen=True)
class Cost:
    """A cost J(a^(L), y), averaged over the m samples (rows).

    ``value(A, Y)`` → float J; ``gradient(A, Y)`` → ∂J/∂a^(L), shape ``(m, n_out)``, already
    divided by m. ``fused`` maps an output activation name to a pair
    ``(value_from_z(Z, Y), delta_from_z(Z, Y))`` that computes J and δ^(L) = ∂J/∂z^(L) straight
    from z^(L): the numerically stable path (cross-entropy after a sigmoid).

    ``value_and_delta`` (optional, for speed only) maps an output activation name to
    ``value_and_delta(Z, A, Y) → (J, δ^(L))``, the same numbers as ``value(A, Y)`` and
    ``gradient(A, Y) ⊙ f′(z^(L))`` taken apart, in fewer numpy calls: the trainer uses it every
    epoch, where a small network's epoch is counted in calls. ``bpdash.validation`` checks it
    against that composition before a trainer uses it.
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    description: str = ""
    fused: dict = field(default_factory=dict)
    latex: str = ""
    value_and_delta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Initializer:
    """Draws starting parameters.

    ``sample(shape, fan_in, fan_out, epsilon, rng)`` → float array of ``shape``: ``(n_to, n_from)``
    for a weight matrix Θ^(l), ``(n_to,)`` for a bias vector b^(l). ``rng`` is a
    ``numpy.random.Generator``: all randomness must come from it, so a seed reproduces a run.
    """

    name: str
    sample: Callable[..., Array]
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    """A generated dataset.

    ``generate(n, noise, rng)`` → ``(X, Y)`` with X ``(m, n_features)`` and Y ``(m, n_outputs)``,
    both float. ``task`` is "classification" (Y holds 0/1 targets, one column per output) or
    "regression". A ``fixed`` dataset ignores n and noise (the article's hand-sized examples).
    """

    name: str
    generate: Callable[..., tuple]
    description: str = ""
    task: str = "classification"
    fixed: bool = False
    default_n: int = 200


@dataclass(frozen=True)
class Optimizer:
    """An update rule for the parameters θ (every Θ^(l), then every b^(l) when the net has biases).

    ``init(params) → state``: ``params`` is a list of float arrays; ``state`` is a dict mapping a
    name to a list of float arrays shaped like ``params`` (e.g. ``{"v": [zeros like each θ]}``;
    ``{}`` for a rule without memory), so that a run saved to JSON restores it exactly.

    ``step(params, grads, state, lr, hp, t) → new_params``: ``grads`` are ∂J/∂θ shaped like
    ``params``; ``lr`` is η for this update; ``hp`` maps the name of each of its
    ``hyperparameters`` to its value; ``t`` is the 1-based count of updates (Adam's bias
    correction). It returns
    a list of NEW arrays and must change neither ``params`` nor ``grads`` in place (snapshots
    keep references to both); it may update ``state`` in place, which is its own.

    ``hyperparameters``: a tuple of ``bpdash.fields.Field`` (name, symbol, range, default, label,
    help), one per constant the rule reads from ``hp`` (Adam: β₁, β₂, ε); the config, the
    dashboard's widgets, links and sweeps take them from there.

    ``description`` states the update rule in words and ``latex`` as formulas (st.latex).
    ``plain=True`` marks plain gradient descent θ := θ − η ∂J/∂θ, which the trainer then
    performs with its own fused in-line update instead of calling ``step`` (same numbers).
    """

    name: str
    init: Callable[[list], dict]
    step: Callable[..., list]
    description: str = ""
    latex: str = ""
    plain: bool = False
    hyperparameters: tuple = ()
