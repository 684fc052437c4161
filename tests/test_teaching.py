"""The teaching engine: gradient checking, the chain rule path by path, and symmetry.

Everything runs on real networks from the built-in plugins; a wrong gradient is produced by a
real (deliberately buggy) backprop or activation, never by a mock.
"""
import itertools

import numpy as np
import pandas as pd
import pytest

from bpdash.chainrule import chain_rule, count_paths
from bpdash.config import ExperimentConfig
from bpdash.data import make_dataset
from bpdash.experiment import build
from bpdash.gradcheck import gradient_check, numeric_gradient
from bpdash import backprop
from bpdash.context import EVALUATION
from bpdash.network import Network
from bpdash.plugins import Registry
from bpdash.records import Activation
from bpdash.symmetry import SymmetryLab, diagnose, distinct_neurons

ACTIVATIONS = ["sigmoid", "tanh", "linear", "relu"]
ARTICLE_222 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def data_for(sizes, seed=0, m=6):
    """Inputs away from 0 and targets in (0.1, 0.9): X (m, sizes[0]), Y (m, sizes[-1])."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.2, 1.0, (m, sizes[0])) * rng.choice([-1.0, 1.0], (m, sizes[0]))
    return X, rng.uniform(0.1, 0.9, (m, sizes[-1]))


def all_indices(net):
    """Every (layer, j, k) of the network, 1-based, k = 0 the bias when the net has biases."""
    for layer in range(1, net.n_layers):
        first_k = 0 if net.bias else 1
        for j, k in itertools.product(range(1, net.sizes[layer] + 1),
                                      range(first_k, net.sizes[layer - 1] + 1)):
            yield layer, j, k


# -- gradient check ----------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("hidden", [(3,), (3, 4), (4, 3, 2)])
def test_gradient_check_passes_for_squared_error(registry, activation, bias, hidden):
    sizes = [2, *hidden, 2]
    net = Network(sizes, activation, bias=bias, seed=1, registry=registry)
    X, Y = data_for(sizes)
    checks = gradient_check(net, X, Y, "squared_error")
    assert [c.layer for c in checks] == list(range(1, len(sizes)))
    for c in checks:
        assert c.relative_error < 1e-7, (c.layer, c.relative_error)
        assert c.passed()
        assert (c.backprop_biases is None) == (not bias)
        assert c.numeric_weights.shape == net.weights[c.layer - 1].shape


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("hidden", [(3,), (3, 4), (4, 3, 2)])
def test_gradient_check_passes_for_cross_entropy_with_sigmoid_output(registry, activation, bias, hidden):
    sizes = [2, *hidden, 1]
    net = Network(sizes, [activation] * len(hidden) + ["sigmoid"], bias=bias, seed=2, registry=registry)
    X, _ = data_for(sizes)
    Y = (X[:, :1] > 0).astype(float)
    for c in gradient_check(net, X, Y, "cross_entropy"):
        assert c.relative_error < 1e-7, (c.layer, c.relative_error)


def test_gradient_check_leaves_the_parameters_untouched(registry):
    net = Network([2, 3, 2], "tanh", seed=0, registry=registry)
    before_w, before_b = list(net.weights), list(net.biases)
    copies = [W.copy() for W in net.weights] + [b.copy() for b in net.biases]
    X, Y = data_for(net.sizes)
    gradient_check(net, X, Y)
    numeric_gradient(net, X, Y, "squared_error", layer=2, j=1, k=0)
    assert all(a is b for a, b in zip(net.weights + net.biases, before_w + before_b))
    assert all(np.array_equal(a, c) for a, c in zip(net.weights + net.biases, copies))


def test_numeric_gradient_uses_the_articles_one_based_indices(registry):
    net = Network([2, 3, 2], "sigmoid", seed=0, registry=registry)
    X, Y = data_for(net.sizes)
    grads = net.backprop(X, Y)
    # θ_21^(2): to neuron 2 of layer 3, from neuron 1 of layer 2 → weights[1][1, 0]
    assert numeric_gradient(net, X, Y, "squared_error", 2, 2, 1) == pytest.approx(grads.weights[1][1, 0], rel=1e-7)
    assert numeric_gradient(net, X, Y, "squared_error", 1, 3, 0) == pytest.approx(grads.biases[0][2], rel=1e-7)
    with pytest.raises(ValueError, match="layer"):
        numeric_gradient(net, X, Y, "squared_error", 3, 1, 1)
    with pytest.raises(ValueError, match="j must be"):
        numeric_gradient(net, X, Y, "squared_error", 1, 4, 1)


class ArticleSignNetwork(Network):
    """The engine's real backward pass, started from the article's output δ: (1/m)(y − a) f′,
    the negative of ∂J/∂z."""

    def backprop(self, X, Y, cost="squared_error"):
        grads = super().backprop(X, Y, cost)
        _, activations, caches = backprop.forward(self.layers, self.params, X, EVALUATION)
        delta = self.layers[-1].delta(caches[-1], (Y - activations[-1]) / len(Y))
        grads.params = backprop.backward(self.layers, self.params, caches, delta)
        grads.weights = [W for W, b in grads.params]
        grads.biases = [b for W, b in grads.params]
        return grads


def test_gradient_check_catches_the_articles_sign(registry):
    net = ArticleSignNetwork([2, 2, 2], "sigmoid", seed=0, registry=registry)
    X, Y = data_for(net.sizes)
    for c in gradient_check(net, X, Y):
        assert not c.passed()
        assert c.relative_error == pytest.approx(1.0)  # g_bp = −g_num exactly


def test_gradient_check_catches_a_wrong_derivative(registry):
    """An activation whose f′ is wrong (a instead of a(1 − a)), in a registry built by hand so
    load-time validation never sees it: backprop goes wrong, the check says so."""
    sigmoid = registry.activations["sigmoid"]
    wrong = Activation("sigmoid", sigmoid.f, lambda z, a: a)
    broken = Registry(activations={"sigmoid": wrong}, costs=registry.costs, layers=registry.layers,
                      initializers=registry.initializers, datasets=registry.datasets)
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=broken)
    X, Y = data_for(net.sizes)
    assert all(c.relative_error > 1e-2 and not c.passed() for c in gradient_check(net, X, Y))


def test_gradient_check_reports_non_finite_as_failing(registry):
    net = Network([1, 1, 1], "linear", seed=0, registry=registry)
    net.weights = [np.array([[1e300]]), np.array([[1e300]])]
    checks = gradient_check(net, np.array([[1e10]]), np.array([[0.0]]))
    assert not any(c.passed() for c in checks)


# -- the chain rule, path by path ---------------------------------------------------------------

@pytest.mark.parametrize("sizes, activation, cost", [
    ([2, 2, 2], "sigmoid", "squared_error"),
    ([2, 3, 3, 2], "tanh", "squared_error"),
    ([2, 3, 3, 2], ["relu", "tanh", "sigmoid"], "squared_error"),
    ([2, 3, 3, 2], ["tanh", "tanh", "sigmoid"], "cross_entropy"),
])
@pytest.mark.parametrize("sample", [None, 0, 3])
def test_chain_rule_sum_equals_backprop_for_every_weight(registry, sizes, activation, cost, sample):
    net = Network(sizes, activation, seed=4, registry=registry)
    X = ARTICLE_222 if sizes[0] == 2 else data_for(sizes)[0]
    Y = np.random.default_rng(0).uniform(0.1, 0.9, (len(X), sizes[-1]))
    if cost == "cross_entropy":
        Y = (Y > 0.5).astype(float)
    Xs, Ys = (X, Y) if sample is None else (X[sample:sample + 1], Y[sample:sample + 1])
    grads = net.backprop(Xs, Ys, cost)
    for layer, j, k in all_indices(net):
        cr = chain_rule(net, X, Y, cost, layer, j, k, sample=sample)
        expected = grads.biases[layer - 1][j - 1] if k == 0 else grads.weights[layer - 1][j - 1, k - 1]
        assert cr.total == pytest.approx(expected, rel=1e-9, abs=1e-15)
        assert cr.backprop == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert sum(p.value for p in cr.paths) == pytest.approx(cr.total, rel=1e-9, abs=1e-15)
        assert cr.n_paths == count_paths(net, layer) == len(cr.paths) and not cr.truncated
        for p in cr.paths:
            assert np.allclose(np.prod([f.values for f in p.factors], axis=0), p.products)


def test_chain_rule_labels_follow_the_article(registry):
    """∂J/∂θ_11^(1) in the 2-2-2 network: the article's blue and orange paths."""
    net = Network([2, 2, 2], "sigmoid", seed=0, registry=registry)
    cr = chain_rule(net, ARTICLE_222, np.full((4, 2), 0.5), "squared_error", 1, 1, 1)
    assert cr.label == "∂J/∂θ_11^(1)"
    assert [[f.label for f in p.factors] for p in cr.paths] == [
        ["∂J/∂a_1^(3)", "f′(z_1^(3))", "θ_11^(2)", "f′(z_1^(2))", "a_1^(1)"],
        ["∂J/∂a_2^(3)", "f′(z_2^(3))", "θ_21^(2)", "f′(z_1^(2))", "a_1^(1)"],
    ]
    assert [p.neurons for p in cr.paths] == [(1, 1), (1, 2)]
    assert cr.paths[0].factors[0].values.shape == (4,)
    last_layer = chain_rule(net, ARTICLE_222, np.full((4, 2), 0.5), "squared_error", 2, 2, 1, sample=1)
    assert [f.label for f in last_layer.paths[0].factors] == ["∂J/∂a_2^(3)", "f′(z_2^(3))", "a_1^(2)"]
    assert last_layer.samples == (1,)


