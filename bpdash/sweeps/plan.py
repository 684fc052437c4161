"""A sweep's plan: the configs it runs (a base config and the combinations of its axes), and
the table of their results.

Every combination is validated before anything runs, so a bad value is reported at once and
not after hours of training. The table has one row per run: ``run`` (its number), the swept
settings, then ``bpdash.sweeps.task.RESULTS``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..config import ConfigError, ExperimentConfig, checked
from . import space, task

MAX_SHOWN_ERRORS = 5


@dataclass(frozen=True)
class Plan:
    """``combos[i]`` (flat name → value) of the ``axes`` made ``configs[i]`` from ``base``."""

    base: ExperimentConfig
    axes: tuple
    combos: tuple
    configs: tuple

    @property
    def swept(self) -> tuple:
        """The names of the settings that vary."""
        return tuple(space.swept(self.axes))

    def __len__(self) -> int:
        return len(self.configs)

    def config_dicts(self) -> list[dict]:
        """The configs as ``task.run`` takes them."""
        return [c.to_dict() for c in self.configs]

    def table(self, rows: dict) -> pd.DataFrame:
        """One row per finished run (``rows``: index → result row), in run order; a measure a
        run reported beyond the results (``distinct_units``) gets a column of its own, curves
        do not."""
        fields = {a.name: a.field for a in self.axes}
        extra = sorted({k for row in rows.values() for k in row if k not in task.RESULTS and not k.endswith("_curve")})
        records = []
        for index in sorted(rows):
            shown = {name: _text(fields[name], self.combos[index][name]) for name in self.swept}
            records.append({"run": index, **shown, **{k: rows[index].get(k) for k in (*task.RESULTS, *extra)}})
        return pd.DataFrame.from_records(records, columns=["run", *self.swept, *task.RESULTS, *extra])


def _text(field, value) -> str | float | int:
    """A swept value as the table shows it: numbers as numbers, anything else as its text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return field.text(value) if not isinstance(value, str) else value


def make(base: ExperimentConfig, axes, registry, *, random: int | None = None, seed: int = 0) -> Plan:
    """The plan of ``axes`` over ``base``: their grid, or ``random`` sampled combinations.
    ValueError naming the combinations the schema or the registry refuses."""
    combos = space.sample(axes, random, seed) if random else space.grid(axes)
    configs, errors = [], []
    for i, combo in enumerate(combos):
        try:
            configs.append(checked(base.replace(**combo), registry))
        except ConfigError as exc:
            errors.append(f"run {i} ({', '.join(f'{k}={v}' for k, v in combo.items())}): {exc}")
    if errors:
        more = f" … and {len(errors) - MAX_SHOWN_ERRORS} more" if len(errors) > MAX_SHOWN_ERRORS else ""
        raise ValueError("; ".join(errors[:MAX_SHOWN_ERRORS]) + more)
    return Plan(base, tuple(axes), tuple(combos), tuple(configs))
