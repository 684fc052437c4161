"""Compare runs: named runs saved in the session, the symmetry lab's runs and the current one,
their cost curves overlaid, their configs side by side, and any run's final weights.

"Save run" keeps copies of the current config, history and weights (up to ``MAX_RUNS``; the
oldest is dropped with a notice), so training on afterwards changes nothing saved.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from bpdash.charts.symmetry import cost_curves
from bpdash.charts.training import parameter_heatmap
from bpdash import schema
from bpdash.config import ExperimentConfig

from .. import state
from ..text import plain

RUNS, MESSAGE, SEEN = "saved_runs", "compare_message", "compare_seen"
MAX_RUNS = 10
CURRENT = "current run (unsaved)"
LAB = "symmetry_lab"  # bpdash.ui.views.symmetry.LAB
CURVES = {"Train cost J": "cost", "Test cost J": "test_cost", "Train accuracy": "accuracy",
          "Test accuracy": "test_accuracy"}


@dataclass(frozen=True)
class Run:
    """A run to compare: its config, history, final Θ^(l) and b^(l), epochs and data."""

    name: str
    config: ExperimentConfig
    history: pd.DataFrame
    weights: tuple
    biases: tuple
    epoch: int
    data: str

    @classmethod
    def of(cls, name: str, exp, copy: bool = True) -> "Run":
        """The run of experiment ``exp``; ``copy`` makes it independent of further training."""
        take = (lambda a: None if a is None else a.copy()) if copy else (lambda a: a)  # None: no Θ (dropout)
        return cls(name, exp.config, exp.trainer.history.copy() if copy else exp.trainer.history,
                   tuple(take(W) for W in exp.net.weights), tuple(take(b) for b in exp.net.biases),
                   exp.trainer.epoch, exp.data.name)


def save_run(runs: dict, name: str, exp) -> tuple[dict, str]:
    """``runs`` with ``exp`` saved (copied) as ``name``, and what happened, in words."""
    runs = dict(runs)
    replaced = runs.pop(name, None) is not None
    message = f"Saved {name!r} (epoch {exp.trainer.epoch})" + (", replacing the run of that name." if replaced else ".")
    while len(runs) >= MAX_RUNS:
        oldest = next(iter(runs))
        del runs[oldest]
        message += f" At most {MAX_RUNS} runs are kept: dropped the oldest, {oldest!r}."
    runs[name] = Run.of(name, exp)
    return runs, message


def _text(value) -> str:
    if isinstance(value, (tuple, list)):
        return "-".join(map(str, value)) or "none"
    return "full" if value is None else str(value)


def config_table(runs: dict, differences_only: bool = False) -> pd.DataFrame:
    """One row per setting (plus data and epochs trained), one column per run; with
    ``differences_only`` just the rows where the runs differ."""
    rows = {name: {"data": run.data, "epochs trained": run.epoch,
                   **{k: _text(v) for k, v in run.config.to_dict().items()},
                   "layers": schema.field("layers").text(run.config.layers)} for name, run in runs.items()}
    table = pd.DataFrame(rows).astype(str)
    if differences_only and len(table.columns):
        table = table[table.nunique(axis=1) > 1]
    return table


def all_runs(exp) -> dict:
    """Saved runs, the symmetry lab's (live, as ``symmetry lab: <init>``) and the current one."""
    runs = dict(st.session_state.get(RUNS, {}))
    lab = st.session_state.get(LAB)
    for name, run in (lab.runs.items() if lab is not None else ()):
        runs[f"symmetry lab: {name}"] = Run.of(f"symmetry lab: {name}", run.experiment, copy=False)
    runs[CURRENT] = Run.of(CURRENT, exp, copy=False)
    return runs


def save_current() -> None:
    """Callback of "Save run": the current experiment under the typed (or a numbered) name."""
    exp, saved = state.experiment(), st.session_state.get(RUNS, {})
    name = (st.session_state.get("compare_name") or "").strip()[:60] or f"run {len(saved) + 1}"
    if name == CURRENT or name.startswith("symmetry lab: "):  # names the view gives live runs
        name = f"saved {name}"
    with state.lock():
        st.session_state[RUNS], st.session_state[MESSAGE] = save_run(saved, name, exp)
    st.session_state["compare_name"] = ""


