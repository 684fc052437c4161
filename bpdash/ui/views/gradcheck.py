"""Gradient check view: backprop against central differences, for every parameter array of
every layer (Θ and b of a dense layer, γ and β of a layer norm, …).

Up to ``MAX_PARAMETERS`` parameters the check runs as the view is drawn (a fraction of a
second). A larger network waits for a button, and then checks in the background
(``bpdash.jobs.GradientCheck``), one parameter at a time on a copy of the network, with its
progress and a Stop in the live area; the result shows when it is done. A network with dropout
is checked as it trains, its masks held fixed (``bpdash.gradcheck.training_context``), both ways.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.gradcheck import PASS_THRESHOLD, gradient_check, passes, training_context
from bpdash.jobs import GradientCheck, Training

from .. import state, work

MAX_PARAMETERS = 3000  # above this the check waits for a button: 2 forward passes per parameter
MAX_SAMPLES = 200      # rows of the training set the check uses
CHECKED = "gradcheck_checked"  # the last check computed as the view was drawn, kept while training runs
SYNC_S = 0.3           # a check started by the button is waited for this long before the page is drawn


def _parameter_count(net) -> int:
    return sum(array.size for arrays in net.params for array in arrays)


def _table(net, checks) -> pd.DataFrame:
    """One row per parameter array: its layer, its symbol, its entries and its errors."""
    rows = []
    for c in checks:
        kind = net.specs[c.layer - 1]["layer"]
        for label, array, error, diff in zip(c.labels, c.backprop, c.relative_errors, c.max_abs_diffs):
            rows.append({"layer": f"{c.layer} → {c.layer + 1} ({kind})", "parameter": label, "entries": array.size,
                         "relative error": error, "max |g_bp − g_num|": diff,
                         "verdict": "pass" if passes(error) else "FAIL"})
    return pd.DataFrame(rows)


def _masks_caption(net, seed) -> None:
    """How a stack that differs in training (dropout) is checked."""
    kinds = sorted({spec["layer"] for spec, op in zip(net.specs, net.layers) if op.training_differs})
    if kinds:
        st.caption(f"Checked as it trains, with the random masks of its {' and '.join(kinds)} layers held fixed. One "
                   f"training pass draws them (from the run's seed {seed}); the backprop pass and every nudged "
                   "forward pass replay the same masks, so two values of J differ only by the nudged "
                   "parameter (new masks on each pass would make the differences noise).")


def _colour(row):
    colour = "#d4f4dd" if row["verdict"] == "pass" else "#f8d0d0"
    return [f"background-color: {colour}"] * len(row)


def _what(exp, step) -> tuple:
    """What a check result belongs to: this run's network, with this step h."""
    return id(exp.trainer), step


def start_check(exp, step: float) -> None:
    """Callback of "Check all": the check on a copy of the network, as a background job."""
    c, trainer = exp.config, exp.trainer
    with state.lock():
        probe = exp.net.copy()  # its own network, every parameter array: training may go on meanwhile
        X, Y = trainer.X[:MAX_SAMPLES], trainer.Y[:MAX_SAMPLES]
    job = GradientCheck(probe, X, Y, c.cost, step, regularization=c.regularization, reg_rate=c.reg_rate,
                        context=training_context(probe, c.seed), lock=state.lock(), alive=work.is_watched(),
                        label=f"Gradient check: {_parameter_count(probe):,} parameters")
    job.what, job.epoch = _what(exp, step), trainer.epoch
    work.start(job).wait(SYNC_S)


