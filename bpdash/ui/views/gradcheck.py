"""Gradient check view: backprop against central differences, layer by layer.

Up to ``MAX_PARAMETERS`` parameters the check runs as the view is drawn (a fraction of a
second). A larger network waits for a button, and then checks in the background
(``bpdash.jobs.GradientCheck``), one parameter at a time on a copy of the network, with its
progress and a Stop in the live area; the result shows when it is done.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.experiment import build
from bpdash.gradcheck import PASS_THRESHOLD, gradient_check
from bpdash.jobs import GradientCheck

from .. import state, work

MAX_PARAMETERS = 3000  # above this the check waits for a button: 2 forward passes per parameter
MAX_SAMPLES = 200      # rows of the training set the check uses
SYNC_S = 0.3           # a check started by the button is waited for this long before the page is drawn


def _parameter_count(net) -> int:
    return sum(W.size + (b.size if net.bias else 0) for W, b in zip(net.weights, net.biases))


def _table(checks) -> pd.DataFrame:
    return pd.DataFrame({
        "layer": [c.label for c in checks],
        "relative error": [c.relative_error for c in checks],
        "max |g_bp − g_num|": [c.max_abs_diff for c in checks],
        "verdict": ["pass" if c.passed() else "FAIL" for c in checks],
    })


def _colour(row):
    colour = "#d4f4dd" if row["verdict"] == "pass" else "#f8d0d0"
    return [f"background-color: {colour}"] * len(row)


def _what(exp, step) -> tuple:
    """What a check result belongs to: this run's network, with this step h."""
    return id(exp.trainer), step


def start_check(exp, registry, step: float) -> None:
    """Callback of "Check all": the check on a copy of the network, as a background job."""
    c, trainer = exp.config, exp.trainer
    with state.lock():
        probe = build(c, registry, data=exp.data).net  # its own network: training may go on meanwhile
        probe.weights, probe.biases = list(exp.net.weights), list(exp.net.biases)
        X, Y = trainer.X[:MAX_SAMPLES], trainer.Y[:MAX_SAMPLES]
    job = GradientCheck(probe, X, Y, c.cost, step, regularization=c.regularization, reg_rate=c.reg_rate,
                        lock=state.lock(), alive=work.is_watched(),
                        label=f"Gradient check: {_parameter_count(probe):,} parameters")
    job.what, job.epoch = _what(exp, step), trainer.epoch
    work.start(job).wait(SYNC_S)


def _checks(exp, registry, step: float, n_params: int):
    """(checks, the epoch checked): computed now (small networks), or the background check's
    result; (None, None) until there is one."""
    net, trainer, c = exp.net, exp.trainer, exp.config
    if n_params <= MAX_PARAMETERS:
        return gradient_check(net, trainer.X[:MAX_SAMPLES], trainer.Y[:MAX_SAMPLES], c.cost, step=step,
                              regularization=c.regularization, reg_rate=c.reg_rate), trainer.epoch
    job = work.latest()
    if isinstance(job, GradientCheck) and job.result is not None and job.what == _what(exp, step):
        return job.result, job.epoch
    running = isinstance(job, GradientCheck) and job.active
    st.button(f"Check all {n_params:,} parameters", key="gradcheck_run", disabled=work.current() is not None,
              on_click=start_check, args=(exp, registry, step))
    if not running:
        st.info(f"This network has {n_params:,} parameters: the check needs {2 * n_params:,} forward "
                "passes. Press the button to run it; its progress and a Stop show above while it runs.")
    return None, None


def render(exp, registry) -> None:
    """Relative error ‖g_bp − g_num‖ / (‖g_bp‖ + ‖g_num‖) per layer of the current network."""
    st.header("Gradient check")
    st.markdown(
        "Backprop claims ∂J/∂θ for every weight. A central difference "
        "(J(θ + h) − J(θ − h)) / 2h measures the same slope by nudging each weight on its own. "
        f"Where the two agree to a relative error below {PASS_THRESHOLD:g} (green) the gradient is right.")
    st.latex(r"\text{relative error} = \frac{\lVert g_{bp} - g_{num} \rVert}"
             r"{\max(\lVert g_{bp} \rVert + \lVert g_{num} \rVert,\ 10^{-12})}")
    net, trainer = exp.net, exp.trainer
    step = st.select_slider("Step h", options=[1e-3, 1e-4, 1e-5, 1e-6, 1e-7], value=1e-5,
                            format_func=lambda h: f"{h:g}", key="gradcheck_step")
    checks, epoch = _checks(exp, registry, step, _parameter_count(net))
    if checks is None:
        return
    st.session_state["gradcheck_result"] = [
        {"layer": c.layer, "relative_error": c.relative_error, "passed": c.passed()} for c in checks]
    c = exp.config
    reg = f", {c.regularization.upper()} regularization λ = {c.reg_rate:g}" if c.regularization != "none" else ""
    st.caption(f"{net.describe()}, cost {c.cost}{reg}, on {min(len(trainer.X), MAX_SAMPLES)} training samples, "
               f"epoch {epoch}, h = {step:g}.")
    st.dataframe(_table(checks).style.apply(_colour, axis=1).format(
        {"relative error": "{:.2e}", "max |g_bp − g_num|": "{:.2e}"}), hide_index=True, key="gradcheck_table")
    for check in checks:
        colour = "green" if check.passed() else "red"
        st.markdown(f":{colour}[**{check.label}**: relative error {check.relative_error:.2e}]")
    if all(check.passed() for check in checks):
        st.success("Every layer passes: backprop's gradient matches the finite differences.")
    else:
        st.error("Some layers fail. A kink (ReLU at z = 0) or a too small/large h can cause this; "
                 "otherwise the derivative of an activation or cost is wrong.")