def delete_run(name: str) -> None:
    runs = dict(st.session_state.get(RUNS, {}))
    runs.pop(name, None)
    st.session_state[RUNS], st.session_state[MESSAGE] = runs, f"Deleted {name!r}."


def _save_controls() -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    count = len(st.session_state.get(RUNS, {}))
    left.text_input("Run name", key="compare_name", placeholder=f"run {count + 1}", max_chars=60)
    right.button("Save run", key="compare_save", on_click=save_current, type="primary", width="stretch",
                 help=f"Keep a copy of the current config, history and weights (up to {MAX_RUNS} runs).")
    message = st.session_state.pop(MESSAGE, None)
    if message:
        st.info(plain(message))


def _selection(names: list) -> list:
    """The runs to overlay: the last choice, plus every run not seen before (new ones show)."""
    seen = st.session_state.get(SEEN, set())
    chosen = [n for n in st.session_state.get("compare_runs", names) if n in names]
    st.session_state["compare_runs"] = chosen + [n for n in names if n not in seen and n not in chosen]
    st.session_state[SEEN] = set(names)
    return st.multiselect("Runs to overlay", names, key="compare_runs")


def _curves(runs: dict, chosen: list) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    label = left.segmented_control("Curve", list(CURVES), default=list(CURVES)[0], required=True,
                                   key="compare_curve") or list(CURVES)[0]
    log_y = right.toggle("Log scale", key="compare_log")
    figure = cost_curves({n: runs[n].history for n in chosen}, column=CURVES[label], height=380)
    figure.update_layout(yaxis_title=label, yaxis_type="log" if log_y else "linear")
    st.plotly_chart(figure, key="compare_cost")


def _heatmaps(runs: dict) -> None:
    names = list(runs)
    if st.session_state.get("compare_heatmap_run") not in names:
        st.session_state["compare_heatmap_run"] = names[0]
    name = st.selectbox("Weights of", names, key="compare_heatmap_run")
    run = runs[name]
    st.caption(f"Θ^(l) and b^(l) of {plain(repr(name))} after epoch {run.epoch}.")
    for l, (W, b) in enumerate(zip(run.weights, run.biases), start=1):
        if W is not None:  # a layer without a weight matrix (dropout) has nothing to show
            st.plotly_chart(parameter_heatmap(W, b, l, epoch=run.epoch), key=f"compare_heatmap_{l}")
    saved = st.session_state.get(RUNS, {})
    if name in saved:
        st.button(f"Delete {plain(repr(name))}", key="compare_delete", on_click=delete_run, args=(name,))


def render(exp, registry) -> None:
    """The comparison of every run in this session."""
    st.header("Compare runs")
    st.caption("Save the current run to compare it with later ones: its settings, cost curve and final "
               "weights are kept as they are now. The symmetry lab's runs appear here too.")
    _save_controls()
    runs = all_runs(exp)
    chosen = _selection(list(runs))
    if len(runs) == 1:  # only the current run: nothing to compare with yet
        st.info("Nothing to compare yet. Train this run, press **Save run**, change a setting (η, the "
                "layers, the initialization…) and train again: the saved runs and the current one are "
                "overlaid here, and their settings tabled side by side.")
    if not chosen:
        st.info("Choose runs to overlay their curves.")
    elif all(runs[name].history.empty for name in chosen):
        st.caption("No epochs trained yet in the runs chosen: their curves show once they have trained.")
    else:
        _curves(runs, chosen)
    st.subheader("Settings")
    only = st.toggle("Differences only", key="compare_differences",
                     help="Show only the settings in which the runs shown differ.")
    table = config_table({n: runs[n] for n in (chosen or runs)}, differences_only=only)
    if only and table.empty:
        st.caption("The runs shown have the same settings.")
    st.dataframe(table.rename_axis("setting").reset_index(), key="compare_table", width="stretch", hide_index=True,
                 column_config={"setting": st.column_config.TextColumn(width="medium", pinned=True)})
    st.subheader("Final weights")
    _heatmaps(runs)
