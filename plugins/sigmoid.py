"""The logistic sigmoid, the article's activation: f(z) = 1 / (1 + e^(−z))."""
import numpy as np

from bpdash import Activation, hookimpl


def sigmoid(z):
    a = np.exp(-z)  # overflows to inf for z < −709, which correctly gives a = 0
    a += 1.0
    return np.reciprocal(a, out=a)


def sigmoid_prime(z):
    a = sigmoid(z)
    return a * (1.0 - a)


@hookimpl
def register_activations():
    return [Activation(
        "sigmoid", sigmoid, sigmoid_prime,
        "Logistic 1/(1+e^-z): outputs in (0, 1), f'(z) = a(1 - a). f(0) = 0.5.",
        df_from_a=lambda a: a * (1.0 - a),
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}")]
