"""The live area: the chosen view, redrawn while the session's background job trains.

Training and drawing are apart: the worker trains (``work``, ``bpdash.background``), and this
area, a fragment that Streamlit reruns every ``frame_s`` seconds while a job runs (longer when
many sessions tick at once: ``interval``), only draws: it takes the session's lock for as long
as it reads the network, so every frame shows one epoch's weights, metrics and curves together. Each frame also shows the job's progress with a
Stop button (Play has its Pause), and the message when training diverged or stopped. When the
job ends, a full rerun brings the whole page (Play, the sidebar's downloads) up to date.
"""
from __future__ import annotations

import logging
import math
import os

import streamlit as st

from bpdash.background import FAILED, worker

from . import state, work

ENDED = "job_end_seen"  # the job whose end the page has been brought up to date with
INTERVAL = "live_interval"  # the seconds between frames the live area ticks at now


def _frames_per_s(default: float = 20.0) -> float:
    """BPDASH_MAX_FRAMES_PER_S, or ``default`` when unset; a value that is not a positive number
    is refused in the server's log, and the default used."""
    raw = os.environ.get("BPDASH_MAX_FRAMES_PER_S", "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        logging.getLogger(__name__).warning("BPDASH_MAX_FRAMES_PER_S=%r is not a positive number of frames a "
                                            "second: using %g", raw, default)
        return default
    return value


# frames a second the server draws for all its sessions together, at most (each costs the server
# ~10 ms of its interpreter and the browser ~60 ms: with many sessions playing, each gets fewer)
MAX_FRAMES_PER_S = _frames_per_s()
RETUNE = 1.5  # the live area changes its pace when the wanted one is this far from it


def interval(frame_s: float) -> float:
    """Seconds between frames: the view's ``frame_s``, or longer when many sessions tick at once,
    so that all together draw at most MAX_FRAMES_PER_S (each frame takes the server ~10 ms of
    its one interpreter, which training and every other page need too)."""
    return max(frame_s, len(worker().jobs) / MAX_FRAMES_PER_S)


def _retune(frame_s: float) -> bool:
    """Whether the pace should change (then the page reruns whole, to set it)."""
    now, wanted = st.session_state.get(INTERVAL), interval(frame_s)
    return now is not None and not (1 / RETUNE < wanted / now < RETUNE)


def stop_job() -> None:
    """Callback of Stop."""
    state.stop_training("stopped")


def _progress(job) -> None:
    """A progress bar and Stop, for a job that knows its size (not Play: it has Pause)."""
    bar, stop = st.columns([6, 1], vertical_alignment="center")
    bar.progress(job.progress or 0.0, text=f"{job.label}: {job.done:,} of {job.total:,} done…")
    stop.button("■ Stop", key="stop_job", on_click=stop_job, width="stretch",
                help="Stop now: what is done so far stays.")


def _messages(trainer) -> None:
    if trainer.diverged:
        st.error(trainer.message + " Lower the learning rate η and press ↺ Reset to start over.")
    elif getattr(trainer, "stopped", False):
        st.success(f"Stopped at epoch {trainer.epoch}: {trainer.stop_reason}", icon="⏹")


def _ended(job) -> bool:
    """Whether ``job`` ended since the page was last brought up to date (then note it)."""
    if job is None or job.active or st.session_state.get(ENDED) is job:
        return False
    st.session_state[ENDED] = job
    if job.state == FAILED:
        st.session_state["job_failure"] = f"{job.label or 'The task'} failed: {job.reason}"
    return True


def area(draw, frame_s: float) -> None:
    """The live area: ``draw(exp)`` now, and every ``frame_s`` seconds while a job runs."""
    _ended(work.latest())  # this run draws the whole page: a job that has ended is shown as it ended
    ticking = state.is_running() or work.current() is not None
    st.session_state[INTERVAL] = pace = interval(frame_s) if ticking else None

    @st.fragment(run_every=pace)
    def live():
        with worker().page():  # the frame first, training after
            _frame(draw, frame_s, ticking)

    failure = st.session_state.pop("job_failure", None)
    if failure:
        st.error(failure)
    live()


def _frame(draw, frame_s: float, ticking: bool) -> None:
    """One run of the live area (see ``area``)."""
    work.beat()
    job = work.latest()
    with state.lock():
        exp = state.experiment()
        if job is not None and job.active and not state.is_running() and job.total:
            _progress(job)
        _messages(exp.trainer)
        draw(exp)
    if _ended(job) or (state.is_running() and work.current() is None):
        state.set_running(False)
        st.rerun()  # the whole page: Play shows again, the ticking stops, the sidebar follows
    if not ticking and work.current() is not None:  # a job started by a click in the view
        st.rerun()  # the whole page, so that this area ticks while the job runs
    if ticking and _retune(frame_s):  # sessions began or stopped playing: share the frames anew
        st.rerun()  # the whole page, so that this area ticks at its new pace

