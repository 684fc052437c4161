"""What a sweep varies: axes of values per setting, and the combinations a sweep runs.

An axis is written ``name=values`` (``--set`` on the command line), for any setting the schema
marks sweepable (``Field.sweep``), plugin names and optimizer hyperparameters included:

- ``learning_rate=0.01,0.1,1``: these values (a list field's values are separated by ``;``:
  ``hidden=4;8,8;16,16``, ``activations=tanh;relu``, and so are layer stacks:
  ``layers=dense:16:tanh;dense:16:tanh,dropout:0.2``);
- ``seed=0..9``: every whole number from 0 to 9;
- ``learning_rate=0.001..10:9``: 9 values from 0.001 to 10, evenly spaced, or geometrically for
  a setting declared ``log`` (η, the optimizers' ε);
- a single value (``epochs=500``) sets the setting for every run.

``grid`` gives every combination (the first axis varies slowest); ``sample`` draws ``n`` random
combinations, a range uniformly (log-uniformly for ``log`` settings, whole numbers for integer
ones) and a list by picking one of its values, from a seeded generator.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import overrides
from ..fields import show

MAX_AXIS_VALUES = 10_000


@dataclass(frozen=True)
class Axis:
    """One swept setting: its flat ``name``, its declaration ``field``, and either ``values``
    or a range ``low``…``high`` (``count`` values of it in a grid; 0 for every whole number)."""

    name: str
    field: object
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    count: int = 0

    @property
    def is_range(self) -> bool:
        return self.low is not None

    def grid_values(self) -> tuple:
        """The values a grid takes (a range made into values)."""
        if not self.is_range:
            return self.values
        if self.field.kind == "int" and not self.count:
            return tuple(range(int(self.low), int(self.high) + 1))
        if self.count < 1:
            raise ValueError(f"{self.name}: a range of {self.field.kind} values needs a count for a grid "
                             f"({self.name}={self.low:g}..{self.high:g}:N)")
        space = np.geomspace if self.field.log and self.low > 0 else np.linspace
        values = space(self.low, self.high, self.count)
        if self.field.kind == "int":  # a count above the whole numbers in the range would repeat some
            return tuple(dict.fromkeys(int(round(v)) for v in values))
        return tuple(float(v) for v in values)

    def draw(self, rng):
        """One random value: uniform over a range (log-uniform for a ``log`` setting), or one of
        the values."""
        if not self.is_range:
            return self.values[int(rng.integers(len(self.values)))]
        if self.field.kind == "int":
            return int(rng.integers(int(self.low), int(self.high) + 1))
        if self.field.log and self.low > 0:
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return float(rng.uniform(self.low, self.high))


def _value(name, field, text: str, registry=None):
    """``text`` read by ``field``; ValueError naming the setting and the text."""
    try:
        return overrides.parse_value(field, text, registry)
    except ValueError as exc:
        raise ValueError(f"{name}={show(text)}: {exc}") from None


def _number(name, field, text: str):
    value = _value(name, field, text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name}: {show(text)} is not a number")
    return value


def parse_axis(text: str, registry) -> Axis:
    """The axis ``name=values`` stands for; ValueError (KeyError for an unknown name) says why
    it stands for none."""
    name, raw = overrides.split(text)
    name, field = overrides.resolve(name, registry)
    if not field.sweep:
        raise ValueError(f"{name} cannot be swept")
    head, dots, tail = raw.partition("..")
    if dots and field.kind in ("int", "float") and not field.items:
        high, colon, count = tail.partition(":")
        low, high = _number(name, field, head), _number(name, field, high)
        if low > high:
            raise ValueError(f"{name}: the range {show(raw)} runs downwards")
        try:
            n = int(count) if colon else 0
        except ValueError:
            raise ValueError(f"{name}: the count after ':' must be a whole number, got {show(count)}") from None
        if not 0 <= n <= MAX_AXIS_VALUES:
            raise ValueError(f"{name}: a count from 1 to {MAX_AXIS_VALUES:,}, got {n}")
        return Axis(name, field, low=low, high=high, count=n)
    separator = ";" if field.items else ","
    values = tuple(_value(name, field, part.strip(), registry) for part in raw.split(separator) if part.strip())
    if not values:
        raise ValueError(f"{name} has no values")
    if len(values) > MAX_AXIS_VALUES:
        raise ValueError(f"{name}: at most {MAX_AXIS_VALUES:,} values, got {len(values):,}")
    return Axis(name, field, values=values)


def parse_axes(texts, registry) -> list[Axis]:
    """Every axis of ``texts``; ValueError naming every bad one (a name given twice too)."""
    axes, errors = [], []
    for text in texts or ():
        try:
            axis = parse_axis(text, registry)
        except (KeyError, ValueError) as exc:
            errors.append(str(exc.args[0]))
            continue
        if any(a.name == axis.name for a in axes):
            errors.append(f"{axis.name} is given twice")
        axes.append(axis)
    if errors:
        raise ValueError("; ".join(errors))
    return axes


def size(axes) -> int:
    """How many combinations the grid of ``axes`` has."""
    return math.prod(len(a.grid_values()) for a in axes)


def grid(axes) -> list[dict]:
    """Every combination of the axes' values, name → value, the first axis varying slowest."""
    names = [a.name for a in axes]
    return [dict(zip(names, combo)) for combo in itertools.product(*(a.grid_values() for a in axes))]


def sample(axes, n: int, seed: int = 0) -> list[dict]:
    """``n`` random combinations (see the module docstring), the same for the same seed."""
    rng = np.random.default_rng(seed)
    return [{a.name: a.draw(rng) for a in axes} for _ in range(n)]


def swept(axes) -> list[str]:
    """The names of the axes that vary (more than one value or a range)."""
    return [a.name for a in axes if a.is_range or len(a.values) > 1]
