"""The built-in costs: the article's squared error, and binary and categorical cross-entropy.

Each averages over the m samples (rows), so a gradient is already divided by m. Each names the
output function whose derivative cancels its own (``link``): there the engine takes
δ^(L) = (a − y)/m, exact and stable even where a saturates at 0 or 1.
"""
import numpy as np

from bpdash import Cost, hookimpl

_COUNTS = {}  # m → m as a 0-d array of the last dtype asked for, see samples


def samples(A):
    """The number of samples m (rows of A) as a read-only 0-d array of A's dtype, made once per
    m: dividing by a Python int makes numpy convert it on every call (≈0.35 µs, much on the
    article's tiny batches), and a float64 m would make float32 data float64. The quotient is
    the same number either way."""
    count = _COUNTS.get(A.shape[0])
    if count is None or count.dtype is not A.dtype:
        if len(_COUNTS) >= 1024:  # a long-lived server sees many batch sizes: stay bounded
            _COUNTS.clear()
        count = _COUNTS[A.shape[0]] = np.array(float(A.shape[0]), A.dtype)
        count.flags.writeable = False
    return count


def clip_limit(A) -> float:
    """How close to 0 and 1 a is taken in a logarithm: 1e-12, or float32's precision for float32."""
    return max(1e-12, float(np.finfo(A.dtype).eps)) if A.dtype.kind == "f" else 1e-12


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


def cross_entropy(A, Y):
    """J = −1/m Σ_i Σ_j [y log a + (1 − y) log(1 − a)], a clipped to [c, 1 − c] (c = 1e-12)."""
    c = clip_limit(A)
    A = np.clip(A, c, 1 - c)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A))) / A.shape[0]


def cross_entropy_gradient(A, Y):
    """∂J/∂a = (a − y) / (a(1 − a)) / m."""
    c = clip_limit(A)
    A = np.clip(A, c, 1 - c)
    return (A - Y) / (A * (1 - A)) / A.shape[0]


def categorical_cross_entropy(A, Y):
    """J = −1/m Σ_i Σ_k y_ik log a_ik, a clipped below at c = 1e-12; each row of Y one-hot (or
    probabilities summing to 1)."""
    A = np.maximum(A, clip_limit(A))
    return float(-np.sum(Y * np.log(A))) / A.shape[0]


def categorical_cross_entropy_gradient(A, Y):
    """∂J/∂a = −y / a / m."""
    A = np.maximum(A, clip_limit(A))
    return -Y / A / A.shape[0]


@hookimpl
def register_costs():
    return [
        Cost("squared_error", squared_error, squared_error_gradient,
             "The article's J = 1/(2m) sum (y - a)^2; for regression and any output activation.",
             latex=r"J = \frac{1}{2m}\sum_i\sum_j \left(y_{ij} - a^{(L)}_{ij}\right)^2", link="linear"),
        Cost("cross_entropy", cross_entropy, cross_entropy_gradient,
             "Binary cross-entropy for 0/1 targets and sigmoid outputs (δ = (a - y)/m after a sigmoid).",
             latex=r"J = -\frac{1}{m}\sum_i\sum_j \left[y_{ij}\log a^{(L)}_{ij}"
                   r" + (1 - y_{ij})\log\left(1 - a^{(L)}_{ij}\right)\right]", link="sigmoid"),
        Cost("categorical_cross_entropy", categorical_cross_entropy, categorical_cross_entropy_gradient,
             "Cross-entropy for k classes: one-hot targets and a softmax output "
             "(δ = (a - y)/m after a softmax).",
             latex=r"J = -\frac{1}{m}\sum_i\sum_k y_{ik}\log a^{(L)}_{ik}", link="softmax"),
    ]
