"""Trainer: epochs, history, determinism, snapshots and divergence."""
import warnings

import numpy as np
import pytest

from bpdash import Network
from bpdash.snapshots import Snapshot, SnapshotStore
from bpdash.trainer import Trainer


@pytest.fixture
def xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    return X, np.array([[0], [1], [1], [0]], float)


def make(registry, X, Y, seed=0, **options):
    net = Network([2, 4, 1], "sigmoid", seed=seed, registry=registry)
    return Trainer(net, X, Y, learning_rate=options.pop("learning_rate", 2.0), seed=seed, **options)


def test_one_full_batch_epoch_is_one_gradient_step(registry, xor):
    trainer = make(registry, *xor)
    before = trainer.net.copy()
    grads = before.backprop(*xor)
    row = trainer.run_epoch()
    assert row["epoch"] == 1 and row["cost"] == pytest.approx(grads.cost, rel=1e-12)
    for W0, g, W1 in zip(before.weights, grads.weights, trainer.net.weights):
        np.testing.assert_allclose(W1, W0 - 2.0 * g, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sizes, activations, bias, m", [
    ([2, 2, 2], "sigmoid", True, 4),                      # the article's network: b through kept rows
    ([3, 5, 4, 1], ["tanh", "relu", "sigmoid"], True, 9),  # relu's f′ is taken from z
    ([2, 6, 1], "tanh", True, 1100),                       # 1100 × 6 values: b broadcast instead
    ([2, 3, 2], "sigmoid", False, 7),
])
def test_full_batch_epochs_are_gradient_steps_with_their_norms(registry, sizes, activations, bias, m):
    """Five epochs of the trainer's full-batch epoch against backprop and θ − η ∂J/∂θ taken apart."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))
    eta = 0.7
    trainer = Trainer(Network(sizes, activations, bias=bias, seed=1, registry=registry), X, Y,
                      learning_rate=eta, X_test=X[:3], Y_test=Y[:3])
    reference = trainer.net.copy()
    for epoch in range(1, 6):
        test_cost = reference.backprop(X[:3], Y[:3]).cost
        grads = reference.backprop(X, Y)
        reference.weights = [W - eta * g for W, g in zip(reference.weights, grads.weights)]
        reference.biases = [b - eta * g for b, g in zip(reference.biases, grads.biases)]
        row = trainer.run_epoch()
        assert row["epoch"] == epoch
        assert row["cost"] == pytest.approx(grads.cost, rel=1e-12)
        assert row["test_cost"] == pytest.approx(test_cost, rel=1e-12)
        for l, (W, b, W_ref, b_ref, g) in enumerate(zip(trainer.net.weights, trainer.net.biases,
                                                       reference.weights, reference.biases,
                                                       grads.weights), start=1):
            np.testing.assert_allclose(W, W_ref, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(b, b_ref, rtol=1e-12, atol=1e-14)
            assert row[f"grad_norm_{l}"] == pytest.approx(np.linalg.norm(g), rel=1e-12)
            assert row[f"weight_norm_{l}"] == pytest.approx(np.linalg.norm(W_ref), rel=1e-12)
        if not bias:
            assert all((b == 0).all() for b in trainer.net.biases)
        snapshot = trainer.snapshots.latest
        assert snapshot.epoch == epoch and all(a is b for a, b in zip(snapshot.weights, trainer.net.weights))


def test_history_keeps_every_row_across_its_flushes(registry, xor):
    """Rows move from the pending list into the table every FLUSH epochs; none is lost or doubled."""
    reference = make(registry, *xor).fit(23)
    trainer = make(registry, *xor)
    trainer._history.FLUSH = 5  # before the first epoch, which builds the epoch function
    trainer.fit(12)
    assert trainer.history["epoch"].tolist() == list(range(1, 13))
    trainer.fit(11)
    assert trainer.history.equals(reference)


def test_training_learns_xor(registry, xor):
    trainer = make(registry, *xor, learning_rate=5.0)
    history = trainer.fit(3000)
    assert len(history) == 3000 and history["epoch"].tolist()[:3] == [1, 2, 3]
    assert history["cost"].iloc[-1] < history["cost"].iloc[0] / 10
    assert trainer.evaluate()["accuracy"] == 1.0


def test_history_columns_per_layer(registry, xor):
    history = make(registry, *xor).fit(3)
    assert list(history.columns) == ["epoch", "cost", "test_cost", "accuracy", "test_accuracy",
                                     "grad_norm_1", "grad_norm_2", "weight_norm_1", "weight_norm_2"]
    assert history["test_cost"].isna().all()  # no test set given


def test_same_seed_gives_a_bit_identical_history_with_minibatches(registry):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(50, 2)), (rng.uniform(size=(50, 1)) > 0.5).astype(float)
    first = make(registry, X, Y, seed=7, batch_size=8).fit(20)
    again = make(registry, X, Y, seed=7, batch_size=8).fit(20)
    other = make(registry, X, Y, seed=8, batch_size=8).fit(20)
    assert first.equals(again)
    assert not first.equals(other)


def test_minibatch_cost_is_the_sample_weighted_mean_of_batch_costs(registry):
    X, Y = np.linspace(-1, 1, 10).reshape(-1, 1), np.linspace(0, 1, 10).reshape(-1, 1)
    net = Network([1, 1], "linear", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=1e-12, batch_size=4, seed=0)  # parameters barely move
    row = trainer.run_epoch()
    assert row["cost"] == pytest.approx(net.backprop(X, Y).cost, rel=1e-6)


def test_test_set_is_scored(registry, xor):
    X, Y = xor
    trainer = make(registry, X, Y, X_test=X[:2], Y_test=Y[:2])
    row = trainer.run_epoch()
    assert np.isfinite(row["test_cost"]) and 0 <= row["test_accuracy"] <= 1


def test_divergence_stops_keeps_last_finite_weights_and_does_not_warn(registry):
    X = np.linspace(-3, 3, 40).reshape(-1, 1)
    Y = 5 * X
    net = Network([1, 8, 1], "linear", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=50.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any numpy overflow warning fails the test
        history = trainer.fit(500)
    assert trainer.diverged and "learning rate" in trainer.message
    assert len(history) == trainer.epoch < 500
    assert all(np.isfinite(W).all() for W in trainer.net.weights)
    assert all(np.isfinite(b).all() for b in trainer.net.biases)
    assert trainer.run_epoch() is None  # stays stopped


def test_learning_rate_is_validated(registry, xor):
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning_rate"):
            make(registry, *xor, learning_rate=bad)


def test_snapshots_hold_each_epoch_and_the_initial_weights(registry, xor):
    trainer = make(registry, *xor)
    initial = [W.copy() for W in trainer.net.weights]
    trainer.fit(5)
    assert trainer.snapshots.epochs == [0, 1, 2, 3, 4, 5]
    assert all(np.array_equal(a, b) for a, b in zip(trainer.snapshots.at(0).weights, initial))
    assert all(np.array_equal(a, b) for a, b in zip(trainer.snapshots.at(5).weights, trainer.net.weights))
    assert trainer.snapshots.at(3).grad_weights[0].shape == (4, 2)


def test_snapshots_thin_to_the_memory_budget(registry, xor):
    net = Network([2, 4, 1], "sigmoid", seed=0, registry=registry)
    one = Snapshot(1, net.params, net.params, net.layout).nbytes
    trainer = make(registry, *xor, snapshot_budget=20 * one)
    trainer.fit(1000)
    store = trainer.snapshots
    assert store.nbytes <= 21 * one + one
    assert store.epochs[0] == 0 and store.epochs[-1] == 1000
    spacing = np.diff(store.epochs[:-1])
    assert (spacing == store.stride).all() and store.stride > 1  # evenly thinned


def test_snapshot_store_keeps_nearest_earlier_epoch():
    store = SnapshotStore(budget_bytes=10**9)
    for epoch in (0, 1, 2):
        store.add(Snapshot(epoch, ((np.full((1, 1), epoch), np.zeros(1)),)))
    assert store.at(1).epoch == 1 and store.at(99).epoch == 2


def _with_link(registry, name, link):
    """A copy of ``registry`` whose cost ``name`` claims ``link``."""
    import dataclasses
    reg = dataclasses.replace(registry, costs=dict(registry.costs))
    reg.costs[name] = dataclasses.replace(registry.costs[name], link=link)
    return reg


def test_a_sound_link_gives_the_numbers_of_the_composition(registry, xor):
    """Cross-entropy after a sigmoid: δ^(L) = (a − y)/m, against the same cost without its
    link (∂J/∂a through the sigmoid's f′), over 20 epochs."""
    linked = make(registry, *xor, cost="cross_entropy").fit(20)
    composed = make(_with_link(registry, "cross_entropy", ""), *xor, cost="cross_entropy").fit(20)
    for column in ("cost", "grad_norm_1", "weight_norm_2"):
        assert linked[column].tolist() == pytest.approx(composed[column].tolist(), rel=1e-12)


def test_a_wrong_link_is_refused_and_training_falls_back(registry, xor):
    """Squared error claiming the sigmoid's link (it would forget f′ = a(1 − a)): the check
    against the composition refuses it, with a warning, and training uses the composition."""
    reg = _with_link(registry, "squared_error", "sigmoid")
    net = Network([2, 4, 1], "sigmoid", seed=0, registry=reg)
    with pytest.warns(UserWarning, match="link to 'sigmoid'") as caught:
        trainer = Trainer(net, *xor, learning_rate=2.0, seed=0)
    assert "backprop uses the cost's gradient" in str(caught[0].message)
    assert trainer.fit(5).equals(make(registry, *xor).fit(5))


def test_training_runs_on_one_blas_thread(registry, xor):
    """The thread policy (bpdash.threads): the first trainer limits numpy's BLAS to one thread."""
    from threadpoolctl import threadpool_info

    from bpdash.threads import use_blas_threads
    make(registry, *xor).fit(1)
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    assert blas and all(info["num_threads"] == 1 for info in blas)
    with pytest.raises(ValueError, match="whole number ≥ 1"):
        use_blas_threads(0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_trainers_reused_buffers_give_the_readable_backprops_updates(activation):
    """Layers of more than layers.SMALL_LAYER values: the trainer's ops write z and ∂J/∂a into
    arrays kept between epochs. Three epochs of gradient descent equal θ − η ∂J/∂θ taken from
    Network.backprop, which keeps no buffers, epoch by epoch."""
    from bpdash.layers import SMALL_LAYER

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(200, 3)), rng.uniform(size=(200, 2))
    net = Network([3, 64, 48, 2], [activation, activation, "sigmoid"], seed=1)
    assert 200 * 48 > SMALL_LAYER
    readable = net.copy()
    trainer = Trainer(net, X, Y, learning_rate=0.1, cost="squared_error")
    for _ in range(3):
        grads = readable.backprop(X, Y, "squared_error").params
        readable.params = tuple(tuple(p - 0.1 * g for p, g in zip(layer, gl))
                                for layer, gl in zip(readable.params, grads))
        trainer.fit(1)
        for layer, want in zip(net.params, readable.params):
            for p, q in zip(layer, want):
                np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
