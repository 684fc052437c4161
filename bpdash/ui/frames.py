"""The Overview's frames between two runs of the live area.

Every run of the live area costs the browser about 60 ms, whatever it draws, and all sessions
together get at most ``live.MAX_FRAMES_PER_S`` runs a second: with many sessions playing, each
runs less often than its view's frame interval. Then the training job records the trainer's
state about every frame interval (``bpdash.jobs.Training.record``: the epoch and the parameter
arrays, by reference), and the next run sends the board one frame for each state recorded since
the last run, which the board plays at their recorded spacing, the current frame last. Drawing
a frame on the board costs a few milliseconds; a run costs the browser tens.

With one session playing (runs every frame interval) nothing is recorded: one frame a run.
"""
from __future__ import annotations

import math
import time

import streamlit as st

from bpdash.jobs import State, Training

from . import live, training, work


def earlier_frames(exp, frame_s: float, make) -> tuple[list[dict], int]:
    """``(frames, after_ms)``: frames of the states the session's training recorded since the last
    run (oldest first, at most one per ``frame_s`` of the live area's interval, the current one
    not counted), each made by ``make(net, history, metrics, current)`` (see ``board_frame``) and
    carrying ``after_ms``, the time since the frame before it; and the current frame's
    ``after_ms``. Call it holding the session's lock."""
    job = work.current()
    if not isinstance(job, Training):
        return [], 0
    count = round((st.session_state.get(live.INTERVAL) or frame_s) / frame_s) - 1
    job.record(frame_s if count > 0 else None)
    states = [s for s in job.recorded() if s.epoch < exp.trainer.epoch][-count:] if count > 0 else []
    if not states:
        return [], 0
    history = exp.trainer.history
    frames, before = [], states[0].time
    for s in states:
        frames.append({**_frame_at(exp, s, history, make), "after_ms": round(1000 * (s.time - before))})
        before = s.time
    return frames, round(1000 * (time.perf_counter() - before))


def _frame_at(exp, s: State, history, make) -> dict:
    """The board after ``s.epoch`` epochs: the network with the state's parameters (a twin, the
    live network untouched), and its J and accuracy from the history row of the epoch after
    (measured at the parameters that epoch started from: ``s.params`` for the full batch). The
    cost curves are the current frame's up to that epoch (``until``: the epoch and its J on the
    training and test rows), which the board cuts there: the same rows, sent once."""
    row = history[history["epoch"] <= s.epoch + 1].iloc[-1]
    def score(prefix):
        return {"cost": row[prefix + "cost"], "accuracy": row.get(prefix + "accuracy", math.nan)}
    test = score("test_") if exp.data.n_test else None
    metrics = training.readings_of(s.epoch, score(""), test, exp.trainer.task)
    frame = make(exp.net.with_params(s.params), history.iloc[:0], metrics, (s.epoch, math.nan, math.nan))
    until = [s.epoch, _finite(row["cost"]), _finite(test["cost"]) if test else None]
    return _lighter({**frame, "cost": {"until": until, "best": frame["cost"]["best"]}})


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _lighter(frame: dict) -> dict:
    """``frame`` without what every frame of a run shares, the board takes it from the current one:
    the palette, and the samples drawn on the plane or under the curve (not the scatter's
    predictions, which change)."""
    data = {k: v for k, v in frame["data"].items() if frame["data"]["kind"] == "scatter" or k not in ("train", "test")}
    return {**{k: v for k, v in frame.items() if k not in ("palette", "task")}, "data": data}
