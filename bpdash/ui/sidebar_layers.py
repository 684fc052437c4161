"""The sidebar's layer stack: one row per hidden layer, its type and its settings' widgets.

A row's type is chosen from the loaded layer types (dense by default); its settings' widgets
come from the type's own Fields (``field_widgets.setting``): a dense row has units and an
activation, a dropout row its rate, a plugin layer whatever it declares. A dense row offers
"add dropout after this layer"; every row can be removed; "+ Add layer" appends a dense layer.
The limits are the ``layers`` field's (``bpdash.schema``): too many layers, too many dense
layers or too many units are refused with a message.

Widget keys follow the row's position: ``layer_<i>`` its type, ``layer_<i>_<setting>`` each
setting, ``n_layers`` the count. Rows are added and removed in callbacks, which read every row
(``read``), change the list and write every row back (``write``), so the widgets after an
insertion show the layers that moved there.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import DEFAULTS, MAX_HIDDEN_LAYERS, MAX_NEURONS
from bpdash import stack_field
from bpdash.schema import DENSE, field

from .field_widgets import setting, widget_value
from .text import plain
from .widgets import choose, default

N_LAYERS = "n_layers"
MESSAGE = "layer_message"
TYPE_KEY, UNITS = stack_field.TYPE_KEY, stack_field.UNITS
NEW_LAYER = dict(DEFAULTS.layers[-1]) if DEFAULTS.layers else {TYPE_KEY: DENSE}  # what "+ Add layer" adds


def type_key(i: int) -> str:
    return f"layer_{i}"


def setting_key(i: int, name: str) -> str:
    return f"layer_{i}_{name}"


# -- the rows as specs ---------------------------------------------------------------------------

def read(registry, s=None) -> list[dict]:
    """The rows as layer specs, from session state ``s`` (settings not set yet: their defaults)."""
    s = st.session_state if s is None else s
    specs = []
    for i in range(s.get(N_LAYERS, len(DEFAULTS.layers))):
        kind = s.get(type_key(i), DENSE)
        layer = registry.layers.get(kind)
        spec = {TYPE_KEY: kind}
        for f in getattr(layer, "settings", ()):
            spec[f.name] = s.get(setting_key(i, f.name), _start(kind, f))
        specs.append(spec)
    return specs


def write(specs, registry, s=None) -> None:
    """Set the rows to ``specs`` (in session state ``s``): the count, each type and setting."""
    s = st.session_state if s is None else s
    s[N_LAYERS] = len(specs)
    for i, spec in enumerate(specs):
        kind = spec[TYPE_KEY]
        s[type_key(i)] = kind
        for f in getattr(registry.layers.get(kind), "settings", ()):
            value = spec.get(f.name, _start(kind, f))
            s[setting_key(i, f.name)] = widget_value(f, value) if f.kind in ("int", "float") else value


def _start(kind: str, f):
    """A new row's value of setting ``f``: the default stack's for a dense layer (8 tanh), else
    the type's declared default."""
    return NEW_LAYER.get(f.name, f.default) if kind == NEW_LAYER.get(TYPE_KEY) else f.default


# -- callbacks -----------------------------------------------------------------------------------

def _refusal(specs, registry) -> str | None:
    """Why a stack breaks the ``layers`` field's limits, in its own words (None when it keeps them)."""
    stack = field("layers")
    problem = stack_field.form_problem(stack, specs) or stack_field.registry_problem(stack, specs, registry)
    return f"Not changed: the stack {problem}." if problem else None


def _change(registry, edit) -> None:
    """Apply ``edit`` (a function of the list of specs) to the rows, unless it breaks a limit."""
    specs = read(registry)
    edit(specs)
    refusal = _refusal(specs, registry)
    if refusal:
        st.session_state[MESSAGE] = refusal
        return
    write(specs, registry)


def add_layer(registry) -> None:
    """Callback: one more dense layer at the end."""
    _change(registry, lambda specs: specs.append(dict(NEW_LAYER)))


