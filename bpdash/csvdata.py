"""CSV files as data: ``read_csv`` reads and checks one into a DataFrame (for a preview and the
column pickers); ``load_csv`` turns chosen columns of it into a ``DataSplit``.

A target column of class labels (text, or numbers taken as labels) makes a classification of k
classes, the labels their names: one 0/1 column for two classes, k one-hot columns for more
(``bpdash.classes``). One class only, more than ``MAX_CLASSES`` or an empty label is refused
with a message naming the column and the row.

CSV files are comma-separated, UTF-8 (a byte-order mark is fine), one header row. Missing values
("", NA, NaN, null, ...) and text are allowed in a column nobody uses; chosen columns must hold
finite numbers. Rows are reported both as data rows (row 1 is the first under the header) and
as lines of the file (the header is line 1), as a spreadsheet would number them.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .classes import LabelError, codes, targets as class_targets
from .data import (MAX_ABS_VALUE, MAX_COLUMNS, MAX_ROWS, MAX_TEST_SHARE, TASKS, DataError, DataSplit,
                   check_number, split)
from .schema import MAX_CLASSES

MISSING = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "#na"})


def _raw(source):
    """The bytes (or text) of a path, bytes, or file-like source."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes()
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte or a lone surrogate in the name
            raise DataError(f"cannot read {str(path)[:200]}: {getattr(exc, 'strerror', None) or exc}") from exc
    if hasattr(source, "getvalue"):  # BytesIO and Streamlit's UploadedFile: all of it, whatever was read
        data = source.getvalue()
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise TypeError(f"source must be a path, bytes or a file-like object, got {type(source).__name__}")
    return data


def _decode(data) -> str:
    if isinstance(data, str):
        return data
    if data[:4] == b"PK\x03\x04":
        raise DataError("this is a zip archive (an Excel .xlsx workbook?), not a CSV file; "
                        "export it as 'CSV UTF-8'")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise DataError("the file is UTF-16 text (or binary): it holds NUL bytes; "
                        "save it as UTF-8 (in Excel: 'CSV UTF-8')")
    try:
        return data.decode("utf-8-sig")  # UTF-8, with or without a byte-order mark
    except UnicodeDecodeError as exc:
        raise DataError(f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} at position "
                        f"{exc.start} cannot be decoded (Latin-1 or Windows-1252?). Save it as "
                        "UTF-8 (in Excel: 'CSV UTF-8') and try again") from None


def _column(values) -> pd.Series:
    """Stripped strings → numbers when every non-missing value is one, else text; missing → NaN."""
    text = pd.Series([v.strip() for v in values], dtype=object)
    text = text.mask(text.str.lower().isin(MISSING))
    numbers = pd.to_numeric(text, errors="coerce")
    return numbers if numbers.notna().sum() == text.notna().sum() else text


def read_csv(source) -> pd.DataFrame:
    """Read and check a CSV file: a path, bytes, or a file-like object (an UploadedFile).

    Returns a DataFrame with one column per header name: numeric where every value is a number
    or missing (NaN), text otherwise. ``df.attrs["lines"]`` holds each row's line in the file.
    Raises DataError for an empty or undecodable file, a malformed or ragged row, duplicate
    column names, fewer than 2 or more than MAX_ROWS data rows, or more than MAX_COLUMNS
    columns (refused from the header alone, before the rest is parsed).
    """
    text = _decode(_raw(source))
    if not text.strip():
        raise DataError("the file is empty")
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    if '"' not in first_line and first_line.count(",") >= MAX_COLUMNS:  # refuse without parsing
        raise DataError(f"the header has {first_line.count(',') + 1:,} columns; the limit is {MAX_COLUMNS}")
    reader = csv.reader(io.StringIO(text), strict=True)
    rows, lines = [], [0]  # lines[0]: the header's last line
    try:
        header = next(reader)
        lines[0] = reader.line_num
        if len(header) > MAX_COLUMNS:
            raise DataError(f"the header has {len(header):,} columns; the limit is {MAX_COLUMNS}")
        header = [h.strip() for h in header]
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            raise DataError(f"the header {header[0]!r} looks separated by something other than "
                            "commas; save the file as comma-separated values")
        header = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise DataError(f"column names must be unique; repeated: {', '.join(map(repr, twice))}")
        for row in reader:
            if not row:  # a blank line
                continue
            if len(row) != len(header):
                raise DataError(f"line {reader.line_num} has {len(row)} field{'s' * (len(row) != 1)} "
                                f"but the header has {len(header)}: every row needs one value per column")
            rows.append(row)
            lines.append(reader.line_num)
            if len(rows) > MAX_ROWS:
                raise DataError(f"the file has more than {MAX_ROWS:,} data rows (the limit)")
    except csv.Error as exc:
        raise DataError(f"cannot parse the file from line {lines[-1] + 1}: {exc} "
                        "(is a quote left open?)") from None
    if len(rows) < 2:
        found = "no data rows, only a header" if not rows else "only 1 data row"
        raise DataError(f"the file has {found}; need at least 2 rows under the header")
    columns = list(zip(*rows))
    df = pd.DataFrame({name: _column(col) for name, col in zip(header, columns)})
    df.attrs["lines"] = lines[1:]
    return df


