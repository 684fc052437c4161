"""The sidebar: the network builder and the data picker (its CSV source in ``csv_upload``).

``render(registry)`` draws every control and returns ``(config, choice)``: the ExperimentConfig
the controls describe (None when they describe an invalid one, with the reason shown) and the
DataChoice for ``state.sync``. Every widget has a stable key (a config field's own name where
one widget shows one field); its default comes from ``ExperimentConfig()``, set once in session
state (so no widget is given a value twice). Labels, limits, steps and help come from the
fields' declarations (``bpdash.schema``, drawn by ``field_widgets``); limits are enforced with
a message.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import DEFAULTS, MAX_HIDDEN_LAYERS, MAX_NEURONS, ConfigError, ExperimentConfig
from bpdash.schema import field

from . import classroom, csv_upload, features, sidebar_training, state
from .text import plain
from .field_widgets import checkbox, number, plugin_help, select, slider, widget_value
from .widgets import choose, default

LAYER_MESSAGE = "layer_message"
N_HIDDEN = "n_hidden"
SOURCES = ("Generated", "CSV file")
TRAIN_SHARE = "train_share"  # the slider shows 1 − test_share: the part that trains
PLAIN = ("output_activation", "bias", "cost", "init", "epsilon", "seed", "learning_rate", "dataset",
         "n_samples", "data_seed")  # fields whose widget's key is their name and value their value


# -- hidden layers -------------------------------------------------------------------------------

def add_layer() -> None:
    """Callback: one more hidden layer, up to MAX_HIDDEN_LAYERS (else a message)."""
    n = st.session_state.get(N_HIDDEN, len(DEFAULTS.hidden))
    if n >= MAX_HIDDEN_LAYERS:
        st.session_state[LAYER_MESSAGE] = f"At most {MAX_HIDDEN_LAYERS} hidden layers."
        return
    st.session_state[N_HIDDEN] = n + 1


def remove_layer() -> None:
    """Callback: one hidden layer fewer (none left is a network with no hidden layer)."""
    n = st.session_state.get(N_HIDDEN, len(DEFAULTS.hidden))
    if n == 0:
        st.session_state[LAYER_MESSAGE] = "There is no hidden layer left to remove."
        return
    st.session_state[N_HIDDEN] = n - 1


def clamp_neurons(key: str, layer: int) -> None:
    """Callback: bring a layer's neuron count back within MAX_NEURONS, with a message."""
    if st.session_state.get(key, 1) > MAX_NEURONS:
        st.session_state[key] = MAX_NEURONS
        st.session_state[LAYER_MESSAGE] = (f"At most {MAX_NEURONS} neurons per layer: layer {layer} "
                                           f"was set to {MAX_NEURONS}.")


def hidden_layers(activations: dict) -> tuple[tuple, tuple]:
    """Neurons and an activation per hidden layer; returns ``(hidden, activation_names)``."""
    default(N_HIDDEN, len(DEFAULTS.hidden))
    sizes, kinds = field("hidden"), field("activations")
    names, helptext = sorted(activations), plugin_help(kinds, activations)
    hidden, acts = [], []
    for i in range(st.session_state[N_HIDDEN]):
        layer = i + 2  # the article's numbering: layer 1 is the input
        size_key, act_key = f"neurons_{i}", f"act_{i}"
        default(size_key, DEFAULTS.hidden[i] if i < len(DEFAULTS.hidden) else DEFAULTS.hidden[-1])
        choose(act_key, names, DEFAULTS.activations[0])
        left, right = st.columns([1, 1.2])
        neurons = left.number_input(f"Layer {layer} neurons", min_value=int(sizes.low), step=1, key=size_key,
                                    help=sizes.help, on_change=clamp_neurons, args=(size_key, layer))
        hidden.append(min(int(neurons), MAX_NEURONS))
        acts.append(right.selectbox(f"Layer {layer} activation", names, key=act_key, help=helptext))
    add, remove = st.columns(2)
    add.button("+ Add layer", key="add_layer", on_click=add_layer, width="stretch",
               help=f"Up to {MAX_HIDDEN_LAYERS} hidden layers.")
    remove.button("− Remove", key="remove_layer", on_click=remove_layer, width="stretch")
    st.caption(f"Layer 1 is the input, as in the article. Up to {MAX_HIDDEN_LAYERS} hidden layers of up "
               f"to {MAX_NEURONS} neurons.")
    message = st.session_state.pop(LAYER_MESSAGE, None)
    if message:
        st.warning(message)
    return tuple(hidden), tuple(acts)


# -- output, cost, initialization, training ------------------------------------------------------

def output_and_cost(registry) -> dict:
    """Output activation, bias on/off and cost."""
    acts, costs = sorted(registry.activations), sorted(registry.costs)
    choose("output_activation", acts, DEFAULTS.output_activation)
    choose("cost", costs, DEFAULTS.cost)
    default("bias", DEFAULTS.bias)
    output, cost = field("output_activation"), field("cost")
    return dict(output_activation=select(output, acts, help=plugin_help(output, registry.activations)),
                bias=checkbox(field("bias")),
                cost=select(cost, costs, help=plugin_help(cost, registry.costs)))


def initialization(registry) -> dict:
    """Initializer, its ε and the seed of the draw."""
    inits = sorted(registry.initializers)
    choose("init", inits, DEFAULTS.init)
    default("epsilon", float(DEFAULTS.epsilon))
    default("seed", DEFAULTS.seed)
    init = select(field("init"), inits, help=plugin_help(field("init"), registry.initializers))
    left, right = st.columns(2)
    epsilon = number(field("epsilon"), container=left)
    seed = number(field("seed"), container=right)
    return dict(init=init, epsilon=float(epsilon), seed=int(seed))


