"""Gradient check view: backprop against central differences, layer by layer."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.gradcheck import PASS_THRESHOLD, gradient_check

MAX_PARAMETERS = 3000  # above this the check waits for a button: 2 forward passes per parameter
MAX_SAMPLES = 200      # rows of the training set the check uses


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


def render(exp, registry) -> None:
    """Relative error ‖g_bp − g_num‖ / (‖g_bp‖ + ‖g_num‖) per layer of the current network."""
    st.header("Gradient check")
    st.markdown(
        "Backpropagation claims ∂J/∂θ for every weight. A central difference "
        "(J(θ + h) − J(θ − h)) / 2h measures the same slope by nudging each weight on its own. "
        f"Where the two agree to a relative error below {PASS_THRESHOLD:g} (green) the gradient is right.")
    st.latex(r"\text{relative error} = \frac{\lVert g_{bp} - g_{num} \rVert}"
             r"{\max(\lVert g_{bp} \rVert + \lVert g_{num} \rVert,\ 10^{-12})}")
    net, trainer = exp.net, exp.trainer
    X, Y = trainer.X[:MAX_SAMPLES], trainer.Y[:MAX_SAMPLES]
    n_params = _parameter_count(net)
    step = st.select_slider("Step h", options=[1e-3, 1e-4, 1e-5, 1e-6, 1e-7], value=1e-5,
                            format_func=lambda h: f"{h:g}", key="gradcheck_step")
    if n_params > MAX_PARAMETERS and not st.button(f"Check all {n_params} parameters", key="gradcheck_run"):
        st.info(f"This network has {n_params} parameters: the check needs {2 * n_params} forward "
                "passes. Press the button to run it.")
        return
    c = exp.config
    checks = gradient_check(net, X, Y, c.cost, step=step, regularization=c.regularization, reg_rate=c.reg_rate)
    st.session_state["gradcheck_result"] = [
        {"layer": c.layer, "relative_error": c.relative_error, "passed": c.passed()} for c in checks]
    reg = f", {c.regularization.upper()} regularization λ = {c.reg_rate:g}" if c.regularization != "none" else ""
    st.caption(f"{net.describe()}, cost {exp.config.cost}{reg}, on {len(X)} training samples, "
               f"epoch {trainer.epoch}, h = {step:g}.")
    table = _table(checks)
    st.dataframe(table.style.apply(_colour, axis=1).format(
        {"relative error": "{:.2e}", "max |g_bp − g_num|": "{:.2e}"}), hide_index=True, key="gradcheck_table")
    for c in checks:
        colour = "green" if c.passed() else "red"
        st.markdown(f":{colour}[**{c.label}**: relative error {c.relative_error:.2e}]")
    if all(c.passed() for c in checks):
        st.success("Every layer passes: backprop's gradient matches the finite differences.")
    else:
        st.error("Some layers fail. A kink (ReLU at z = 0) or a too small/large h can cause this; "
                 "otherwise the derivative of an activation or cost is wrong.")