def _checks(exp, step: float, n_params: int):
    """(checks, the epoch checked): computed now (small networks), or the background check's
    result; (None, None) until there is one."""
    net, trainer, c = exp.net, exp.trainer, exp.config
    if n_params <= MAX_PARAMETERS:
        # (what, the parameters checked, epoch, checks) of the last check drawn; parameter arrays
        # are replaced, never changed in place, so their ids tell a hand-set weight too
        now = (_what(exp, step), tuple(id(p) for layer in net.params for p in layer))
        kept = st.session_state.get(CHECKED)
        if kept is not None and kept[0] == now[0] and (kept[1] == now[1] or isinstance(work.current(), Training)):
            if kept[1] != now[1]:  # every frame while training: the check waits for a pause
                st.caption(f"Training runs: the check of epoch {kept[2]:,} stays until it pauses.")
            return kept[3], kept[2]
        checks = gradient_check(net, trainer.X[:MAX_SAMPLES], trainer.Y[:MAX_SAMPLES], c.cost, step=step,
                                regularization=c.regularization, reg_rate=c.reg_rate,
                                context=training_context(net, c.seed))
        st.session_state[CHECKED] = (*now, trainer.epoch, checks)
        return checks, trainer.epoch
    job = work.latest()
    if isinstance(job, GradientCheck) and job.result is not None and job.what == _what(exp, step):
        return job.result, job.epoch
    running = isinstance(job, GradientCheck) and job.active
    st.button(f"Check all {n_params:,} parameters", key="gradcheck_run", disabled=work.current() is not None,
              on_click=start_check, args=(exp, step))
    if not running:
        st.info(f"This network has {n_params:,} parameters: the check needs {2 * n_params:,} forward "
                "passes. Press the button to run it; its progress and a Stop show above while it runs.")
    return None, None


def render(exp, registry) -> None:
    """Relative error ‖g_bp − g_num‖ / (‖g_bp‖ + ‖g_num‖) per layer and per parameter array of the
    current network."""
    st.header("Gradient check")
    st.markdown(
        "Backprop claims ∂J/∂θ for every parameter: each weight and bias, and a layer's own (a layer "
        "norm's γ and β). A central difference (J(θ + h) − J(θ − h)) / 2h measures the same slope by "
        "nudging each parameter on its own. "
        f"Where the two agree to a relative error below {PASS_THRESHOLD:g} (green) the gradient is right.")
    st.latex(r"\text{relative error} = \frac{\lVert g_{bp} - g_{num} \rVert}"
             r"{\max(\lVert g_{bp} \rVert + \lVert g_{num} \rVert,\ 10^{-12})}")
    net, trainer = exp.net, exp.trainer
    step = st.select_slider("Step h", options=[1e-3, 1e-4, 1e-5, 1e-6, 1e-7], value=1e-5,
                            format_func=lambda h: f"{h:g}", key="gradcheck_step")
    checks, epoch = _checks(exp, step, _parameter_count(net))
    if checks is None:
        return
    st.session_state["gradcheck_result"] = [
        {"layer": c.layer, "parameters": c.labels, "relative_error": c.relative_error, "passed": c.passed()}
        for c in checks]
    c = exp.config
    reg = f", {c.regularization.upper()} regularization λ = {c.reg_rate:g}" if c.regularization != "none" else ""
    st.caption(f"{net.describe()}, cost {c.cost}{reg}, on {min(len(trainer.X), MAX_SAMPLES)} training samples, "
               f"epoch {epoch}, h = {step:g}; {_parameter_count(net):,} parameters in "
               f"{sum(len(check.labels) for check in checks)} arrays.")
    _masks_caption(net, c.seed)
    st.dataframe(_table(net, checks).style.apply(_colour, axis=1).format(
        {"relative error": "{:.2e}", "max |g_bp − g_num|": "{:.2e}"}), hide_index=True, key="gradcheck_table")
    for check in checks:
        colour = "green" if check.passed() else "red"
        st.markdown(f":{colour}[**{check.label}**: relative error {check.relative_error:.2e}]")
    if all(check.passed() for check in checks):
        st.success("Every layer passes: backprop's gradient matches the finite differences.")
    else:
        st.error("Some layers fail. A kink (ReLU at z = 0) or a too small/large h can cause this; "
                 "otherwise the derivative of an activation, a layer or the cost is wrong.")
