"""Editing the training points: add one, remove one, or edit them all in a table; then retrain.

Edited points make "edited data": a copy of the session's DataSplit with new training rows (the
test rows stay). ``data_choice`` hands it to ``state.sync`` in place of the sidebar's choice, so
the experiment is rebuilt with a notice, like after any change of the data, and training starts
again at epoch 0. Choosing other data in the sidebar drops the edits. A share link cannot carry
edited data (the share popover says so, as for a CSV upload).

Targets written one-hot (k classes for a softmax) are shown and edited as one column, ``class``,
holding each row's class name, so a point always belongs to exactly one class.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from bpdash.classes import one_hot

from . import state
from .text import plain

EDITED = "edited_data"      # (base data key, DataSplit, version)
RERUN = "points_rerun"      # set by a callback inside the live fragment: the app must rerun
MESSAGE = "points_message"
MIN_ROWS = 2
CLASS = "class"  # the one target column of one-hot targets, by class name


def data_choice(choice: state.DataChoice) -> state.DataChoice:
    """The edited data in place of ``choice`` while the sidebar still asks for the data it came
    from; otherwise ``choice`` (and the edits are dropped)."""
    st.session_state.pop(RERUN, None)  # this full run takes the edits
    found = st.session_state.get(EDITED)
    if found is None:
        return choice
    base, data, version = found
    if choice.key is not None and choice.key != base:
        st.session_state.pop(EDITED, None)
        return choice
    return state.DataChoice(("edited", base, version), lambda: data,
                            f"edited data ({data.n_train} training rows)")


def target_names(data) -> list:
    return [CLASS] if data.one_hot else list(data.target_names)


def frame(data) -> pd.DataFrame:
    """The training rows as a table: one column per feature, then one per target (or the class)."""
    table = pd.DataFrame(data.X_train, columns=list(data.feature_names))
    if data.one_hot:
        table[CLASS] = np.array(data.class_names, dtype=object)[data.Y_train.argmax(axis=1)]
    else:
        table[list(data.target_names)] = data.Y_train
    return table


def _problem(data, table: pd.DataFrame) -> str | None:
    if len(table) < MIN_ROWS:
        return f"at least {MIN_ROWS} training points are needed"
    if data.one_hot and not table[CLASS].isin(data.class_names).all():
        return f"every class must be one of {', '.join(data.class_names)}"
    if not data.one_hot and data.task == "classification" and \
            not table[list(data.target_names)].isin((0.0, 1.0)).all().all():
        return "for classification every label must be 0 or 1"
    return None


def _targets(data, table: pd.DataFrame) -> np.ndarray:
    """Y of the table's target columns: one-hot from the class names, or the numbers as they are."""
    if data.one_hot:
        return one_hot([data.class_names.index(c) for c in table[CLASS]], data.n_classes)
    return table[list(data.target_names)].to_numpy(float)


def use(data, table: pd.DataFrame, what: str) -> None:
    """Make ``table`` (columns as ``frame``) the training rows, or say why not."""
    numbers = [c for c in table.columns if not (data.one_hot and c == CLASS)]
    table = table.assign(**{c: pd.to_numeric(table[c], errors="coerce") for c in numbers})
    incomplete = int(table.isna().any(axis=1).sum())
    table = table.dropna()
    problem = _problem(data, table)
    if problem:
        st.session_state[MESSAGE] = ("error", f"Not changed: {problem}.")
        return
    X, Y = table[list(data.feature_names)].to_numpy(float), _targets(data, table)
    name = data.name if data.name.endswith("(edited)") else f"{data.name} (edited)"
    split = replace(data, X_train=X, Y_train=Y, name=name)
    found = st.session_state.get(EDITED)
    base = found[0] if found else st.session_state.get(state.DATA_KEY)
    st.session_state[EDITED] = (base, split, (found[2] + 1) if found else 1)
    skipped = f" ({incomplete} incomplete row(s) left out)" if incomplete else ""
    st.session_state[MESSAGE] = ("success", f"{what}{skipped}: {len(X)} training points. The network is "
                                            "rebuilt and training starts again.")
    st.session_state[RERUN] = True


def add_point(data) -> None:
    """Callback: one more training point from the "add" inputs."""
    row = [st.session_state[f"points_add_{i}"] for i in range(len(data.feature_names) + len(target_names(data)))]
    table = pd.concat([frame(data), pd.DataFrame([row], columns=frame(data).columns)], ignore_index=True)
    use(data, table, "Added a point")


def remove_point(data) -> None:
    """Callback: drop the training point chosen in the "remove" picker (numbered from 1)."""
    row = int(st.session_state["points_remove_row"]) - 1
    use(data, frame(data).drop(index=row).reset_index(drop=True), f"Removed point {row + 1}")


def use_table(data, edited: pd.DataFrame) -> None:
    use(data, edited, "Took the edited table")


def _add_controls(data) -> None:
    names = [*data.feature_names, *target_names(data)]
    columns = st.columns(len(names) + 1, vertical_alignment="bottom")
    for i, name in enumerate(names):
        if data.one_hot and name == CLASS:
            st.session_state.setdefault(f"points_add_{i}", data.class_names[0])
            columns[i].selectbox("class", data.class_names, key=f"points_add_{i}", format_func=plain)
            continue
        st.session_state.setdefault(f"points_add_{i}", 0.0)
        if i >= len(data.feature_names) and data.task == "classification":
            columns[i].selectbox(plain(name), [0.0, 1.0], key=f"points_add_{i}", format_func=lambda v: str(int(v)))
        else:
            columns[i].number_input(plain(name), key=f"points_add_{i}", step=0.1, format="%g")
    columns[-1].button("Add point", key="points_add", on_click=add_point, args=(data,), width="stretch")


def _remove_controls(data) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    rows = frame(data)
    left.selectbox("Training point", range(1, data.n_train + 1), key="points_remove_row",
                   format_func=lambda i: f"{i}: " + ", ".join(v if isinstance(v, str) else f"{v:.3g}"
                                                               for v in rows.iloc[i - 1]))
    right.button("Remove point", key="points_remove", on_click=remove_point, args=(data,), width="stretch")


def editor(data) -> None:
    """The editing expander: add a point, remove one, or edit the table (add, move, delete rows)."""
    if st.session_state.pop(RERUN, None):
        st.rerun(scope="app")  # a callback here reran only the live fragment; the edits need a full run
    kind, text = st.session_state.pop(MESSAGE, (None, ""))
    if kind:
        getattr(st, kind)(plain(text))
    with st.expander("✏️ Edit the training points", expanded=False):
        st.caption("Changed points rebuild the network on them (test points stay). A share link cannot "
                   "carry edited data.")
        _add_controls(data)
        _remove_controls(data)
        version = (st.session_state.get(EDITED) or (None, None, 0))[2]
        edited = st.data_editor(frame(data), num_rows="dynamic", key=f"points_table_{version}", height=260)
        st.button("Use the edited table", key="points_table_use", on_click=use_table, args=(data, edited))