def test_chain_rule_with_fused_cross_entropy_starts_from_delta(registry):
    net = Network([2, 2, 1], "sigmoid", seed=0, registry=registry)
    cr = chain_rule(net, ARTICLE_222, np.array([[0.0], [1.0], [1.0], [0.0]]), "cross_entropy", 1, 2, 0)
    assert cr.fused
    assert [f.label for f in cr.paths[0].factors] == [
        "δ_1^(3) = ∂J/∂z_1^(3)", "θ_12^(2)", "f′(z_2^(2))", "a_0^(1) = 1 (bias)"]
    assert cr.total == pytest.approx(cr.backprop, rel=1e-12)


def test_chain_rule_caps_the_paths_but_sums_them_all(registry):
    net = Network([2, 10, 10, 10, 3], "tanh", seed=0, registry=registry)
    X, Y = data_for(net.sizes)
    cr = chain_rule(net, X, Y, "squared_error", 1, 2, 1, max_paths=50)
    assert cr.n_paths == 300 and len(cr.paths) == 50 and cr.truncated
    assert cr.total == pytest.approx(cr.backprop, rel=1e-9)
    wide = Network([1, 40, 40, 40, 40, 2], "tanh", seed=0, registry=registry)
    X, Y = data_for(wide.sizes, m=40)
    cr = chain_rule(wide, X, Y, "squared_error", 1, 1, 1)
    assert not cr.enumerated and cr.truncated and len(cr.paths) == 200
    assert cr.total == pytest.approx(cr.backprop, rel=1e-9)


