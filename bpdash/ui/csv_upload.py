"""The sidebar's CSV source: the uploader, its column pickers, and the parsed data.

``csv_choice(test_share, seed)`` draws them and returns the ``state.DataChoice``: the chosen
columns as a DataSplit, or "keep the current data" when nothing usable is uploaded. Parsing is
the engine's (``bpdash.csvdata``); each upload is parsed once and each column choice split
once, cached in session state. Errors show right under the uploader and the previous data stays.
"""
from __future__ import annotations

import streamlit as st

from bpdash.csvdata import load_csv, read_csv
from bpdash.data import DataError

from . import state
from .text import plain
from .widgets import choose, default

CSV_PARSED = "csv_parsed"  # (file_id, DataFrame | None, error | None) of the current upload
CSV_SPLIT = "csv_split"    # (key, DataSplit | None, error | None) of the current column choice
TARGET_KINDS = {"Detect": None, "Class labels": "classification", "Numbers": "regression"}  # → load_csv's task


def read_upload(raw: bytes):
    """Parse uploaded bytes with the engine's ``read_csv``: ``(frame, None)`` or ``(None, message)``."""
    try:
        return read_csv(raw), None
    except (DataError, ValueError, TypeError) as exc:
        return None, str(exc)


def split_upload(frame, features, target, standardize, test_share, seed, task=None):
    """Chosen columns as a DataSplit via the engine's ``load_csv``: ``(split, None)`` or ``(None, message)``."""
    try:
        return load_csv(frame, features=list(features), target=target, standardize=bool(standardize),
                        test_share=test_share, seed=seed, task=task), None
    except (DataError, ValueError) as exc:
        return None, str(exc)


def _parsed(upload):
    """The upload parsed once per file; a new file resets the column pickers to their defaults."""
    cached = st.session_state.get(CSV_PARSED)
    if cached is None or cached[0] != upload.file_id:
        frame, error = read_upload(upload.getvalue())
        cached = st.session_state[CSV_PARSED] = (upload.file_id, frame, error)
        if frame is not None:
            st.session_state["csv_target"] = frame.columns[-1]
            st.session_state["csv_features"] = list(frame.columns[:-1])
    return cached[1], cached[2]


def _split(key, frame):
    cached = st.session_state.get(CSV_SPLIT)
    if cached is None or cached[0] != key:
        _, _, features, target, standardize, task, test_share, seed = key
        cached = st.session_state[CSV_SPLIT] = (key, *split_upload(frame, features, target, standardize,
                                                                   test_share, seed, task))
    return cached[1], cached[2]


def _columns(columns) -> tuple[str, list, bool, str | None]:
    """Target (and what it holds), features and standardize pickers for the uploaded columns."""
    choose("csv_target", columns, columns[-1])
    target = st.selectbox("Target column", columns, key="csv_target",
                          help="Class labels (text, or 0/1) make a classification of their classes; other "
                               "numbers a regression, unless you say they are class labels.")
    default("csv_target_kind", next(iter(TARGET_KINDS)))
    kind = st.radio("Target holds", list(TARGET_KINDS), key="csv_target_kind", horizontal=True,
                    help="Detect: text labels (or 0/1) are classes, other numbers a regression. Class labels: "
                         "each distinct value is a class (at most 10). Numbers: a regression.")
    others = [c for c in columns if c != target]
    default("csv_features", others)
    st.session_state["csv_features"] = [c for c in st.session_state["csv_features"] if c in others]
    features = st.multiselect("Feature columns", others, key="csv_features")
    default("csv_standardize", False)
    standardize = st.checkbox("Standardize features", key="csv_standardize",
                              help="Zero mean, unit std, from the training rows.")
    return target, features, standardize, TARGET_KINDS[kind]


def csv_choice(test_share: float, seed: int) -> state.DataChoice:
    """The CSV uploader and its column pickers. Errors show right under the uploader, and the
    choice is then "keep the current data" (key None), so the previous data stays."""
    upload = st.file_uploader("CSV file", type=["csv"], key="csv_file",
                              help="Comma-separated, UTF-8, one header row; numbers in the chosen columns.")
    messages = st.container()
    if upload is None:
        st.caption("Until a file loads, the current data stays.")
        return state.DataChoice(None)
    frame, error = _parsed(upload)
    if error is None:
        target, features, standardize, task = _columns(list(frame.columns))
        key = ("csv", upload.file_id, tuple(features), target, bool(standardize), task, test_share, seed)
        split, error = _split(key, frame)
    if error is not None:
        messages.error(f"{plain(upload.name)}: {plain(error.rstrip('.'))}. The previous data stays.")
        return state.DataChoice(None)
    classes = f" of {split.n_classes} classes ({', '.join(split.class_names)})" if split.n_classes else ""
    messages.caption(plain(f"{upload.name}: {split.n_train} training and {split.n_test} test rows, "
                           f"{split.n_features} features → {split.n_outputs} outputs, {split.task}{classes}."))
    return state.DataChoice(key, lambda: split, upload.name)
