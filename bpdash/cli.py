"""The headless command line: ``python -m bpdash train | gradcheck | plugins | doctor``.

Runs the same experiments as the dashboard: a config JSON, or the dashboard's whole experiment
export (``{"format": "bpdash-experiment", "config": {...}, ...}``), goes through
``bpdash.experiment.build`` exactly as the app's does, so the history is identical.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import overrides
from .config import ConfigError, ExperimentConfig
from .plugins import PluginLoadError, default_registry
from .sweeps import command as sweep_command


def _read_experiment(path: str):
    """``(config, history)`` from a plain config JSON (history None) or from the dashboard's
    experiment export (its history, None if it holds none), validated like an upload."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError({"config": f"cannot read {path}: {exc}"}) from exc
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        doc = None  # from_json names the JSON error
    if isinstance(doc, dict) and "format" in doc:
        from .export import import_json

        state = import_json(text)  # an ExportError (a ValueError) says what is wrong
        return state.config, state.history
    return ExperimentConfig.from_json(text, default_registry()), None  # every bad field at once


def _read_config(path: str) -> ExperimentConfig:
    return _read_experiment(path)[0]


def _compare(history, exported) -> str:
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


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30):
        self.total, self.stream, self.width = total, stream, width
        self._last = 0.0

    def __call__(self, trainer, row) -> bool:
        now = time.monotonic()
        if now - self._last >= 0.1 or row["epoch"] == self.total:
            self._last = now
            done = int(self.width * row["epoch"] / self.total)
            self.stream.write(f"\r[{'#' * done}{'.' * (self.width - done)}] "
                              f"{row['epoch']}/{self.total} epochs  cost {row['cost']:.6g}")
            self.stream.flush()
        return False

    def close(self) -> None:
        self.stream.write("\n")


def cmd_train(args) -> int:
    from .experiment import build

    config, exported = _read_experiment(args.config)
    if args.epochs is not None:
        config = config.replace(epochs=args.epochs)
    config = overrides.apply(config, args.set, default_registry())
    exp = build(config)
    progress = Progress(config.epochs) if not args.quiet else None
    history = exp.trainer.fit(config.epochs, callback=progress)
    if progress:
        progress.close()
    if exp.trainer.diverged:
        print(exp.trainer.message, file=sys.stderr)
    if exp.trainer.stopped:
        print(f"stopped early: {exp.trainer.stop_reason}", file=sys.stderr)
    if args.out:
        history.to_csv(args.out, index=False)
        print(f"wrote {len(history)} epochs to {args.out}", file=sys.stderr)
    else:
        print(history.to_csv(index=False), end="")
    parity = "" if exported is None else _compare(history, exported)
    if parity:
        print(parity, file=sys.stderr)
    final = exp.trainer.evaluate()
    print(f"{exp.net.describe()}: {exp.trainer.epoch} epochs, final cost {final['cost']:.6g}",
          file=sys.stderr)
    return 3 if exp.trainer.diverged else 0


def cmd_gradcheck(args) -> int:
    from .experiment import build
    from .gradcheck import gradient_check

    exp = build(_read_config(args.config))
    checks = gradient_check(exp.net, exp.trainer.X, exp.trainer.Y, cost=exp.config.cost,
                            regularization=exp.config.regularization, reg_rate=exp.config.reg_rate)
    worst = 0.0
    for check in checks:
        status = "ok" if check.relative_error < args.tolerance else "FAIL"
        worst = max(worst, check.relative_error)
        print(f"layer {check.layer} (Θ^({check.layer})): relative error {check.relative_error:.3e}  {status}")
    return 0 if worst < args.tolerance else 1


def cmd_plugins(args) -> int:
    registry = default_registry()
    for info in registry.plugins:
        provides = ", ".join(info.provides) or "-"
        print(f"{info.status:5}  {info.name:16} {info.source:28} {provides}")
    for problem in registry.errors:
        print(f"error  {problem.plugin} ({problem.source}): {problem.message}")
    return 1 if registry.errors and args.strict else 0


def cmd_doctor(args) -> int:
    from .doctor import format_report, report

    data = report()
    print(format_report(data))
    return 1 if data["plugin_errors"] and args.strict else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bpdash", description="Train and inspect backpropagation headless.")
    sub = p.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train an experiment config and write its history as CSV")
    train.add_argument("--config", required=True,
                       help="config JSON, or the dashboard's experiment export (its config is used)")
    train.add_argument("--epochs", type=int, help="override the config's epochs")
    train.add_argument("--out", help="history CSV path (default: standard output)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--set", action="append", metavar="NAME=VALUE", help=overrides.HELP)
    train.set_defaults(run=cmd_train)
    check = sub.add_parser("gradcheck", help="compare backprop with finite differences per layer")
    check.add_argument("--config", required=True)
    check.add_argument("--tolerance", type=float, default=1e-6)
    check.set_defaults(run=cmd_gradcheck)
    plugins = sub.add_parser("plugins", help="list loaded plugins and the errors of those that failed")
    plugins.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed")
    plugins.set_defaults(run=cmd_plugins)
    doctor = sub.add_parser("doctor", help="versions, platform and plugin status, for a bug report")
    doctor.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed")
    doctor.set_defaults(run=cmd_doctor)
    sweep_command.add_sweep(sub)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"bpdash: {exc}", file=sys.stderr)
        return 2
    except (PluginLoadError, ValueError) as exc:
        print(f"bpdash: {exc}", file=sys.stderr)
        return 2
