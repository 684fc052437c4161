"""Softplus, a smooth ReLU: f(z) = log(1 + e^z), f′(z) = σ(z) = 1 / (1 + e^(−z)).

A folder plugin: one file, no packaging. Point bpdash at its folder and it loads at start-up:

    BPDASH_PLUGINS_DIR=examples/softplus_plugin streamlit run app.py
"""
import numpy as np

from bpdash import Activation, hookimpl


def softplus(z):
    # log(e^0 + e^z), computed without overflow for any z (z = 800 gives 800, not inf).
    return np.logaddexp(0.0, z)


def softplus_prime(z, a):
    # f′(z) = σ(z), written from the activation a = f(z) the engine passes too: e^a = 1 + e^z,
    # so σ(z) = 1 − e^(−a), which expm1 keeps exact for small a (one call instead of σ's three).
    return -np.expm1(-a)


@hookimpl
def register_activations():
    return [Activation(
        "softplus", softplus, softplus_prime,
        "Smooth ReLU log(1 + e^z): outputs in (0, inf), f'(z) = sigmoid(z).",
        latex=r"f(z) = \log\left(1 + e^{z}\right)")]