def training_settings() -> dict:
    """Learning rate η (changing it keeps training) and batch size (0 = the full batch)."""
    default("learning_rate", float(DEFAULTS.learning_rate))
    default("batch_size", DEFAULTS.batch_size or 0)
    left, right = st.columns(2)
    eta = number(field("learning_rate"), container=left)
    batch_size = field("batch_size")
    batch = number(batch_size, container=right, low=0, help=f"{batch_size.help} Here 0 is the full batch.")
    return dict(learning_rate=float(eta), batch_size=int(batch) or None)


# -- data ----------------------------------------------------------------------------------------

def generated_settings(registry) -> dict:
    """Dataset, size, noise (the train share and seed come from ``data_settings``)."""
    names = sorted(registry.datasets)
    choose("dataset", names, DEFAULTS.dataset)
    default("n_samples", DEFAULTS.n_samples)
    default("noise", _on_slider(field("noise"), DEFAULTS.noise))
    name = select(field("dataset"), names, help=plugin_help(field("dataset"), registry.datasets))
    fixed = registry.datasets[name].fixed
    left, right = st.columns(2)
    n = number(field("n_samples"), container=left, disabled=fixed,
               help="Fixed for the article's examples." if fixed else None)
    noise = slider(field("noise"), container=right, disabled=fixed)
    return dict(dataset=name, n_samples=int(n), noise=float(noise))


def _on_slider(f, value) -> float:
    """``value`` within the slider of field ``f`` (a larger valid value is clamped to its end;
    ``share.reconcile`` then says so)."""
    low, high = f.slider or (f.low, f.high)
    return min(max(float(value), low), high)


def _train_share_range(test_share) -> tuple[float, float]:
    """The train share's slider: 1 − the test share's declared range."""
    return round(1.0 - test_share.high, 4), round(1.0 - test_share.low, 4)


def data_settings(registry) -> tuple[dict, state.DataChoice]:
    """Source (generated or CSV), train share and data seed; returns config fields and a DataChoice."""
    default("data_source", SOURCES[0])
    default(TRAIN_SHARE, round(1 - DEFAULTS.test_share, 4))
    default("data_seed", DEFAULTS.data_seed)
    source = st.radio("Source", SOURCES, key="data_source", horizontal=True)
    fields = {}
    if source == SOURCES[0]:
        fields = generated_settings(registry)
    left, right = st.columns(2)
    test_share = field("test_share")
    share = left.slider("Train share", *_train_share_range(test_share), step=test_share.step, key=TRAIN_SHARE,
                        help=f"1 − the test share: {test_share.help}")
    seed = number(field("data_seed"), container=right)
    fields.update(test_share=round(1.0 - float(share), 4), data_seed=int(seed))
    if source == SOURCES[0]:
        choice = state.generated_choice(fields["dataset"], fields["n_samples"], fields["noise"],
                                        fields["data_seed"], fields["test_share"])
    else:
        choice = csv_upload.csv_choice(fields["test_share"], fields["data_seed"])
    return fields, choice


def apply_config(config: ExperimentConfig, session=None) -> None:
    """Set every sidebar control to describe ``config`` (a generated dataset), e.g. for a preset.

    Call it from a widget callback (or before a run), so the values are in place before the
    sidebar draws; the next run then rebuilds the experiment with a notice. ``session`` defaults
    to ``st.session_state``. Noise above the slider's 1.0 is clamped to it.
    """
    s = st.session_state if session is None else session
    s[N_HIDDEN] = len(config.hidden)
    for i, (n, name) in enumerate(zip(config.hidden, config.activations)):
        s[f"neurons_{i}"], s[f"act_{i}"] = int(n), name
    for name in PLAIN:
        f, value = field(name), getattr(config, name)
        s[name] = widget_value(f, value) if f.kind in ("int", "float") else value
    for key, value in dict(batch_size=int(config.batch_size or 0), data_source=SOURCES[0],
                           noise=_on_slider(field("noise"), config.noise),
                           train_share=round(1.0 - config.test_share, 4), train_n=int(config.epochs)).items():
        s[key] = value
    sidebar_training.apply_config(config, s)
    features.apply_config(config, s)


def _network(registry) -> dict:
    st.header("Network")
    hidden, acts = hidden_layers(registry.activations)
    return dict(hidden=hidden, activations=acts, **output_and_cost(registry), **initialization(registry))


def _data(registry) -> tuple[dict, state.DataChoice]:
    if classroom.is_hidden("data"):
        c = classroom.link_config()
        return {}, state.generated_choice(c.dataset, c.n_samples, c.noise, c.data_seed, c.test_share)
    st.header("Data")
    return data_settings(registry)


def render(registry) -> tuple[ExperimentConfig | None, state.DataChoice]:
    """Draw the sidebar; return the config it describes (None if invalid) and the data choice.

    Controls a classroom link hides are not drawn; their fields keep the link's values."""
    with st.sidebar:
        fields = {} if classroom.is_hidden("network") else _network(registry)
        if not classroom.is_hidden("training"):
            st.header("Training")
            fields.update(training_settings(), **sidebar_training.render(registry))
        data_fields, choice = _data(registry)
        if not classroom.is_hidden("features"):
            fields.update(features.render(choice))
        fields.update(data_fields, epochs=int(st.session_state.get("train_n", DEFAULTS.epochs)))
        try:
            config = DEFAULTS.replace(**classroom.fixed(fields))
        except ConfigError as exc:
            for name, message in exc.errors.items():
                st.error(f"{name}: {plain(message)}")
            return None, choice
    return config, choice
