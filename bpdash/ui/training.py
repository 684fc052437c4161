"""The training controls: Step, Train N, Play/Pause with its speed, Reset; and the metrics.

Nothing here trains for long in a page run. Step trains its clicks at once (an epoch each).
Train N and Play hand a ``bpdash.jobs.Training`` to the background worker (``work``), which
trains in short slices under the session's lock; the live area (``bpdash.ui.live``) draws
the progress, the metrics and the view meanwhile. A Train N that ends within ``SYNC_S`` ends
within its own run, so a short one looks instant. Pause, Stop, Reset and any rebuild stop the
job before anything else touches the network. "Play speed" paces Play in epochs a second, so a
class can watch one epoch a frame.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import MAX_EPOCHS
from bpdash.jobs import Training

from . import classroom, state, stepper, work

SYNC_S = 0.3  # a Train N click waits this long for its job before the page is drawn
SPEEDS = {"max": None, "500 epochs/s": 500, "50 epochs/s": 50, "10 epochs/s": 10, "2 epochs/s": 2}


def epochs_left(trainer) -> int:
    """Epochs this run may still train before MAX_EPOCHS."""
    return max(0, MAX_EPOCHS - trainer.epoch)


def halted(trainer) -> bool:
    """Whether training cannot go on: diverged, or stopped by a stopping rule."""
    return trainer.diverged or bool(getattr(trainer, "stopped", False))


def can_train(trainer) -> bool:
    return not halted(trainer) and epochs_left(trainer) > 0


def _speed() -> float | None:
    return SPEEDS.get(st.session_state.get("play_speed"))


def _job(trainer, epochs: int | None, label: str, rate: float | None = None) -> Training:
    return Training(trainer, epochs, rate, lock=state.lock(), alive=work.is_watched(), label=label)


def toggle_play() -> None:
    """Callback of Play/Pause: start or stop the Play job."""
    exp = state.experiment()
    if state.is_running():
        state.stop_training("paused")
    elif exp is not None and can_train(exp.trainer):
        work.start(_job(exp.trainer, epochs_left(exp.trainer), "Playing", _speed()))
        state.set_running(True)


def change_speed() -> None:
    """Callback of Play speed: a playing job takes the new pace from now on."""
    job = work.current()
    if state.is_running() and isinstance(job, Training):
        job.pace(_speed())


def train_n(trainer, epochs: int) -> None:
    """Start training ``epochs`` epochs (as many as the limit allows) in the background; wait
    up to SYNC_S for them."""
    epochs = min(int(epochs), epochs_left(trainer))
    if epochs > 0:
        work.start(_job(trainer, epochs, f"Training {epochs:,} epochs")).wait(SYNC_S)


def step(trainer, epochs: int) -> None:
    """Train ``epochs`` epochs now, one per Step click not trained yet."""
    with state.lock():
        for _ in range(epochs):
            if trainer.run_epoch() is None:
                break


def _step_button(trainer, disabled: bool) -> None:
    clicks = stepper.clicks(disabled=disabled, help="One epoch: one pass of gradient descent over the training set.")
    pending = stepper.pending(clicks)
    if pending:
        step(trainer, pending)


def _train_n(trainer, disabled: bool) -> None:
    if classroom.is_hidden("train_n"):
        return
    n_epochs = st.number_input("N epochs", min_value=1, max_value=MAX_EPOCHS, step=100, key="train_n",
                               width=130)
    if st.button(f"Train {n_epochs:,} epochs", key="train_many", disabled=disabled):
        train_n(trainer, int(n_epochs))


def controls(exp) -> None:
    """The row of controls (each left out when a classroom link hides it)."""
    trainer, running = exp.trainer, state.is_running()
    busy = running or work.current() is not None
    st.session_state.setdefault("train_n", exp.config.epochs)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key="controls"):
        if not classroom.is_hidden("step"):
            with st.container(width=110):
                _step_button(trainer, busy or not can_train(trainer))
        _train_n(trainer, busy or not can_train(trainer))
        if not classroom.is_hidden("play"):
            st.button("‖ Pause" if running else "▶ Play", key="play", on_click=toggle_play, type="primary",
                      width=110, help="Live training: the charts follow every few epochs.")
            st.selectbox("Play speed", list(SPEEDS), key="play_speed", on_change=change_speed, width=140,
                         help="Epochs per second while playing: slow it down to watch each step.")
        if not classroom.is_hidden("reset"):
            st.button("↺ Reset", key="reset", on_click=state.reset,
                      help="Back to epoch 0: initial weights drawn again from the seed.")
    if epochs_left(trainer) == 0:
        st.info(f"This run reached {MAX_EPOCHS:,} epochs, the limit: press ↺ Reset to start over.")


def readings(exp) -> list[tuple[str, str]]:
    """The metrics as the page shows them: the epoch, J on the training and test rows, and the
    accuracies (classification) in percent."""
    return readings_of(*state.scores(exp), exp.trainer.task)


def readings_of(epoch: int, train: dict, test: dict | None, task: str) -> list[tuple[str, str]]:
    """``readings`` of given scores: ``train`` and ``test`` (None: no test rows) hold ``cost``
    and, for classification, ``accuracy``."""
    shown = [("Epoch", f"{epoch:,}"), ("Train cost J", f"{train['cost']:.4g}"),
             ("Test cost J", f"{test['cost']:.4g}" if test else "—")]
    if task == "classification":
        shown += [("Train accuracy", f"{train['accuracy']:.1%}"),
                  ("Test accuracy", f"{test['accuracy']:.1%}" if test else "—")]
    return shown


def metrics(exp) -> None:
    """The readings as a row of ``st.metric``."""
    shown = readings(exp)
    for column, (label, value) in zip(st.columns(len(shown)), shown):
        column.metric(label, value)
