"""What the layer tests share: random layer stacks over every built-in layer and the example
layer norm, with data and a cost to fit each, and the registry that holds them."""
from pathlib import Path

import numpy as np

import bpdash

LAYERNORM = Path(__file__).resolve().parent.parent / "examples" / "layernorm_plugin"
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
# output layer spec → the cost that goes with it, and the kind of targets
OUTPUTS = (
    (lambda k: {"layer": "softmax", "units": k}, "categorical_cross_entropy", "one-hot"),
    (lambda k: {"layer": "dense", "units": 1, "activation": "sigmoid"}, "cross_entropy", "binary"),
    (lambda k: {"layer": "dense", "units": k, "activation": "sigmoid"}, "squared_error", "fraction"),
    (lambda k: {"layer": "dense", "units": k, "activation": "linear"}, "squared_error", "real"),
    (lambda k: {"layer": "dense", "units": k, "activation": "tanh"}, "squared_error", "fraction"),
)


def three_classes(m=40, seed=0):
    """2-D points in three classes by angle: X (m, 2), one-hot Y (m, 3)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (m, 2))
    angle = np.arctan2(X[:, 1], X[:, 0])
    return X, np.eye(3)[((angle + np.pi) / (2 * np.pi / 3)).astype(int) % 3]


def layer_registry():
    """The built-in plugins and the example layer norm (a folder plugin)."""
    reg = bpdash.load_plugins(extra_dirs=[LAYERNORM], entry_points=False)
    assert reg.errors == [] and "layer_norm" in reg.layers
    return reg


def random_stack(seed: int):
    """(n_inputs, specs, cost, X, Y) for a random stack of 1 to 3 hidden layers of any built-in
    kind or the example's, each hidden dense layer optionally followed by dropout or a layer
    norm, and a random output with its cost; 7 samples."""
    rng = np.random.default_rng(seed)
    n_in, m = int(rng.integers(1, 4)), 7
    specs = []
    for _ in range(int(rng.integers(1, 4))):
        specs.append({"layer": "dense", "units": int(rng.integers(2, 6)),
                      "activation": ACTIVATIONS[rng.integers(len(ACTIVATIONS))]})
        extra = rng.integers(3)
        if extra == 1:
            specs.append({"layer": "dropout", "rate": float(rng.choice([0.2, 0.5]))})
        elif extra == 2:
            specs.append({"layer": "layer_norm"})
    output, cost, targets = OUTPUTS[rng.integers(len(OUTPUTS))]
    k = int(rng.integers(2, 4))
    specs.append(output(k))
    X = rng.uniform(-1.0, 1.0, (m, n_in))
    n_out = specs[-1]["units"]
    if targets == "one-hot":
        Y = np.eye(n_out)[rng.integers(0, n_out, m)]
    elif targets == "binary":
        Y = (rng.uniform(size=(m, n_out)) > 0.5).astype(float)
    elif targets == "fraction":
        Y = rng.uniform(0.1, 0.9, (m, n_out))
    else:
        Y = rng.normal(size=(m, n_out))
    return n_in, specs, cost, X, Y
