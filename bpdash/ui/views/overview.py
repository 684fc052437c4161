"""Overview: the data with the decision surface, the network, the cost curves and the metrics on
one screen, the page a newcomer lands on. While training they update together about ten times
a second (``FRAME_S``): one frame of data (``bpdash.charts.board``) redrawn in place by the
board component (``bpdash.ui.board``); with many sessions playing, when this page's frames come
less often, each brings the states training went through since the last (``bpdash.ui.frames``),
which the board plays in between. When the test cost has risen for a while past its
minimum, the cost curve marks the best epoch and the page says so (``bpdash.overfitting``).
"""
from __future__ import annotations

import dataclasses
import math

import streamlit as st

from bpdash.charts.board import board_frame
from bpdash.overfitting import overfitting

from .. import frames, state, training
from ..board import board

FRAME_S = 0.1       # seconds between frames while training
PANEL_HEIGHT = 340  # px: the panels and the controls above them fit a 1440×900 screen


def render(exp, registry) -> None:
    """The board for the current weights, and what it shows in words."""
    epoch, train, test = state.scores(exp)
    history = exp.trainer.history
    overfit = overfitting(history) if test else None
    if overfit is not None:  # told with the test cost the metrics show: the current weights'
        overfit = dataclasses.replace(overfit, epoch=epoch, cost=test["cost"])

    def make(net, history, metrics, current):
        best = overfit if overfit is not None and overfit.best_epoch <= current[0] else None
        return board_frame(net, exp.transform, exp.data, history, metrics=metrics, current=current, best=best)

    earlier, after_ms = frames.earlier_frames(exp, FRAME_S, make)  # many sessions playing: since the last run
    frame = make(exp.net, history, training.readings(exp), (epoch, train["cost"], test["cost"] if test else math.nan))
    board({**frame, "after_ms": after_ms}, height=PANEL_HEIGHT, earlier=earlier)
    if overfit is not None:
        st.warning(overfit.describe())
    elif epoch == 0:
        st.caption("Epoch 0: the untrained network's output over the data. Press **Step** for one epoch "
                   "of gradient descent, or **▶ Play** to watch it learn.")
