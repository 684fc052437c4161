"""Share links: the whole experiment config lives in the URL's query parameters.

On a session's first run, ``read_url`` decodes the URL with ``bpdash.share.from_query_params``
(parameters that are unknown, malformed, out of range or name a plugin that is not loaded are
dropped, each with a notice naming it and the value used instead; settings that validate but do
not build together are dropped too, see ``bpdash.buildable``) and sets the sidebar's widgets
to the result before they are drawn (``sidebar.apply_config``). From then on the widgets own the
settings, and ``write_url`` puts the running experiment's config back into the URL after every
run, so the address bar is always a share link. A URL never loads code or files: its values are
numbers, booleans and names of plugins that are already loaded.

Why ``st.query_params`` and not ``bind="query-params"`` (which Streamlit 1.67 offers): a bound
widget uses its key as the parameter name (``neurons_0``, ``train_share``, …) rather than the
config's fields, drops invalid values silently, and a layer's widgets come and go with the layer
count; one config ↔ URL codec (bpdash.share) keeps links, notices and the CLI in step.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from bpdash.buildable import buildable
from bpdash.share import from_query_params, share_url, to_query_params

from . import classroom, sidebar
from .text import plain

READ = "share_url_read"    # set once the session's first run has read the URL
WANTED = "share_wanted"    # the config a link (or a loaded file) asked for, checked once drawn
NOTICES = "share_notices"  # what could not be used, shown until dismissed
MAX_SHOWN = 20             # notices listed one by one; the rest are counted


def url_params() -> dict[str, str]:
    """The current query parameters, name → value (the last one when a name repeats)."""
    return {name: st.query_params[name] for name in st.query_params}


def add_notices(notices: list[str]) -> None:
    if notices:
        st.session_state[NOTICES] = [*st.session_state.get(NOTICES, []), *notices]


def expect(config, using: bool = False) -> None:
    """Ask ``reconcile`` to name the fields of ``config`` the sidebar's controls cannot show;
    ``using``: the run takes the controls' values instead (true of a link, not of a file)."""
    st.session_state[WANTED] = (config, using)


def read_url(registry):
    """On the session's first run only: apply the URL's config to the sidebar's widgets, and
    return it (None on later runs, and for a link without settings: the defaults)."""
    if st.session_state.get(READ):
        return None
    st.session_state[READ] = True
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    params, room_notices = classroom.read(params)
    add_notices(room_notices)
    if not params:
        return None
    config, notices = from_query_params(params, registry)
    config, unfit = buildable(config, registry)  # a link must always open a working page
    sidebar.apply_config(config)
    classroom.remember(config)
    add_notices(notices + unfit)
    expect(config, using=True)
    return config


def reconcile(config) -> None:
    """Once the sidebar is drawn: a notice for each field its controls could not take exactly
    (noise above the slider's 1.0, a train share between steps)."""
    wanted, using = st.session_state.pop(WANTED, (None, False))
    if wanted is None or config is None or config == wanted:
        return
    shown = config.to_dict()
    add_notices([f"{name}={value!r} does not fit the sidebar's control; "
                 + (f"using {shown[name]!r}." if using else f"it shows {shown[name]!r}.")
                 for name, value in wanted.to_dict().items() if shown[name] != value])


def write_url(exp) -> None:
    """Put the running experiment's config in the URL (only the fields that differ from the
    defaults), when it is not there already."""
    wanted = {**to_query_params(exp.config), **classroom.url_params()}
    if url_params() != wanted:
        st.query_params.from_dict(wanted)


def base_url() -> str:
    """The app's address without a query: ``st.context.url``, else from the request headers
    (behind a proxy: X-Forwarded-Proto/Host), else "" (the link is then relative, ``?…``)."""
    url = st.context.url
    if url:
        url = url.split("?")[0].split("#")[0]
        return url if urlsplit(url).path else url + "/"
    headers = st.context.headers or {}
    host = headers.get("X-Forwarded-Host") or headers.get("Host")
    if not host:
        return ""
    return f"{headers.get('X-Forwarded-Proto', 'http')}://{host}/"


def link(exp, data_key, edited_weights: bool = False) -> None:
    """The "Copy share link" control: the full link in a code block (it has a copy button), and
    the classroom-link builder."""
    if classroom.is_hidden("share"):
        return
    url = share_url(base_url(), exp.config) or "?"
    with st.popover("🔗 Copy share link", help="A link that opens this experiment's settings."):
        st.code(url, language=None, wrap_lines=True)
        st.caption("Opening it builds the same data and initial weights; training as many epochs "
                   "gives the same history, bit for bit. The address bar always holds this link.")
        if data_key is not None and data_key[0] != "generated":
            what = "edited data" if data_key[0] == "edited" else "an uploaded CSV file"
            st.warning(f"This run trains on {what}, which a link cannot carry: the link "
                       f"opens the same settings on the generated dataset {exp.config.dataset!r}. "
                       "Use Save / load in the sidebar to share the whole run.")
        st.divider()
        if edited_weights:
            st.warning("Weights were set by hand in this run: a link cannot carry them; it opens the "
                       "initial weights its seed draws. Save / load keeps them.")
        classroom.builder(url)


def dismiss() -> None:
    st.session_state.pop(NOTICES, None)


def notices() -> None:
    """The notices of the link (and of loaded files), until dismissed."""
    found = st.session_state.get(NOTICES)
    if not found:
        return
    items = "\n".join(f"- {plain(n)}" for n in found[:MAX_SHOWN])
    more = f"\n- … and {len(found) - MAX_SHOWN} more." if len(found) > MAX_SHOWN else ""
    with st.container(key="share_notices_box"):
        st.warning("**Some settings could not be used as given:**\n\n" + items + more, icon="🔗")
        st.button("Dismiss", key="share_dismiss", on_click=dismiss)
