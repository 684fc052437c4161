"""Sweeps: many runs of the current experiment at once, on the server's cores or a cluster.

Pick one or two settings and their values, the seeds and the epochs, or one of the two studies
(the learning-rate range; symmetry breaking against ε). The sweep runs in the background
(``bpdash.sweeps.job``) with a progress bar and Stop; its results show as the final cost
against a setting with the spread over seeds, a heatmap over two settings and every run's cost
curve, diverged runs marked. Any run can be sent to Compare runs or opened as the current
experiment. A session's sweep is capped by the schema's ``SWEEP_FIELDS`` (runs, epochs, seeds).
"""
from __future__ import annotations

import streamlit as st

from bpdash import schema
from bpdash.charts import sweeps as charts
from bpdash.experiment import build
from bpdash.sweeps import job as jobs
from bpdash.sweeps import plan as plans
from bpdash.sweeps import space, studies

from .. import files, share, sidebar
from ..field_widgets import number
from ..text import plain
from ..widgets import default
from . import compare

JOB, STUDY, MESSAGE = "sweep_job", "sweep_study", "sweep_message"
RETRAIN_SECONDS = 5.0  # a run that took longer in the sweep is not trained again inside a click
LIMITS = {f.name: f for f in schema.SWEEP_FIELDS}
NONE = "(none)"


def _sweepable(registry) -> list[str]:
    """The flat names a sweep may vary (the seed has its own control)."""
    return [name for name, f in schema.flat_fields(registry).items()
            if f.sweep and f.kind != "params" and name not in ("seed", "epochs")]


def _start(exp, registry, axes: list[str], study=None) -> None:
    """Plan the sweep of ``axes`` over the current config and start it; a message says why not."""
    epochs = int(st.session_state["sweep_epochs"])
    base = exp.config.replace(epochs=epochs, **(study.changes if study else {}))
    cap = LIMITS["sweep_runs"].high
    try:
        parsed = space.parse_axes([*axes, studies.seeds(int(st.session_state["sweep_seeds"]))], registry)
        runs = space.size(parsed)  # counted before any run is made: a grid may be vast
        if runs > cap:
            st.session_state[MESSAGE] = ("error", f"This sweep has {runs:,} runs; the dashboard runs at most "
                                                  f"{cap} at a time (fewer values or seeds; or the command line).")
            return
        plan = plans.make(base, parsed, registry)
    except (ValueError, KeyError) as exc:
        st.session_state[MESSAGE] = ("error", f"Cannot run this sweep: {exc.args[0]}")
        return
    old = st.session_state.get(JOB)
    if old is not None:
        old.stop()
    st.session_state[JOB] = jobs.Job(plan, options={"curve": True, **(study.options if study else {})})
    st.session_state[STUDY] = study.title if study else None
    st.session_state.pop(MESSAGE, None)


def _custom_axes() -> list[str]:
    axes = [f"{st.session_state['sweep_field_1']}={st.session_state['sweep_values_1']}"]
    if st.session_state.get("sweep_field_2", NONE) != NONE:
        axes.append(f"{st.session_state['sweep_field_2']}={st.session_state['sweep_values_2']}")
    return axes


def controls(exp, registry) -> None:
    """The studies' buttons and the form of one's own sweep."""
    default("sweep_seeds", LIMITS["sweep_seeds"].default)
    default("sweep_epochs", min(exp.config.epochs, LIMITS["sweep_epochs"].high))
    left, right = st.columns(2)
    number(LIMITS["sweep_seeds"], container=left)
    number(LIMITS["sweep_epochs"], container=right)
    one, two = st.columns(2)
    for column, study in zip((one, two), studies.STUDIES.values()):
        column.button(f"▶ {study.title}", key=f"sweep_study_{study.x}", help=study.question, width="stretch",
                      on_click=_start, args=(exp, registry, list(study.axes), study))
    with st.expander("Your own sweep: one or two settings and their values"):
        names = _sweepable(registry)
        default("sweep_field_1", "learning_rate")
        default("sweep_values_1", "0.01,0.1,1")
        default("sweep_field_2", NONE)
        default("sweep_values_2", "")
        a, b = st.columns([1, 2])
        a.selectbox("Setting", names, key="sweep_field_1")
        b.text_input("Values", key="sweep_values_1", help="a,b,c · lo..hi (whole numbers) · lo..hi:N (N values; "
                     "geometric for η) · list settings separate values with ';' (hidden=4;8,8)")
        a.selectbox("Second setting", [NONE, *names], key="sweep_field_2")
        b.text_input("Its values", key="sweep_values_2")
        st.button("▶ Run this sweep", key="sweep_run", on_click=lambda: _start(exp, registry, _custom_axes()))
    message = st.session_state.get(MESSAGE)
    if message:
        getattr(st, message[0])(plain(message[1]))
    if exp.data.name != exp.config.dataset:
        st.caption(f"Sweeps run on the generated dataset {plain(exp.config.dataset)!s}, not on uploaded data.")


