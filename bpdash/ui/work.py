"""A session's long work: at most one job at a time on the process's background worker.

Play, Train N, the symmetry lab's Train and a large gradient check each run as a
``bpdash.background.Job`` (``bpdash.jobs``) holding the session's training lock during each
slice, so a page that reads the network under that lock never sees it mid-epoch. The job
stops when asked (Pause, Stop, Reset, a rebuild, a new job) and when its session goes away:
``is_watched`` asks Streamlit's runtime whether the browser tab is still connected. Without a
runtime (AppTest), a session counts as gone when none of its runs came for ``HEARTBEAT_S``.
"""
from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from bpdash.background import Job, worker

JOB, BEAT = "job", "job_heartbeat"
HEARTBEAT_S = 10.0


class _Beat:
    """When a run of the session last came (``time.monotonic()``)."""

    def __init__(self):
        self.last = time.monotonic()


def beat() -> None:
    """Note that the session is alive (every run of the page and of the live area calls it)."""
    st.session_state.setdefault(BEAT, _Beat()).last = time.monotonic()


def is_watched():
    """A test, callable from any thread, of whether this session is still there."""
    ctx = get_script_run_ctx()
    if ctx is not None and Runtime.exists():
        runtime, session = Runtime.instance(), ctx.session_id
        return lambda: runtime.is_active_session(session)
    heart = st.session_state.setdefault(BEAT, _Beat())
    return lambda: time.monotonic() - heart.last < HEARTBEAT_S


def current() -> Job | None:
    """The session's job while it runs (None when there is none, or it has ended)."""
    job = st.session_state.get(JOB)
    return job if job is not None and job.active else None


def latest() -> Job | None:
    """The session's last job, running or ended."""
    return st.session_state.get(JOB)


def start(job: Job) -> Job:
    """Stop the session's job, if any, and run ``job`` instead."""
    stop("another task started")
    st.session_state[JOB] = worker().submit(job)
    return job


def stop(reason: str = "stopped") -> None:
    """Stop the session's job; when this returns, no slice of it runs or will run."""
    job = current()
    if job is not None:
        job.cancel(reason)
