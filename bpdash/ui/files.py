"""Save / load, in a sidebar expander: the experiment as JSON, the history as CSV, the weights
as .npz, and uploads that restore them.

Downloads are made when clicked (``st.download_button`` with a callable), under the session's
training lock, so a long history is not serialized on every run. Uploads are handled in the
uploader's ``on_change`` callback, before the page is drawn: ``load_experiment`` validates the
file field by field (``bpdash.export.import_json``), builds its experiment and restores weights,
history and shuffling state into it; only when all of that worked does the session switch to it
(``take_import``, on the same run) and the sidebar's widgets follow (``sidebar.apply_config``).
A wrong or hostile file gets a message under its uploader and changes nothing.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import ConfigError
from bpdash.experiment import Experiment, build
from bpdash.export import ExportError, export_json, history_csv, import_json, restore
from bpdash.weights_file import load_params_npz, weights_npz

from . import share, sidebar, state
from .text import plain

EXPERIMENT_FILE, WEIGHTS_FILE = "experiment_file", "weights_file"
MESSAGES = "file_messages"      # uploader key → (kind, text), shown under that uploader
PENDING = "pending_experiment"  # a restored Experiment the next draw makes the session's
CONTENTS = {"Config only": (False, False), "Config + weights": (True, False),
            "Config + weights + history": (True, True)}
PROBLEMS = (ExportError, ConfigError, ValueError, KeyError)


def load_experiment(data: bytes, registry) -> Experiment:
    """The experiment a JSON export describes, built and restored exactly; raises ExportError
    (or ConfigError/ValueError/KeyError) naming what is wrong."""
    run = import_json(data, registry)
    exp = build(run.config, registry, data=state.config_choice(run.config).load())
    restore(exp, run)
    return exp


def load_weights(exp: Experiment, data: bytes) -> str:
    """Put the .npz's parameters (Θ^(l), b^(l) and any other layer's) into ``exp``'s network;
    training goes on from the current epoch and history. Raises ExportError (shapes that do not
    fit, pickles, garbage, a bomb) changing nothing. The caller holds the session's training
    lock."""
    params = load_params_npz(data, exp.net)  # checked against the network before reading
    net, trainer = exp.net, exp.trainer
    net.params = params
    trainer.restore(trainer.history, trainer.epoch, trainer.rng.bit_generator.state)
    return f"Loaded the parameters of every layer at epoch {trainer.epoch}; training continues from them."


def _say(key: str, kind: str | None, text: str = "") -> None:
    messages = st.session_state.setdefault(MESSAGES, {})
    if kind is None:
        messages.pop(key, None)
    else:
        messages[key] = (kind, text)


def on_experiment_upload(registry) -> None:
    """Callback of the experiment uploader: restore the file, or say why not."""
    upload = st.session_state.get(EXPERIMENT_FILE)
    if upload is None:
        return _say(EXPERIMENT_FILE, None)
    try:
        exp = load_experiment(upload.getvalue(), registry)
    except PROBLEMS as exc:
        return _say(EXPERIMENT_FILE, "error", f"{upload.name}: {exc}. Nothing was changed.")
    st.session_state[PENDING] = exp
    sidebar.apply_config(exp.config)
    share.expect(exp.config)
    _say(EXPERIMENT_FILE, "success", f"Loaded {upload.name}: {exp.net.describe()} at epoch "
                                     f"{exp.trainer.epoch}, with its weights and history as saved.")


def on_weights_upload() -> None:
    """Callback of the weights uploader: load Θ and b into the current network, or say why not."""
    upload, exp = st.session_state.get(WEIGHTS_FILE), state.experiment()
    if upload is None or exp is None:
        return _say(WEIGHTS_FILE, None)
    try:
        with state.lock():  # not while a live tick trains this network
            _say(WEIGHTS_FILE, "success", f"{upload.name}: {load_weights(exp, upload.getvalue())}")
    except PROBLEMS as exc:
        _say(WEIGHTS_FILE, "error", f"{upload.name}: {exc}. Nothing was changed.")


def take_import(choice) -> tuple[Experiment, str] | None:
    """The experiment an upload restored, made the session's (None when there is none)."""
    exp = st.session_state.pop(PENDING, None)
    if exp is None:
        return None
    state.install(exp, choice.key)
    return exp, f"Loaded the experiment from the file: epoch {exp.trainer.epoch}. Training continues from there."


def _locked(make, *args, **kwargs):
    """A callable for a download button: ``make(*args)`` under the session's training lock."""
    lock = state.lock()

    def run():
        with lock:
            return make(*args, **kwargs)
    return run


def _downloads(exp: Experiment) -> None:
    trainer, name = exp.trainer, f"bpdash-{exp.config.dataset}-epoch{exp.trainer.epoch}"
    st.session_state.setdefault("export_contents", list(CONTENTS)[-1])
    weights, history = CONTENTS[st.radio("Experiment file holds", list(CONTENTS), key="export_contents")]
    st.download_button("⬇ Experiment (.json)", _locked(export_json, exp.config, trainer, weights=weights,
                                                       history=history),
                       file_name=f"{name}.json", mime="application/json", key="download_experiment",
                       on_click="ignore", width="stretch",
                       help="Load it here again, or run `python -m bpdash train --config` on it.")
    st.download_button("History (.csv)", _locked(history_csv, trainer), file_name=f"{name}-history.csv",
                       mime="text/csv", key="download_history", on_click="ignore", width="stretch")
    st.download_button("Weights (.npz)", _locked(weights_npz, exp.net), file_name=f"{name}-weights.npz",
                          mime="application/octet-stream", key="download_weights", on_click="ignore",
                       width="stretch")
    data_key = st.session_state.get(state.DATA_KEY)
    if data_key is not None and data_key[0] != "generated":
        st.caption(f"This run trains on {'edited data' if data_key[0] == 'edited' else 'an uploaded CSV file'}, "
                   "which the experiment file does not hold: "
                   f"loading it builds the generated dataset its config names ({exp.config.dataset}).")


def _message(key: str) -> None:
    kind, text = st.session_state.get(MESSAGES, {}).get(key, (None, ""))
    if kind:
        getattr(st, kind)(plain(text))


def _uploads(registry) -> None:
    st.file_uploader("Load an experiment (.json)", type=["json"], key=EXPERIMENT_FILE,
                     on_change=on_experiment_upload, args=(registry,),
                     help="An experiment file saved here: its settings, and its weights and history if "
                          "it holds them, restored exactly.")
    _message(EXPERIMENT_FILE)
    st.file_uploader("Load weights into this network (.npz)", type=["npz"], key=WEIGHTS_FILE,
                     on_change=on_weights_upload,
                     help="Θ^(l) and b^(l) as theta_l and b_l (any other layer parameter as <name>_l), "
                          "shaped like this network's.")
    _message(WEIGHTS_FILE)
    limit = st.get_option("server.maxUploadSize")
    st.caption(f"Uploads are limited to {limit} MB. Long histories make large files; the config "
               "alone reproduces a run (train it as many epochs).")


def render(exp: Experiment, registry) -> None:
    """The "Save / load" expander at the foot of the sidebar."""
    with st.sidebar, st.expander("💾 Save / load", expanded=False):
        _downloads(exp)
        _uploads(registry)
