"""``python -m bpdash sweep``: many runs from one base config, written as one CSV row each.

    python -m bpdash sweep --config base.json --set learning_rate=0.01,0.1,1 --set seed=0..9 \\
        --epochs 500 --out results.csv [--random N] [--backend local|serial|ray|dask] [--address ...]

Each row equals ``python -m bpdash train`` on that run's config (see ``bpdash.sweeps.task``).
A progress bar goes to stderr; Ctrl-C (or SIGTERM) stops, writes the rows finished so far and
exits 130. Exit 0 when every run finished, 1 when some failed (their rows say why), 2 for bad
arguments, 5 when ``--out`` could not be written at the end (the rows then go to stdout).
"""
from __future__ import annotations

import argparse
import signal
import sys
import time

from ..cli.progress import ProgressLine
from ..cli.output import open_output, write_csv
from ..cli.status import FAILED_CHECK, INTERRUPTED, OK, UNWRITTEN
from ..config import ExperimentConfig
from . import backends, plan, scheduler, space


class Progress(ProgressLine):
    """Runs finished, how many failed or diverged, the time so far and an estimate of the rest."""

    def __init__(self, total: int, stream=None):
        super().__init__(total, "runs", stream)
        self.done = self.failed = self.diverged = 0
        self._start = time.monotonic()

    def __call__(self, index, row) -> None:
        self.done += 1
        self.failed += row["status"] != "ok"
        self.diverged += row["stop"] == "diverged"
        elapsed = time.monotonic() - self._start
        eta = elapsed / self.done * (self.total - self.done)
        self.show(self.done, f"{self.failed} failed  {self.diverged} diverged  {elapsed:.0f}s, ~{eta:.0f}s left ")


def add_sweep(commands) -> None:
    """Add the ``sweep`` subcommand to the CLI's subparsers."""
    p = commands.add_parser("sweep", help="train many runs (a grid or random combinations) and write one CSV row each",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="the base config JSON, or an experiment export (default: the defaults)")
    p.add_argument("--set", action="append", metavar="NAME=VALUES", default=[],
                   help="a setting and its values: a,b,c; lo..hi (whole numbers); lo..hi:N (N values); "
                        "list settings separate their values with ';' (docs/sweeps.md)")
    p.add_argument("--epochs", type=int, help="epochs of every run (overrides the config's)")
    p.add_argument("--random", type=int, metavar="N", help="N random combinations instead of the whole grid")
    p.add_argument("--random-seed", type=int, default=0, help="the seed of --random's draws (default 0)")
    p.add_argument("--backend", choices=backends.BACKENDS, default="local",
                   help="where runs train: local worker processes (default), serial, ray or dask")
    p.add_argument("--address", help="the Ray or Dask scheduler to use (default: one started for the sweep)")
    p.add_argument("--jobs", type=int, help="worker processes of a local backend or cluster (default: one per core)")
    p.add_argument("--out", help="results CSV path (default: standard output)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def _base(args) -> ExperimentConfig:
    config = ExperimentConfig()
    if args.config:
        from ..cli.experiment_file import read_config  # the same reading as train's: a config or an export

        config = read_config(args.config)
    if args.epochs is not None:
        config = config.replace(epochs=args.epochs)
    return config


def run(args) -> int:
    from ..plugins import default_registry

    registry = default_registry()
    if args.random is not None and args.random < 1:
        raise ValueError("--random must be at least 1")
    the_plan = plan.make(_base(args), space.parse_axes(args.set, registry), registry,
                         random=args.random, seed=args.random_seed)
    handle = open_output(args.out)  # before hours of training, not after
    backend = backends.open_backend(args.backend, args.address, args.jobs)
    progress = None if args.quiet else Progress(len(the_plan))
    rows, interrupted = {}, False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        scheduler.run_all(backend, the_plan.config_dicts(), on_result=lambda i, row: _keep(rows, progress, i, row))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        backend.close()
        if progress:
            progress.close()
    return _report(the_plan, rows, handle, args.out, interrupted)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _keep(rows, progress, index, row) -> None:
    rows[index] = row
    if progress:
        progress(index, row)


def _report(the_plan, rows, handle, out, interrupted) -> int:
    table = the_plan.table(rows)
    written = write_csv(table, handle, out, "the results", header=True)
    failed = int((table["status"] != "ok").sum())
    diverged = int((table["stop"] == "diverged").sum())
    where = f"; wrote {out}" if out and written else ""
    print(f"{len(table)} of {len(the_plan)} runs finished: {len(table) - failed} ok, {failed} failed, "
          f"{diverged} diverged{where}", file=sys.stderr)
    if interrupted:
        print("interrupted: the rows of the finished runs are written", file=sys.stderr)
        return INTERRUPTED
    if not written:
        return UNWRITTEN
    return FAILED_CHECK if failed else OK