def remove_layer(registry) -> None:
    """Callback: the last layer goes (none left is a network with no hidden layer)."""
    if not st.session_state.get(N_LAYERS, len(DEFAULTS.layers)):
        st.session_state[MESSAGE] = "There is no hidden layer left to remove."
        return
    _change(registry, lambda specs: specs.pop())


def remove_row(registry, i: int) -> None:
    """Callback: row ``i`` goes; the rows after it move up."""
    _change(registry, lambda specs: specs.pop(i))


def dropout_after(registry, i: int) -> None:
    """Callback: a dropout layer (at its declared rate) right after row ``i``."""
    rate = {f.name: f.default for f in registry.layers["dropout"].settings}
    _change(registry, lambda specs: specs.insert(i + 1, {TYPE_KEY: "dropout", **rate}))


def clamp_units(key: str, layer: int) -> None:
    """Callback: bring a layer's units back within MAX_NEURONS, with a message."""
    if st.session_state.get(key, 1) > MAX_NEURONS:
        st.session_state[key] = MAX_NEURONS
        st.session_state[MESSAGE] = f"At most {MAX_NEURONS} neurons per layer: layer {layer} was set to {MAX_NEURONS}."


# -- drawing -------------------------------------------------------------------------------------

def _row(i: int, registry, types: list) -> dict:
    """One layer's row: its type, its settings and its buttons; returns its spec."""
    layer = i + 2  # the article's numbering: layer 1 is the input
    choose(type_key(i), types, DENSE if DENSE in types else types[0])
    with st.container(border=True, key=f"layer_row_{i}"):
        head, cross = st.columns([5, 1], vertical_alignment="bottom")
        kind = head.selectbox(f"Layer {layer}", types, key=type_key(i), help=_types_help(registry))
        cross.button("✕", key=f"remove_layer_{i}", on_click=remove_row, args=(registry, i),
                     help=f"Remove layer {layer}; the layers after it move up.")
        spec = {TYPE_KEY: kind}
        settings = registry.layers[kind].settings
        columns = st.columns(2) if len(settings) > 1 else [st]
        for j, f in enumerate(settings):
            key = setting_key(i, f.name)
            default(key, widget_value(f, _start(kind, f)) if f.kind in ("int", "float") else _start(kind, f))
            extra = dict(on_change=clamp_units, args=(key, layer)) if f.name == UNITS else {}
            value = setting(f, registry, key=key, container=columns[j % len(columns)],
                            title=f"Layer {layer} {f.title[0].lower()}{f.title[1:]}", **extra)
            spec[f.name] = min(int(value), MAX_NEURONS) if f.name == UNITS else value
        if kind == DENSE and "dropout" in registry.layers:
            st.button(f"＋ Dropout after layer {layer}", key=f"dropout_after_{i}", on_click=dropout_after,
                      args=(registry, i), width="stretch",
                      help="Insert a dropout layer here: in training each of this layer's units is "
                           "dropped with probability p.")
    return spec


def _types_help(registry) -> str:
    return "The layer type (a plugin):\n\n" + "\n".join(
        f"- **{name}**: {plain(layer.description) or '(no description)'}" for name, layer in sorted(registry.layers.items()))


def render(registry) -> tuple:
    """Every row and the add/remove buttons; returns the stack as specs."""
    default(N_LAYERS, len(DEFAULTS.layers))
    types = sorted(registry.layers, key=lambda name: (name != DENSE, name))
    specs = tuple(_row(i, registry, types) for i in range(st.session_state[N_LAYERS]))
    add, remove = st.columns(2)
    add.button("+ Add layer", key="add_layer", on_click=add_layer, args=(registry,), width="stretch",
               help=f"A dense layer at the end (up to {MAX_HIDDEN_LAYERS}).")
    remove.button("− Remove", key="remove_layer", on_click=remove_layer, args=(registry,), width="stretch",
                  help="The last layer goes.")
    stack = field("layers")
    st.caption(f"Layer 1 is the input, as in the article. Up to {MAX_HIDDEN_LAYERS} dense layers of up to "
               f"{MAX_NEURONS} neurons, {stack.items} layers in all.")
    message = st.session_state.pop(MESSAGE, None)
    if message:
        st.warning(message)
    return specs
