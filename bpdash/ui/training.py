"""Training controls and the live area: Step, Train N, Play/Pause, Reset, and the metrics.

Live training runs in a fragment that Streamlit reruns every ``TICK_S`` seconds while playing
(``run_every``). Each tick trains for a time budget, not a fixed number of epochs, so a small
network trains thousands of epochs a tick and a large one a few: ``BUDGET_S`` (0.35 s), cut
down when the rest of a tick (metrics, the view's charts) is slow, so a whole tick still fits
in ``TICK_S`` and the charts update about twice a second. Play/Pause flips a session-state flag in a callback; there is no
``while True`` loop, so Pause always gets through. "Play speed" caps the epochs per tick, to
watch training slowly. A run stops at ``MAX_EPOCHS`` epochs (the config's limit), which bounds
the history every tick charts.
"""
from __future__ import annotations

import math
import time

import streamlit as st

from bpdash.config import MAX_EPOCHS

from . import classroom, state

TICK_S = 0.45       # a fragment rerun a little under every 0.5 s: the timer fires late
BUDGET_S = 0.35     # of which this much trains at most; the rest draws the charts
MIN_BUDGET_S = 0.1  # … and at least this much, however slow the drawing
OVERHEAD = "tick_overhead"  # seconds the last tick spent on anything but training (session state)
SLACK = 0.85        # a tick aims to end by SLACK · TICK_S, leaving Streamlit time to send it
PROGRESS_STEPS = 25
SPEEDS = {"max": None, "500 epochs/s": 500, "50 epochs/s": 50, "10 epochs/s": 10, "2 epochs/s": 2}


def train_for(trainer, seconds: float, max_epochs: int = MAX_EPOCHS) -> int:
    """Train until ``seconds`` have passed (at least one epoch), divergence, or ``max_epochs``.

    Returns the number of epochs trained.
    """
    start, deadline = trainer.epoch, time.perf_counter() + seconds
    trainer.fit(max_epochs, callback=lambda t, row: time.perf_counter() >= deadline)
    return trainer.epoch - start


def epochs_left(trainer) -> int:
    """Epochs this run may still train before MAX_EPOCHS."""
    return max(0, MAX_EPOCHS - trainer.epoch)


def tick_budget() -> float:
    """Seconds of training for this tick: BUDGET_S, less when the rest of the last tick was slow."""
    overhead = st.session_state.get(OVERHEAD, 0.0)
    return min(BUDGET_S, max(MIN_BUDGET_S, SLACK * TICK_S - overhead))


def toggle_play() -> None:
    """Callback of Play/Pause."""
    exp = state.experiment()
    state.set_running(not state.is_running() and exp is not None and not halted(exp.trainer)
                      and epochs_left(exp.trainer) > 0)


def train_n(trainer, epochs: int) -> None:
    """Train ``epochs`` epochs with a progress bar, in chunks; stops early on divergence."""
    epochs = min(epochs, epochs_left(trainer))
    bar = st.progress(0.0, text=f"Training {epochs} epochs…")
    chunk = max(1, math.ceil(epochs / PROGRESS_STEPS))
    done = 0
    while done < epochs and not halted(trainer):
        step = min(chunk, epochs - done)
        trainer.fit(step)
        done += step
        bar.progress(done / epochs, text=f"Trained {done} of {epochs} epochs (epoch {trainer.epoch})")
    bar.empty()


def halted(trainer) -> bool:
    """Whether training cannot go on: diverged, or stopped by a stopping rule."""
    return trainer.diverged or bool(getattr(trainer, "stopped", False))


