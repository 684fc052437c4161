"""What the inspector and the gradient check need of any stack, in the engine: a trainer's last
training pass replayed with the masks it drew, a pass over some of its rows, the chain rule's
words where it does not expand a product, and a check of every parameter array with dropout's
masks held fixed."""
import numpy as np
import pytest

from bpdash import Network
from bpdash.chainrule import chain_rule, output_note
from bpdash.context import Context
from bpdash.gradcheck import gradient_check, training_context
from bpdash.trainer import Trainer
from stacks import layer_registry, three_classes

DROPOUT = [{"layer": "dense", "units": 6, "activation": "tanh"}, {"layer": "dropout", "rate": 0.3},
           {"layer": "softmax", "units": 3}]
LAYER_NORM = [{"layer": "dense", "units": 5, "activation": "tanh"}, {"layer": "layer_norm"},
              {"layer": "dropout", "rate": 0.5}, {"layer": "dense", "units": 3, "activation": "sigmoid"}]


@pytest.fixture(scope="module")
def layers():
    return layer_registry()


def dropout_mask(rng, shape, rate):
    """Dropout's mask as the plugin draws it: r/(1 − p), r = 1 where a uniform draw ≥ p."""
    return (rng.random(shape) >= rate) / (1 - rate)


# -- the last training pass -------------------------------------------------------------------

