"""The built-in datasets: the article's two tiny examples and TensorFlow-Playground-style sets.

Each ``generate(n, noise, rng)`` returns float ``X (m, n_features)`` and ``Y (m, n_outputs)``,
every random draw coming from the ``numpy.random.Generator`` rng. The 2-D classification sets
have one 0/1 target column, inputs roughly in [−1, 1], about half the points in each class,
and rows in random order; ``noise`` is the standard deviation of gaussian jitter added to the
positions after labelling, so at higher noise points stray across the class boundary.

``spiral`` and ``blobs`` make k classes too (``generate(n, noise, rng, classes=k)``): k arms, k
blobs, n/k points each, k one-hot target columns for k > 2; for k = 2 they draw exactly what
they always did.
"""
import numpy as np

from bpdash import Dataset, hookimpl
from bpdash.schema import MAX_CLASSES  # what spiral and blobs make at most: the config's limit



def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# 1-1-1: five inputs in [0, 1]; targets from a 1-1-1 sigmoid network with θ^(1) = 3,
# b^(1) = −1.5, θ^(2) = 4, b^(2) = −2, so a perfect fit exists (with biases on).
X_111 = np.linspace(0.0, 1.0, 5).reshape(-1, 1)
Y_111 = _sigmoid(4.0 * _sigmoid(3.0 * X_111 - 1.5) - 2.0)

# 2-2-2: the four corners of the unit square; output 1 is x1 OR x2, output 2 is x1 AND x2,
# written 0.1/0.9 so a sigmoid output can reach them with finite weights.
X_222 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_222 = np.array([[0.1, 0.1], [0.9, 0.1], [0.9, 0.1], [0.9, 0.9]])


def article_1_1_1(n, noise, rng):
    """The 5 fixed samples above: X (5, 1), Y (5, 1). Ignores n, noise and rng."""
    return X_111.copy(), Y_111.copy()


def article_2_2_2(n, noise, rng):
    """The 4 fixed samples above: X (4, 2), Y (4, 2). Ignores n, noise and rng."""
    return X_222.copy(), Y_222.copy()


def _classes(parts, noise, rng):
    """Stack the points of class 0, 1, … k − 1, jitter them, shuffle: X (m, 2) and Y (m, 1) of
    0/1 for two classes, (m, k) one-hot for more."""
    X = np.vstack(parts)
    labels = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    Y = labels.reshape(-1, 1).astype(float) if len(parts) == 2 else np.eye(len(parts))[labels]
    X = X + noise * rng.normal(size=X.shape)
    order = rng.permutation(len(X))
    return X[order], Y[order]


def _counts(n, k):
    """n points in k classes: n // k each, the first n % k one more."""
    return [n // k + (j < n % k) for j in range(k)]


def _polar(r, phi):
    return np.column_stack([r * np.cos(phi), r * np.sin(phi)])


def xor(n, noise, rng):
    """Uniform points in [−1, 1]² kept 0.05 off the axes; class 1 where x1·x2 > 0."""
    X = rng.choice([-1.0, 1.0], size=(n, 2)) * rng.uniform(0.05, 1.0, size=(n, 2))
    same_sign = X[:, 0] * X[:, 1] > 0
    return _classes([X[~same_sign], X[same_sign]], noise, rng)


def circles(n, noise, rng):
    """Class 1 inside radius 0.5, class 0 on the ring 0.7 ≤ r ≤ 1."""
    n0, n1 = n - n // 2, n // 2
    ring = _polar(rng.uniform(0.7, 1.0, n0), rng.uniform(0, 2 * np.pi, n0))
    disc = _polar(0.5 * np.sqrt(rng.uniform(0, 1, n1)), rng.uniform(0, 2 * np.pi, n1))
    return _classes([ring, disc], noise, rng)


def moons(n, noise, rng):
    """Two interleaved half circles (class 0 the upper), scaled to x1 ∈ [−1, 1], x2 ∈ [−½, ½]."""
    n0, n1 = n - n // 2, n // 2
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    centre = np.array([0.5, 0.25])
    return _classes([(upper - centre) / 1.5, (lower - centre) / 1.5], noise, rng)


def spiral(n, noise, rng, classes=2):
    """k interleaved spirals r = t, φ = 2.5π t + 2πj/k for arm j, t ∈ [0, 1]: radius up to 1
    (two arms: φ and φ + π)."""
    ts = [rng.uniform(0, 1, count) for count in _counts(n, classes)]
    arms = [_polar(t, 2.5 * np.pi * t + 2 * np.pi * j / classes)
            for j, t in enumerate(ts)]
    return _classes(arms, noise, rng)


def blobs(n, noise, rng, classes=2):
    """k gaussian blobs of std 0.2 around points on the circle of radius √½ (two: class 0 around
    (−½, −½), class 1 around (½, ½))."""
    if classes == 2:
        centres = [-0.5, 0.5]
    else:
        angles = 1.25 * np.pi + 2 * np.pi * np.arange(classes) / classes
        centres = np.sqrt(0.5) * np.column_stack([np.cos(angles), np.sin(angles)])
    return _classes([rng.normal(centre, 0.2, (count, 2)) for centre, count in zip(centres, _counts(n, classes))],
                    noise, rng)


def sine(n, noise, rng):
    """y = sin(πx) + noise·ε with x uniform in [−1, 1], ε standard normal: X (n, 1), Y (n, 1)."""
    X = rng.uniform(-1.0, 1.0, size=(n, 1))
    return X, np.sin(np.pi * X) + noise * rng.normal(size=X.shape)


@hookimpl
def register_datasets():
    return [
        Dataset("article_1_1_1", article_1_1_1,
                "The article's 1-1-1 network: 5 inputs in [0, 1], one target in (0, 1) made by a "
                "1-1-1 sigmoid network, so a perfect fit exists.",
                task="regression", fixed=True, default_n=len(X_111)),
        Dataset("article_2_2_2", article_2_2_2,
                "The article's 2-2-2 network: the 4 corners of the unit square; targets "
                "(x1 OR x2, x1 AND x2) as 0.1/0.9.",
                task="regression", fixed=True, default_n=len(X_222)),
        Dataset("xor", xor, "Exclusive or: class 1 in the quadrants where x1 and x2 share a sign. "
                "Needs a hidden layer."),
        Dataset("circles", circles, "A disc (class 1) inside a ring (class 0)."),
        Dataset("moons", moons, "Two interleaved half moons."),
        Dataset("spiral", spiral, "Interleaved spirals, one arm per class (2 by default): hard; needs "
                "depth or many neurons.", classes=MAX_CLASSES),
        Dataset("blobs", blobs, "Gaussian blobs, one per class (2 by default): linearly separable at "
                "low noise.", classes=MAX_CLASSES),
        Dataset("sine", sine, "Regression: y = sin(pi x) plus gaussian noise, x in [-1, 1].",
                task="regression", default_n=100),
    ]
