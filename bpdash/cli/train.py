"""``bpdash train``: train an experiment headless and write its history as CSV.

The history is bit for bit what ``Trainer.fit`` gives for the same config, and what the
dashboard shows. Nothing finished is lost: the output path is opened (and its header written)
before the first epoch, so a missing folder, a folder given as a file or a full disk is refused
before any work; Ctrl-C or SIGTERM ends the run at the next epoch boundary and the epochs done
are written (exit 130); a write that still fails at the end sends the history to standard output.
"""
from __future__ import annotations

import math
import signal
import sys
import threading
from contextlib import contextmanager

import numpy as np

from .. import overrides
from ..plugins import default_registry
from .experiment_file import read_experiment
from .output import open_output, write_csv
from .progress import ProgressLine
from .status import COST_ROSE, DIVERGED, INTERRUPTED, OK, UNWRITTEN

ROSE_FACTOR = 1.1  # a final cost above this many times the initial cost: training made it worse
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Progress(ProgressLine):
    """Epochs trained and the last epoch's cost."""

    def __init__(self, total: int, stream=None):
        super().__init__(total, "epochs", stream)

    def __call__(self, epoch: int, cost: float) -> None:
        self.show(epoch, f"cost {cost:.6g}")


@contextmanager
def stop_on_signals():
    """Within it, the first Ctrl-C or SIGTERM asks the run to stop at the next epoch boundary
    (the yielded list receives the signal's name); a second one interrupts at once."""
    caught: list[str] = []

    def ask_to_stop(signum, frame):
        if caught:
            raise KeyboardInterrupt
        caught.append(signal.Signals(signum).name)

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield caught
        return
    previous = {signum: signal.signal(signum, ask_to_stop) for signum in STOP_SIGNALS}
    try:
        yield caught
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def train(trainer, epochs: int, progress: Progress | None):
    """``trainer.fit(epochs)`` that stops at an epoch boundary on a signal; (history, signal
    name or None)."""
    with stop_on_signals() as caught:
        def after_epoch(_, row) -> bool:
            if progress is not None:
                progress(row["epoch"], row["cost"])
            return bool(caught)

        try:
            history = trainer.fit(epochs, callback=after_epoch)
        except KeyboardInterrupt:  # the second signal: the rows recorded so far are whole epochs
            history = trainer.history
            caught[:] = caught or ["SIGINT"]
    if progress is not None:
        progress.close()
    return history, (caught[0] if caught else None)


def outcome(exp, start_cost: float, interrupted: str | None) -> tuple[list[str], int]:
    """What the run came to, as lines for stderr, and the exit status."""
    trainer = exp.trainer
    final = trainer.evaluate()["cost"]
    summary = f"{exp.net.describe()}: {trainer.epoch} epochs, cost {start_cost:.6g} → {final:.6g}"
    if interrupted:
        return [f"interrupted by {interrupted} after epoch {trainer.epoch}", summary], INTERRUPTED
    if trainer.diverged:
        lines = [trainer.message]
        if math.isfinite(final):
            lines.append(f"{summary} (the cost of the weights kept from epoch {trainer.epoch})")
        else:
            last = trainer.history["cost"].iloc[-1] if len(trainer.history) else start_cost
            lines.append(f"{exp.net.describe()}: the weights kept from epoch {trainer.epoch} are finite, but so "
                         f"large that their cost overflows to {final}; the last cost in the history is "
                         f"{last:.6g} (epoch {trainer.epoch})")
        return lines, DIVERGED
    lines = [f"stopped early: {trainer.stop_reason}"] if trainer.stopped else []
    if final > ROSE_FACTOR * start_cost:
        lines.append(f"warning: training made the network worse: the cost rose from {start_cost:.6g} to "
                     f"{final:.6g}. The learning rate η = {exp.config.learning_rate:g} is probably too high.")
        return lines + [summary], COST_ROSE
    return lines + [summary], OK


def parity(history, exported) -> str:
    """A line saying whether ``history`` repeats the exported run's rows bit for bit ("" when
    there is nothing to compare)."""
    n = min(len(history), len(exported))
    if n == 0 or list(history.columns) != list(exported.columns):
        return ""
    ours, theirs = history.to_numpy(float)[:n], exported.to_numpy(float)[:n]
    same = ((ours == theirs) | (np.isnan(ours) & np.isnan(theirs))).all(axis=1)
    if same.all():
        return f"the first {n} epochs match the exported history bit for bit"
    return (f"warning: the history differs from the exported one from epoch {int(np.argmin(same)) + 1} "
            "on (other plugins, or another numpy or platform?)")


def run_train(args) -> int:
    from ..experiment import build

    config, exported = read_experiment(args.config)
    if args.epochs is not None:
        config = config.replace(epochs=args.epochs)
    config = overrides.apply(config, args.set, default_registry())
    exp = build(config)
    handle = open_output(args.out, exp.trainer.columns, example="history.csv")
    start_cost = exp.trainer.evaluate()["cost"]
    history, interrupted = train(exp.trainer, config.epochs, None if args.quiet else Progress(config.epochs))
    written = write_csv(history, handle, args.out, "the history")
    if args.out and written:
        print(f"wrote {len(history)} epochs to {args.out}", file=sys.stderr)
    if exported is not None and (line := parity(history, exported)):
        print(line, file=sys.stderr)
    lines, status = outcome(exp, start_cost, interrupted)
    print("\n".join(lines), file=sys.stderr)
    return status if written else UNWRITTEN


def add_train(commands) -> None:
    train_ = commands.add_parser("train", help="train an experiment config and write its history as CSV")
    train_.add_argument("--config", required=True,
                        help="config JSON, or the dashboard's experiment export (its config is trained "
                             "from scratch)")
    train_.add_argument("--epochs", type=int, help="override the config's epochs")
    train_.add_argument("--out", help="history CSV path (default: standard output); checked before training")
    train_.add_argument("--quiet", action="store_true", help="no progress bar")
    train_.add_argument("--set", action="append", metavar="NAME=VALUE", help=overrides.HELP)
    train_.set_defaults(run=run_train)
