"""The page: sidebar, training controls, a view selector, and the chosen view, live.

A session's first run reads the experiment from the URL (``share.read_url``); every run writes
the running experiment back into it (``share.write_url``), so the address bar is a share link.
With no clicks the page builds the default network (``ExperimentConfig()``) on the default
dataset; one click on Step or Play trains it. Only the chosen view renders; views are imported
by name when chosen, so one that fails to import shows an error in its place and nothing else.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import ConfigError
from bpdash.plugins import PluginLoadError

from . import classroom, edit_weights, files, points, share, sidebar, state, training
from .text import plain
from .views import VIEWS, find

DEFAULT_VIEW = "Cost"


def show_view(label: str, exp, registry) -> None:
    """Render view ``label``; an import failure is reported in its place."""
    try:
        render = find(label)
    except Exception as exc:  # a missing or broken view module must not take the page down
        st.error(f"The {label} view is not available: {type(exc).__name__}: {exc}")
        return
    render(exp, registry)


def plugin_problems(registry) -> None:
    """Plugins that failed to load, listed (they are left out; everything else works)."""
    if not registry.errors:
        return
    n = len(registry.errors)
    with st.expander(f"⚠️ {n} plugin{'s' if n > 1 else ''} could not be loaded and {'are' if n > 1 else 'is'} "
                     "left out"):
        for problem in registry.errors:
            st.warning(f"**{plain(problem.plugin)}** ({plain(problem.source)}): {plain(problem.message)}")


def header(exp) -> None:
    data = exp.data
    st.title("Backpropagation, step by step")
    st.caption(f"Network **{exp.net.describe()}** · cost {exp.config.cost} · η = {exp.trainer.learning_rate:g} · "
               f"data **{plain(data.name)}**: {data.n_train} training / {data.n_test} test rows, {data.task}.")


def choose_view() -> str:
    """The view selector (starting on a classroom link's view), or the link's view when hidden."""
    if classroom.is_hidden("views"):
        return classroom.view(DEFAULT_VIEW)
    st.session_state.setdefault("view", DEFAULT_VIEW)
    return st.segmented_control("View", list(VIEWS), key="view", required=True, label_visibility="collapsed")


def main() -> None:
    st.set_page_config(page_title="bpdash: watch backpropagation", page_icon="🧠", layout="wide")
    try:
        registry = state.get_registry()
    except PluginLoadError as exc:  # a broken built-in, or any plugin under BPDASH_STRICT_PLUGINS=1
        st.error(f"The plugins could not be loaded: {plain(exc)}")
        st.stop()
    share.read_url(registry)  # the session's first run only: the link's settings → the widgets
    config, choice = sidebar.render(registry)
    choice = points.data_choice(choice)
    share.reconcile(config)
    try:
        exp, notice = files.take_import(choice) or state.sync(config, choice, registry)
    except (ConfigError, ValueError, KeyError) as exc:
        st.error(f"Could not build the network: {plain(exc)}")
        st.stop()
    if not classroom.is_hidden("saveload"):
        files.render(exp, registry)
    share.write_url(exp)
    header(exp)
    share.link(exp, st.session_state.get(state.DATA_KEY), edit_weights.edited(exp))
    share.notices()
    classroom.notice()
    plugin_problems(registry)
    if notice:
        (st.warning if notice.startswith("⚠️") else st.info)(plain(notice))
    training.controls(exp)
    label = choose_view()
    training.live(lambda e: show_view(label or DEFAULT_VIEW, e, registry))