def _as_list(names, what):
    names = [names] if isinstance(names, str) else list(names)
    twice = sorted({c for c in names if names.count(c) > 1}, key=str)
    if twice:
        raise DataError(f"{what}: {', '.join(map(repr, twice))} listed more than once")
    return names


def _numeric(df, name, lines) -> np.ndarray:
    """Column ``name`` as floats, or a DataError naming the first bad row."""
    raw = df[name]
    x = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(x) | (np.abs(x) > MAX_ABS_VALUE)
    if not bad.any():
        return x
    i = int(np.argmax(bad))
    where = f"row {i + 1} (line {lines[i]} of the file)"
    value = raw.iloc[i]
    shown = repr(value) if isinstance(value, str) else f"{x[i]:g}"
    if pd.isna(value):
        problem = "a missing value"
    elif np.isnan(x[i]):
        problem = f"the non-numeric value {shown}"
    elif np.isinf(x[i]):
        problem = f"an infinite value ({shown})"
    else:
        problem = f"the value {shown}, too large (|x| > {MAX_ABS_VALUE:g})"
    raise DataError(f"column {name!r} has {problem} in {where} "
                    f"({bad.sum()} unusable value(s) in that column)")


def standardize_features(X_train, X_test):
    """Scale columns to zero mean and unit std with the training rows' statistics.

    Returns ``(X_train, X_test, mean, std)``, mean and std of shape (n_features,). A column
    constant on the training rows (or varying so little that its std underflows to 0) is only
    shifted to zero (its std is taken as 1). A tiny std can still make scaled values overflow to
    ±inf (no warning is printed): ``load_csv`` refuses those.
    """
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    constant = (np.ptp(X_train, axis=0) == 0) | ~(std > 0)
    mean[constant] = X_train[0, constant]  # exactly zero afterwards, no rounding residue
    std[constant] = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return (X_train - mean) / std, (X_test - mean) / std, mean, std


