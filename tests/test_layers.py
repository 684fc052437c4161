"""Layers as plugins: the layer-spec API, the built-in layers (dense, softmax, dropout), the
example layer norm, and every layer's backprop held to central differences of its forward."""
import numpy as np
import pytest

from bpdash import Network
from bpdash.context import Context
from bpdash.gradcheck import gradient_check
from bpdash.stack import LayerSpecError, canonical
from bpdash.trainer import Trainer
from stacks import layer_registry, random_stack, three_classes

SOFTMAX_STACK = [{"layer": "dense", "units": 6, "activation": "tanh"},
                 {"layer": "dropout", "rate": 0.3},
                 {"layer": "softmax", "units": 3}]


@pytest.fixture(scope="module")
def layers():
    return layer_registry()


# -- the layer-spec API -------------------------------------------------------------------------

def test_names_build_a_softmax_output(registry):
    net = Network([2, 8, 3], ["tanh", "softmax"], seed=0, registry=registry)
    assert net.specs == [{"layer": "dense", "units": 8, "activation": "tanh"},
                         {"layer": "softmax", "units": 3}]
    assert net.sizes == [2, 8, 3] and net.activation_names == ["tanh", "softmax"]
    assert [W.shape for W in net.weights] == [(8, 2), (3, 8)]
    outputs = net.forward(np.random.default_rng(0).normal(size=(5, 2)))
    np.testing.assert_allclose(outputs.sum(axis=1), 1.0, rtol=1e-14)
    assert (outputs > 0).all()


def test_specs_build_a_stack_with_dropout(registry):
    net = Network.from_specs(2, SOFTMAX_STACK, seed=0, registry=registry)
    assert net.sizes == [2, 6, 6, 3] and net.describe() == "2-6-6-3 tanh/dropout/softmax"
    assert net.weights[1] is None and net.biases[1] is None  # dropout has no parameters
    assert [len(p) for p in net.params] == [2, 0, 2]
    # the article's numbering: layer 3 is dropout's output, Θ^(3) feeds the softmax
    assert net.weights[2].shape == (3, 6)


def test_the_network_wide_bias_flag_reaches_every_layer_with_a_bias(registry):
    net = Network.from_specs(2, SOFTMAX_STACK, bias=False, seed=0, registry=registry)
    assert [len(p) for p in net.params] == [1, 0, 1]
    assert not net.biases[0].any() and net.biases[1] is None and not net.biases[2].any()
    grads = net.backprop(np.ones((3, 2)), np.eye(3), "categorical_cross_entropy")
    assert not grads.biases[2].any()


def test_the_same_seed_draws_the_same_parameters_whatever_the_stack_around_them(registry):
    """Θ then b, layer by layer, from one generator: dropout (no parameters) draws nothing."""
    with_dropout = Network.from_specs(2, SOFTMAX_STACK, seed=4, registry=registry)
    without = Network([2, 6, 3], ["tanh", "softmax"], seed=4, registry=registry)
    assert all(np.array_equal(a, b) for a, b in zip([with_dropout.weights[0], with_dropout.weights[2]],
                                                     without.weights))


def test_canonical_specs_fill_in_defaults(registry):
    assert canonical({"layer": "dropout"}, registry) == {"layer": "dropout", "rate": 0.5}
    assert canonical({"layer": "dense", "units": 4}, registry) == {
        "layer": "dense", "units": 4, "activation": "sigmoid"}


@pytest.mark.parametrize("spec, words", [
    ({"layer": "convolution"}, ["layer 1", "unknown layer type 'convolution'", "dense", "dropout"]),
    ({"layer": "dropout", "rate": 1.0}, ["layer 1 (dropout)", "rate", "< 1", "1.0"]),
    ({"layer": "dropout", "p": 0.2}, ["unknown setting 'p'", "settings of dropout are rate"]),
    ({"layer": "dense", "units": 0}, ["units", "≥ 1"]),
    ({"layer": "dense", "units": 3, "activation": "swishy"}, ["unknown activation 'swishy'", "tanh"]),
    ("dense", ["a layer spec is a dict"]),
])
def test_bad_specs_are_refused_naming_the_layer_and_the_setting(registry, spec, words):
    with pytest.raises(LayerSpecError) as caught:
        Network.from_specs(2, [spec], registry=registry)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_an_unknown_name_lists_activations_and_output_layers(registry):
    with pytest.raises(KeyError, match=r"'sofmax'.*or an output layer \['softmax'\]"):
        Network([2, 3], "sofmax", registry=registry)