def progress(job) -> None:
    """The running sweep: a progress bar and Stop, redrawn twice a second while it runs."""
    @st.fragment(run_every=0.5 if not job.finished else None)
    def live():
        job.touch()
        done = len(job.rows)
        where = job.backend_name + (f" at {job.address}" if job.address else "")
        text = {"queued": "waiting for another sweep on this server to finish",
                "running": f"{done} of {job.total} runs finished on {where}",
                "done": f"all {job.total} runs finished",
                "stopped": f"stopped: {done} of {job.total} runs finished",
                "failed": f"the sweep could not run: {job.error}"}[job.state]
        st.progress(done / max(job.total, 1), text=plain(text))
        if not job.finished:
            st.button("⏹ Stop", key="sweep_stop", on_click=job.stop)
        elif st.session_state.get("sweep_shown") is not job:
            st.session_state["sweep_shown"] = job
            st.rerun()  # the whole view, to draw the results
    live()


def results(job, registry) -> None:
    """The finished runs: the study's answer, the charts, the table, and what to do with a run."""
    rows = dict(job.rows)
    if not rows:
        return
    table = job.plan.table(rows)
    swept = [name for name in job.plan.swept if name != "seed"]
    study = studies.STUDIES.get(st.session_state.get(STUDY))
    if study is studies.LEARNING_RATE and job.finished:
        st.success(studies.learning_rate_answer(table, rows))
    if study is studies.SYMMETRY and job.finished and "distinct_units" in table:
        st.success(studies.symmetry_answer(table, sum(job.plan.base.hidden)))
    y = study.y if study and study.y in table else "final_cost"
    if swept:
        log_x = swept[0] in ("learning_rate",) or getattr(job.plan.axes[0].field, "log", False)
        st.plotly_chart(charts.by_value(table, swept[0], y, log_x=log_x), key="sweep_by_value")
    if len(swept) >= 2:
        st.plotly_chart(charts.heatmap(table, swept[0], swept[1]), key="sweep_heatmap")
    labels = {r: ", ".join(f"{n}={table.loc[table['run'] == r, n].iloc[0]}" for n in job.plan.swept) for r in rows}
    st.plotly_chart(charts.curves(rows, labels), key="sweep_curves")
    diverged = int((table["stop"] == "diverged").sum())
    st.caption(f"{len(table)} runs; {diverged} diverged (red). Each run's row equals `python -m bpdash train` on "
               "its config.")
    st.dataframe(table, key="sweep_table", hide_index=True)
    pick(job, table, labels, registry)


def _train(job, run: int, registry):
    exp = build(job.plan.configs[run], registry)
    exp.trainer.fit(exp.config.epochs)
    return exp


def _too_long(job, run: int) -> bool:
    return not job.rows[run]["wall_time"] <= RETRAIN_SECONDS


def _to_compare(job, run: int, label: str, registry) -> None:
    if _too_long(job, run):
        st.session_state[MESSAGE] = ("warning", f"Run {run} took {job.rows[run]['wall_time']:.0f} s to train in the "
                                                "sweep: open it as the current experiment and train it there.")
        return
    runs, message = compare.save_run(st.session_state.get(compare.RUNS, {}), f"sweep run {run}: {label}",
                                     _train(job, run, registry))
    st.session_state[compare.RUNS], st.session_state[MESSAGE] = runs, ("success", message)


def _open(job, run: int, registry) -> None:
    if _too_long(job, run):  # its settings only: training it is the user's to start (and stop)
        config = job.plan.configs[run]
        sidebar.apply_config(config)
        share.expect(config)
        st.session_state[MESSAGE] = ("success", f"Opened the settings of sweep run {run} at epoch 0: train "
                                                f"{config.epochs} epochs to get the same run.")
        return
    exp = _train(job, run, registry)
    st.session_state[files.PENDING] = exp
    sidebar.apply_config(exp.config)
    share.expect(exp.config)
    st.session_state[MESSAGE] = ("success", f"Opened sweep run {run} as the current experiment "
                                            f"({exp.net.describe()}, {exp.trainer.epoch} epochs).")


def pick(job, table, labels: dict, registry) -> None:
    """Choose a run; send it to Compare runs or open it as the current experiment (it is trained
    again here, the same config giving the same run, when that took at most RETRAIN_SECONDS in
    the sweep; a longer one opens at epoch 0)."""
    runs = [int(r) for r in table["run"]]
    left, middle, right = st.columns([2, 1, 1])
    run = left.selectbox("A run", runs, key="sweep_pick", format_func=lambda r: f"run {r}: {labels.get(r, '')}")
    middle.button("➜ Compare runs", key="sweep_compare", on_click=_to_compare,
                  args=(job, run, labels.get(run, ""), registry), width="stretch")
    right.button("Open as current", key="sweep_open", on_click=_open, args=(job, run, registry), width="stretch")


def render(exp, registry) -> None:
    st.subheader("Sweeps: many runs at once")
    st.caption("Each run trains the current settings with one combination of the swept values, from scratch. "
               "The command line runs larger sweeps: `python -m bpdash sweep` (docs/sweeps.md).")
    controls(exp, registry)
    job = st.session_state.get(JOB)
    if job is None:
        return
    progress(job)
    results(job, registry)
