"""Cost view: train and test J(θ) by epoch (log-scale toggle), and accuracy for classification."""
from __future__ import annotations

import streamlit as st

from bpdash.charts.training import accuracy_figure, cost_figure
from bpdash.overfitting import overfitting

from .. import state


def _current(exp, column: str) -> tuple:
    """(epoch, train value, test value) of ``column`` ("cost" or "accuracy") right now."""
    epoch, train, test = state.scores(exp)
    return epoch, train[column], test[column] if test else float("nan")


def render(exp, registry) -> None:
    """Cost curves (and accuracy curves when the task is classification)."""
    history = exp.trainer.history
    log_y = st.toggle("Log scale", key="cost_log", help="A logarithmic J axis shows late progress.")
    if history.empty:
        st.caption("No epochs yet: press **Step** or **▶ Play**. The dot is the cost of the initial weights.")
    overfit = overfitting(history)
    st.plotly_chart(cost_figure(history, current=_current(exp, "cost"), log_y=log_y, best=overfit), key="cost_chart")
    if overfit is not None:
        st.warning(overfit.describe())
    if exp.trainer.task == "classification":
        st.plotly_chart(accuracy_figure(history, current=_current(exp, "accuracy")), key="accuracy_chart")
    st.caption("Each point is J at the weights after that many epochs (the last one: now). "
               "Hover for the epoch and the value.")
