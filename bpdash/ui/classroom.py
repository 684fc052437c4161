"""Classroom links: a share link that hides chosen controls and opens on a chosen view.

Two parameters beside the config's: ``hide`` (a comma list of control names, see ``CONTROLS``)
and ``view`` (a view's label, e.g. ``view=Cost`` or ``view=Backprop%20inspector``). A teacher
hands out ``?...&hide=network,data,training,train_n,play,reset,views,saveload&view=Cost``: the
students see only Step and the cost curve. Hidden controls are not drawn, and the settings they
would hold keep the link's values: the link's config is kept in plain (non-widget) session
state, since Streamlit forgets the state of widgets that a run does not draw. The classroom
parameters are read once, on the session's first run, and stay in the URL.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from bpdash import schema
from bpdash.config import ExperimentConfig

from .text import plain
from .views import VIEWS

STATE = "classroom"
CONTROLS = {
    "network": "the sidebar's network builder (layers, activations, cost, initialization)",
    "features": "the input-feature toggles",
    "training": "learning rate, batch size, optimizer, schedule, regularization, stopping",
    "data": "the data picker",
    "step": "the Step button",
    "train_n": "N epochs and the Train N button",
    "play": "Play/Pause and the play speed",
    "reset": "the Reset button",
    "views": "the view selector (the link's view stays)",
    "saveload": "Save / load",
    "share": "the share-link button",
}
CONTROL_GROUPS = {"network": "network", "features": "features", "training": "training", "data": "data",
                  "train_n": "run"}  # control → the schema's group of the config fields it sets
GROUPS = {control: schema.group(group) for control, group in CONTROL_GROUPS.items()}
PARAMS = ("hide", "view")


@dataclass(frozen=True)
class Classroom:
    """What a classroom link asked for: controls to hide, the view to open, the link's config."""

    hidden: frozenset = frozenset()
    view: str | None = None
    config: ExperimentConfig | None = None


def current() -> Classroom:
    return st.session_state.get(STATE) or Classroom()


def is_hidden(control: str) -> bool:
    return control in current().hidden


def _view(raw: str) -> str | None:
    """The view label ``raw`` names (case and spaces/underscores forgiven), or None."""
    wanted = raw.strip().lower().replace("_", " ")
    return next((label for label in VIEWS if label.lower() == wanted), None)


def parse(hide: str, view: str) -> tuple[frozenset, str | None, list[str]]:
    """``(hidden controls, view label, notices)`` from the raw parameter values."""
    notices, hidden = [], set()
    for item in (i.strip().lower() for i in (hide or "")[:500].split(",")):
        if item in CONTROLS:
            hidden.add(item)
        elif item:
            notices.append(f"Ignored hide item {item[:40]!r} (not a control; choose from {', '.join(CONTROLS)}).")
    label = _view(view) if view else None
    if view and label is None:
        notices.append(f"Ignored view={view[:40]!r} (not a view; choose from {', '.join(VIEWS)}); "
                       "opening the default view.")
    return frozenset(hidden), label, notices


def read(params: dict) -> tuple[dict, list[str]]:
    """On the first run: take ``hide`` and ``view`` out of the URL's ``params`` (name → list of
    values), remember them, and point the view selector at the link's view. Returns the other
    parameters and the notices."""
    raw = {name: (params.pop(name, None) or [""])[-1] for name in PARAMS}
    hidden, view, notices = parse(raw["hide"], raw["view"])
    if hidden or view:
        st.session_state[STATE] = Classroom(hidden, view)
        if view:
            st.session_state["view"] = view
    return params, notices


def remember(config: ExperimentConfig) -> None:
    """Keep the link's config: the values of the hidden controls."""
    found = st.session_state.get(STATE)
    if found is not None:
        st.session_state[STATE] = Classroom(found.hidden, found.view, config)


def fixed(values: dict) -> dict:
    """``values`` (config fields from the drawn controls) with every hidden group's fields set to
    the link's values."""
    room = current()
    if not room.hidden:
        return values
    config = room.config or ExperimentConfig()
    for control in room.hidden & set(GROUPS):
        values.update({name: getattr(config, name) for name in GROUPS[control]})
    return values


def link_config() -> ExperimentConfig:
    return current().config or ExperimentConfig()


def url_params(hidden=None, view=None) -> dict[str, str]:
    """The classroom parameters for a URL (the session's own when none are given)."""
    room = current() if hidden is None and view is None else Classroom(frozenset(hidden or ()), view)
    params = {}
    if room.hidden:
        params["hide"] = ",".join(c for c in CONTROLS if c in room.hidden)
    if room.view:
        params["view"] = room.view
    return params


def view(default: str) -> str:
    """The view to show when the view selector is hidden."""
    return current().view or default


def notice() -> None:
    """A line saying that this page is a focused exercise."""
    room = current()
    if room.hidden:
        st.caption("📘 A classroom link: some controls are hidden and keep the link's settings.")


def builder(url: str) -> None:
    """In the share-link popover: choose controls to hide and a view; shows the classroom link."""
    st.markdown("**Classroom link**: hide controls and choose the view the link opens on.")
    hide = st.multiselect("Hide", list(CONTROLS), key="classroom_hide", format_func=lambda c: c,
                          help="\n".join(f"- **{c}**: {what}" for c, what in CONTROLS.items()))
    view_label = st.selectbox("Open on view", [None, *VIEWS], key="classroom_view",
                              format_func=lambda v: "(the default)" if v is None else v)
    extra = url_params(hide, view_label)
    if not extra:
        st.caption("Choose controls to hide or a view to make a classroom link.")
        return
    joiner = "&" if "?" in url and not url.endswith("?") else ("" if url.endswith("?") else "?")
    st.code(url + joiner + urlencode(extra), language=None, wrap_lines=True)
    st.caption("Hidden controls keep this link's values: " + plain(", ".join(hide) or "none") + ".")
