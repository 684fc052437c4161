"""The page: sidebar, training controls, a view selector, and the chosen view, live.

A session's first run reads the experiment from the URL (``share.read_url``); every run writes
the running experiment back into it (``share.write_url``), so the address bar is a share link.
With no clicks the page builds the default network (``ExperimentConfig()``) on the default
dataset and opens on the Overview. Only the chosen view renders; views are imported by name
when chosen, so one that fails to import shows an error in its place and nothing else.
"""
from __future__ import annotations

import streamlit as st

from bpdash.background import worker
from bpdash.config import ConfigError, ExperimentConfig
from bpdash.plugins import PluginLoadError

from . import classroom, edit_weights, files, live, points, share, sidebar, state, training, work
from .text import plain
from .views import VIEWS, find, frame_interval

DEFAULT_VIEW = "Overview"

# The page's own spacing: the title and the controls compact, so the Overview fits one screen;
# Streamlit's Running…/Stop indicator hidden (the live area reruns ten times a second, and the
# page has its own Pause and Stop).
STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.6rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.9rem; padding: 0 0 0.2rem 0; }
[data-testid="stStatusWidget"] { display: none; }
@media (max-width: 640px) {  /* a phone: the title on one line, the view buttons smaller */
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.3rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stButtonGroup"] button { padding: 0.1rem 0.45rem; min-height: 2rem; }
}
</style>"""


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
    """What this session trains, in one line."""
    data = exp.data
    st.caption(f"Network **{exp.net.describe()}** · cost {exp.config.cost} · η = {exp.trainer.learning_rate:g} · "
               f"data **{plain(data.name)}**: {data.n_train} training / {data.n_test} test rows, {data.task}.")


def choose_view() -> str:
    """The view selector (starting on a classroom link's view), or the link's view when hidden."""
    if classroom.is_hidden("views"):
        return classroom.view(DEFAULT_VIEW)
    st.session_state.setdefault("view", DEFAULT_VIEW)
    return st.segmented_control("View", list(VIEWS), key="view", required=True, label_visibility="collapsed")


def drawer(label: str, registry):
    """What the live area draws: the view, under the metrics unless it shows them itself."""
    def draw(exp):
        if label != "Overview":  # the Overview's board shows them itself
            training.metrics(exp)
        show_view(label, exp, registry)
    return draw


def main() -> None:
    st.set_page_config(page_title="bpdash: watch backpropagation", page_icon="🧠", layout="wide")
    with worker().page():  # drawing the page goes first; the background training waits meanwhile
        page()


def page() -> None:
    """Everything the page shows: the settings in the sidebar, the experiment they describe in
    the main area."""
    st.html(STYLE)
    work.beat()
    try:
        registry = state.get_registry()
    except PluginLoadError as exc:  # a broken built-in, or any plugin under BPDASH_STRICT_PLUGINS=1
        st.error(f"The plugins could not be loaded: {plain(exc)}")
        st.stop()
    linked = share.read_url(registry)  # the session's first run only: the link's settings → the widgets
    if state.experiment() is None:
        first_page(linked or ExperimentConfig(), registry)
        return
    exp, notice = settings(registry)
    main_area(exp, notice, registry)


def first_page(config, registry) -> None:
    """A session's first run: the experiment its link asks for (without one, the defaults) is
    built and drawn before the sidebar, so the browser gets the charts first and the sidebar's
    many widgets after them (measured: the first chart ~0.4 s sooner). Should the sidebar's
    controls not take the link's values exactly (a noise above the slider's range), the page
    runs again with what they hold."""
    choice = state.config_choice(config)
    try:
        exp, notice = state.sync(config, choice, registry)
    except (ConfigError, ValueError, KeyError) as exc:
        st.error(f"Could not build the network: {plain(exc)}")
        st.stop()
    main_area(exp, notice, registry)
    if settings(registry)[0] is not exp:
        st.rerun()


def settings(registry):
    """The sidebar, and the session's experiment made to match it: ``(experiment, notice)``."""
    config, choice = sidebar.render(registry)
    choice = points.data_choice(choice)
    share.reconcile(config)
    try:
        with state.lock():  # the background job may be in an epoch of the current network
            return files.take_import(choice) or state.sync(config, choice, registry)
    except (ConfigError, ValueError, KeyError) as exc:
        st.error(f"Could not build the network: {plain(exc)}")
        st.stop()


def main_area(exp, notice: str, registry) -> None:
    """The title, the controls (Step and Train N act here, before the view draws) and the
    chosen view, live."""
    share.write_url(exp)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.title("Backpropagation, step by step", width="content")
        share.link(exp, st.session_state.get(state.DATA_KEY), edit_weights.edited(exp))
    header(exp)
    share.notices()
    classroom.notice()
    plugin_problems(registry)
    if notice:
        (st.warning if notice.startswith("⚠️") else st.info)(plain(notice))
    training.controls(exp)
    label = choose_view() or DEFAULT_VIEW
    if not classroom.is_hidden("saveload"):
        files.render(exp, registry)  # after the controls, so file names tell the epoch this run trained to
    live.area(drawer(label, registry), frame_interval(label))
