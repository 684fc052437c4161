"""``python -m bpdash sweep``: many runs from one base config, written as one CSV row each.

    python -m bpdash sweep --config base.json --set learning_rate=0.01,0.1,1 --set seed=0..9 \\
        --epochs 500 --out results.csv [--random N] [--backend local|serial|ray|dask] [--address ...]

Each row equals ``python -m bpdash train`` on that run's config (see ``bpdash.sweeps.task``).
A progress bar goes to stderr; Ctrl-C (or SIGTERM) stops, writes the rows finished so far and
exits 130. Exit 0 when every run finished, 1 when some failed (their rows say why), 2 for bad
arguments.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from ..config import ExperimentConfig
from . import backends, plan, scheduler, space


class Progress:
    """A one-line progress bar of finished runs on ``stream``, redrawn at most ten times a second."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30):
        self.total, self.stream, self.width = total, stream, width
        self.done = self.failed = self.diverged = 0
        self._start, self._drawn = time.monotonic(), 0.0

    def __call__(self, index, row) -> None:
        self.done += 1
        self.failed += row["status"] != "ok"
        self.diverged += row["stop"] == "diverged"
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done == self.total:
            self._drawn = now
            elapsed = now - self._start
            eta = elapsed / self.done * (self.total - self.done)
            bar = int(self.width * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * bar}{'.' * (self.width - bar)}] {self.done}/{self.total} runs  "
                              f"{self.failed} failed  {self.diverged} diverged  {elapsed:.0f}s, ~{eta:.0f}s left ")
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


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


def _base(args, registry) -> ExperimentConfig:
    config = ExperimentConfig()
    if args.config:
        from ..cli.experiment_file import read_config  # the same reading as train's: a config or an export

        config = read_config(args.config)
    if args.epochs is not None:
        config = config.replace(epochs=args.epochs)
    return config


def _check_out(path: str | None) -> None:
    """Refuse an output path that cannot be written before hours of training, not after."""
    if path is None:
        return
    out = Path(path)
    if out.is_dir():
        raise ValueError(f"--out {path} is a folder; give a file name")
    if not out.parent.is_dir():
        raise ValueError(f"--out {path}: the folder {out.parent} does not exist")


def run(args) -> int:
    from ..plugins import default_registry

    registry = default_registry()
    if args.random is not None and args.random < 1:
        raise ValueError("--random must be at least 1")
    the_plan = plan.make(_base(args, registry), space.parse_axes(args.set, registry), registry,
                         random=args.random, seed=args.random_seed)
    _check_out(args.out)
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
    return _report(the_plan, rows, args.out, interrupted)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _keep(rows, progress, index, row) -> None:
    rows[index] = row
    if progress:
        progress(index, row)


def _report(the_plan, rows, out, interrupted) -> int:
    table = the_plan.table(rows)
    if out:
        table.to_csv(out, index=False)
    else:
        sys.stdout.write(table.to_csv(index=False))
    failed = int((table["status"] != "ok").sum())
    diverged = int((table["stop"] == "diverged").sum())
    where = f"; wrote {out}" if out else ""
    print(f"{len(table)} of {len(the_plan)} runs finished: {len(table) - failed} ok, {failed} failed, "
          f"{diverged} diverged{where}", file=sys.stderr)
    if interrupted:
        print("interrupted: the rows of the finished runs are written", file=sys.stderr)
        return 130
    return 1 if failed else 0

