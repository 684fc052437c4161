"""Swish (also called SiLU): f(z) = z·σ(z), with σ(z) = 1 / (1 + e^(−z)).

f′(z) = σ(z) + z·σ(z)(1 − σ(z)) = σ(z)·(1 + z·(1 − σ(z))). Swish is not monotonic (its minimum
is about −0.278 at z ≈ −1.278), so f′ cannot be written from a = f(z) alone: this plugin's ``df``
takes z only. bpdash calls ``df(z, a)`` with the activation as well; a ``df`` of z alone, like
this one, it wraps once when it loads the plugin.
"""
import numpy as np

from bpdash import Activation, hookimpl

__version__ = "0.1.0"


def _sigmoid(z):
    # exp(−log(1 + e^(−z))): no overflow (and no warning) for any z.
    return np.exp(-np.logaddexp(0.0, -z))


def swish(z):
    return z * _sigmoid(z)


def swish_prime(z):
    s = _sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


@hookimpl
def register_activations():
    return [Activation(
        "swish", swish, swish_prime,
        "Swish / SiLU z * sigmoid(z): smooth, non-monotonic, unbounded above. "
        "f'(z) = s(1 + z(1 - s)) with s = sigmoid(z).",
        latex=r"f(z) = z\,\sigma(z) = \frac{z}{1 + e^{-z}}")]