def load_csv(source, *, features=None, target=None, standardize=False, test_share=0.2, seed=0,
             task=None) -> DataSplit:
    """Chosen columns of a CSV file (or of a DataFrame from ``read_csv``) as a DataSplit.

    ``target`` is one column name or a list (default: the last column); ``features`` a list of
    names (default: every other column). X is (m, len(features)). Rows are split as by
    ``split(X, Y, test_share, seed)``. ``task``: "classification" with one target column reads
    it as class labels (numbers or text: Y one 0/1 column for two classes, one-hot columns for
    more, ``class_names`` the labels); with several, each must hold 0/1. "regression": the
    targets as numbers, Y (m, len(target)). None infers: class labels for a column of text or of
    0/1 only, 0/1 targets for several such columns, else regression. ``standardize`` scales each
    feature to zero mean and unit std using the training rows only (see
    ``standardize_features``). Raises DataError for unknown or overlapping columns, no features,
    a chosen column holding a missing, non-numeric, infinite or too large (|x| > MAX_ABS_VALUE)
    value, or labels that are no set of classes.
    """
    if isinstance(source, pd.DataFrame):
        df, name = source, "csv"
        if not 2 <= len(df) <= MAX_ROWS or df.shape[1] > MAX_COLUMNS:
            raise DataError(f"need 2 to {MAX_ROWS:,} rows and at most {MAX_COLUMNS} columns, "
                            f"got {df.shape[0]:,} × {df.shape[1]:,}")
    else:
        df, name = read_csv(source), _raw_name(source)
    columns = list(df.columns)
    targets = _as_list(columns[-1:] if target is None else target, "target")
    chosen = [c for c in columns if c not in targets] if features is None else features
    features = _as_list(chosen, "features")
    for c in targets + features:
        if c not in columns:
            raise DataError(f"unknown column {c!r}; the columns are {columns}")
    if not targets:
        raise DataError("choose at least one target column")
    if not features:
        raise DataError("no feature columns: choose at least one column besides the target")
    both = [c for c in features if c in targets]
    if both:
        raise DataError(f"column {both[0]!r} is both a feature and a target; choose it as one")
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be None or one of {TASKS}, got {task!r}")
    test_share = check_number(test_share, "test_share", 0.0, MAX_TEST_SHARE)
    lines = df.attrs.get("lines") or []
    if len(lines) != len(df):  # not straight from read_csv: assume one line per row
        lines = list(range(2, len(df) + 2))
    X = np.column_stack([_numeric(df, c, lines) for c in features])
    Y, task, class_names, target_names = _targets(df, targets, task, lines)
    X_train, Y_train, X_test, Y_test = split(X, Y, test_share, seed)
    mean = std = None
    if standardize:
        X_train, X_test, mean, std = standardize_features(X_train, X_test)
        finite = np.isfinite(X_train).all(axis=0) & np.isfinite(X_test).all(axis=0)
        if not finite.all():
            j = int(np.argmin(finite))
            raise DataError(f"column {features[j]!r} varies too little on the training rows (std "
                            f"{std[j]:.3g}) to be standardized: its scaled values overflow; rescale it "
                            "or turn standardizing off")
    return DataSplit(X_train, Y_train, X_test, Y_test, task=task, name=name,
                     feature_names=tuple(map(str, features)), target_names=target_names,
                     feature_mean=mean, feature_std=std, class_names=class_names)


def _targets(df: pd.DataFrame, targets: list, task, lines) -> tuple:
    """``(Y, task, class_names, target_names)`` of the target columns: one column of class
    labels as one 0/1 column (two classes) or one-hot columns (more), else the numbers, 0/1 for
    a classification (see ``load_csv``)."""
    class_names, target_names = (), tuple(map(str, targets))
    if len(targets) == 1 and task != "regression" and _labels(df[targets[0]], task):
        try:
            labels, class_names = codes(df[targets[0]], targets[0], lines, MAX_CLASSES)
        except LabelError as exc:
            raise DataError(str(exc)) from None
        return (class_targets(labels, len(class_names)), "classification", class_names,
                class_names if len(class_names) > 2 else target_names)
    Y = np.column_stack([_numeric(df, c, lines) for c in targets])
    binary = np.isin(Y, (0.0, 1.0))
    if task is None:
        task = "classification" if binary.all() else "regression"
    if task == "classification" and binary.all() and len(targets) == 1:
        class_names = ("0", "1")  # a 0/1 column, as such files always read (one value alone too)
    elif task == "classification" and not binary.all():
        i, j = np.argwhere(~binary)[0]
        raise DataError(f"classification with several target columns needs 0/1 targets; column "
                        f"{targets[j]!r} has {Y[i, j]:g} in row {i + 1} (line {lines[i]} of the file)")
    return Y, task, class_names, target_names


def _labels(column: pd.Series, task) -> bool:
    """Whether a target column is read as class labels: text (a missing value among them is a
    label left empty, refused by name), or numbers asked for as classes, unless they are all 0
    or 1 (a 0/1 column reads as it always did)."""
    if column.dtype == object:
        return True
    numbers = column.to_numpy(dtype=float)
    return task == "classification" and not np.isin(numbers, (0.0, 1.0)).all()


def _raw_name(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).stem
    return Path(str(getattr(source, "name", "") or "csv")).stem