# -- symmetry ------------------------------------------------------------------------------------

def experiment_config(**changes):
    base = dict(dataset="moons", n_samples=100, hidden=(4,), activations=("sigmoid",),
                cost="squared_error", learning_rate=1.0, epochs=50)
    return ExperimentConfig(**{**base, **changes})


@pytest.fixture
def moons(registry):
    """100 moons points: 80 training rows, 37 of class 1. (A 50/50 split would leave zero init
    with sigmoid at a fixed point where no weight moves at all.)"""
    return make_dataset("moons", n=100, noise=0.1, seed=0, test_share=0.2, registry=registry)


def test_distinct_neurons_counts_equal_incoming_rows(registry):
    net = Network([2, 3, 4, 1], "sigmoid", init="zeros", registry=registry)
    assert distinct_neurons(net) == [1, 1]
    net.weights = [np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0 + 1e-12]]), net.weights[1], net.weights[2]]
    assert distinct_neurons(net) == [1, 1]
    net.biases = [np.array([0.0, 0.5, 0.0]), *net.biases[1:]]
    assert distinct_neurons(net) == [2, 1]


def test_zero_init_with_sigmoid_stays_symmetric(registry, moons):
    lab = SymmetryLab(experiment_config(), moons, registry)
    lab.step(50)
    zeros = lab.runs["zeros"]
    assert zeros.trainer.epoch == 50
    assert zeros.distinct["layer 2"].tolist() == [1] * 51
    assert not np.allclose(zeros.net.weights[0], 0.0)  # the units moved, together
    (diagnosis,) = lab.diagnoses()["zeros"]
    assert diagnosis.kind == "symmetric" and diagnosis.layer == 2
    assert diagnosis.message == "symmetric: the 4 hidden units of layer 2 are copies"


