"""One run of a sweep: a config in, one result row out, on whatever process or machine runs it.

``run(config_dict)`` builds the experiment exactly as ``python -m bpdash train`` does
(``bpdash.experiment.build`` on the registry of that process) and trains ``config.epochs``
epochs, so a row's numbers are those of ``train``'s history, bit for bit:

- ``final_cost``, ``final_test_cost``, ``accuracy``, ``test_accuracy``: the history's last row
  (the cost J measured in the last epoch, as ``train`` writes it);
- ``best_cost``, ``best_test_cost``: the lowest of each column over the history;
- ``epochs_run``; ``stop``: "epochs" (ran them all), "target", "patience" or "diverged";
- ``wall_time``: seconds spent building and training (not loading the plugins, which a worker
  does once); ``status``: "ok" or "failed", with
  ``error`` saying why (a config a plugin refuses, a plugin that raised).

It never raises: a Python error is a failed row. Only a worker that dies loses a run, and the
scheduler retries that (``bpdash.sweeps.scheduler``).
"""
from __future__ import annotations

import math
import time

RESULTS = ("status", "final_cost", "best_cost", "final_test_cost", "best_test_cost", "accuracy",
           "test_accuracy", "epochs_run", "stop", "wall_time", "error")


def _stop(trainer) -> str:
    if trainer.diverged:
        return "diverged"
    if trainer.stopped:
        return "target" if trainer.stop_reason.startswith("reached the target") else "patience"
    return "epochs"


def _column(history, name, pick):
    values = history[name].dropna() if name in history else ()
    return float(pick(values)) if len(values) else math.nan


def run(config: dict, curve: bool = False, units: bool = False) -> dict:
    """Train the config (a dict, as ``ExperimentConfig.to_dict`` gives it); its result row, with
    ``curve`` its training and test cost per epoch (``cost_curve``, ``test_cost_curve``), with
    ``units`` the number of distinct hidden units after training (``distinct_units``: units
    whose incoming weights and bias are equal count once; see ``bpdash.symmetry``)."""
    start = time.perf_counter()
    try:
        from bpdash.config import ExperimentConfig
        from bpdash.experiment import build
        from bpdash.plugins import default_registry

        registry = default_registry()  # loaded once per worker process: not this run's time
        start = time.perf_counter()
        exp = build(ExperimentConfig.from_dict(config, registry), registry)
        history = exp.trainer.fit(exp.config.epochs)
        row = {"status": "ok", "final_cost": _column(history, "cost", lambda v: v.iloc[-1]),
               "best_cost": _column(history, "cost", min),
               "final_test_cost": _column(history, "test_cost", lambda v: v.iloc[-1]),
               "best_test_cost": _column(history, "test_cost", min),
               "accuracy": _column(history, "accuracy", lambda v: v.iloc[-1]),
               "test_accuracy": _column(history, "test_accuracy", lambda v: v.iloc[-1]),
               "epochs_run": int(exp.trainer.epoch), "stop": _stop(exp.trainer), "error": ""}
        if curve:
            row["cost_curve"] = history["cost"].tolist()
            row["test_cost_curve"] = history["test_cost"].tolist()
        if exp.trainer.diverged:
            row["error"] = exp.trainer.message
        if units:
            from bpdash.symmetry import distinct_neurons

            row["distinct_units"] = int(sum(distinct_neurons(exp.net)))
    except Exception as exc:  # a config or plugin problem: this run's row says so, the sweep goes on
        row = failed(f"{type(exc).__name__}: {str(exc)[:300]}")
    row["wall_time"] = time.perf_counter() - start
    return row


def failed(error: str) -> dict:
    """The row of a run that could not be done."""
    return {**{name: math.nan for name in RESULTS}, "status": "failed", "epochs_run": 0, "stop": "",
            "wall_time": math.nan, "error": error}
