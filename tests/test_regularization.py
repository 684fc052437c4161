"""Regularization: the penalty and its gradient (weights only), in backprop, the gradient check,
the chain rule's total, the trainer's history, and L1's exact zeros."""
import numpy as np
import pytest

from bpdash import Network
from bpdash.chainrule import chain_rule
from bpdash.gradcheck import gradient_check, numeric_gradient
from bpdash.regularization import clip_l1, gradient, penalty
from bpdash.trainer import Trainer

W1 = np.array([[0.5, -2.0], [0.0, 1.5]])
W2 = np.array([[-1.0, 3.0]])


def test_penalties_by_hand():
    assert penalty([W1, W2], "l2", 0.1) == pytest.approx(0.05 * (0.25 + 4 + 2.25 + 1 + 9))
    assert penalty([W1, W2], "l1", 0.1) == pytest.approx(0.1 * (0.5 + 2 + 1.5 + 1 + 3))
    assert penalty([W1, W2], "none", 0.1) == 0.0
    assert penalty([W1, W2], "l2", 0.0) == 0.0


def test_gradients_by_hand():
    np.testing.assert_allclose(gradient(W1, "l2", 0.1), 0.1 * W1)
    np.testing.assert_array_equal(gradient(W1, "l1", 0.1), [[0.1, -0.1], [0.0, 0.1]])
    assert not gradient(W1, "none", 0.1).any()


def data(m=10, seed=0, n_in=2, n_out=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (m, n_in)), rng.uniform(0.1, 0.9, (m, n_out))


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_backprop_adds_the_penalty_to_J_and_its_gradient_to_the_weights_only(registry, kind):
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    X, Y = data()
    plain = net.backprop(X, Y)
    reg = net.backprop(X, Y, regularization=kind, reg_rate=0.3)
    assert reg.cost == pytest.approx(plain.cost + penalty(net.weights, kind, 0.3), rel=1e-15)
    for g, g0, W in zip(reg.weights, plain.weights, net.weights):
        np.testing.assert_allclose(g, g0 + gradient(W, kind, 0.3), rtol=1e-14)
    for g, g0 in zip(reg.biases, plain.biases):
        np.testing.assert_array_equal(g, g0)  # biases are never regularized


def test_biases_do_not_change_the_penalty(registry):
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    X, Y = data()
    before = net.backprop(X, Y, regularization="l2", reg_rate=0.5).cost - net.backprop(X, Y).cost
    net.biases = [b + 10.0 for b in net.biases]
    after = net.backprop(X, Y, regularization="l2", reg_rate=0.5).cost - net.backprop(X, Y).cost
    assert before == pytest.approx(after, rel=1e-12)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_gradient_check_passes_with_regularization(registry, kind):
    net = Network([2, 3, 2], "tanh", seed=5, registry=registry)
    assert min(np.abs(W).min() for W in net.weights) > 1e-3  # L1's kink at 0 is out of reach
    X, Y = data(n_out=2)
    checks = gradient_check(net, X, Y, regularization=kind, reg_rate=0.2)
    assert all(c.relative_error < 1e-7 for c in checks)
    # and it is the penalized J: without the penalty the numeric side disagrees
    numeric = numeric_gradient(net, X, Y, layer=1, j=1, k=1, regularization=kind, reg_rate=0.2)
    assert numeric == pytest.approx(checks[0].backprop_weights[0, 0], rel=1e-6)
    assert numeric != pytest.approx(numeric_gradient(net, X, Y, layer=1, j=1, k=1), rel=1e-3)


def test_gradient_check_rejects_an_unknown_regularization(registry):
    net = Network([2, 2, 1], seed=0, registry=registry)
    with pytest.raises(ValueError, match="regularization"):
        gradient_check(net, *data(), regularization="l3", reg_rate=0.1)


@pytest.mark.parametrize("kind, k, label", [("l2", 2, "λθ_12^(1)"), ("l1", 2, "λ sign(θ_12^(1))"),
                                            ("l2", 0, "")])
def test_chain_rule_total_plus_the_regularization_term_is_backprop(registry, kind, k, label):
    net = Network([2, 3, 2], "sigmoid", seed=1, registry=registry)
    X, Y = data(n_out=2)
    rule = chain_rule(net, X, Y, layer=1, j=1, k=k, regularization=kind, reg_rate=0.4)
    plain = chain_rule(net, X, Y, layer=1, j=1, k=k)
    assert rule.total == plain.total  # the paths are the data term alone
    expected = 0.0 if k == 0 else float(gradient(net.weights[0], kind, 0.4)[0, k - 1])
    assert rule.regularization_term == expected
    assert rule.gradient == pytest.approx(rule.backprop, rel=1e-12, abs=1e-15)
    assert rule.regularization_label == label
    assert (rule.regularization_latex != "") == bool(label)