def test_a_full_batch_trainer_replays_the_masks_its_training_pass_drew(registry):
    X, Y = three_classes()
    net = Network.from_specs(2, DROPOUT, seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy", seed=11)
    assert trainer.last_pass() is None  # no training pass yet
    rng = np.random.default_rng(11)  # the run's seed: the full batch draws one mask an epoch, nothing else
    for epoch in range(1, 4):
        expected = dropout_mask(rng, (40, 6), 0.3)
        trainer.fit(1)
        rows, context = trainer.last_pass()
        np.testing.assert_array_equal(rows, np.arange(40))
        (mask,) = context.drawn(1)
        np.testing.assert_array_equal(mask, expected)
        # backprop at the parameters the epoch started from, in the replayed masks, is the update's gradient
        before = net.copy()
        before.params = trainer.snapshots.at(epoch - 1).params
        grads = before.backprop(X[rows], Y[rows], "categorical_cross_entropy", context=context)
        for got, used in zip(grads.params, trainer.snapshots.at(epoch).gradients):
            for g, u in zip(got, used):
                np.testing.assert_allclose(g, u, rtol=1e-12, atol=1e-15)


def test_a_mini_batch_trainer_replays_its_last_batch_with_that_batchs_masks(registry):
    X, Y = three_classes(30)
    net = Network.from_specs(2, DROPOUT, seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy", seed=5, batch_size=8)
    trainer.fit(2)
    rng = np.random.default_rng(5)  # each epoch: the order, then one mask per batch (8, 8, 8, 6 rows)
    for _ in range(2):
        order = rng.permutation(30)
        masks = [dropout_mask(rng, (len(order[s:s + 8]), 6), 0.3) for s in range(0, 30, 8)]
    rows, context = trainer.last_pass()
    np.testing.assert_array_equal(rows, order[24:])
    np.testing.assert_array_equal(context.drawn(1)[0], masks[-1])


def test_a_stack_without_dropout_keeps_no_pass_and_a_restored_run_has_none_yet(registry):
    X, Y = three_classes(12)
    plain = Trainer(Network([2, 4, 3], ["tanh", "softmax"], seed=0, registry=registry), X, Y,
                    learning_rate=0.5, cost="categorical_cross_entropy")
    plain.fit(2)
    assert plain.last_pass() is None
    trainer = Trainer(Network.from_specs(2, DROPOUT, seed=0, registry=registry), X, Y, learning_rate=0.5,
                      cost="categorical_cross_entropy", seed=1)
    trainer.fit(2)
    assert trainer.last_pass() is not None
    trainer.restore(trainer.history, trainer.epoch)
    assert trainer.last_pass() is None


def test_a_pass_over_some_rows_replays_those_rows_masks(layers):
    X, Y = three_classes(10)
    net = Network.from_specs(2, LAYER_NORM, seed=0, registry=layers)
    context = Context(training=True, rng=np.random.default_rng(3), record=True)
    whole = net.forward_pass(X, context)[1]
    rows = np.array([7, 2, 4])
    part = net.forward_pass(X[rows], context.take(rows))[1]
    for a_whole, a_part in zip(whole, part):
        np.testing.assert_array_equal(a_part, a_whole[rows])
    np.testing.assert_array_equal(context.replay().take(rows).drawn(2)[0], context.drawn(2)[0][rows])


# -- the chain rule ---------------------------------------------------------------------------

def test_the_chain_rule_of_one_sample_uses_that_samples_masks(registry):
    X, Y = three_classes(9)
    net = Network.from_specs(2, DROPOUT, seed=0, registry=registry)
    context = Context(training=True, rng=np.random.default_rng(2), record=True)
    net.forward_pass(X, context)
    for sample in (0, 5):
        result = chain_rule(net, X, Y, "categorical_cross_entropy", 1, 3, 2, sample=sample,
                            context=context.replay())
        one = net.backprop(X[sample:sample + 1], Y[sample:sample + 1], "categorical_cross_entropy",
                           context=context.take(slice(sample, sample + 1)))
        assert result.total == pytest.approx(one.weights[0][2, 1], rel=1e-10, abs=1e-15)
        assert result.backprop == one.weights[0][2, 1]
        (dropout,) = [f for f in result.paths[0].factors if f.label.startswith("r_")]
        assert dropout.values[0] == context.drawn(1)[0][sample, 2]  # the path stays on neuron 3


def test_the_chain_rule_says_why_it_starts_from_the_outputs_delta(registry):
    softmax = Network([2, 3, 3], ["tanh", "softmax"], seed=0, registry=registry)
    for cost in ("categorical_cross_entropy", "squared_error"):
        note = output_note(softmax, cost)
        assert "softmax" in note and "Jacobian is not diagonal" in note and "δ_o^(3)" in note
    X, Y = three_classes(5)
    assert chain_rule(softmax, X, Y, "squared_error", 1, 1, 1).note == output_note(softmax, "squared_error")
    sigmoid = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    assert "taken together" in output_note(sigmoid, "cross_entropy")
    assert output_note(sigmoid, "squared_error") == ""  # the article's product, expanded in full


# -- the gradient check -----------------------------------------------------------------------

@pytest.mark.parametrize("specs, cost", [
    (DROPOUT, "categorical_cross_entropy"),
    ([{"layer": "dense", "units": 4, "activation": "sigmoid"}, {"layer": "softmax", "units": 3}], "squared_error"),
    (LAYER_NORM, "squared_error"),
], ids=["dropout", "softmax", "layer-norm"])
def test_the_gradient_check_covers_every_parameter_array(layers, specs, cost):
    X, Y = three_classes(12)
    net = Network.from_specs(2, specs, seed=0, registry=layers)
    context = training_context(net, seed=4)
    checks = gradient_check(net, X, Y, cost, context=context)
    labels = [label for c in checks for label in c.labels]
    expected = [f"{p.symbol}^({l})" for l, op in enumerate(net.layers, start=1) for p in op.parameters]
    assert labels == expected and len(expected) == sum(len(p) for p in net.params)
    for c in checks:
        assert all(error < 1e-7 for error in c.relative_errors), (c.labels, c.relative_errors)
        assert c.passed()
    if context is None:
        assert not any(op.training_differs for op in net.layers)
    else:  # the check ran in training, dropout dropping units: not the evaluation pass's gradient
        evaluation = gradient_check(net, X, Y, cost)
        assert not np.allclose(checks[0].backprop_weights, evaluation[0].backprop_weights)


def test_the_layer_norms_parameters_are_named_by_their_symbols(layers):
    X, Y = three_classes(8)
    net = Network.from_specs(2, LAYER_NORM, seed=0, registry=layers)
    checks = gradient_check(net, X, Y, "squared_error", context=training_context(net, 0))
    assert [c.labels for c in checks] == [("Θ^(1)", "b^(1)"), ("γ^(2)", "β^(2)"), ("Θ^(4)", "b^(4)")]
    assert checks[1].label == "γ^(2), β^(2)"