# -- one backprop for every layer: central differences ----------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_backprop_agrees_with_central_differences_on_random_stacks(layers, seed):
    """Every parameter of every layer, dropout's masks held fixed (a recorded training pass)."""
    n_in, specs, cost, X, Y = random_stack(seed)
    net = Network.from_specs(n_in, specs, seed=seed, registry=layers)
    context = Context(training=True, rng=np.random.default_rng(seed), record=True)
    checks = gradient_check(net, X, Y, cost, context=context)
    assert [c.layer for c in checks] == [l + 1 for l, p in enumerate(net.params) if p]
    for c in checks:
        assert c.relative_error < 1e-7, (specs, c.label, c.relative_error)


def test_backprop_of_a_training_pass_uses_the_masks_it_drew(registry):
    net = Network.from_specs(2, SOFTMAX_STACK, seed=0, registry=registry)
    X, Y = three_classes(8)
    context = Context(training=True, rng=np.random.default_rng(1), record=True)
    grads = net.backprop(X, Y, "categorical_cross_entropy", context=context)
    (mask,) = context.draws[1]
    assert set(np.unique(mask)) <= {0.0, 1 / 0.7} and 0 < np.count_nonzero(mask) < mask.size
    np.testing.assert_array_equal(grads.activations[2], grads.activations[1] * mask)
    np.testing.assert_array_equal(grads.deltas[1], (grads.deltas[2] @ net.weights[2]) * mask)
    again = net.backprop(X, Y, "categorical_cross_entropy", context=context.replay())
    assert again.cost == grads.cost
    outside = net.backprop(X, Y, "categorical_cross_entropy")  # evaluation: dropout is the identity
    np.testing.assert_array_equal(outside.activations[2], outside.activations[1])


# -- dropout in training ----------------------------------------------------------------------

def dropout_trainer(registry, seed=3, **options):
    X, Y = three_classes(60)
    net = Network.from_specs(2, SOFTMAX_STACK, seed=0, registry=registry)
    return Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy", seed=seed,
                   X_test=X[:10], Y_test=Y[:10], **options)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_dropout_runs_reproduce_bit_for_bit_and_depend_on_the_seed(registry, batch_size):
    first = dropout_trainer(registry, batch_size=batch_size).fit(30)
    assert first.equals(dropout_trainer(registry, batch_size=batch_size).fit(30))
    assert not first.equals(dropout_trainer(registry, seed=4, batch_size=batch_size).fit(30))


def test_a_dropout_run_resumes_exactly_from_its_saved_generator_state(registry):
    whole = dropout_trainer(registry)
    whole.fit(20)
    first = dropout_trainer(registry)
    first.fit(10)
    saved = (first.history, first.epoch, first.rng.bit_generator.state, first.net.params)
    resumed = dropout_trainer(registry, seed=99)  # another seed: the restored state must win
    resumed.net.params = saved[3]
    resumed.restore(saved[0], saved[1], saved[2])
    resumed.fit(10)
    assert resumed.history.equals(whole.history)
    assert all(np.array_equal(a, b) for a, b in zip(resumed.net.weights[::2], whole.net.weights[::2]))


def test_with_dropout_the_test_set_is_scored_outside_training(registry):
    """The test cost of epoch e is the evaluation-mode cost at the parameters epoch e began from."""
    trainer = dropout_trainer(registry)
    trainer.fit(5)
    for epoch in (1, 5):
        start = trainer.snapshots.at(epoch - 1)
        twin = trainer.net.copy()
        twin.params = start.params
        expected = twin.cost(trainer.X_test, trainer.Y_test, "categorical_cross_entropy")
        assert trainer.history["test_cost"].iloc[epoch - 1] == pytest.approx(expected, rel=1e-12)


def test_without_dropout_the_stacked_pass_scores_the_test_set_as_its_own_pass_would(registry):
    X, Y = three_classes(60)
    net = Network([2, 6, 3], ["tanh", "softmax"], seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy",
                      X_test=X[:10] + 0.1, Y_test=Y[:10])
    trainer.fit(4)
    for epoch in range(1, 5):
        twin = net.copy()
        twin.params = trainer.snapshots.at(epoch - 1).params
        row = trainer.history.iloc[epoch - 1]
        assert row["test_cost"] == pytest.approx(twin.cost(X[:10] + 0.1, Y[:10], "categorical_cross_entropy"),
                                                 rel=1e-12)
        assert row["cost"] == pytest.approx(twin.cost(X, Y, "categorical_cross_entropy"), rel=1e-12)


# -- several outputs: softmax training and argmax accuracy --------------------------------------

