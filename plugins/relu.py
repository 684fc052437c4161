"""The rectified linear unit: f(z) = max(0, z)."""
import numpy as np

from bpdash import Activation, hookimpl


@hookimpl
def register_activations():
    return [Activation(
        "relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float),
        "Rectified linear max(0, z): f'(z) = 1 for z > 0, else 0. Units can die at z < 0.",
        df_from_a=lambda a: (a > 0).astype(float),
        latex=r"f(z) = \max(0, z)")]