def test_zero_init_with_tanh_is_dead(registry, moons):
    lab = SymmetryLab(experiment_config(hidden=(4, 3), activations=("tanh", "tanh")), moons, registry)
    lab.step(20)
    dead = lab.diagnoses()["zeros"]
    assert [d.kind for d in dead] == ["dead", "dead"]
    assert dead[0].message.startswith("dead: no gradient reaches layer 2")
    assert np.all(lab.runs["zeros"].net.weights[0] == 0.0)
    assert np.any(lab.runs["zeros"].net.biases[-1] != 0.0)  # only the output bias learns


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_uniform_init_breaks_the_symmetry(registry, moons, activation):
    lab = SymmetryLab(experiment_config(hidden=(4, 3), activations=(activation,) * 2), moons, registry)
    lab.step(10)
    uniform = lab.runs["uniform"]
    assert uniform.distinct[["layer 2", "layer 3"]].eq([4, 3]).all().all()
    assert [d.kind for d in lab.diagnoses()["uniform"]] == ["broken", "broken"]
    assert lab.diagnoses()["uniform"][0].message == "4 distinct units"


def test_constant_init_is_symmetric_too(registry, moons):
    inits = (("constant", 0.3), ("constant", 0.1), ("uniform", 0.5))
    lab = SymmetryLab(experiment_config(activations=("tanh",)), moons, registry, inits=inits)
    assert list(lab.runs) == ["constant ε=0.3", "constant ε=0.1", "uniform"]
    lab.step(30)
    assert lab.runs["constant ε=0.3"].distinct["layer 2"].iloc[-1] == 1
    assert lab.diagnoses()["constant ε=0.1"][0].kind == "symmetric"


def test_lockstep_runs_share_data_and_differ_only_in_init(registry, moons):
    config = experiment_config()
    lab = SymmetryLab(config, moons, registry)
    lab.step(5)
    zeros, uniform = lab.runs["zeros"], lab.runs["uniform"]
    assert zeros.experiment.data is uniform.experiment.data is moons
    assert zeros.experiment.config == config.replace(init="zeros", epsilon=0.0)
    assert uniform.experiment.config == config.replace(init="uniform", epsilon=config.epsilon)
    assert zeros.trainer.epoch == uniform.trainer.epoch == lab.epoch == 5
    assert list(zeros.distinct["epoch"]) == list(range(6))


