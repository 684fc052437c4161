"""Dropout: in training every unit is kept with probability 1 − p and scaled by 1/(1 − p)
("inverted" dropout), so that outside training the layer is the identity.

a^(l+1) = a^(l) ⊙ r / (1 − p), r_j ~ Bernoulli(1 − p) per sample and unit, drawn from the run's
seeded generator (``Context.draw``): a run reproduces bit for bit, and the gradient check and
the inspector replay the masks. Its weighted input is its input, z^(l+1) = a^(l), so
δ^(l+1) = ∂J/∂a^(l+1) ⊙ r/(1 − p), and it hands δ on unchanged.
"""
import numpy as np

from bpdash import Field, Layer, LayerOp, hookimpl

RATE = Field("rate", "float", 0.5, label="Dropout rate", symbol="p", low=0.0, high=1.0, high_open=True,
             step=0.05, help="The probability that a unit is dropped in a training pass.")


class Dropout(LayerOp):
    connection = "identity"
    output = "dropout"
    training_differs = True

    def __init__(self, n_in, rate):
        self.n_out, self.rate = n_in, float(rate)
        self.scale = 1.0 / (1.0 - self.rate)

    def mask(self, rng, shape, dtype):
        """r/(1 − p): 1/(1 − p) where a unit is kept, 0 where it is dropped."""
        kept = rng.random(shape) >= self.rate
        return kept * np.array(self.scale, dtype)

    def forward(self, params, a, ctx):
        if not ctx.training or self.rate == 0.0:
            return a, a, (None, a)  # the identity: no mask
        mask = ctx.draw(lambda rng: self.mask(rng, a.shape, a.dtype))
        return a, a * mask, (mask, a)

    def delta(self, cache, grad):
        if cache[0] is not None:
            grad *= cache[0]
        return grad

    def backward(self, params, cache, delta):
        return (), (delta.copy() if self.needs_grad_in else None)

    def slope(self, cache):
        mask, a = cache
        return np.ones_like(a) if mask is None else mask

    def slope_label(self, layer, j):
        return f"r_{j}^({layer})/(1−p)", rf"\frac{{r_{{{j}}}^{{({layer})}}}}{{1-p}}"

    def draws_label(self, layer, j):
        return self.slope_label(layer, j)[0]  # the mask's entry is the chain rule's factor

    def draws_note(self, layer, drawn):
        (mask,) = drawn
        dropped = int(mask.size - np.count_nonzero(mask))
        return (f"r_j^({layer}) = 0: unit j dropped for that sample ({dropped} of {mask.size} in this pass, "
                f"p = {self.rate:g}); r_j^({layer}) = 1: kept, its a_j^({layer - 1}) passed on scaled by "
                f"1/(1 − p) = {self.scale:.4g}.")

    def formulas(self, l):
        n = l + 1
        return {"forward": rf"a^{{({n})}} = a^{{({l})}} \odot \frac{{r^{{({n})}}}}{{1 - p}},"
                           rf"\quad r_j^{{({n})}} \sim \mathrm{{Bernoulli}}(1 - p)\ \text{{(in training; else }}"
                           rf"a^{{({n})}} = a^{{({l})}}\text{{)}},\quad p = {self.rate:g}",
                "delta": rf"\delta^{{({n})}} = \frac{{\partial J}}{{\partial a^{{({n})}}}} \odot \frac{{r^{{({n})}}}}{{1 - p}}",
                "gradients": r"\text{no parameters: } \partial J/\partial a^{(" + str(l) + r")} = \delta^{(" + str(n) + ")}"}


def make(n_in, settings, registry):
    return Dropout(n_in, settings["rate"])


@hookimpl
def register_layers():
    return [Layer("dropout", make, "Drops each unit with probability p in training (scaling the kept "
                  "ones by 1/(1 - p)); the identity otherwise.", settings=(RATE,),
                  latex=r"a^{(l+1)} = a^{(l)} \odot r / (1 - p)")]
