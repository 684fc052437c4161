"""The fully connected layer of the article: z^(l+1) = a^(l) Θ^(l)ᵀ + b^(l), a^(l+1) = f(z^(l+1))
with f an activation plugin."""
from bpdash import Affine, Field, Layer, LayerOp, hookimpl

UNITS = Field("units", "int", 8, label="Neurons", low=1, help="Neurons in the layer.")
ACTIVATION = Field("activation", "plugin", "sigmoid", plugin="activations", label="Activation",
                   help="The activation f of every neuron of the layer.")


class Dense(LayerOp):
    connection = "affine"

    def __init__(self, n_in, units, activation, bias=True):
        self.affine = Affine(n_in, units, bias)
        self.n_out, self.parameters = units, self.affine.parameters
        self.activation, self.output = activation, activation.name
        self.f, self.df = activation.f, activation.df

    def forward(self, params, a, ctx):
        z = self.affine.forward(params, a, self.reuse_buffers)
        a_out = self.f(z)
        return z, a_out, (a, z, a_out)

    def delta(self, cache, grad):
        _, z, a = cache
        grad *= self.df(z, a)  # δ = ∂J/∂a ⊙ f′(z), in the engine's own array
        return grad

    def backward(self, params, cache, delta):
        return self.affine.backward(params, cache[0], delta, self.needs_grad_in, self.reuse_buffers)

    def slope(self, cache):
        return self.df(cache[1], cache[2])

    def formulas(self, l):
        return {"forward": self.affine.latex(l) + rf", \quad a^{{({l + 1})}} = f(z^{{({l + 1})}})",
                "delta": rf"\delta^{{({l + 1})}} = \frac{{\partial J}}{{\partial a^{{({l + 1})}}}}"
                         rf" \odot f'(z^{{({l + 1})}})",
                "gradients": self.affine.gradients_latex(l)}


def make(n_in, settings, registry):
    activation = registry.get("activations", settings["activation"])
    return Dense(n_in, settings["units"], activation, settings.get("bias", True))


@hookimpl
def register_layers():
    return [Layer("dense", make, "Fully connected: z = a Θᵀ + b, then an activation f.",
                  settings=(UNITS, ACTIVATION),
                  latex=r"z^{(l+1)} = a^{(l)}\,\Theta^{(l)\top} + b^{(l)},\quad a^{(l+1)} = f(z^{(l+1)})")]
