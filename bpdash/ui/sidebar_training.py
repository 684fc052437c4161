"""The sidebar's training extras: optimizer, learning-rate schedule, regularization, stopping.

``render(registry)`` draws the controls and returns their config fields; ``apply_config`` sets
them from a config (links, presets, loaded files). Each widget's key is its config field's
name (the stopping rules add an on/off toggle each). The optimizer's hyperparameters are the
ones the chosen optimizer plugin declares (``Optimizer.hyperparameters``): each is drawn from
its own declaration under the key ``opt:<optimizer>:<name>``, and the config gets those that
differ from their defaults. Only the settings the chosen optimizer and schedule use are drawn;
the others keep their values (``_keep``), so they do not jump back to the defaults when the
optimizer changes and back.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import DEFAULTS, ExperimentConfig
from bpdash.schema import field

from .field_widgets import number, select, widget_value
from .widgets import default

STOP_TARGET, STOP_PATIENCE = "stop_target_on", "stop_patience_on"
KEPT = ("lr_decay", "lr_step", "reg_rate", "target_cost", "patience")
HP_PREFIX = "opt:"
OFF_DEFAULTS = {"target_cost": 0.05, "patience": 50}  # what the number shows when a rule is switched on


def hp_key(optimizer: str, name: str) -> str:
    """The widget key of hyperparameter ``name`` of optimizer ``optimizer``."""
    return f"{HP_PREFIX}{optimizer}:{name}"


def _keep() -> None:
    """Keep the values of controls that are not drawn this run (Streamlit forgets a widget's
    state when a run does not draw it; a value set through session state stays)."""
    for key in [*KEPT, *(k for k in st.session_state if str(k).startswith(HP_PREFIX))]:
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
    """The optimizer, and a control for each hyperparameter it declares."""
    table = registry.optimizers
    names = sorted(table, key=lambda n: (n != DEFAULTS.optimizer, n))
    default("optimizer", DEFAULTS.optimizer)
    if st.session_state["optimizer"] not in names:
        st.session_state["optimizer"] = names[0]
    f = field("optimizer")
    name = select(f, names, help=f.help + "\n\n" + "\n".join(f"- **{n}**: {table[n].description}" for n in names))
    optimizer_rule(table[name])
    hps = table[name].hyperparameters
    columns = st.columns(2) if hps else ()
    params = {}
    for i, hp in enumerate(hps):
        key = hp_key(name, hp.name)
        default(key, widget_value(hp, hp.default))
        value = number(hp, key=key, container=columns[i % 2])
        if value != hp.default:
            params[hp.name] = widget_value(hp, value)
    return dict(optimizer=name, optimizer_params=params)


def schedule() -> dict:
    """The learning-rate schedule: constant, step decay every N epochs, or exponential decay."""
    default("lr_schedule", DEFAULTS.lr_schedule)
    default("lr_decay", float(DEFAULTS.lr_decay))
    default("lr_step", int(DEFAULTS.lr_step))
    f = field("lr_schedule")
    kind = select(f, f.choices)
    if kind != "constant":
        left, right = st.columns(2)
        number(field("lr_decay"), container=left)
        number(field("lr_step"), container=right)
    return dict(lr_schedule=kind, lr_decay=float(_value("lr_decay")), lr_step=int(_value("lr_step")))


def regularization() -> dict:
    """None, L1 or L2 with a rate λ (biases are not regularized)."""
    default("regularization", DEFAULTS.regularization)
    default("reg_rate", float(DEFAULTS.reg_rate))
    left, right = st.columns(2)
    f = field("regularization")
    kind = select(f, f.choices, container=left)
    number(field("reg_rate"), container=right, disabled=kind == "none")
    return dict(regularization=kind, reg_rate=float(_value("reg_rate")))


def stopping() -> dict:
    """Stop at a target cost, and/or after N epochs without improvement."""
    target_cost, patience = field("target_cost"), field("patience")
    default(STOP_TARGET, DEFAULTS.target_cost is not None)
    default(STOP_PATIENCE, DEFAULTS.patience is not None)
    default("target_cost", float(DEFAULTS.target_cost or OFF_DEFAULTS["target_cost"]))
    default("patience", int(DEFAULTS.patience or OFF_DEFAULTS["patience"]))
    left, right = st.columns(2)
    target = left.toggle("Target J", key=STOP_TARGET, help=target_cost.help)
    patient = right.toggle("Patience", key=STOP_PATIENCE, help=patience.help)
    if target:
        number(target_cost, container=left)
    if patient:
        number(patience, container=right)
    return dict(target_cost=float(_value("target_cost")) if target else None,
                patience=int(_value("patience")) if patient else None)


def render(registry) -> dict:
    """Optimizer, schedule, regularization and stopping; returns their config fields."""
    _keep()
    return {**optimizer(registry), **schedule(), **regularization(), **stopping()}


def apply_config(config: ExperimentConfig, s, registry=None) -> None:
    """Set these controls (in session state ``s``) to describe ``config``. The chosen
    optimizer's hyperparameters are set to the config's values or their defaults (needs the
    ``registry`` that declares them: the app's when None)."""
    if registry is None:
        from .state import get_registry

        registry = get_registry()
    for name in ("optimizer", "lr_schedule", "lr_decay", "lr_step", "regularization", "reg_rate"):
        f, value = field(name), getattr(config, name)
        s[name] = widget_value(f, value) if f.kind in ("int", "float") else value
    record = registry.optimizers.get(config.optimizer)
    for hp in getattr(record, "hyperparameters", ()):
        s[hp_key(config.optimizer, hp.name)] = widget_value(hp, config.optimizer_params.get(hp.name, hp.default))
    s[STOP_TARGET], s[STOP_PATIENCE] = config.target_cost is not None, config.patience is not None
    if config.target_cost is not None:
        s["target_cost"] = float(config.target_cost)
    if config.patience is not None:
        s["patience"] = int(config.patience)
