"""The built-in costs: the article's squared error and binary cross-entropy.

Both average over the m samples (rows), so a gradient is already divided by m.
"""
import numpy as np

from bpdash import Cost, hookimpl

CLIP = 1e-12  # keeps log and 1/(a(1−a)) finite when a saturates at 0 or 1
ONE = np.ones(())  # 0-d: numpy converts a Python float on every call (≈0.2 µs on small arrays)
ONE.flags.writeable = False
_COUNTS = {}  # m → m as a 0-d float array, see samples


def samples(A):
    """The number of samples m (rows of A) as a read-only 0-d array, made once per m: dividing
    by a Python int makes numpy convert it on every call (≈0.35 µs, an eighth of the fused
    costs below on the article's tiny batches). The quotient is the same number either way."""
    m = A.shape[0]
    count = _COUNTS.get(m)
    if count is None:
        if len(_COUNTS) >= 1024:  # a long-lived server sees many batch sizes: stay bounded
            _COUNTS.clear()
        count = _COUNTS[m] = np.array(float(m))
        count.flags.writeable = False
    return count


def squared_error(A, Y):
    """J = 1/(2m) Σ_i Σ_j (y_ij − a_ij)²."""
    diff = (A - Y).ravel()  # a view of the fresh difference
    # diff.dot(diff) is np.vdot(diff, diff) without vdot's dispatch layer (≈0.2 µs a call)
    return float(diff.dot(diff)) / (2 * A.shape[0])


def squared_error_gradient(A, Y):
    """∂J/∂a = (a − y)/m."""
    gradient = A - Y
    gradient /= samples(A)  # in place: no second array as large as the outputs
    return gradient


# (J, δ^(L)) for the output activations whose f′ is cheap from a: the trainer calls these every
# epoch, and on a small network an epoch is counted in numpy calls (≈0.3 µs each) and Python
# calls (≈0.1 µs). Each gives exactly the numbers of ``squared_error``, ``squared_error_gradient``
# and the activation's own f′ taken apart, in the same order (a product is the same whichever
# array holds it), with the difference a − y made once and every step after it in place.

def squared_error_delta_sigmoid(Z, A, Y):
    """J and δ^(L) = (a − y)/m ⊙ a(1 − a)."""
    delta = A - Y
    flat = delta.ravel()
    J = float(flat.dot(flat)) / (2 * A.shape[0])
    delta /= samples(A)
    slope = ONE - A
    slope *= A
    delta *= slope
    return J, delta


def squared_error_delta_tanh(Z, A, Y):
    """J and δ^(L) = (a − y)/m ⊙ (1 − a²)."""
    delta = A - Y
    flat = delta.ravel()
    J = float(flat.dot(flat)) / (2 * A.shape[0])
    delta /= samples(A)
    slope = A * A
    np.subtract(ONE, slope, slope)
    delta *= slope
    return J, delta


def squared_error_delta_linear(Z, A, Y):
    """J and δ^(L) = (a − y)/m: f′ = 1 (the unfused product with ones changes no number)."""
    delta = A - Y
    flat = delta.ravel()
    J = float(flat.dot(flat)) / (2 * A.shape[0])
    delta /= samples(A)
    return J, delta


def cross_entropy(A, Y):
    """J = −1/m Σ_i Σ_j [y log a + (1 − y) log(1 − a)], a clipped to [1e-12, 1 − 1e-12]."""
    A = np.clip(A, CLIP, 1 - CLIP)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A))) / A.shape[0]


def cross_entropy_gradient(A, Y):
    """∂J/∂a = (a − y) / (a(1 − a)) / m."""
    A = np.clip(A, CLIP, 1 - CLIP)
    return (A - Y) / (A * (1 - A)) / A.shape[0]


def cross_entropy_from_z(Z, Y):
    """The same J from sigmoid's input z, stable for any z: log(1 + e^z) − y z."""
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z)) / Z.shape[0]


def cross_entropy_delta_from_z(Z, Y):
    """δ^(L) = (σ(z) − y)/m: the sigmoid's f′ cancels the cost's denominator."""
    return (1.0 / (1.0 + np.exp(-Z)) - Y) / Z.shape[0]


@hookimpl
def register_costs():
    return [
        Cost("squared_error", squared_error, squared_error_gradient,
             "The article's J = 1/(2m) sum (y - a)^2; for regression and any output activation.",
             value_and_delta={"sigmoid": squared_error_delta_sigmoid, "tanh": squared_error_delta_tanh,
                              "linear": squared_error_delta_linear},
             latex=r"J = \frac{1}{2m}\sum_i\sum_j \left(y_{ij} - a^{(L)}_{ij}\right)^2"),
        Cost("cross_entropy", cross_entropy, cross_entropy_gradient,
             "Binary cross-entropy for 0/1 targets and sigmoid outputs (computed from z, stably).",
             fused={"sigmoid": (cross_entropy_from_z, cross_entropy_delta_from_z)},
             latex=r"J = -\frac{1}{m}\sum_i\sum_j \left[y_{ij}\log a^{(L)}_{ij}"
                   r" + (1 - y_{ij})\log\left(1 - a^{(L)}_{ij}\right)\right]"),
    ]
