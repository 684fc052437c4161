"""Session-state helpers for widgets whose value is set through ``st.session_state``.

Streamlit warns when a widget gets both a ``value=`` and a session-state value, so the sidebar
gives each widget its starting value once, here, and never passes ``value=``.
"""
from __future__ import annotations

import streamlit as st


def default(key: str, value) -> None:
    """Give widget ``key`` its starting value once (before the widget is drawn)."""
    if key not in st.session_state:
        st.session_state[key] = value


def choose(key: str, options: list, fallback) -> None:
    """Make sure the session value of selectbox ``key`` is one of ``options``."""
    default(key, fallback)
    if st.session_state[key] not in options:
        st.session_state[key] = fallback if fallback in options else options[0]
