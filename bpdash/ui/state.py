"""Session state: one Experiment per browser session; the plugin registry and datasets cached.

Per-user things (network, trainer, history) live in ``st.session_state``; shared, pure things
(the registry, generated datasets) live in Streamlit's caches. ``sync`` turns what the sidebar
asks for into the session's experiment: it rebuilds (with a notice) when the architecture, the
initialization, the cost, the batch size or the data change, and only sets
``trainer.learning_rate`` when the learning rate changes, so training carries on.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import streamlit as st

import bpdash
from bpdash.config import ConfigError, ExperimentConfig
from bpdash.data import make_dataset
from bpdash.experiment import Experiment, build
from bpdash.schema import field

from . import work

EXPERIMENT, DATA_KEY, RUNNING, LOCK = "experiment", "data_key", "running", "training_lock"
LIVE_FIELDS = ("learning_rate", "epochs")  # changing these never resets training
DATA_FIELDS = ("dataset", "classes", "n_samples", "noise", "test_share", "data_seed")  # judged by DataChoice.key


@dataclass(frozen=True)
class DataChoice:
    """The data the sidebar asks for: ``key`` identifies it, ``load()`` makes the DataSplit.

    ``key`` None means "keep the current data" (e.g. a CSV upload that failed).
    """

    key: tuple | None
    load: Callable | None = None
    label: str = ""


@st.cache_resource(show_spinner=False)
def get_registry() -> bpdash.Registry:
    """Every plugin, loaded once per process (built-ins, BPDASH_PLUGINS_DIR, entry points)."""
    return bpdash.load_plugins()


@st.cache_data(show_spinner=False, max_entries=64)
def generated_data(name: str, n: int, noise: float, seed: int, test_share: float, classes: int = 2):
    """The registry's dataset ``name`` split into train/test, cached by all its parameters."""
    return make_dataset(name, n=n, noise=noise, seed=seed, test_share=test_share, classes=classes,
                        registry=get_registry())


def generated_choice(name, n, noise, seed, test_share, classes=2) -> DataChoice:
    """A DataChoice for a generated dataset (loaded through the cache)."""
    key = ("generated", name, int(n), float(noise), int(seed), float(test_share), int(classes))
    label = name if classes == 2 else f"{name}, {classes} classes"
    return DataChoice(key, lambda: generated_data(*key[1:]), label)


def config_choice(config) -> DataChoice:
    """The DataChoice of the generated dataset ``config`` names (a link's, a file's)."""
    return generated_choice(config.dataset, config.n_samples, config.noise, config.data_seed, config.test_share,
                            config.classes)


def lock() -> threading.RLock:
    """The session's lock around training and reading the trainer.

    The background worker holds it during each slice of the session's job (``work``); a page
    run holds it while it reads or changes the experiment (drawing, Step, a rebuild, an
    import). So the network is touched by one thread at a time and never seen mid-epoch; a
    run waits at most one slice, and the worker passes over a session whose page holds it.
    """
    found = st.session_state.get(LOCK)
    if found is None:
        found = st.session_state[LOCK] = threading.RLock()
    return found


def experiment() -> Experiment | None:
    """The session's experiment (None before the first run)."""
    return st.session_state.get(EXPERIMENT)


def is_running() -> bool:
    return bool(st.session_state.get(RUNNING, False))


def set_running(value: bool) -> None:
    st.session_state[RUNNING] = bool(value)


def stop_training(reason: str) -> None:
    """Stop playing and stop the session's job (Train N, a check…), before the network changes."""
    set_running(False)
    work.stop(reason)


def _changes(old: ExperimentConfig, new: ExperimentConfig) -> list[str]:
    """Names of the fields that differ, live and data fields left out (data: see DataChoice.key)."""
    a, b = old.to_dict(), new.to_dict()
    return [name for name in a if name not in LIVE_FIELDS + DATA_FIELDS and a[name] != b[name]]


def _describe(old: ExperimentConfig, new: ExperimentConfig, names) -> str:
    parts = []
    for name in names[:4]:
        before, after = getattr(old, name), getattr(new, name)
        fmt = field("layers").text if name == "layers" else repr
        parts.append(f"{name} {fmt(before)} → {fmt(after)}")
    return "; ".join(parts) + (" …" if len(names) > 4 else "")


