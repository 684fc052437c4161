"""The Overview's earlier frames (bpdash.ui.frames): a recorded state drawn as the board after its
epoch, the live network untouched; and the server's frame budget (BPDASH_MAX_FRAMES_PER_S)."""
from __future__ import annotations

import logging

import pytest

from bpdash.charts.board import board_frame
from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.jobs import Training
from bpdash.ui import frames, live


def make_for(exp):
    return lambda net, history, metrics, current: board_frame(net, exp.transform, exp.data, history,
                                                              metrics=metrics, current=current)


def test_a_recorded_state_is_drawn_as_the_board_after_its_epoch():
    exp, then = build(ExperimentConfig()), build(ExperimentConfig())
    job = Training(exp.trainer, epochs=60)
    job.record(0.0)
    job.work(deadline=float("inf"))
    state = next(s for s in job.recorded() if s.epoch == 50)
    then.trainer.fit(50)  # the same experiment trained to epoch 50 on its own
    live_params = exp.net.params

    frame = frames._frame_at(exp, state, exp.trainer.history, make_for(exp))

    expected = make_for(then)(then.net, then.trainer.history, [], (50, 0.0, 0.0))
    assert frame["epoch"] == 50 and ["Epoch", "50"] in [list(m) for m in frame["metrics"]]
    assert frame["data"]["grid"] == expected["data"]["grid"]  # the surface of epoch 50's weights
    assert frame["network"] == expected["network"]  # its θ and neuron maps
    assert "train" not in frame["data"] and "palette" not in frame  # taken from the current frame
    epoch, train, test = frame["cost"]["until"]
    assert epoch == 50
    assert train == pytest.approx(then.trainer.evaluate()["cost"], rel=1e-12)
    assert test == pytest.approx(then.trainer.evaluate(then.inputs(then.data.X_test), then.data.Y_test)["cost"],
                                 rel=1e-12)
    assert exp.net.params is live_params and exp.trainer.epoch == 60  # the live network untouched


@pytest.mark.parametrize("raw, expected", [("", 20.0), ("4", 4.0), ("0.5", 0.5), ("fast", 20.0), ("0", 20.0),
                                           ("-3", 20.0), ("inf", 20.0), ("nan", 20.0)])
def test_the_frame_budget_comes_from_the_environment_and_bad_values_are_refused(monkeypatch, caplog, raw,
                                                                                expected):
    monkeypatch.setenv("BPDASH_MAX_FRAMES_PER_S", raw)
    with caplog.at_level(logging.WARNING):
        assert live._frames_per_s() == expected
    refused = raw not in ("", "4", "0.5")
    assert ("not a positive number" in caplog.text) == refused
