"""Input features for 2-D data, as TensorFlow Playground offers them: x₁, x₂, x₁², x₂², x₁x₂,
sin x₁, sin x₂. The network's input layer has one neuron per chosen feature; the engine makes
them from the raw inputs (``bpdash.features``). The choice is the config's ``features``: () for
the raw inputs (x₁ and x₂), else the chosen names in ``FEATURE_NAMES`` order.
"""
from __future__ import annotations

import streamlit as st

from bpdash.config import ExperimentConfig
from bpdash.schema import field

from . import state

FEATURES = field("features")  # its choices are the feature names, its labels how they are shown
RAW = ("x1", "x2")
MESSAGE = "features_message"


def key(name: str) -> str:
    return f"feature_{name}"


def _n_features(choice) -> int | None:
    """Columns of the data the sidebar chose (the current data while a CSV is not loaded)."""
    try:
        data = choice.load() if choice.key is not None else state.experiment().data
    except Exception:  # a data problem is reported by state.sync; here it only hides the toggles
        return None
    return None if data is None else data.n_features


def render(choice) -> dict:
    """The toggles (2-D data only); returns ``{"features": (...)}``."""
    if _n_features(choice) != 2:
        return {"features": ()}
    for name in FEATURES.choices:
        if key(name) not in st.session_state:
            st.session_state[key(name)] = name in RAW
    st.subheader(FEATURES.title, help=FEATURES.help)
    with st.container(horizontal=True, gap="small"):  # as wide as each label needs, wrapping
        for name in FEATURES.choices:
            st.checkbox(FEATURES.choice_label(name), key=key(name), width="content")
    chosen = tuple(name for name in FEATURES.choices if st.session_state.get(key(name)))
    if not chosen:
        st.warning("Choose at least one feature: using x₁ and x₂.")
    st.caption("Layer 1 gets one neuron per feature, computed from (x₁, x₂).")
    return {"features": () if chosen in ((), RAW) else chosen}


def apply_config(config: ExperimentConfig, s) -> None:
    """Set the toggles (in session state ``s``) to describe ``config``."""
    chosen = tuple(config.features) or RAW
    for name in FEATURES.choices:
        s[key(name)] = name in chosen
