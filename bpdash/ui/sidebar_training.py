"""The sidebar's training extras: optimizer, learning-rate schedule, regularization, stopping.

``render(registry)`` draws the controls and returns their config fields; ``apply_config`` sets
them from a config (links, presets, loaded files). Each widget's key is its config field's
name (the stopping rules add an on/off toggle each). Only the settings the chosen optimizer and
schedule use are drawn; the others keep their values (``_keep``), so they do not jump back to
the defaults when the optimizer changes and back.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import ExperimentConfig

from .widgets import default

DEFAULTS = ExperimentConfig()
OPTIMIZER_KEYS = ("momentum", "beta2", "opt_epsilon")
SCHEDULES = ("constant", "step", "exponential")
REGULARIZATION = {"none": "none", "l1": "L1 (λ Σ|θ|)", "l2": "L2 (λ/2 Σθ²)"}
MOMENTUM_LABEL = {"momentum": "β (momentum)", "nesterov": "β (momentum)", "rmsprop": "ρ (decay of the mean square)",
                  "adam": "β₁ (first moment)"}
USES_BETA2, USES_EPSILON = ("adam",), ("adagrad", "rmsprop", "adam")
STOP_TARGET, STOP_PATIENCE = "stop_target_on", "stop_patience_on"
ALL_KEYS = (*OPTIMIZER_KEYS, "lr_decay", "lr_step", "reg_rate", "target_cost", "patience")


def _keep() -> None:
    """Keep the values of controls that are not drawn this run (Streamlit forgets a widget's
    state when a run does not draw it; a value set through session state stays)."""
    for key in ALL_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _value(key: str):
    return st.session_state.get(key, getattr(DEFAULTS, key))


def optimizer_rule(record) -> None:
    """The optimizer's description and its update rule, typeset."""
    with st.expander(f"Update rule: {record.name}", expanded=False):
        if getattr(record, "latex", ""):
            st.latex(record.latex)
        st.caption(record.description or "")


def optimizer(registry) -> dict:
    """The optimizer and the constants its rule uses."""
    table = registry.optimizers
    names = sorted(table, key=lambda n: (n != "gd", n))
    default("optimizer", DEFAULTS.optimizer)
    if st.session_state["optimizer"] not in names:
        st.session_state["optimizer"] = DEFAULTS.optimizer if DEFAULTS.optimizer in names else names[0]
    name = st.selectbox("Optimizer", names, key="optimizer",
                        help="\n".join(f"- **{n}**: {table[n].description}" for n in names))
    optimizer_rule(table[name])
    for key in OPTIMIZER_KEYS:
        default(key, float(getattr(DEFAULTS, key)))
    if name in MOMENTUM_LABEL:
        st.number_input(MOMENTUM_LABEL[name], min_value=0.0, max_value=0.9999, step=0.01, format="%g",
                        key="momentum")
    left, right = st.columns(2)
    if name in USES_BETA2:
        left.number_input("β₂ (second moment)", min_value=0.0, max_value=0.99999, step=0.001, format="%g",
                          key="beta2")
    if name in USES_EPSILON:
        right.number_input("ε (keeps ÷ from 0)", min_value=1e-12, max_value=1.0, format="%g", step=1e-8,
                           key="opt_epsilon")
    return dict(optimizer=name, **{key: float(_value(key)) for key in OPTIMIZER_KEYS})


def schedule() -> dict:
    """The learning-rate schedule: constant, step decay every N epochs, or exponential decay."""
    default("lr_schedule", DEFAULTS.lr_schedule)
    default("lr_decay", float(DEFAULTS.lr_decay))
    default("lr_step", int(DEFAULTS.lr_step))
    kind = st.selectbox("Learning-rate schedule", SCHEDULES, key="lr_schedule",
                        help="- **constant**: η throughout\n- **step**: η × decay every N epochs\n"
                             "- **exponential**: η × decay^(epoch / N)")
    if kind != "constant":
        left, right = st.columns(2)
        left.number_input("Decay", min_value=0.01, max_value=1.0, step=0.05, format="%g", key="lr_decay")
        right.number_input("Every N epochs", min_value=1, max_value=100_000, step=10, key="lr_step")
    return dict(lr_schedule=kind, lr_decay=float(_value("lr_decay")), lr_step=int(_value("lr_step")))


def regularization() -> dict:
    """None, L1 or L2 with a rate λ (biases are not regularized)."""
    default("regularization", DEFAULTS.regularization)
    default("reg_rate", float(DEFAULTS.reg_rate))
    left, right = st.columns(2)
    kind = left.selectbox("Regularization", list(REGULARIZATION), key="regularization",
                          format_func=REGULARIZATION.get,
                          help="Adds λ Σ|θ| (L1) or λ/2 Σθ² (L2) over the weights to J; biases are "
                               "not regularized. L1 drives weights to exactly 0.")
    right.number_input("Rate λ", min_value=0.0, max_value=10.0, step=0.001, format="%g", key="reg_rate",
                       disabled=kind == "none")
    return dict(regularization=kind, reg_rate=float(_value("reg_rate")))


def stopping() -> dict:
    """Stop at a target cost, and/or after N epochs without improvement."""
    default(STOP_TARGET, DEFAULTS.target_cost is not None)
    default(STOP_PATIENCE, DEFAULTS.patience is not None)
    default("target_cost", float(DEFAULTS.target_cost or 0.05))
    default("patience", int(DEFAULTS.patience or 50))
    left, right = st.columns(2)
    target = left.toggle("Target J", key=STOP_TARGET, help="Stop when the training cost J reaches it.")
    patience = right.toggle("Patience", key=STOP_PATIENCE,
                            help="Stop after this many epochs without a new lowest training cost.")
    if target:
        left.number_input("Stop at J ≤", min_value=0.0, max_value=1e6, step=0.01, format="%g", key="target_cost")
    if patience:
        right.number_input("Epochs", min_value=1, max_value=100_000, step=10, key="patience")
    return dict(target_cost=float(_value("target_cost")) if target else None,
                patience=int(_value("patience")) if patience else None)


def render(registry) -> dict:
    """Optimizer, schedule, regularization and stopping; returns their config fields."""
    _keep()
    return {**optimizer(registry), **schedule(), **regularization(), **stopping()}


def apply_config(config: ExperimentConfig, s) -> None:
    """Set these controls (in session state ``s``) to describe ``config``."""
    values = dict(optimizer=config.optimizer, momentum=float(config.momentum), beta2=float(config.beta2),
                  opt_epsilon=float(config.opt_epsilon), lr_schedule=config.lr_schedule,
                  lr_decay=float(config.lr_decay), lr_step=int(config.lr_step),
                  regularization=config.regularization, reg_rate=float(config.reg_rate))
    for key, value in values.items():
        s[key] = value
    s[STOP_TARGET], s[STOP_PATIENCE] = config.target_cost is not None, config.patience is not None
    if config.target_cost is not None:
        s["target_cost"] = float(config.target_cost)
    if config.patience is not None:
        s["patience"] = int(config.patience)
