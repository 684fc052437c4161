"""Input features: the transform, the config field, the network's input layer, and the surfaces
over the raw plane (decision surface and neuron previews)."""
import numpy as np
import pytest

from bpdash import surface
from bpdash.config import ConfigError, ExperimentConfig
from bpdash.experiment import build
from bpdash.features import FEATURE_NAMES, FeatureMap, canonical, transform

X = np.array([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.0]])


def test_feature_names_in_canonical_order():
    assert FEATURE_NAMES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def test_every_feature_by_hand():
    F = transform(X, FEATURE_NAMES)
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)])
    assert F.shape == (3, 7)
    np.testing.assert_array_equal(F, expected)


@pytest.mark.parametrize("names", [("x1",), ("x1^2", "x2^2"), ("sin(x2)", "x1"), FEATURE_NAMES])
def test_shapes_and_canonical_columns(names):
    F = transform(X, names)
    assert F.shape == (len(X), len(names))
    np.testing.assert_array_equal(F, transform(X, canonical(names)))
    assert canonical(names) == tuple(n for n in FEATURE_NAMES if n in names)


def test_no_features_is_the_raw_input_of_any_width():
    np.testing.assert_array_equal(transform(X, ()), X)
    wide = np.ones((4, 5))
    assert transform(wide, ()).shape == (4, 5)
    assert FeatureMap()(wide).shape == (4, 5)


def test_bad_features_raise():
    with pytest.raises(ValueError, match="unknown feature"):
        transform(X, ("x3",))
    with pytest.raises(ValueError, match="twice"):
        transform(X, ("x1", "x1"))
    with pytest.raises(ValueError, match="2-D"):
        transform(np.ones((3, 3)), ("x1",))


def test_config_keeps_features_in_canonical_order_and_names_the_field():
    assert ExperimentConfig(features=["sin(x1)", "x1"]).features == ("x1", "sin(x1)")
    for bad in (("x1", "x1"), ("x1", "cos(x1)"), "x1", ("x1", 3)):
        with pytest.raises(ConfigError) as info:
            ExperimentConfig(features=bad)
        assert set(info.value.errors) == {"features"}
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"features": "x1,x2"})
    assert "features" in info.value.errors


def test_the_input_layer_follows_the_features_and_the_data_stays_raw(registry):
    names = ("x1", "x2", "x1*x2", "sin(x2)")
    exp = build(ExperimentConfig(dataset="xor", n_samples=60, hidden=(4,), activations=("tanh",),
                                 features=names), registry)
    assert exp.net.sizes[0] == 4
    assert exp.data.X_train.shape[1] == 2  # raw
    np.testing.assert_array_equal(exp.trainer.X, transform(exp.data.X_train, names))
    np.testing.assert_array_equal(exp.trainer.X_test, transform(exp.data.X_test, names))
    np.testing.assert_array_equal(exp.inputs(exp.data.X_train), exp.trainer.X)
    exp.trainer.fit(5)
    assert len(exp.trainer.history) == 5


def test_default_config_keeps_the_raw_inputs(registry):
    exp = build(ExperimentConfig(dataset="xor", n_samples=40, hidden=(3,), activations=("tanh",)), registry)
    assert exp.net.sizes[0] == 2 and exp.transform.names == ()
    np.testing.assert_array_equal(exp.trainer.X, exp.data.X_train)


@pytest.mark.parametrize("dataset", ["sine", "article_1_1_1"])
def test_features_on_data_that_is_not_2d_is_a_config_error(registry, dataset):
    config = ExperimentConfig(dataset=dataset, hidden=(3,), activations=("tanh",), output_activation="linear",
                              cost="squared_error", features=("x1",))
    with pytest.raises(ConfigError) as info:
        build(config, registry)
    assert set(info.value.errors) == {"features"}


def test_prediction_grid_feeds_the_network_the_features_of_the_raw_plane(registry):
    names = ("x1^2", "x2^2", "x1*x2")
    exp = build(ExperimentConfig(dataset="circles", n_samples=60, hidden=(4,), activations=("tanh",),
                                 features=names), registry)
    xs, ys, P = surface.prediction_grid(exp.net, exp.data.X_train, 7, transform=exp.transform)
    assert P.shape == (7, 7)
    i, j = 2, 5
    expected = exp.net.forward(transform(np.array([[xs[j], ys[i]]]), names))[0, 0]
    assert P[i, j] == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match="2 inputs"):
        surface.prediction_grid(exp.net, exp.data.X_train, 7)  # without the transform: wrong input size


def test_neuron_grids_hold_every_neurons_activation_over_the_plane(registry):
    names = ("x1", "x2", "sin(x1)")
    exp = build(ExperimentConfig(dataset="moons", n_samples=60, hidden=(4, 3), activations=("tanh", "relu"),
                                 features=names), registry)
    bounds = surface.input_bounds(exp.data.X_train)
    grids = surface.neuron_grids(exp.net, exp.transform, bounds, resolution=9)
    assert [g.shape for g in grids] == [(4, 9, 9), (3, 9, 9), (1, 9, 9)]
    xs, ys = surface.grid_axes(bounds, 9)
    i, j = 6, 1
    _, activations = exp.net.forward_pass(transform(np.array([[xs[j], ys[i]]]), names))
    for grid, A in zip(grids, activations[1:]):
        np.testing.assert_allclose(grid[:, i, j], A[0], rtol=1e-14)
    with_inputs = surface.neuron_grids(exp.net, exp.transform, bounds, resolution=9, inputs=True)
    assert len(with_inputs) == 4 and with_inputs[0].shape == (3, 9, 9)  # layer 1: the features
    np.testing.assert_allclose(with_inputs[0][:, i, j], activations[0][0], rtol=1e-14)
    # the output layer's grid is the decision surface
    _, _, P = surface.prediction_grid(exp.net, exp.data.X_train, 9, transform=exp.transform)
    np.testing.assert_allclose(grids[-1][0], P, rtol=1e-14)


def test_neuron_grids_without_features(registry):
    exp = build(ExperimentConfig(dataset="xor", n_samples=40, hidden=(3,), activations=("tanh",)), registry)
    grids = surface.neuron_grids(exp.net, None, ((-1, 1), (-2, 2)), resolution=5)
    assert [g.shape for g in grids] == [(3, 5, 5), (1, 5, 5)]