def test_softmax_training_separates_three_classes_and_counts_the_argmax(registry):
    X, Y = three_classes(90)
    net = Network([2, 12, 3], ["tanh", "softmax"], seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=1.0, cost="categorical_cross_entropy")
    assert trainer._linked  # δ^(L) = (a − y)/m, the cost's link to the softmax, checked sound
    history = trainer.fit(400)
    assert history["cost"].iloc[-1] < history["cost"].iloc[0] / 4
    outputs = net.forward(X)
    assert trainer.evaluate()["accuracy"] == np.mean(outputs.argmax(1) == Y.argmax(1)) > 0.9
    assert history["accuracy"].iloc[-1] > 0.9


def test_history_norms_are_kept_for_the_layers_with_weights(registry):
    trainer = dropout_trainer(registry)
    trainer.fit(2)
    assert trainer.columns == ["epoch", "cost", "test_cost", "accuracy", "test_accuracy",
                               "grad_norm_1", "grad_norm_3", "weight_norm_1", "weight_norm_3"]
    snapshot = trainer.snapshots.latest
    assert snapshot.weights[1] is None and snapshot.grad_weights[2].shape == (3, 6)
    assert trainer.history["weight_norm_3"].iloc[-1] == pytest.approx(np.linalg.norm(trainer.net.weights[2]))


# -- float32 ----------------------------------------------------------------------------------

def test_float32_trains_in_float32_and_follows_float64(layers):
    X, Y = three_classes(60)
    specs = [{"layer": "dense", "units": 8, "activation": "sigmoid"}, {"layer": "layer_norm"},
             {"layer": "dropout", "rate": 0.2}, {"layer": "softmax", "units": 3}]
    runs = {}
    for dtype in ("float64", "float32"):
        net = Network.from_specs(2, specs, seed=0, registry=layers, dtype=dtype)
        trainer = Trainer(net, X, Y, learning_rate=0.3, cost="categorical_cross_entropy", seed=1,
                          batch_size=16, X_test=X[:9], Y_test=Y[:9], optimizer="adam", regularization="l2",
                          reg_rate=0.01)
        runs[dtype] = trainer.fit(20)
        assert {p.dtype for layer in net.params for p in layer} == {np.dtype(dtype)}
        assert {g.dtype for layer in trainer.snapshots.latest.gradients for g in layer} == {np.dtype(dtype)}
    np.testing.assert_allclose(runs["float32"]["cost"], runs["float64"]["cost"], rtol=1e-5)


def test_the_gradient_check_of_a_float32_network_runs_in_float64(registry):
    X, Y = three_classes(10)
    net = Network([2, 4, 3], ["tanh", "softmax"], seed=0, registry=registry, dtype="float32")
    checks = gradient_check(net, X, Y, "categorical_cross_entropy")
    assert all(c.backprop_weights.dtype == np.float64 and c.relative_error < 1e-7 for c in checks)
    assert net.weights[0].dtype == np.float32  # the network itself is left as it was


def test_an_unknown_dtype_is_refused(registry):
    with pytest.raises(ValueError, match="float64, float32"):
        Network([2, 2], dtype="float16", registry=registry)


# -- the example layer norm ---------------------------------------------------------------------

def test_the_example_layer_norm_loads_as_a_folder_plugin_and_trains(layers):
    assert layers.origin[("layers", "layer_norm")].startswith("plugin 'layernorm'")
    X, Y = three_classes(90)
    specs = [{"layer": "dense", "units": 10, "activation": "relu"}, {"layer": "layer_norm"},
             {"layer": "softmax", "units": 3}]
    net = Network.from_specs(2, specs, seed=1, registry=layers)
    assert [p.name for p in net.layers[1].parameters] == ["gamma", "beta"]
    assert (net.params[1][0] == 1).all() and (net.params[1][1] == 0).all()  # γ = 1, β = 0 at first
    trainer = Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy", X_test=X[:20],
                      Y_test=Y[:20])
    history = trainer.fit(300)
    assert history["cost"].iloc[-1] < history["cost"].iloc[0] / 4 and history["accuracy"].iloc[-1] > 0.9
    assert not np.array_equal(net.params[1][0], np.ones(10))  # γ learned
    normalized = net.forward_pass(X)[0][1]
    assert normalized.shape == (90, 10)


# -- what the inspector, the chain rule and the symmetry lab need on any stack -----------------

def test_every_layer_states_its_formulas_in_the_articles_notation(layers):
    net = Network.from_specs(2, [{"layer": "dense", "units": 3, "activation": "tanh"},
                                 {"layer": "dropout", "rate": 0.2}, {"layer": "layer_norm"},
                                 {"layer": "softmax", "units": 2}], registry=layers)
    for l, op in enumerate(net.layers, start=1):
        formulas = op.formulas(l)
        assert set(formulas) == {"forward", "delta", "gradients"}
        assert f"^{{({l + 1})}}" in formulas["forward"] and f"^{{({l + 1})}}" in formulas["delta"]
    assert r"a^{(4)}\,\Theta^{(4)\top}" in net.layers[3].formulas(4)["forward"]


