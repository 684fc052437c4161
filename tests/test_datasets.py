"""Datasets from plugins and train/test splits (bpdash.data, plugins/datasets.py); CSV files are in test_csvdata.py."""
from dataclasses import replace

import numpy as np
import pytest

from bpdash import Dataset, Network, load_plugins
from bpdash.data import MAX_ROWS, DataSplit, make_dataset, split

GENERATED = ["xor", "circles", "moons", "spiral", "blobs", "sine"]
CLASSIFICATION = ["xor", "circles", "moons", "spiral", "blobs"]
FIXED = {"article_1_1_1": (1, 1), "article_2_2_2": (2, 2)}  # name → (n_features, n_outputs)


@pytest.fixture(scope="module")
def registry():
    reg = load_plugins(extra_dirs=[], entry_points=False)
    assert not reg.errors
    return reg


def everything(d: DataSplit):
    return np.vstack([d.X_train, d.X_test]), np.vstack([d.Y_train, d.Y_test])


# ---------------------------------------------------------------- built-in datasets

def test_builtin_datasets_are_registered(registry):
    assert set(GENERATED) | set(FIXED) <= set(registry.datasets)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_shapes_task_and_n(registry, name):
    d = make_dataset(name, n=150, seed=3, registry=registry)
    X, Y = everything(d)
    assert X.shape == (150, 1 if name == "sine" else 2) and Y.shape == (150, 1)
    assert d.n_features == X.shape[1] and d.n_outputs == 1
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    assert np.abs(X).max() < 2.5  # roughly [-1, 1] at noise 0.1
    if name in CLASSIFICATION:
        assert d.task == "classification"
        assert set(np.unique(Y)) == {0.0, 1.0}
        assert 0.25 < Y.mean() < 0.75  # both classes well represented
    else:
        assert d.task == "regression"


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_is_deterministic_per_seed(registry, name):
    a, b = make_dataset(name, seed=7, registry=registry), make_dataset(name, seed=7, registry=registry)
    c = make_dataset(name, seed=8, registry=registry)
    for attr in ("X_train", "Y_train", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("n", [1, 2, 7, MAX_ROWS])
def test_exactly_n_samples(registry, n):
    for name in GENERATED:
        record = registry.get("datasets", name)
        X, Y = record.generate(n, 0.2, np.random.default_rng(0))
        assert X.shape[0] == Y.shape[0] == n


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_noise_free_labels_follow_the_geometry(registry, name):
    X, Y = registry.get("datasets", name).generate(400, 0.0, np.random.default_rng(1))
    y = Y[:, 0] == 1
    r = np.hypot(X[:, 0], X[:, 1])
    if name == "xor":
        assert np.array_equal(y, X[:, 0] * X[:, 1] > 0)
    elif name == "circles":
        assert r[y].max() <= 0.5 and r[~y].min() >= 0.7
    elif name == "blobs":
        assert X[y].mean() > 0.3 and X[~y].mean() < -0.3
    elif name == "moons":  # half circles of radius 2/3 around (∓1/3, ∓1/6), class 0 the upper
        centre = np.where(y[:, None], [1 / 3, 1 / 6], [-1 / 3, -1 / 6])
        np.testing.assert_allclose(np.hypot(*(X - centre).T), 2 / 3)
        assert np.all(np.abs(X) <= [1, 0.5])
    else:  # spiral: the angle grows with the radius, class 1 turned by π
        phi = 2.5 * np.pi * r + np.pi * y
        np.testing.assert_allclose(X, np.column_stack([r * np.cos(phi), r * np.sin(phi)]), atol=1e-12)
        assert r.max() <= 1


def test_sine_follows_sin_pi_x(registry):
    X, Y = registry.get("datasets", "sine").generate(50, 0.0, np.random.default_rng(0))
    np.testing.assert_allclose(Y, np.sin(np.pi * X))
    assert X.min() >= -1 and X.max() <= 1


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_article_datasets_are_not_split(registry, name):
    d = make_dataset(name, n=500, noise=3.0, seed=1, test_share=0.5, registry=registry)
    n_features, n_outputs = FIXED[name]
    assert d.X_train.shape[1] == n_features and d.Y_train.shape[1] == n_outputs
    assert d.X_test.shape == (0, n_features) and d.Y_test.shape == (0, n_outputs)
    assert 4 <= d.X_train.shape[0] <= 8  # a handful; n and noise ignored
    assert np.all((d.Y_train > 0) & (d.Y_train < 1))
    again = make_dataset(name, seed=99, registry=registry)
    np.testing.assert_array_equal(d.X_train, again.X_train)


def test_article_2_2_2_has_four_samples(registry):
    d = make_dataset("article_2_2_2", registry=registry)
    assert d.X_train.shape == (4, 2) and d.Y_train.shape == (4, 2)
    assert d.feature_names == ("x1", "x2") and d.target_names == ("y1", "y2")


def test_default_n_and_split_sizes(registry):
    d = make_dataset("moons", registry=registry)
    assert d.X_train.shape[0] + d.X_test.shape[0] == registry.get("datasets", "moons").default_n
    d = make_dataset("moons", n=100, test_share=0.3, registry=registry)
    assert (d.n_train, d.n_test) == (70, 30)
    d = make_dataset("moons", n=100, test_share=0.0, registry=registry)
    assert (d.n_train, d.n_test) == (100, 0)


def test_split_arrays_are_read_only(registry):
    d = make_dataset("xor", registry=registry)
    with pytest.raises(ValueError):
        d.X_train[0, 0] = 5.0


def test_make_dataset_checks_what_a_plugin_returns(registry):
    short = Dataset("short", lambda n, noise, rng: (np.zeros((n - 1, 2)), np.zeros((n - 1, 1))))
    broken = Dataset("broken", lambda n, noise, rng: (np.full((n, 2), np.nan), np.zeros((n, 1))))
    reg = replace(registry, datasets={"short": short, "broken": broken})
    with pytest.raises(ValueError, match="'short'.*10 rows"):
        make_dataset("short", n=10, registry=reg)
    with pytest.raises(ValueError, match="'broken'.*non-finite"):
        make_dataset("broken", n=10, registry=reg)


def test_unknown_dataset_lists_choices(registry):
    with pytest.raises(KeyError, match="moons"):
        make_dataset("moon", registry=registry)


@pytest.mark.parametrize("kwargs, word", [
    (dict(n=0), "n"), (dict(n=MAX_ROWS + 1), "n"), (dict(n=2.5), "n"), (dict(n=True), "n"),
    (dict(noise=-0.1), "noise"), (dict(noise=float("nan")), "noise"), (dict(noise="lots"), "noise"),
    (dict(test_share=0.95), "test_share"), (dict(test_share=-0.1), "test_share"),
    (dict(seed=-1), "seed"),
])
def test_make_dataset_validates_parameters(registry, kwargs, word):
    (value,) = kwargs.values()
    with pytest.raises(ValueError, match=word) as info:
        make_dataset("blobs", registry=registry, **kwargs)
    assert repr(value) in str(info.value)  # the message shows the bad value


def test_split_is_a_seeded_partition():
    X = np.arange(20.0).reshape(10, 2)
    Y = np.arange(10.0).reshape(10, 1)
    X_tr, Y_tr, X_te, Y_te = split(X, Y, 0.3, seed=5)
    assert X_tr.shape == (7, 2) and X_te.shape == (3, 2) and Y_te.shape == (3, 1)
    np.testing.assert_array_equal(np.sort(np.concatenate([Y_tr, Y_te]).ravel()), Y.ravel())
    np.testing.assert_array_equal(X_tr[:, 0], 2 * Y_tr[:, 0])  # rows stay paired
    again = split(X, Y, 0.3, seed=5)
    for a, b in zip((X_tr, Y_tr, X_te, Y_te), again):
        np.testing.assert_array_equal(a, b)
    other = split(X, Y, 0.3, seed=6)
    assert not np.array_equal(Y_te, other[3])


def test_split_keeps_one_training_row():
    X_tr, _, X_te, _ = split(np.zeros((2, 1)), np.zeros((2, 1)), 0.9, seed=0)
    assert len(X_tr) == 1 and len(X_te) == 1
    X_tr, _, X_te, _ = split(np.zeros((1, 1)), np.zeros((1, 1)), 0.5, seed=0)
    assert len(X_tr) == 1 and len(X_te) == 0


@pytest.mark.parametrize("name", GENERATED + sorted(FIXED))
def test_network_backprop_runs_on_every_dataset(registry, name):
    d = make_dataset(name, n=64, registry=registry)
    net = Network([d.n_features, 8, d.n_outputs], "tanh", seed=0, registry=registry)
    g = net.backprop(d.X_train, d.Y_train)
    assert np.isfinite(g.cost)
    assert [w.shape for w in g.weights] == [(8, d.n_features), (d.n_outputs, 8)]
    assert g.activations[-1].shape == d.Y_train.shape


def test_network_learns_blobs(registry):
    d = make_dataset("blobs", n=200, noise=0.05, registry=registry)
    net = Network([2, 4, 1], "sigmoid", seed=0, registry=registry)
    first = net.backprop(d.X_train, d.Y_train, "cross_entropy").cost
    for _ in range(300):
        g = net.backprop(d.X_train, d.Y_train, "cross_entropy")
        net.weights = [W - 1.0 * dW for W, dW in zip(net.weights, g.weights)]
        net.biases = [b - 1.0 * db for b, db in zip(net.biases, g.biases)]
    predicted = net.forward(d.X_test) > 0.5
    assert net.backprop(d.X_train, d.Y_train, "cross_entropy").cost < first / 4
    assert (predicted == (d.Y_test == 1)).mean() > 0.95
