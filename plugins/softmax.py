"""A softmax output for k classes: z = a Θᵀ + b, a_k = e^{z_k} / Σ_j e^{z_j}.

Its Jacobian is not diagonal: δ = a ⊙ (∂J/∂a − Σ_k (∂J/∂a)_k a_k), row by row. After it,
categorical cross-entropy's δ^(L) is (a − y)/m (the cost's link).
"""
import numpy as np

from bpdash import Affine, Field, Layer, LayerOp, hookimpl

UNITS = Field("units", "int", 3, label="Classes", low=1, help="Outputs: one per class.")


def softmax(z):
    """Row-wise e^z / Σ e^z, shifted by each row's largest z so that e^z cannot overflow."""
    a = z - z.max(axis=1, keepdims=True)
    np.exp(a, a)
    a /= a.sum(axis=1, keepdims=True)
    return a


class Softmax(LayerOp):
    connection = "affine"
    output = "softmax"

    def __init__(self, n_in, units, bias=True):
        self.affine = Affine(n_in, units, bias)
        self.n_out, self.parameters = units, self.affine.parameters

    def forward(self, params, a, ctx):
        z = self.affine.forward(params, a, self.reuse_buffers)
        a_out = softmax(z)
        return z, a_out, (a, a_out)

    def delta(self, cache, grad):
        a = cache[1]
        weighted = (grad * a).sum(axis=1, keepdims=True)  # Σ_k ∂J/∂a_k · a_k, one per row
        grad -= weighted
        grad *= a
        return grad

    def backward(self, params, cache, delta):
        return self.affine.backward(params, cache[0], delta, self.needs_grad_in, self.reuse_buffers)

    def formulas(self, l):
        n = l + 1
        return {"forward": self.affine.latex(l)
                + rf", \quad a_k^{{({n})}} = \frac{{e^{{z_k^{{({n})}}}}}}{{\sum_j e^{{z_j^{{({n})}}}}}}",
                "delta": rf"\delta_k^{{({n})}} = a_k^{{({n})}}\left(\frac{{\partial J}}{{\partial a_k^{{({n})}}}}"
                         rf" - \sum_j \frac{{\partial J}}{{\partial a_j^{{({n})}}}}\,a_j^{{({n})}}\right)",
                "gradients": self.affine.gradients_latex(l)}


def make(n_in, settings, registry):
    return Softmax(n_in, settings["units"], settings.get("bias", True))


@hookimpl
def register_layers():
    return [Layer("softmax", make, "A k-class output: z = a Θᵀ + b, then a = softmax(z).",
                  settings=(UNITS,),
                  latex=r"a_k = \frac{e^{z_k}}{\sum_j e^{z_j}}")]
