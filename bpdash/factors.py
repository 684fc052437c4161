"""The chain rule's factors and how the article writes them: θ_jk^(l) with its "mailing label"
subscript, b_j^(l), ∂J/∂a_o^(L), δ_o^(L), a_k^(l) (``bpdash.chainrule`` multiplies them)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Factor:
    """One factor of a path: its label in the article's notation and its value per sample (m,)."""

    label: str     # e.g. "∂J/∂a_1^(3)", "f′(z_1^(3))", "θ_11^(2)", "a_1^(1)"
    latex: str     # the same in LaTeX
    values: np.ndarray


def sub(*indices) -> str:
    """Subscript digits as the article writes them: "11", or "10,2" once a number has 2 digits."""
    parts = [str(i) for i in indices]
    return ("," if any(len(p) > 1 for p in parts) else "").join(parts)


def theta(layer, j, k) -> str:
    return f"b_{j}^({layer})" if k == 0 else f"θ_{sub(j, k)}^({layer})"


def theta_latex(layer, j, k) -> str:
    return f"b_{{{j}}}^{{({layer})}}" if k == 0 else f"\\theta_{{{sub(j, k)}}}^{{({layer})}}"


def factor(kind, layer, *index, values):
    """A Factor for kind "cost", "delta", "weight" or "input" at 1-based indices."""
    n, L = sub(*index), f"^{{({layer})}}"
    if kind == "weight":
        label, latex = theta(layer, *index), theta_latex(layer, *index)
    elif kind == "cost":
        label, latex = f"∂J/∂a_{n}^({layer})", f"\\frac{{\\partial J}}{{\\partial a_{{{n}}}{L}}}"
    elif kind == "delta":
        label, latex = f"δ_{n}^({layer}) = ∂J/∂z_{n}^({layer})", f"\\delta_{{{n}}}{L}"
    else:  # "input": a_k^(l), or the bias neuron a_0^(l) = 1
        label = f"a_{n}^({layer})" if index[0] else f"a_0^({layer}) = 1 (bias)"
        latex = f"a_{{{n}}}{L}"
    return Factor(label, latex, np.asarray(values, dtype=np.float64))