def test_clip_l1_sets_crossed_weights_and_stuck_zeros_to_exactly_zero():
    old = np.array([0.5, -0.2, 0.0, 0.0, 0.3])
    new = np.array([-0.1, -0.1, 0.05, -0.2, 0.2])
    dW = np.array([1.0, 0.1, -0.05, 0.5, 0.1])  # at the zeros: the data gradient
    out = clip_l1(old, new.copy(), dW, rate=0.1)
    np.testing.assert_array_equal(out, [0.0, -0.1, 0.0, -0.2, 0.2])


def test_l1_with_a_large_rate_drives_weights_to_exactly_zero(registry):
    X, Y = data(m=40)
    net = Network([2, 8, 1], "tanh", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.2, regularization="l1", reg_rate=0.05, seed=0)
    trainer.fit(300)
    zeros = sum(int((W == 0.0).sum()) for W in net.weights)
    assert zeros >= 8
    assert all(np.isfinite(b).all() for b in net.biases) and any(b.any() for b in net.biases)
    # they stay at 0 from one epoch to the next once the data's pull is weaker than λ
    before = [W == 0.0 for W in net.weights]
    trainer.fit(5)
    assert sum(int((b & (W == 0.0)).sum()) for b, W in zip(before, net.weights)) >= zeros // 2


def test_l2_shrinks_the_weights(registry):
    X, Y = data(m=40)
    norms = []
    for rate in (0.0, 0.5):
        net = Network([2, 8, 1], "tanh", seed=0, registry=registry)
        Trainer(net, X, Y, learning_rate=0.2, regularization="l2", reg_rate=rate).fit(200)
        norms.append(sum(np.linalg.norm(W) for W in net.weights))
    assert norms[1] < 0.7 * norms[0]


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_history_cost_and_gradient_norms_include_the_penalty(registry, kind):
    X, Y = data()
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    expected = net.backprop(X, Y, regularization=kind, reg_rate=0.3)
    trainer = Trainer(net, X, Y, learning_rate=0.5, regularization=kind, reg_rate=0.3,
                      X_test=X[:4], Y_test=Y[:4])
    row = trainer.run_epoch()
    assert row["cost"] == pytest.approx(expected.cost, rel=1e-14)
    assert row["grad_norm_1"] == pytest.approx(np.linalg.norm(expected.weights[0]), rel=1e-14)
    # evaluate() scores the current parameters the same way
    assert trainer.evaluate()["cost"] == pytest.approx(
        net.backprop(X, Y, regularization=kind, reg_rate=0.3).cost, rel=1e-14)


def test_the_test_cost_includes_the_penalty_too(registry):
    X, Y = data()
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    start = net.copy()
    trainer = Trainer(net, X, Y, learning_rate=0.5, regularization="l2", reg_rate=0.3,
                      X_test=X[:4], Y_test=Y[:4])
    row = trainer.run_epoch()
    want = start.backprop(X[:4], Y[:4], regularization="l2", reg_rate=0.3).cost
    assert row["test_cost"] == pytest.approx(want, rel=1e-14)


def test_mini_batches_with_l2_match_a_hand_loop(registry):
    """Each batch: θ := θ − η(∂J_batch/∂θ + λθ) for the weights, the cost a weighted mean."""
    X, Y = data(m=9)
    net = Network([2, 3, 1], "tanh", seed=3, registry=registry)
    twin = net.copy()
    trainer = Trainer(net, X, Y, learning_rate=0.3, batch_size=4, seed=7, regularization="l2", reg_rate=0.2)
    rng = np.random.default_rng(7)
    row = trainer.run_epoch()
    order = rng.permutation(9)
    J = 0.0
    for start in range(0, 9, 4):
        rows = order[start:start + 4]
        g = twin.backprop(X[rows], Y[rows], regularization="l2", reg_rate=0.2)
        J += g.cost * len(rows) / 9
        twin.weights = [W - 0.3 * dW for W, dW in zip(twin.weights, g.weights)]
        twin.biases = [b - 0.3 * db for b, db in zip(twin.biases, g.biases)]
    assert row["cost"] == pytest.approx(J, rel=1e-13)
    for a, b in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_bad_regularization_settings_raise(registry):
    X, Y = data()
    net = Network([2, 2, 1], seed=0, registry=registry)
    with pytest.raises(ValueError, match="regularization"):
        Trainer(net, X, Y, learning_rate=0.1, regularization="ridge")
    with pytest.raises(ValueError, match="reg_rate"):
        Trainer(net, X, Y, learning_rate=0.1, regularization="l2", reg_rate=-1.0)
    with pytest.raises(ValueError, match="reg_rate"):
        net.backprop(X, Y, regularization="l2", reg_rate=float("nan"))
