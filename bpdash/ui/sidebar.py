"""The sidebar: the network builder and the data picker (its CSV source in ``csv_upload``).

The network builder is the layer stack (``sidebar_layers``), the output layer (an activation or
an output layer type such as softmax; picking one moves the cost to the one that suits it, with
a notice, ``bpdash.outputs.cost_after``), bias, cost, initialization and precision.

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

from bpdash import outputs
from bpdash.config import DEFAULTS, ConfigError, ExperimentConfig
from bpdash.schema import field

from . import classroom, csv_upload, features, sidebar_layers, sidebar_training, state
from .text import plain
from .field_widgets import checkbox, number, plugin_help, select, slider, widget_value
from .widgets import choose, default

SOURCES = ("Generated", "CSV file")
TRAIN_SHARE = "train_share"  # the slider shows 1 − test_share: the part that trains
PLAIN = ("output_activation", "bias", "cost", "init", "epsilon", "seed", "dtype", "learning_rate", "dataset",
         "n_samples", "classes", "data_seed")  # fields whose widget's key is their name and value their value
OUTPUT_WAS = "output_was"      # the output the sidebar showed last: what a change is a change from
COST_NOTICE = "cost_notice"    # why the cost just changed with the output


# -- output and cost -----------------------------------------------------------------------------

def output_changed(registry) -> None:
    """Callback of the output select: to an output layer type (softmax), the cost that links to
    it becomes the cost; back from one with that cost, the cost that suits the new output
    (``bpdash.outputs.cost_after``); either way with a notice."""
    new, old = st.session_state.get("output_activation"), st.session_state.get(OUTPUT_WAS)
    cost = st.session_state.get("cost")
    switched = outputs.cost_after(old, new, cost, registry) if old else None
    if switched:
        st.session_state["cost"] = switched
        st.session_state[COST_NOTICE] = (f"The output is now {new}, so the cost is now {switched} (it was {cost}): "
                                         f"{plain(registry.costs[switched].description)}")
    st.session_state[OUTPUT_WAS] = new


def _output_label(registry):
    def label(name: str) -> str:
        return f"{name} (one unit per class)" if outputs.is_layer_type(name, registry) else name
    return label


def output_and_cost(registry) -> dict:
    """Output layer (an activation or an output layer type), bias on/off and cost."""
    names, costs = sorted(outputs.table(registry)), sorted(registry.costs)
    choose("output_activation", names, DEFAULTS.output_activation)
    choose("cost", costs, DEFAULTS.cost)
    default("bias", DEFAULTS.bias)
    st.session_state.setdefault(OUTPUT_WAS, st.session_state["output_activation"])
    output, cost = field("output_activation"), field("cost")
    chosen = st.selectbox(output.title, names, key="output_activation", format_func=_output_label(registry),
                          help=plugin_help(output, outputs.table(registry)), on_change=output_changed,
                          args=(registry,))
    values = dict(output_activation=chosen, bias=checkbox(field("bias")),
                  cost=select(cost, costs, help=plugin_help(cost, registry.costs)))
    notice = st.session_state.pop(COST_NOTICE, None)
    if notice:
        st.info(notice, icon="🔁")
    return values


def initialization(registry) -> dict:
    """Initializer, its ε and the seed of the draw; the precision of the parameters."""
    inits = sorted(registry.initializers)
    choose("init", inits, DEFAULTS.init)
    default("epsilon", float(DEFAULTS.epsilon))
    default("seed", DEFAULTS.seed)
    default("dtype", DEFAULTS.dtype)
    init = select(field("init"), inits, help=plugin_help(field("init"), registry.initializers))
    left, right = st.columns(2)
    epsilon = number(field("epsilon"), container=left)
    seed = number(field("seed"), container=right)
    dtype = select(field("dtype"), field("dtype").choices)
    return dict(init=init, epsilon=float(epsilon), seed=int(seed), dtype=dtype)


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
    """Dataset, its class count (for a dataset that makes several), size, noise (the train
    share and seed come from ``data_settings``)."""
    names = sorted(registry.datasets)
    choose("dataset", names, DEFAULTS.dataset)
    default("n_samples", DEFAULTS.n_samples)
    default("noise", _on_slider(field("noise"), DEFAULTS.noise))
    default("classes", DEFAULTS.classes)
    name = select(field("dataset"), names, help=plugin_help(field("dataset"), registry.datasets))
    dataset = registry.datasets[name]
    fixed = dataset.fixed
    classes = DEFAULTS.classes
    if dataset.task == "classification" and dataset.classes > DEFAULTS.classes:
        f = field("classes")
        most = min(int(f.high), dataset.classes)
        st.session_state["classes"] = min(int(st.session_state["classes"]), most)
        classes = int(st.slider(f.title, int(f.low), most, step=int(f.step), key="classes",
                                help=f"{f.help} {name} makes up to {dataset.classes}."))
    else:
        st.session_state["classes"] = st.session_state["classes"]  # kept for when it shows again
    left, right = st.columns(2)
    n = number(field("n_samples"), container=left, disabled=fixed,
               help="Fixed for the article's examples." if fixed else None)
    noise = slider(field("noise"), container=right, disabled=fixed)
    return dict(dataset=name, classes=classes, n_samples=int(n), noise=float(noise))


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
                                        fields["data_seed"], fields["test_share"], fields["classes"])
    else:
        choice = csv_upload.csv_choice(fields["test_share"], fields["data_seed"])
    return fields, choice


def apply_config(config: ExperimentConfig, session=None, registry=None) -> None:
    """Set every sidebar control to describe ``config`` (a generated dataset), e.g. for a preset.

    Call it from a widget callback (or before a run), so the values are in place before the
    sidebar draws; the next run then rebuilds the experiment with a notice. ``session`` defaults
    to ``st.session_state``. Noise above the slider's 1.0 is clamped to it.
    """
    s = st.session_state if session is None else session
    if registry is None:
        registry = state.get_registry()
    sidebar_layers.write(config.layers, registry, s)
    s[OUTPUT_WAS] = config.output_activation
    for name in PLAIN:
        f, value = field(name), getattr(config, name)
        s[name] = widget_value(f, value) if f.kind in ("int", "float") else value
    for key, value in dict(batch_size=int(config.batch_size or 0), data_source=SOURCES[0],
                           noise=_on_slider(field("noise"), config.noise),
                           train_share=round(1.0 - config.test_share, 4), train_n=int(config.epochs)).items():
        s[key] = value
    sidebar_training.apply_config(config, s, registry)
    features.apply_config(config, s)


def _network(registry) -> dict:
    st.header("Network")
    layers = sidebar_layers.render(registry)
    return dict(layers=layers, **output_and_cost(registry), **initialization(registry))


def _data(registry) -> tuple[dict, state.DataChoice]:
    if classroom.is_hidden("data"):
        return {}, state.config_choice(classroom.link_config())
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
