"""The identity: f(z) = z, for regression outputs and for seeing what depth without a
non-linearity cannot do."""
import numpy as np

from bpdash import Activation, hookimpl


@hookimpl
def register_activations():
    return [Activation(
        "linear", lambda z: z, lambda z: np.ones_like(z),
        "Identity f(z) = z: unbounded outputs, f'(z) = 1. For regression outputs.",
        df_from_a=lambda a: np.ones_like(a),
        latex=r"f(z) = z")]