def _train_buttons(trainer, step, many, n, disabled: bool) -> None:
    """Step, and N epochs with Train N (each left out when a classroom link hides it)."""
    if classroom.is_hidden("train_n"):
        n_epochs = classroom.link_config().epochs
    else:
        n_epochs = n.number_input("N epochs", min_value=1, max_value=MAX_EPOCHS, step=100, key="train_n")
    if not classroom.is_hidden("step") and step.button(
            "Step", key="step", disabled=disabled, width="stretch",
            help="One epoch: one pass of gradient descent over the training set."):
        with state.lock():
            trainer.run_epoch()
    if not classroom.is_hidden("train_n") and many.button(f"Train {n_epochs} epochs", key="train_many",
                                                          disabled=disabled, width="stretch"):
        with state.lock():
            train_n(trainer, int(n_epochs))


def controls(exp) -> None:
    """The row of buttons. Step and Train N act here, in the run of their click. A classroom link
    may hide any of them."""
    running, trainer = state.is_running(), exp.trainer
    full = epochs_left(trainer) == 0
    step, many, n, play, speed, reset = st.columns([1, 1.3, 1, 1, 1, 1], vertical_alignment="bottom")
    st.session_state.setdefault("train_n", exp.config.epochs)
    _train_buttons(trainer, step, many, n, running or full)
    if not classroom.is_hidden("play"):
        play.button("‖ Pause" if running else "▶ Play", key="play", on_click=toggle_play, width="stretch",
                    type="primary", help="Live training: the charts update about twice a second.")
        speed.selectbox("Play speed", list(SPEEDS), key="play_speed",
                        help="Epochs per second while playing: slow it down to watch each step.")
    if not classroom.is_hidden("reset"):
        reset.button("↺ Reset", key="reset", on_click=state.reset, width="stretch",
                     help="Back to epoch 0: initial weights drawn again from the seed.")
    if epochs_left(trainer) == 0:
        st.info(f"This run reached {MAX_EPOCHS:,} epochs, the limit: press ↺ Reset to start over.")


def metrics(exp) -> None:
    """Epoch counter and the current train/test cost (and accuracy for classification)."""
    epoch, train, test = state.scores(exp)
    classify = exp.trainer.task == "classification"
    columns = st.columns(5 if classify else 3)
    columns[0].metric("Epoch", f"{epoch:,}")
    columns[1].metric("Train cost J", f"{train['cost']:.4g}")
    columns[2].metric("Test cost J", f"{test['cost']:.4g}" if test else "—")
    if classify:
        columns[3].metric("Train accuracy", f"{train['accuracy']:.1%}")
        columns[4].metric("Test accuracy", f"{test['accuracy']:.1%}" if test else "—")


def _tick(exp) -> float:
    """Train for this tick's budget; stop playing (with a full rerun) on divergence or the limit.

    Returns the seconds spent training."""
    trainer, start = exp.trainer, time.perf_counter()
    if state.is_running() and not halted(trainer):
        rate = SPEEDS.get(st.session_state.get("play_speed"))
        limit = epochs_left(trainer) if rate is None else min(epochs_left(trainer), max(1, round(rate * TICK_S)))
        train_for(trainer, tick_budget(), limit)
    trained = time.perf_counter() - start
    stop = halted(trainer) or epochs_left(trainer) == 0
    if trainer.diverged:
        st.error(trainer.message + " Lower the learning rate η and press ↺ Reset to start over.")
    elif getattr(trainer, "stopped", False):
        st.success(f"Stopped at epoch {trainer.epoch}: {trainer.stop_reason}", icon="⏹")
    if stop and state.is_running():
        state.set_running(False)
        st.rerun()  # a full run, so the fragment stops ticking and Play shows again
    return trained


def live(draw) -> None:
    """The live area: while playing, each tick trains, then shows the metrics and calls
    ``draw(exp)`` (the selected view). The experiment is read from session state on every
    tick, so a Reset or rebuild between ticks is picked up."""
    running = state.is_running()

    @st.fragment(run_every=TICK_S if running else None)
    def area():
        with state.lock():  # a newer run in another thread waits for this tick (see state.lock)
            start, exp = time.perf_counter(), state.experiment()
            trained = _tick(exp)
            metrics(exp)
            draw(exp)
            st.session_state[OVERHEAD] = time.perf_counter() - start - trained

    area()
