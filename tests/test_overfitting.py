"""Overfitting read from a history (bpdash.overfitting), and the Overview's board frame: the
cost panel marks the best epoch, and the frame's data stays bounded and quantized."""
import base64

import numpy as np
import pandas as pd
import pytest

from bpdash.charts.board import MAX_POINTS, board_frame, quantized
from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.overfitting import MIN_PATIENCE, RISE, overfitting


def history(test_costs, train_costs=None) -> pd.DataFrame:
    """A history whose row e holds J_test after e − 1 epochs; the training cost keeps falling
    unless given."""
    n = len(test_costs)
    train = np.linspace(1.0, 0.01, n) if train_costs is None else np.asarray(train_costs, dtype=float)
    return pd.DataFrame({"epoch": np.arange(1, n + 1), "cost": train,
                         "test_cost": np.asarray(test_costs, dtype=float)})


def falling_then_rising(best_at: int, rise_for: int, rise: float = 0.2) -> np.ndarray:
    down = np.linspace(1.0, 0.3, best_at + 1)
    up = 0.3 * (1 + np.linspace(0, rise, rise_for + 1)[1:])
    return np.concatenate([down, up])


def test_a_test_cost_that_keeps_falling_is_no_overfitting():
    assert overfitting(history(np.linspace(1.0, 0.1, 500))) is None


def test_a_lasting_rise_past_the_minimum_marks_the_best_epoch():
    found = overfitting(history(falling_then_rising(best_at=100, rise_for=60)))
    assert found is not None
    assert found.best_epoch == 100 and found.best_cost == pytest.approx(0.3)
    assert found.epoch == 160 and found.cost > found.best_cost
    assert "epoch 100" in found.describe()


def test_both_costs_rising_is_no_overfitting():
    test = falling_then_rising(best_at=100, rise_for=60)
    assert overfitting(history(test, train_costs=test * 0.9)) is None  # training goes wrong too
    assert overfitting(history(test)) is not None


def test_a_short_rise_is_not_yet_overfitting():
    assert overfitting(history(falling_then_rising(best_at=100, rise_for=MIN_PATIENCE - 1))) is None


def test_a_rise_must_last_longer_after_a_longer_descent():
    """Past 125 epochs to the minimum, patience is a fifth of them: 40 epochs after 200."""
    assert overfitting(history(falling_then_rising(best_at=200, rise_for=30))) is None
    assert overfitting(history(falling_then_rising(best_at=200, rise_for=45))) is not None


def test_a_dip_back_near_the_minimum_is_noise_not_overfitting():
    costs = falling_then_rising(best_at=100, rise_for=60)
    costs[-5] = 0.3 * (1 + RISE / 2)  # one recent epoch nearly as good as the best
    assert overfitting(history(costs)) is None


def test_no_test_rows_no_verdict():
    assert overfitting(history([np.nan] * 300)) is None
    assert overfitting(history([])) is None


def test_quantized_grids_keep_their_values_to_a_level():
    values = np.linspace(-1.0, 1.0, 300)
    for wide, dtype, levels in ((False, np.uint8, 255), (True, "<u2", 65535)):
        back = np.frombuffer(base64.b64decode(quantized(values, -1.0, 1.0, wide=wide)), dtype=dtype)
        assert np.abs(back / levels * 2 - 1 - values).max() <= 1 / levels + 1e-12
    clipped = np.frombuffer(base64.b64decode(quantized([np.nan, -5, 5], 0, 1)), dtype=np.uint8)
    assert list(clipped) == [0, 0, 255]


def test_the_board_frame_carries_what_the_overview_draws():
    exp = build(ExperimentConfig(n_samples=3000))
    exp.trainer.fit(3)
    frame = board_frame(exp.net, exp.transform, exp.data, exp.trainer.history, metrics=[("Epoch", "3")],
                        current=(3, 0.5, 0.6))
    assert frame["epoch"] == 3 and frame["metrics"] == [["Epoch", "3"]]
    assert len(frame["data"]["train"]) == MAX_POINTS < exp.data.n_train  # thinned, and says so
    assert frame["data"]["shown"] == [MAX_POINTS, exp.data.n_train]
    surface = np.frombuffer(base64.b64decode(frame["data"]["grid"]), dtype="<u2")
    assert surface.size == frame["data"]["resolution"] ** 2
    assert frame["cost"]["train"] == [[0, 1, 2, 3], list(exp.trainer.history["cost"].round(6)) + [0.5]]
    tiles = frame["network"]["tiles"]
    assert [len(layer["maps"]) for layer in tiles] == [min(n, 16) for n in exp.net.sizes]
