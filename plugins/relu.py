"""The rectified linear unit: f(z) = max(0, z), f′ = 1 where a > 0, else 0."""
import numpy as np

from bpdash import Activation, hookimpl


@hookimpl
def register_activations():
    return [Activation(
        "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (a > 0).astype(a.dtype),
        "Rectified linear max(0, z): f'(z) = 1 for z > 0, else 0. Units can die at z < 0.",
        latex=r"f(z) = \max(0, z)")]