def test_lockstep_history_equals_a_standalone_run(registry, moons):
    config = experiment_config(hidden=(4, 3), activations=("tanh", "sigmoid"), batch_size=16)
    lab = SymmetryLab(config, moons, registry)
    for _ in range(4):
        lab.step(10)
    for run in lab.runs.values():
        alone = build(config.replace(init=run.init, epsilon=run.epsilon), registry, data=moons)
        alone.trainer.fit(40)
        pd.testing.assert_frame_equal(run.trainer.history, alone.trainer.history, check_exact=True)
        assert all(np.array_equal(a, b) for a, b in zip(run.net.weights, alone.net.weights))


def test_diagnose_on_a_network_directly(registry):
    net = Network([2, 4, 1], "sigmoid", init="uniform", epsilon=0.5, seed=0, registry=registry)
    X, Y = data_for(net.sizes)
    (d,) = diagnose(net, X, Y)
    assert (d.kind, d.units, d.distinct) == ("broken", 4, 4)


# -- symmetry with dropout: what the masks do, measured -------------------------------------------

SIGMOID_DROPOUT = ({"layer": "dense", "units": 6, "activation": "sigmoid"}, {"layer": "dropout", "rate": 0.2},
                   {"layer": "dense", "units": 4, "activation": "sigmoid"})


def stack_config(layers, **changes):
    base = dict(dataset="moons", n_samples=100, layers=layers, cost="squared_error", learning_rate=1.0)
    return ExperimentConfig(**{**base, **changes})


def test_dropout_makes_the_units_it_drops_distinct_from_a_zero_start(registry, moons):
    lab = SymmetryLab(stack_config(SIGMOID_DROPOUT), moons, registry)
    lab.step(100)
    zeros = lab.runs["zeros"].distinct
    assert list(zeros.columns) == ["epoch", "layer 2", "layer 4"]  # layer 3 is dropout's: layer 2's units
    assert zeros["layer 2"].iloc[0] == 1 and zeros["layer 2"].iloc[-1] == 6  # the masks broke the symmetry
    assert (zeros["layer 4"] == 1).all()  # after the dropout: the same inputs and δ for every unit
    (dropped, after), (random, _) = lab.diagnoses()["zeros"], lab.diagnoses()["uniform"]
    assert (dropped.kind, after.kind) == ("broken", "symmetric")
    assert 0 < dropped.spread < 0.01 * random.spread and after.spread == 0  # apart, but barely
    assert [(d.kind, d.distinct) for d in lab.diagnoses()["uniform"]] == [("broken", 6), ("broken", 4)]


def test_without_dropout_the_same_zero_start_stays_symmetric(registry, moons):
    lab = SymmetryLab(stack_config(SIGMOID_DROPOUT[::2]), moons, registry)
    lab.step(100)
    assert (lab.runs["zeros"].distinct[["layer 2", "layer 3"]] == 1).all().all()
    assert [d.kind for d in lab.diagnoses()["zeros"]] == ["symmetric", "symmetric"]


def test_dropout_cannot_revive_a_dead_layer(registry, moons):
    tanh = tuple({**spec, "activation": "tanh"} if "activation" in spec else spec for spec in SIGMOID_DROPOUT)
    lab = SymmetryLab(stack_config(tanh), moons, registry)
    lab.step(50)
    assert [d.kind for d in lab.diagnoses()["zeros"]] == ["dead", "dead"]
    assert np.all(lab.runs["zeros"].net.weights[0] == 0.0)


def test_the_lab_with_dropout_trains_each_run_as_alone_with_the_same_masks(registry, moons):
    config = stack_config(SIGMOID_DROPOUT, batch_size=16)
    lab = SymmetryLab(config, moons, registry)
    lab.step(20)
    zeros, uniform = lab.runs["zeros"], lab.runs["uniform"]
    assert zeros.trainer.rng.bit_generator.state == uniform.trainer.rng.bit_generator.state
    for run in lab.runs.values():
        alone = build(config.replace(init=run.init, epsilon=run.epsilon), registry, data=moons)
        alone.trainer.fit(20)
        pd.testing.assert_frame_equal(run.trainer.history, alone.trainer.history, check_exact=True)
