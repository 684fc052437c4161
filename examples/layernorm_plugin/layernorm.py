"""Layer normalization as a bpdash layer: a third-party layer type, in one file.

For each sample (row) a of n values: its mean μ and variance σ², the normalized
x̂ = (a − μ) / √(σ² + ε), then a learned scale γ and shift β:

    z = γ ⊙ x̂ + β,    a_out = z.

Its δ = ∂J/∂z is ∂J/∂a_out itself; backward gives ∂J/∂γ = Σ_i δ ⊙ x̂, ∂J/∂β = Σ_i δ and,
with g = δ ⊙ γ, the gradient going out, row by row:

    ∂J/∂a = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ² + ε).

Every output mixes every input of its row, so the inspector's path-by-path chain rule cannot
expand through it (it says so); backprop, the gradient check and training work as for any layer.

    BPDASH_PLUGINS_DIR=examples/layernorm_plugin streamlit run app.py
"""
import numpy as np

from bpdash import Field, Layer, LayerOp, Parameter, hookimpl

EPSILON = Field("epsilon", "float", 1e-5, label="ε", low=0.0, low_open=True, high=1.0,
                help="Added to the variance before the square root, so a constant row stays finite.")


class LayerNorm(LayerOp):
    output = "layer_norm"

    def __init__(self, n_in, epsilon):
        self.n_out, self.epsilon = n_in, epsilon
        self.parameters = (Parameter("gamma", (n_in,), "ones", "γ"), Parameter("beta", (n_in,), "zeros", "β"))

    def forward(self, params, a, ctx):
        gamma, beta = params
        centred = a - a.mean(axis=1, keepdims=True)
        inverse = 1.0 / np.sqrt((centred * centred).mean(axis=1, keepdims=True) + self.epsilon)
        normalized = centred * inverse  # x̂
        z = normalized * gamma + beta
        return z, z, (normalized, inverse)

    def delta(self, cache, grad):
        return grad  # a_out = z

    def backward(self, params, cache, delta):
        normalized, inverse = cache
        grads = ((delta * normalized).sum(axis=0), delta.sum(axis=0))
        if not self.needs_grad_in:
            return grads, None
        g = delta * params[0]  # ∂J/∂x̂
        grad_in = g - g.mean(axis=1, keepdims=True)
        grad_in -= normalized * (g * normalized).mean(axis=1, keepdims=True)
        grad_in *= inverse
        return grads, grad_in

    def formulas(self, l):
        n = l + 1
        return {"forward": rf"\hat{{x}}^{{({l})}} = \frac{{a^{{({l})}} - \mu}}{{\sqrt{{\sigma^2 + \epsilon}}}},"
                           rf"\quad z^{{({n})}} = \gamma \odot \hat{{x}}^{{({l})}} + \beta,\quad a^{{({n})}} = z^{{({n})}}",
                "delta": rf"\delta^{{({n})}} = \frac{{\partial J}}{{\partial a^{{({n})}}}}",
                "gradients": rf"\frac{{\partial J}}{{\partial \gamma}} = \sum_i \delta_i^{{({n})}} \odot \hat{{x}}_i,"
                             rf"\quad \frac{{\partial J}}{{\partial \beta}} = \sum_i \delta_i^{{({n})}}"}


def make(n_in, settings, registry):
    return LayerNorm(n_in, settings["epsilon"])


@hookimpl
def register_layers():
    return [Layer("layer_norm", make, "Normalizes each sample's values to mean 0 and variance 1, "
                  "then scales by γ and shifts by β (learned).", settings=(EPSILON,),
                  latex=r"z = \gamma \odot \frac{a - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta")]
