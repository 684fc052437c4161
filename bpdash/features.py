"""Input features for 2-D data: what the network's input layer sees instead of the raw (x₁, x₂).

A config's ``features`` lists some of ``FEATURE_NAMES`` (in that canonical order); the
network's input layer then has one neuron per feature, and ``transform`` maps the raw inputs
X ``(m, 2)`` to those features ``(m, len(names))``. An empty tuple means the raw inputs
themselves (any number of columns), untouched. The data set itself is never changed: only what
the network is fed, so charts still show the raw plane.
"""
from __future__ import annotations

import numpy as np

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
FEATURE_LATEX = {"x1": "x_1", "x2": "x_2", "x1^2": "x_1^2", "x2^2": "x_2^2", "x1*x2": "x_1 x_2",
                 "sin(x1)": r"\sin x_1", "sin(x2)": r"\sin x_2"}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}
_FORMULAS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def problems(names) -> str | None:
    """What is wrong with ``names`` as a features selection (None when it is a valid one):
    each must be one of FEATURE_NAMES, named once."""
    if not isinstance(names, (tuple, list)):
        return f"must be a list of feature names, got {type(names).__name__}"
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown:
        return f"unknown feature {str(unknown[0])[:40]!r}; choose from {', '.join(FEATURE_NAMES)}"
    if len(set(names)) != len(names):
        return "names a feature twice"
    return None


def canonical(names) -> tuple:
    """``names`` (valid, see ``problems``) in the canonical order of FEATURE_NAMES."""
    return tuple(n for n in FEATURE_NAMES if n in names)


def n_inputs(names, n_raw: int) -> int:
    """How many input neurons the network gets: ``len(names)``, or ``n_raw`` without features."""
    return len(names) if names else n_raw


def transform(X, names) -> np.ndarray:
    """The features ``names`` of the raw inputs X ``(m, 2)``: a new float array ``(m, len(names))``,
    columns in canonical order (whatever the order of ``names``). Empty ``names``: X itself
    as a float array, any number of columns."""
    X = np.asarray(X, dtype=float)
    if not names:
        return X
    problem = problems(names)
    if problem:
        raise ValueError(f"features: {problem}")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features need 2-D inputs, shape (m, 2); got shape {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    out = np.empty((len(X), len(names)))
    for i, name in enumerate(canonical(names)):
        out[:, i] = _FORMULAS[name](x1, x2)
    return out


class FeatureMap:
    """A callable raw X → network input for a fixed selection (identity when ``names`` is empty);
    what ``Experiment.transform`` and ``bpdash.surface`` use."""

    def __init__(self, names=()):
        problem = problems(names)
        if problem:
            raise ValueError(f"features: {problem}")
        self.names = canonical(names)

    def __call__(self, X) -> np.ndarray:
        return transform(X, self.names)

    def __repr__(self) -> str:
        return f"FeatureMap({self.names!r})"
