"""Reading JSON from outside strictly, with messages that name the field.

``strict_loads`` refuses what Python's json module lets through but no JSON producer should
write: a key given twice (the last would silently win), and the NaN/Infinity tokens, which are
kept as ``NonFinite`` values so the field holding one is named when it is checked. The checks
take a value and the field's name for the message, and raise ``FieldError`` (a ValueError).
Numbers are Python ints or floats, never booleans or strings; a 400-digit integer is not finite.
"""
from __future__ import annotations

import json
import math

import numpy as np


class FieldError(ValueError):
    """A field of a file does not hold what it must; the message names the field."""


class NonFinite(str):
    """A NaN, Infinity or -Infinity token from the file, kept to be refused by name."""


def _no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        raise FieldError(f"the key {show(twice)} appears twice in one object")
    return dict(pairs)


def strict_loads(text: str):
    """``json.loads`` refusing duplicate keys; NaN/Infinity become ``NonFinite`` values."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=NonFinite)


def show(value, limit: int = 40) -> str:
    """A value for a message, cut short: a message must not echo a huge value back."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value) -> bool:
    """A JSON number that float64 holds as a finite value."""
    if not is_number(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def whole(value, name: str, low: int, high: int) -> int:
    """``value`` as a whole number in [low, high]; FieldError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(f"{name} must be a whole number from {low:,} to {high:,}, got {show(value)}")
    return value


def finite_array(value, ndim: int, name: str) -> np.ndarray:
    """Nested lists of finite numbers, ``ndim`` deep and rectangular, as a float64 array."""
    rows = value if ndim == 2 else [value]
    if not isinstance(value, list) or not all(isinstance(row, list) for row in rows) or not rows:
        raise FieldError(f"{name} must be a {ndim}-D array: {'a list of lists' if ndim == 2 else 'a list'} "
                         "of numbers")
    if len({len(row) for row in rows}) > 1:
        raise FieldError(f"{name} has rows of different lengths")
    for i, row in enumerate(rows):
        for j, item in enumerate(row):
            if not is_finite(item):
                where = f"[{i}][{j}]" if ndim == 2 else f"[{j}]"
                raise FieldError(f"{name}{where} is {show(item)}, not a finite number")
    return np.array(value, dtype=float)


def finite_nested(value, shape: tuple, name: str) -> np.ndarray:
    """Nested lists of finite numbers of exactly ``shape`` (any number of axes), as a float64
    array; FieldError naming the first entry out of place. The shape is checked as the lists are
    walked, before any array is made."""
    def walk(item, depth: int, where: str) -> None:
        if depth == len(shape):
            if not is_finite(item):
                raise FieldError(f"{name}{where} is {show(item)}, not a finite number")
            return
        if not isinstance(item, list) or len(item) != shape[depth]:
            got = f"{len(item)} entries" if isinstance(item, list) else show(item)
            raise FieldError(f"{name}{where} must be a list of {shape[depth]} entries (shape {tuple(shape)}), "
                             f"got {got}")
        for i, entry in enumerate(item):
            walk(entry, depth + 1, f"{where}[{i}]")

    walk(value, 0, "")
    return np.array(value, dtype=float).reshape(shape)
