"""Stopping rules (target cost, patience) with their reasons, and learning-rate schedules."""
import math

import numpy as np
import pytest

from bpdash import Network
from bpdash.schedules import learning_rate
from bpdash.stopping import Stopper
from bpdash.trainer import Trainer


def data(m=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (m, 2))
    return X, (X[:, :1] + X[:, 1:] > 0).astype(float)


# -- the rules on their own ----------------------------------------------------------------------

def test_target_cost_stops_at_the_first_epoch_at_or_below_it():
    stopper = Stopper(target_cost=0.5)
    assert [stopper.observe(e, c, math.nan) for e, c in enumerate([0.9, 0.6, 0.5], start=1)][:2] == ["", ""]
    assert Stopper(target_cost=0.5).observe(3, 0.5, math.nan) == "reached the target cost J ≤ 0.5 at epoch 3"


def test_patience_counts_epochs_since_the_best_and_names_the_monitored_cost():
    stopper = Stopper(patience=3, monitor_test=True)
    test_costs = [1.0, 0.8, 0.9, 0.8, 0.85, 0.81]
    reasons = [stopper.observe(e, 0.0, c) for e, c in enumerate(test_costs, start=1)]
    assert reasons[:4] == ["", "", "", ""]
    assert reasons[4] == "no improvement of the test cost for 3 epochs (best 0.8 at epoch 2)"


def test_an_improvement_of_a_rounding_error_does_not_count():
    stopper = Stopper(patience=2)
    for e, c in enumerate([1.0, 1.0 - 1e-14, 1.0 - 2e-14], start=1):
        reason = stopper.observe(e, c, math.nan)
    assert reason == "no improvement of the training cost for 2 epochs (best 1 at epoch 1)"


def test_no_rules_is_inactive():
    assert not Stopper().active
    with pytest.raises(ValueError, match="patience"):
        Stopper(patience=0)


# -- in the trainer ------------------------------------------------------------------------------

def test_trainer_stops_at_the_target_cost_with_the_reason(registry):
    X, Y = data()
    net = Network([2, 4, 1], "tanh", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.5, target_cost=0.05, seed=0)
    history = trainer.fit(5000)
    stop = len(history)
    assert stop < 5000 and history["cost"].iloc[-1] <= 0.05 and (history["cost"].iloc[:-1] > 0.05).all()
    assert trainer.stopped and not trainer.diverged
    assert trainer.stop_reason == f"reached the target cost J ≤ 0.05 at epoch {stop}"
    assert trainer.run_epoch() is None and len(trainer.fit(10)) == stop


def test_trainer_stops_without_improvement_of_the_test_cost(registry):
    X, Y = data(m=40)
    net = Network([2, 16, 1], "tanh", seed=0, registry=registry)
    # noisy test labels: the test cost bottoms out while the training cost keeps falling
    Y_test = 1.0 - Y[:10]
    trainer = Trainer(net, X, Y, learning_rate=1.0, patience=20, X_test=X[:10], Y_test=Y_test, seed=0)
    history = trainer.fit(3000)
    assert trainer.stopped and len(history) < 3000
    best = int(history["test_cost"].idxmin())
    best_epoch = int(history["epoch"].iloc[best])
    assert len(history) == best_epoch + 20
    assert trainer.stop_reason == (f"no improvement of the test cost for 20 epochs "
                                   f"(best {history['test_cost'].iloc[best]:.4g} at epoch {best_epoch})")


def test_run_epoch_returns_the_row_that_stopped_then_none(registry):
    X, Y = data()
    trainer = Trainer(Network([2, 3, 1], seed=0, registry=registry), X, Y, learning_rate=0.5,
                      target_cost=10.0)
    row = trainer.run_epoch()
    assert row is not None and row["epoch"] == 1 and trainer.stopped
    assert trainer.run_epoch() is None and trainer.epoch == 1


def test_callbacks_see_the_last_row(registry):
    X, Y = data()
    trainer = Trainer(Network([2, 3, 1], seed=0, registry=registry), X, Y, learning_rate=0.5, target_cost=10.0)
    seen = []
    trainer.fit(5, callback=lambda t, row: seen.append(row["epoch"]))
    assert seen == [1]


def test_restore_replays_the_stopping_rules(registry):
    X, Y = data()
    net = Network([2, 4, 1], "tanh", seed=0, registry=registry)
    first = Trainer(net, X, Y, learning_rate=0.5, target_cost=0.1, seed=0)
    history = first.fit(5000)
    twin = Trainer(net.copy(), X, Y, learning_rate=0.5, target_cost=0.1, seed=0)
    twin.restore(history, first.epoch)
    assert twin.stopped and twin.stop_reason == first.stop_reason
    looser = Trainer(net.copy(), X, Y, learning_rate=0.5, target_cost=0.01, seed=0)
    looser.restore(history, first.epoch)
    assert not looser.stopped and looser.run_epoch() is not None


def test_bad_stopping_settings_raise(registry):
    X, Y = data()
    net = Network([2, 3, 1], seed=0, registry=registry)
    with pytest.raises(ValueError, match="patience"):
        Trainer(net, X, Y, learning_rate=0.1, patience=-2)
    with pytest.raises(ValueError, match="target_cost"):
        Trainer(net, X, Y, learning_rate=0.1, target_cost=float("nan"))


# -- learning-rate schedules ----------------------------------------------------------------------

def test_schedules_give_the_documented_rate_per_epoch():
    eta = 0.8
    assert [learning_rate(eta, e, "constant", 0.5, 3) for e in (1, 5, 100)] == [0.8, 0.8, 0.8]
    assert [learning_rate(eta, e, "step", 0.5, 3) for e in range(1, 9)] == \
        [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]
    expo = [learning_rate(eta, e, "exponential", 0.5, 3) for e in range(1, 8)]
    np.testing.assert_allclose(expo, [eta * 0.5 ** ((e - 1) / 3) for e in range(1, 8)], rtol=1e-15)
    assert expo[0] == 0.8 and expo[3] == pytest.approx(0.4) and expo[6] == pytest.approx(0.2)


@pytest.mark.parametrize("schedule", ["step", "exponential"])
def test_the_trainer_updates_with_the_scheduled_rate(registry, schedule):
    X, Y = data()
    net = Network([2, 3, 1], "tanh", seed=0, registry=registry)
    twin = net.copy()
    trainer = Trainer(net, X, Y, learning_rate=0.5, lr_schedule=schedule, lr_decay=0.5, lr_step=2)
    for epoch in range(1, 7):
        eta = learning_rate(0.5, epoch, schedule, 0.5, 2)
        assert trainer.current_learning_rate == eta
        trainer.run_epoch()
        g = twin.backprop(X, Y)
        twin.weights = [W - eta * dW for W, dW in zip(twin.weights, g.weights)]
        twin.biases = [b - eta * db for b, db in zip(twin.biases, g.biases)]
    for a, b in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-16)
    assert trainer.learning_rate == 0.5  # the base rate stays


def test_bad_schedules_raise(registry):
    X, Y = data()
    net = Network([2, 3, 1], seed=0, registry=registry)
    with pytest.raises(ValueError, match="lr_schedule"):
        Trainer(net, X, Y, learning_rate=0.1, lr_schedule="cosine")
    with pytest.raises(ValueError, match="lr_decay"):
        Trainer(net, X, Y, learning_rate=0.1, lr_schedule="step", lr_decay=0.0)
    with pytest.raises(ValueError, match="lr_step"):
        Trainer(net, X, Y, learning_rate=0.1, lr_schedule="step", lr_step=0)
