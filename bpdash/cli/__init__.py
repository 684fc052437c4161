"""The headless command line: ``bpdash train | sweep | gradcheck | plugins | doctor | dashboard``.

``python -m bpdash ...`` is the same. Each command has an ``add_*(commands)`` function in a module
of this package: it adds the command's subparser and sets ``run``, a function of the parsed
arguments that returns the exit status (``bpdash.cli.status``). ``COMMANDS`` lists them in the
order ``--help`` shows, so a new command is a new module and one line here. A command that
hands its unparsed arguments on to another program (``dashboard`` to Streamlit) sets
``passthrough=True``.
"""
from __future__ import annotations

import argparse
import sys

from ..config import ConfigError
from ..plugins import PluginLoadError
from ..sweeps.command import add_sweep
from . import dashboard, diagnose, train
from .status import BAD_INPUT, INTERRUPTED

COMMANDS = (train.add_train, add_sweep, diagnose.add_gradcheck, diagnose.add_plugins, diagnose.add_doctor,
            dashboard.add_dashboard)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bpdash", description="Train and inspect backpropagation headless, "
                                "or start the dashboard.")
    commands = p.add_subparsers(dest="command", required=True, metavar="command")
    for add in COMMANDS:
        add(commands)
    return p


def main(argv=None) -> int:
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "passthrough", False):
        args.extra = extra
    try:
        return args.run(args)
    except (ConfigError, PluginLoadError, ValueError) as exc:  # ExportError is a ValueError
        print(f"bpdash: {exc}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:  # before training began (a run in progress handles its own)
        print("bpdash: interrupted", file=sys.stderr)
        return INTERRUPTED
