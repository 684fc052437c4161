"""Learning-rate schedules: the step size η_e used in epoch e = 1, 2, … from the base rate η.

- "constant": η_e = η (the article's).
- "step": η_e = η · decay^⌊(e − 1)/step⌋: η drops by the factor ``decay`` every ``step`` epochs.
- "exponential": η_e = η · decay^((e − 1)/step): the same decay, spread smoothly over the epochs.

Epoch 1 always uses η itself. Every update of an epoch (each mini-batch) uses that epoch's η_e.
"""
from __future__ import annotations

import math

from . import schema

SCHEDULES = schema.field("lr_schedule").choices


def check(schedule: str, decay, step) -> None:
    """Raise ValueError unless ``schedule``, ``decay`` and ``step`` are valid as ``bpdash.schema``
    declares the config's ``lr_schedule`` (one of SCHEDULES), ``lr_decay`` and ``lr_step``."""
    schema.check("lr_schedule", schedule)
    schema.check("lr_decay", decay)
    schema.check("lr_step", step)


def learning_rate(eta: float, epoch: int, schedule: str = "constant", decay: float = 0.5,
                  step: int = 100) -> float:
    """η_e for the 1-based ``epoch`` (see the module docstring)."""
    if schedule == "constant":
        return float(eta)
    e = max(int(epoch), 1) - 1
    exponent = e // step if schedule == "step" else e / step
    return float(eta) * math.pow(decay, exponent)


def latex(schedule: str) -> str:
    """The schedule's formula as LaTeX, for the dashboard."""
    if schedule == "step":
        return r"\eta_e = \eta \cdot \mathrm{decay}^{\lfloor (e-1)/\mathrm{step} \rfloor}"
    if schedule == "exponential":
        return r"\eta_e = \eta \cdot \mathrm{decay}^{(e-1)/\mathrm{step}}"
    return r"\eta_e = \eta"
