"""``bpdash gradcheck``, ``bpdash plugins`` and ``bpdash doctor``: checking a setup."""
from __future__ import annotations

from ..plugins import default_registry
from .experiment_file import read_config
from .status import FAILED_CHECK, OK


def run_gradcheck(args) -> int:
    from ..experiment import build
    from ..gradcheck import gradient_check, training_context

    exp = build(read_config(args.config))
    checks = gradient_check(exp.net, exp.trainer.X, exp.trainer.Y, cost=exp.config.cost,
                            regularization=exp.config.regularization, reg_rate=exp.config.reg_rate,
                            context=training_context(exp.net, exp.config.seed))  # dropout: masks held fixed
    worst = 0.0
    for check in checks:
        status = "ok" if check.relative_error < args.tolerance else "FAIL"
        worst = max(worst, check.relative_error)
        print(f"layer {check.layer} ({check.label}): relative error {check.relative_error:.3e}  {status}")
    return OK if worst < args.tolerance else FAILED_CHECK


def run_plugins(args) -> int:
    registry = default_registry()
    for info in registry.plugins:
        provides = ", ".join(info.provides) or "-"
        print(f"{info.status:5}  {info.name:16} {info.source:28} {provides}")
    for problem in registry.errors:
        print(f"error  {problem.plugin} ({problem.source}): {problem.message}")
    return FAILED_CHECK if registry.errors and args.strict else OK


def run_doctor(args) -> int:
    from ..doctor import format_report, report

    data = report()
    print(format_report(data))
    return FAILED_CHECK if data["plugin_errors"] and args.strict else OK


def add_gradcheck(commands) -> None:
    check = commands.add_parser("gradcheck", help="compare backprop with finite differences per layer")
    check.add_argument("--config", required=True, help="config JSON or experiment export")
    check.add_argument("--tolerance", type=float, default=1e-6,
                       help="largest relative error that passes (default 1e-6)")
    check.set_defaults(run=run_gradcheck)


def add_plugins(commands) -> None:
    _listing(commands.add_parser("plugins", help="list loaded plugins and the errors of those that failed"),
             run_plugins)


def add_doctor(commands) -> None:
    _listing(commands.add_parser("doctor", help="versions, platform and plugin status, for a bug report"),
             run_doctor)


def _listing(command, run) -> None:
    command.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed")
    command.set_defaults(run=run)
