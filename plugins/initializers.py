"""The built-in initializers. Every draw comes from the rng passed in, so a seed reproduces it.

Weight matrices have shape (n_to, n_from) = (fan_out, fan_in); bias vectors (n_to,).
"""
import numpy as np

from bpdash import Initializer, hookimpl


def zeros(shape, fan_in, fan_out, epsilon, rng):
    return np.zeros(shape)


def constant(shape, fan_in, fan_out, epsilon, rng):
    return np.full(shape, float(epsilon))


def uniform(shape, fan_in, fan_out, epsilon, rng):
    return rng.uniform(-epsilon, epsilon, size=shape)


def glorot(shape, fan_in, fan_out, epsilon, rng):
    if len(shape) == 1:
        return np.zeros(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he(shape, fan_in, fan_out, epsilon, rng):
    if len(shape) == 1:
        return np.zeros(shape)
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


@hookimpl
def register_initializers():
    return [
        Initializer("zeros", zeros, "Every weight and bias 0: the classic symmetry trap."),
        Initializer("constant", constant, "Every weight and bias equals epsilon: still symmetric."),
        Initializer("uniform", uniform,
                    "The article's: each weight and bias uniform in [-epsilon, epsilon]."),
        Initializer("glorot", glorot,
                    "Glorot/Xavier uniform, limit sqrt(6/(fan_in + fan_out)); biases 0; ignores epsilon."),
        Initializer("he", he, "He normal, std sqrt(2/fan_in), for ReLU; biases 0; ignores epsilon."),
    ]
