"""Backprop inspector: the forward and backward pass layer by layer, each layer in its own
formulas with z, a, δ and its parameters' gradients as numbers (``inspector_layers``), and one
weight's derivative expanded path by path as the article does it (``inspector_paths``).

A network with dropout is shown in the last training pass's masks: ``Trainer.last_pass`` gives
the rows that pass held and a Context replaying what it drew, and the inspector's one backprop
(``Network.backprop``), the chain rule and the finite difference all run in it. Before the first
epoch the pass shown is the evaluation pass, where dropout passes every unit.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from . import inspector_layers, inspector_paths

RESULT = inspector_paths.RESULT
PENDING = "inspector_preset_pending"

# The article's networks, as values for the sidebar's widgets (keys from bpdash.ui.sidebar):
# its tiny dataset, one hidden layer, sigmoid everywhere, squared error. The rest stays.
PRESETS = {"1-1-1": ("article_1_1_1", 1), "2-2-2": ("article_2_2_2", 2)}  # dataset, hidden units
PRESET_COMMON = {"data_source": "Generated", "output_activation": "sigmoid", "output_was": "sigmoid",
                 "cost": "squared_error"}


def load_preset(name: str) -> None:
    """Callback: set the sidebar to the article's ``name`` network ("1-1-1" or "2-2-2").

    The view is drawn inside the live-training fragment, so a click reruns only the fragment:
    the flag ``PENDING`` asks ``render`` for a full rerun, in which the sidebar reads these values
    and ``state.sync`` rebuilds the experiment like after any other sidebar change.
    """
    from bpdash.ui import sidebar_layers, state

    dataset, units = PRESETS[name]
    st.session_state.update({**PRESET_COMMON, "dataset": dataset})
    sidebar_layers.write([{"layer": "dense", "units": units, "activation": "sigmoid"}], state.get_registry())
    st.session_state[PENDING] = name


WHOLE_BATCH = -1  # the option for every row (a None option would show as no choice at all)


def _sample_choice(X, rows) -> int | None:
    """None for every row of the pass, else a position in ``rows`` (training-set row indices)."""
    options = [WHOLE_BATCH, *range(min(len(rows), 500))]
    chosen = st.selectbox(f"Samples (m = {len(rows)} training rows)", options, key="inspector_sample",
                          format_func=lambda i: "the whole batch" if i == WHOLE_BATCH
                          else f"sample {rows[i] + 1}: x = ({', '.join(f'{v:.3g}' for v in X[rows[i]])})")
    return None if chosen is None or chosen == WHOLE_BATCH else chosen


def _shown_pass(trainer):
    """(rows, context, what): the training-set rows of the pass shown, the Context replaying its
    draws (None: the evaluation pass) and a sentence saying which pass it is."""
    last = trainer.last_pass()
    if last is None:
        what = ("No training pass yet: this is the evaluation pass, in which dropout drops no unit. "
                "Step trains an epoch; the inspector then shows its pass with the masks it drew."
                if any(op.training_differs for op in trainer.net.layers) else "")
        return np.arange(len(trainer.X)), None, what
    rows, context = last
    batch = ("the full batch" if len(rows) == len(trainer.X)
             else f"the last mini-batch ({len(rows)} of {len(trainer.X)} training rows)")
    return rows, context, (f"The last training pass of epoch {trainer.epoch}, on {batch}: its masks replayed "
                           "as training drew them, at the network's current parameters.")


def _presets() -> None:
    st.caption("Load one of the article's networks (sigmoid, squared error, its tiny dataset):")
    a, b = st.columns(2)
    a.button("The article's 1-1-1 network", key="inspector_preset_111", on_click=load_preset, args=("1-1-1",))
    b.button("The article's 2-2-2 network", key="inspector_preset_222", on_click=load_preset, args=("2-2-2",))


def render(exp, registry) -> None:
    """The inspector for the current network on its training data."""
    st.header("Backprop inspector")
    if st.session_state.pop(PENDING, None):
        st.rerun(scope="app")
    _presets()
    net, trainer, c = exp.net, exp.trainer, exp.config
    st.caption(f"{net.describe()}, cost {c.cost}, epoch {trainer.epoch}. "
               "Rows are samples; δ = ∂J/∂z (the article's δ has the opposite sign).")
    rows, context, what = _shown_pass(trainer)
    if what:
        st.caption(what)
    sample = _sample_choice(trainer.X, rows)
    X, Y = trainer.X[rows], trainer.Y[rows]
    one = slice(None) if sample is None else slice(sample, sample + 1)
    grads = net.backprop(X[one], Y[one], c.cost, c.regularization, c.reg_rate,
                         context=None if context is None else context.take(one))
    st.subheader("Forward pass, δ and the gradients, layer by layer")
    shown = rows[one]
    st.caption(f"J = {grads.cost:.6g} on {len(shown)} sample(s)"
               + (f"; tables show the first {inspector_layers.MAX_ROWS}" if len(shown) > inspector_layers.MAX_ROWS
                  else ""))
    inspector_layers.render(net, grads, registry.get("costs", c.cost), c, shown)
    inspector_paths.render(exp, grads, X, Y, sample, context)