def _build(config, registry, data) -> Experiment:
    exp = build(config, registry, data=data)
    with lock():
        stop_training("the network was rebuilt")
        st.session_state[EXPERIMENT] = exp
    return exp


def sync(config: ExperimentConfig | None, choice: DataChoice, registry) -> tuple[Experiment, str]:
    """Make the session's experiment match ``config`` and ``choice``; return it and a notice.

    The notice is "" when nothing was rebuilt. Raises ConfigError/ValueError only on the first
    build; later failures keep the previous experiment and report the problem in the notice.
    """
    exp = experiment()
    if exp is None:
        config = config or ExperimentConfig()
        data = choice.load() if choice.key is not None else None
        exp = _build(config, registry, data)
        st.session_state[DATA_KEY] = choice.key
        return exp, ""
    if config is None:
        return exp, ""
    new_data = choice.key is not None and choice.key != st.session_state.get(DATA_KEY)
    if not new_data:  # the data stays, and so do the config's data fields
        config = config.replace(**{name: getattr(exp.config, name) for name in DATA_FIELDS})
    changed = _changes(exp.config, config)
    if not new_data and not changed:
        return exp, _live_update(exp, config)
    try:
        data = choice.load() if new_data else exp.data
        rebuilt = _build(config, registry, data)
    except (ConfigError, ValueError, KeyError) as exc:
        return exp, f"⚠️ Could not rebuild: {exc}. The previous network stays."
    if new_data:
        st.session_state[DATA_KEY] = choice.key
    what = ([f"data → {choice.label or 'new data'}"] if new_data else []) + (
        [_describe(exp.config, config, changed)] if changed else [])
    return rebuilt, (f"Rebuilt the network ({'; '.join(what)}): new weights from seed {config.seed}, "
                     "training restarts at epoch 0.")


def install(exp: Experiment, data_key: tuple | None) -> Experiment:
    """Make ``exp`` (e.g. restored from a file) the session's experiment, its data known to the
    sidebar as ``data_key``, so the next ``sync`` keeps it rather than rebuilding."""
    with lock():
        stop_training("another experiment was loaded")
        st.session_state[EXPERIMENT] = exp
        st.session_state[DATA_KEY] = data_key
    return exp


def _live_update(exp: Experiment, config: ExperimentConfig) -> str:
    """Carry a new learning rate into the running trainer; no reset, weights and history stay."""
    if config == exp.config:
        return ""
    with lock():  # the worker may be in an epoch of this trainer
        exp.trainer.learning_rate = config.learning_rate
        exp.config = config
        diverged = exp.trainer.diverged
        exp.trainer.diverged, exp.trainer.message = False, ""
    if diverged:
        return (f"Learning rate set to η = {config.learning_rate:g}: Step and Play try again from the last "
                f"good weights (epoch {exp.trainer.epoch}). If those are already huge it diverges again; "
                "then press ↺ Reset.")
    return ""


def reset() -> Experiment | None:
    """Start over: the same config and data, fresh initial weights drawn from the seed."""
    exp = experiment()
    if exp is None:
        return None
    return _build(exp.config, get_registry(), exp.data)


SCORES = "scores"


def scores(exp: Experiment) -> tuple[int, dict, dict | None]:
    """``(epoch, train, test)``: cost and accuracy of the current weights (``trainer.evaluate``)
    on the training and test rows (test None without test rows), computed once per epoch."""
    trainer, data = exp.trainer, exp.data
    # the parameter arrays are replaced, never changed in place: a weight set by hand is a new key
    key = (id(trainer), trainer.epoch, tuple(id(p) for layer in exp.net.params for p in layer))
    cached = st.session_state.get(SCORES)
    if cached is None or cached[0] != key:
        test = trainer.evaluate(exp.inputs(data.X_test), data.Y_test) if data.n_test else None
        cached = st.session_state[SCORES] = (key, (trainer.epoch, trainer.evaluate(), test))
    return cached[1]
