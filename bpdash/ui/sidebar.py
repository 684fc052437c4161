"""The sidebar: the network builder and the data picker (its CSV source in ``csv_upload``).

``render(registry)`` draws every control and returns ``(config, choice)``: the ExperimentConfig
the controls describe (None when they describe an invalid one, with the reason shown) and the
DataChoice for ``state.sync``. Every widget has a stable key; its default comes from
``ExperimentConfig()``, set once in session state (so no widget is given a value twice).
Limits come from ``bpdash.config`` and are enforced with a message.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import (MAX_HIDDEN_LAYERS, MAX_LEARNING_RATE, MAX_NEURONS, MAX_SAMPLES, MAX_SEED,
                           ConfigError, ExperimentConfig)

from . import classroom, csv_upload, features, sidebar_training, state
from .text import plain
from .widgets import choose, default

DEFAULTS = ExperimentConfig()
LAYER_MESSAGE = "layer_message"
N_HIDDEN = "n_hidden"
SOURCES = ("Generated", "CSV file")


def _help(table: dict) -> str:
    """Markdown listing every record of a registry table with its description."""
    return "\n".join(f"- **{name}**: {record.description or '(no description)'}"
                     for name, record in sorted(table.items()))


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
    names, helptext = sorted(activations), _help(activations)
    hidden, acts = [], []
    for i in range(st.session_state[N_HIDDEN]):
        layer = i + 2  # the article's numbering: layer 1 is the input
        size_key, act_key = f"neurons_{i}", f"act_{i}"
        default(size_key, DEFAULTS.hidden[i] if i < len(DEFAULTS.hidden) else DEFAULTS.hidden[-1])
        choose(act_key, names, DEFAULTS.activations[0])
        left, right = st.columns([1, 1.2])
        neurons = left.number_input(f"Layer {layer} neurons", min_value=1, step=1, key=size_key,
                                    on_change=clamp_neurons, args=(size_key, layer))
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
    return dict(
        output_activation=st.selectbox("Output activation (layer L)", acts, key="output_activation",
                                       help=_help(registry.activations)),
        bias=st.checkbox("Bias b^(l) on every layer", key="bias",
                         help="Off: z = a Θᵀ only, as the article starts out."),
        cost=st.selectbox("Cost J(θ)", costs, key="cost", help=_help(registry.costs)))


def initialization(registry) -> dict:
    """Initializer, its ε and the seed of the draw."""
    inits = sorted(registry.initializers)
    choose("init", inits, DEFAULTS.init)
    default("epsilon", float(DEFAULTS.epsilon))
    default("seed", DEFAULTS.seed)
    init = st.selectbox("Initializer", inits, key="init", help=_help(registry.initializers))
    left, right = st.columns(2)
    epsilon = left.number_input("ε", min_value=0.0, max_value=10.0, step=0.05, key="epsilon", format="%g",
                                help="Weights and biases drawn from [−ε, ε] (uniform, constant).")
    seed = right.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key="seed",
                              help="Same seed, same initial weights.")
    return dict(init=init, epsilon=float(epsilon), seed=int(seed))


def training_settings() -> dict:
    """Learning rate η (changing it keeps training) and batch size (0 = the full batch)."""
    default("learning_rate", float(DEFAULTS.learning_rate))
    default("batch_size", DEFAULTS.batch_size or 0)
    left, right = st.columns(2)
    eta = left.number_input("Learning rate η", min_value=1e-4, max_value=float(MAX_LEARNING_RATE),
                            step=0.05, format="%g", key="learning_rate",
                            help=f"θ := θ − η ∂J/∂θ. Up to {MAX_LEARNING_RATE:g}; changing it keeps "
                                 "the weights and the history.")
    batch = right.number_input("Batch size", min_value=0, max_value=MAX_SAMPLES, step=1, key="batch_size",
                               help="0 = the full batch (the article's epoch); else mini-batches.")
    return dict(learning_rate=float(eta), batch_size=int(batch) or None)


# -- data ----------------------------------------------------------------------------------------

def generated_settings(registry) -> dict:
    """Dataset, size, noise (the train share and seed come from ``data_settings``)."""
    names = sorted(registry.datasets)
    choose("dataset", names, DEFAULTS.dataset)
    default("n_samples", DEFAULTS.n_samples)
    default("noise", float(DEFAULTS.noise))
    name = st.selectbox("Dataset", names, key="dataset", help=_help(registry.datasets))
    fixed = registry.datasets[name].fixed
    left, right = st.columns(2)
    n = left.number_input("Samples", min_value=2, max_value=MAX_SAMPLES, step=50, key="n_samples",
                          disabled=fixed, help="Fixed for the article's examples." if fixed else None)
    noise = right.slider("Noise", 0.0, 1.0, step=0.01, key="noise", disabled=fixed)
    return dict(dataset=name, n_samples=int(n), noise=float(noise))


def data_settings(registry) -> tuple[dict, state.DataChoice]:
    """Source (generated or CSV), train share and data seed; returns config fields and a DataChoice."""
    default("data_source", SOURCES[0])
    default("train_share", round(1 - DEFAULTS.test_share, 4))
    default("data_seed", DEFAULTS.data_seed)
    source = st.radio("Source", SOURCES, key="data_source", horizontal=True)
    fields = {}
    if source == SOURCES[0]:
        fields = generated_settings(registry)
    left, right = st.columns(2)
    share = left.slider("Train share", 0.1, 1.0, step=0.05, key="train_share",
                        help="The rest is the test set.")
    seed = right.number_input("Data seed", min_value=0, max_value=MAX_SEED, step=1, key="data_seed")
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
    values = dict(output_activation=config.output_activation, bias=config.bias, cost=config.cost,
                  init=config.init, epsilon=float(config.epsilon), seed=int(config.seed),
                  learning_rate=float(config.learning_rate), batch_size=int(config.batch_size or 0),
                  data_source=SOURCES[0], dataset=config.dataset, n_samples=int(config.n_samples),
                  noise=min(float(config.noise), 1.0), train_share=round(1.0 - config.test_share, 4),
                  data_seed=int(config.data_seed), train_n=int(config.epochs))
    for key, value in values.items():
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
