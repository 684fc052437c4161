"""Classes: class labels as targets, and the two ways two classes are written.

A classification with k ≥ 3 classes has one-hot targets, Y ``(m, k)``, one column per class
(each row a single 1); the arg-max of the outputs is the predicted class. Two classes are one
0/1 column, Y ``(m, 1)`` (the article's way, a single sigmoid output), unless the output layer
has one unit per class (softmax): then two one-hot columns. ``encoded`` turns a DataSplit into
the form its output layer needs, and back.

``codes`` reads a column of class labels (numbers or text, from a CSV) into class numbers
0 … k − 1 and the labels' names, refusing what cannot be a set of classes with a message naming
the column and the row.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np


class LabelError(ValueError):
    """A label column that cannot be a set of classes; the message names the column and row."""


def one_hot(codes, k: int) -> np.ndarray:
    """Y ``(m, k)`` with a 1 in column ``codes[i]`` of row i, from class numbers ``codes`` ``(m,)``."""
    codes = np.asarray(codes, dtype=int)
    Y = np.zeros((len(codes), k))
    Y[np.arange(len(codes)), codes] = 1.0
    return Y


def targets(codes, k: int) -> np.ndarray:
    """The targets of k classes: one 0/1 column for two, one-hot columns for more."""
    codes = np.asarray(codes, dtype=int)
    return codes.reshape(-1, 1).astype(float) if k == 2 else one_hot(codes, k)


def names_of(Y, task: str) -> tuple:
    """The class names ("0", "1", …) a classification's targets Y ``(m, n)`` imply: two for one
    0/1 column, n for one-hot columns; () when they are neither (regression, several 0/1 labels)."""
    if task != "classification" or len(Y) == 0:
        return ()
    Y = np.asarray(Y)
    if Y.shape[1] == 1:
        return ("0", "1") if np.isin(Y, (0.0, 1.0)).all() else ()
    hot = np.isin(Y, (0.0, 1.0)).all() and (Y.sum(axis=1) == 1).all()
    return tuple(str(j) for j in range(Y.shape[1])) if hot else ()


def encoded(data, per_class: bool):
    """``data`` (a DataSplit) with two classes written as its output needs: two one-hot columns
    when ``per_class`` (a softmax output), else one 0/1 column. Anything else comes back as it is.
    The one-hot form keeps the one-column form it came from (``single_column``), so going back
    gives the very same DataSplit."""
    base = data.single_column or data
    if not per_class or base.task != "classification" or base.n_outputs != 1 \
            or len(base.class_names) != 2:
        return base
    def both(Y):
        return np.column_stack([1.0 - Y[:, 0], Y[:, 0]]) if len(Y) else np.zeros((0, 2))
    return replace(base, Y_train=both(base.Y_train), Y_test=both(base.Y_test),
                   target_names=base.class_names, single_column=base)


def codes(values, column: str, lines, most: int) -> tuple[np.ndarray, tuple]:
    """``(codes (m,), names)`` for a column of class labels: numbers (in increasing order) or text
    (in sorted order), each distinct label one class. LabelError for a missing label, a single
    class, or more than ``most`` classes (naming the row where the first one too many appears)."""
    values = list(values)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)) or \
                (isinstance(value, str) and not value.strip()):
            raise LabelError(f"column {column!r} has an empty label in row {i + 1} (line {lines[i]} of the file): "
                             "every row needs a class")
    numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
    names = [_name(v) if numeric else str(v).strip() for v in values]
    first_rows = {}
    for i, name in enumerate(names):
        first_rows.setdefault(name, i)
    if len(first_rows) > most:
        extra = list(first_rows)[most]
        i = first_rows[extra]
        raise LabelError(f"column {column!r} holds {len(first_rows)} classes; at most {most} (the first one "
                         f"too many, {extra!r}, appears in row {i + 1}, line {lines[i]} of the file)")
    if len(first_rows) < 2:
        raise LabelError(f"column {column!r} holds one class only ({names[0]!r}): a classification needs "
                         "at least 2")
    order = sorted(first_rows, key=(lambda n: float(n)) if numeric else str)
    index = {name: j for j, name in enumerate(order)}
    return np.array([index[name] for name in names]), tuple(order)


def _name(value) -> str:
    """A numeric label as a name: 3 for 3.0, else the number as written by repr."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)
