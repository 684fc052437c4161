"""The small typed records that plugins hand to bpdash.

Every pluggable part is a frozen dataclass: a plugin's hook returns a list of them, and the
registry validates each one before anything uses it (see ``bpdash.validation``).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation function f and its derivative f′.

    ``f(z)`` maps an array of any shape to an array of the same shape (a new one: the engine
    keeps z). ``df(z, a)`` is f′(z), given a = f(z) too, so that f′ may be written from the
    activation the forward pass already computed (sigmoid: a(1 − a), tanh: 1 − a²); it returns
    a new array shaped like z, in z's dtype.

    A plugin written for an older bpdash whose ``df`` takes z alone still works: the loader
    wraps it once into ``df(z, a) = df(z)`` (see ``with_two_argument_df``).
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]
    description: str = ""
    latex: str = ""  # f(z) as LaTeX, for the dashboard's formulas


def with_two_argument_df(act: Activation) -> Activation:
    """``act`` itself when its ``df`` takes (z, a); else a copy whose ``df(z, a)`` calls the
    plugin's ``df(z)``. The loader applies it to every activation, once."""
    try:
        parameters = list(inspect.signature(act.df).parameters.values())
    except (TypeError, ValueError):  # a builtin or C function without a signature: take it as is
        return act
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_more = any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(positional) >= 2
    if takes_more or not positional:
        return act
    of_z = act.df
    return replace(act, df=lambda z, a: of_z(z))


@dataclass(frozen=True)
class Cost:
    """A cost J(a^(L), y), averaged over the m samples (rows).

    ``value(A, Y)`` → float J; ``gradient(A, Y)`` → ∂J/∂a^(L), shape ``(m, n_out)``, already
    divided by m, as a new array.

    ``link`` names the output function whose derivative cancels this cost's (an activation's
    name, or an output layer type's such as "softmax"): binary cross-entropy after a sigmoid,
    categorical cross-entropy after a softmax, squared error after a linear output. For that
    output δ^(L) = ∂J/∂z^(L) = (a − y)/m exactly, and the engine uses that form (stable where
    the composition would divide by a saturated a(1 − a)); it checks the claim against the
    composition on random inputs before relying on it.
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    description: str = ""
    latex: str = ""
    link: str = ""


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

    ``classes``: the most classes the dataset can make (2 by default). A dataset that can make
    more is called ``generate(n, noise, rng, classes=k)`` for k = 2 … ``classes`` and returns
    one 0/1 column for two classes, k one-hot columns (each row a single 1) for more.
    """

    name: str
    generate: Callable[..., tuple]
    description: str = ""
    task: str = "classification"
    fixed: bool = False
    default_n: int = 200
    classes: int = 2


@dataclass(frozen=True)
class Optimizer:
    """An update rule for the parameters θ: every layer's arrays, layer by layer (Θ^(1), b^(1),
    Θ^(2), …; b^(l) only when the net has biases).

    ``init(params) → state``: ``params`` is a list of float arrays; ``state`` is a dict mapping a
    name to a list of arrays shaped like ``params``, in their dtype (e.g. ``{"v": [zeros like
    each θ]}``; ``{}`` for a rule without memory), so that a run saved to JSON restores it
    exactly.

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
    Every update of every run goes through ``step``: it runs once per update, so a rule for
    large networks should make one new array per parameter and work in place on it.
    """

    name: str
    init: Callable[[list], dict]
    step: Callable[..., list]
    description: str = ""
    latex: str = ""
    hyperparameters: tuple = ()


@dataclass(frozen=True)
class Layer:
    """A layer type: how to build one layer of a network from its input width and settings.

    ``settings`` declares the type's settings as ``bpdash.fields.Field`` records (a dense
    layer's ``units`` and ``activation``, dropout's ``rate``): a layer spec gives values for
    them, the rest take their defaults, and each value is checked by its Field before ``make``
    sees it.

    ``make(n_in, settings, registry)`` → a ``bpdash.layers.LayerOp``: the layer bound to an
    input width ``n_in`` and a dict of checked ``settings`` (``registry`` resolves plugin names
    such as an activation). The op states its parameters and computes the forward pass, δ and
    the backward pass; see ``bpdash.layers`` and docs/layers.md.
    """

    name: str
    make: Callable[..., object]
    description: str = ""
    settings: tuple = ()
    latex: str = ""
