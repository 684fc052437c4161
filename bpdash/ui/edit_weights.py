"""Setting one weight θ_jk^(l) (or bias b_j^(l)) by hand, then training on from it.

The new value goes into a NEW array (the old one may be held by a snapshot, the divergence guard
or the optimizer), and the trainer's newest snapshot is recorded again so the views show it.
A share link cannot carry hand-set weights: ``edited(exp)`` tells the share popover to say so.
"""
from __future__ import annotations

import streamlit as st

from bpdash.factors import theta

from . import state

EDITED = "weights_edited"   # id of the trainer whose weights were set by hand
MESSAGE = "weights_edit_message"


def set_parameter(exp, layer: int, j: int, k: int, value: float) -> None:
    """θ_jk^(layer) := value (k = 0: the bias b_j^(layer)); 1-based like the article."""
    net, trainer = exp.net, exp.trainer
    if k == 0:
        b = net.biases[layer - 1].copy()
        b[j - 1] = value
        net.biases = [*net.biases[:layer - 1], b, *net.biases[layer:]]
    else:
        W = net.weights[layer - 1].copy()
        W[j - 1, k - 1] = value
        net.weights = [*net.weights[:layer - 1], W, *net.weights[layer:]]
    latest = trainer.snapshots.latest
    trainer.snapshots.record(trainer.epoch, net.params, latest.gradients if latest else None)


def edited(exp) -> bool:
    return st.session_state.get(EDITED) == id(exp.trainer)


def on_set() -> None:
    """Callback of "Set": the chosen weight takes the typed value."""
    exp = state.experiment()
    if exp is None:
        return
    s = st.session_state
    layer, j, k, value = s["edit_layer"], s["edit_j"], s["edit_k"], float(s["edit_value"])
    with state.lock():
        set_parameter(exp, layer, j, k, value)
    s.pop(state.SCORES, None)  # the cached costs belong to the old weights
    s[EDITED] = id(exp.trainer)
    s[MESSAGE] = f"Set {theta(layer, j, k)} = {value:g} at epoch {exp.trainer.epoch}; Step or Play trains on from it."


def _clamp(key: str, options) -> None:
    """Keep picker ``key`` on one of ``options`` (1 when it can: θ_11 rather than a bias)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = 1 if 1 in options else options[0]


def editor(exp) -> None:
    """Choose l, j, k and a value; "Set" puts it into the network. The layers offered are those
    with a weight matrix Θ^(l) (not dropout's, nor a layer norm's)."""
    net = exp.net
    layers = [l for l, W in enumerate(net.weights, start=1) if W is not None]
    if not layers:
        return
    with st.expander("✏️ Set a weight", expanded=bool(st.session_state.get(MESSAGE))):
        a, b, c, d, e = st.columns([1, 1, 1, 1.2, 0.8], vertical_alignment="bottom")
        _clamp("edit_layer", layers)
        layer = a.selectbox("Layer l", layers, key="edit_layer")
        js, ks = range(1, net.sizes[layer] + 1), range(0 if net.bias else 1, net.sizes[layer - 1] + 1)
        _clamp("edit_j", js)
        _clamp("edit_k", ks)
        j = b.selectbox(f"j (to layer {layer + 1})", js, key="edit_j")
        k = c.selectbox(f"k (from layer {layer})", ks, key="edit_k",
                        format_func=lambda k: "bias b_j" if k == 0 else str(k))
        st.session_state.setdefault("edit_value", 0.0)
        d.number_input("New value", key="edit_value", step=0.1, format="%g")
        e.button("Set", key="edit_set", on_click=on_set, width="stretch")
        now = net.biases[layer - 1][j - 1] if k == 0 else net.weights[layer - 1][j - 1, k - 1]
        st.caption(f"Now {'b' if k == 0 else 'θ'}: {now:.6g}.")
        message = st.session_state.pop(MESSAGE, None)
        if message:
            st.success(message)
