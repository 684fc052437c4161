"""Network and backpropagation against values computed by hand."""
import math

import numpy as np
import pytest

from bpdash import Network

# A classic hand-worked 2-2-2 sigmoid example (inputs .05/.10, targets .01/.99), with the
# article's mailing-label layout: row j = to neuron j, column k = from neuron k.
X = np.array([[0.05, 0.10]])
Y = np.array([[0.01, 0.99]])
THETA_1 = np.array([[0.15, 0.20], [0.25, 0.30]])
THETA_2 = np.array([[0.40, 0.45], [0.50, 0.55]])
B_1, B_2 = np.array([0.35, 0.35]), np.array([0.60, 0.60])


@pytest.fixture
def article_net(registry):
    net = Network([2, 2, 2], "sigmoid", registry=registry)
    net.weights = [THETA_1.copy(), THETA_2.copy()]
    net.biases = [B_1.copy(), B_2.copy()]
    return net


def sigma(z):
    return 1 / (1 + math.exp(-z))


def test_forward_matches_hand_computation(article_net):
    out = article_net.forward(X)
    assert out == pytest.approx(np.array([[0.75136507, 0.772928465]]), abs=1e-8)


def test_backprop_matches_hand_computation(article_net):
    grads = article_net.backprop(X, Y)
    assert grads.cost == pytest.approx(0.298371109, abs=1e-9)
    assert grads.weights[1][0, 0] == pytest.approx(0.082167041, abs=1e-9)  # ∂J/∂θ_11^(2)
    assert grads.weights[0][0, 0] == pytest.approx(0.000438568, abs=1e-9)  # ∂J/∂θ_11^(1)


def test_every_partial_matches_the_chain_rule_written_out(article_net):
    """∂J/∂θ_jk^(1) = Σ_o (a_o − y_o) a_o(1 − a_o) θ_oj^(2) a_j(1 − a_j) x_k, scalar by scalar."""
    x, y = X[0], Y[0]
    hidden = [sigma(sum(THETA_1[j, k] * x[k] for k in range(2)) + B_1[j]) for j in range(2)]
    out = [sigma(sum(THETA_2[o, j] * hidden[j] for j in range(2)) + B_2[o]) for o in range(2)]
    grads = article_net.backprop(X, Y)
    for j in range(2):
        for k in range(2):
            by_hand = sum((out[o] - y[o]) * out[o] * (1 - out[o]) * THETA_2[o, j]
                          for o in range(2)) * hidden[j] * (1 - hidden[j]) * x[k]
            assert grads.weights[0][j, k] == pytest.approx(by_hand, rel=1e-12)
            assert grads.weights[1][j, k] == pytest.approx(
                (out[j] - y[j]) * out[j] * (1 - out[j]) * hidden[k], rel=1e-12)


def test_shapes_follow_the_mailing_label(registry):
    net = Network([3, 5, 4, 2], ["tanh", "relu", "sigmoid"], seed=1, registry=registry)
    assert [W.shape for W in net.weights] == [(5, 3), (4, 5), (2, 4)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    grads = net.backprop(np.ones((7, 3)), np.zeros((7, 2)))
    assert [g.shape for g in grads.weights] == [(5, 3), (4, 5), (2, 4)]
    assert [d.shape for d in grads.deltas] == [(7, 5), (7, 4), (7, 2)]
    assert [a.shape for a in grads.activations] == [(7, 3), (7, 5), (7, 4), (7, 2)]
    assert len(grads.zs) == 3


def test_a_gradient_step_lowers_the_cost(registry):
    """δ = ∂J/∂z: stepping against the gradient must go downhill (the article's sign would climb)."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.uniform(size=(20, 2))
    net = Network([3, 4, 2], "sigmoid", seed=0, registry=registry)
    grads = net.backprop(X, Y)
    net.weights = [W - 0.1 * g for W, g in zip(net.weights, grads.weights)]
    net.biases = [b - 0.1 * g for b, g in zip(net.biases, grads.biases)]
    assert net.backprop(X, Y).cost < grads.cost


def test_without_bias_biases_stay_zero_and_get_no_gradient(registry):
    net = Network([2, 3, 1], "tanh", bias=False, seed=0, registry=registry)
    grads = net.backprop(np.ones((4, 2)), np.ones((4, 1)))
    assert all(not b.any() for b in net.biases)
    assert all(not g.any() for g in grads.biases)


def test_same_seed_same_weights_other_seed_other_weights(registry):
    first = Network([2, 4, 1], "tanh", seed=3, registry=registry)
    again = Network([2, 4, 1], "tanh", seed=3, registry=registry)
    other = Network([2, 4, 1], "tanh", seed=4, registry=registry)
    assert all(np.array_equal(a, b) for a, b in zip(first.weights, again.weights))
    assert not np.array_equal(first.weights[0], other.weights[0])


def test_uniform_init_stays_within_epsilon(registry):
    net = Network([10, 20, 5], "sigmoid", init="uniform", epsilon=0.07, seed=0, registry=registry)
    assert all(np.abs(W).max() <= 0.07 for W in net.weights)


@pytest.mark.parametrize("sizes, activations, message", [
    ([2], "sigmoid", "input and an output"),
    ([2, 0, 1], "sigmoid", r"sizes\[1\]"),
    ([2, 2.5, 1], "sigmoid", r"sizes\[1\]"),
    ([2, 3, 1], ["tanh"], "one per non-input layer"),
])
def test_bad_architectures_are_refused_with_the_reason(registry, sizes, activations, message):
    with pytest.raises(ValueError, match=message):
        Network(sizes, activations, registry=registry)


def test_unknown_activation_lists_the_choices(registry):
    with pytest.raises(KeyError, match="sigmoid"):
        Network([2, 2], "swishy", registry=registry)


def test_assigned_weights_of_the_wrong_shape_are_named(registry):
    net = Network([2, 3, 1], "tanh", seed=0, registry=registry)
    net.weights = [net.weights[0], np.zeros((3, 1))]
    with pytest.raises(ValueError, match=r"Θ\^\(2\)"):
        net.forward(np.zeros((1, 2)))


def test_weights_change_by_assignment_not_by_item(registry):
    """``net.weights`` is a view of the parameters: assigning one entry would be lost, so it
    refuses loudly; assigning the whole list works."""
    net = Network([2, 3, 1], "tanh", seed=0, registry=registry)
    with pytest.raises(TypeError):
        net.weights[1] = np.zeros((1, 3))
    net.weights = [net.weights[0], np.ones((1, 3))]
    assert (net.weights[1] == 1).all() and (net.params[1][0] == 1).all()


def test_cross_entropy_is_stable_for_saturated_sigmoid_outputs(registry):
    """a = σ(5000) = 1 for y = 0: J is capped by the cost's clip of a to 1 − 1e-12, and δ^(L)
    is the link's (a − y)/m = 1 exactly (the composition would divide by a(1 − a) = 0)."""
    net = Network([1, 1], "sigmoid", registry=registry)
    net.weights, net.biases = [np.array([[100.0]])], [np.array([0.0])]
    grads = net.backprop(np.array([[50.0]]), np.array([[0.0]]), cost="cross_entropy")
    assert grads.cost == pytest.approx(-np.log1p(-(1 - 1e-12)), rel=1e-12)
    assert grads.deltas[-1][0, 0] == 1.0 and grads.weights[0][0, 0] == 50.0