def test_the_chain_rule_expands_through_dropout_with_its_masks(registry):
    from bpdash.chainrule import chain_rule, count_paths

    X, Y = three_classes(6)
    net = Network.from_specs(2, SOFTMAX_STACK, seed=0, registry=registry)
    context = Context(training=True, rng=np.random.default_rng(2), record=True)
    net.backprop(X, Y, "categorical_cross_entropy", context=context)
    result = chain_rule(net, X, Y, "categorical_cross_entropy", 1, 2, 1, context=context.replay())
    grads = net.backprop(X, Y, "categorical_cross_entropy", context=context.replay())
    assert result.total == pytest.approx(grads.weights[0][1, 0], rel=1e-10)
    assert result.backprop == grads.weights[0][1, 0] and result.fused  # δ^(L) of the softmax first
    # a path enters dropout's layer on its own neuron: 3 outputs, 1 × 3 paths
    assert count_paths(net, 1) == result.n_paths == 3
    labels = [f.label for f in result.paths[0].factors]
    assert labels[0].startswith("δ_1^(4)") and "r_2^(3)/(1−p)" in labels and "f′(z_2^(2))" in labels


def test_the_chain_rule_expands_through_dropout_outside_training_as_through_the_identity(registry):
    from bpdash.chainrule import chain_rule

    X, Y = three_classes(6)
    net = Network.from_specs(2, SOFTMAX_STACK, seed=0, registry=registry)
    result = chain_rule(net, X, Y, "categorical_cross_entropy", 1, 1, 2)
    assert result.total == pytest.approx(result.backprop, rel=1e-10)
    dropout_factor = [f for f in result.paths[0].factors if f.label.startswith("r_")]
    assert len(dropout_factor) == 1 and (dropout_factor[0].values == 1).all()


def test_the_chain_rule_refuses_a_layer_that_mixes_its_inputs(layers):
    from bpdash.chainrule import ChainRuleError, chain_rule

    X, Y = three_classes(6)
    net = Network.from_specs(2, [{"layer": "dense", "units": 3, "activation": "tanh"}, {"layer": "layer_norm"},
                                 {"layer": "softmax", "units": 3}], seed=0, registry=layers)
    with pytest.raises(ChainRuleError, match=r"through layer 3 \(layer_norm\).*Backprop's δ"):
        chain_rule(net, X, Y, "categorical_cross_entropy", 1, 1, 1)
    with pytest.raises(ValueError, match=r"layer 2 \(layer_norm\) has no weights"):
        chain_rule(net, X, Y, "categorical_cross_entropy", 2, 1, 1)
    after = chain_rule(net, X, Y, "categorical_cross_entropy", 3, 1, 1)  # the softmax's own weights
    assert after.total == pytest.approx(after.backprop, rel=1e-10)


def test_the_symmetry_lab_counts_the_units_fed_through_weights(registry):
    from bpdash.symmetry import diagnose, distinct_neurons, hidden_layers

    net = Network.from_specs(2, SOFTMAX_STACK, init="zeros", registry=registry)
    assert hidden_layers(net) == [2]  # layer 3 is dropout's copy of layer 2
    assert distinct_neurons(net) == [1]
    X, Y = three_classes(12)
    (diagnosis,) = diagnose(net, X, Y, "categorical_cross_entropy")
    assert diagnosis.layer == 2 and diagnosis.kind == "dead"  # tanh, zero weights: no gradient


def test_a_hidden_layer_without_weights_passes_on_the_units_before_it(layers):
    from bpdash.symmetry import PassedOn, hidden_layers, hidden_units, passed_on

    net = Network.from_specs(2, [{"layer": "dense", "units": 6, "activation": "tanh"}, {"layer": "dropout", "rate": 0.2},
                                 {"layer": "layer_norm"}, {"layer": "dense", "units": 4, "activation": "tanh"},
                                 {"layer": "softmax", "units": 3}], registry=layers)
    assert hidden_layers(net) == [2, 5] and hidden_units(net) == [6, 4]
    assert passed_on(net) == [PassedOn(3, "dropout", 2, 6), PassedOn(4, "layer_norm", 2, 6)]
    on_inputs = Network.from_specs(2, [{"layer": "dropout", "rate": 0.2}, {"layer": "softmax", "units": 3}],
                                   registry=layers)
    assert hidden_layers(on_inputs) == [] and passed_on(on_inputs) == [PassedOn(2, "dropout", 1, 2)]
