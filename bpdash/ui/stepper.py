"""The Step button, counting its clicks in the browser so that every click trains one epoch.

A Streamlit button is a trigger: clicks that come while a run is in progress fold into one
rerun, so 20 quick clicks trained 4–18 epochs. This button (an ``st.components.v2`` component)
keeps the total number of clicks in the page and sends that total; each run trains the
clicks not yet trained (``pending``), so none is lost and the epochs come in order.
"""
from __future__ import annotations

import streamlit as st

KEY, TRAINED = "step", "steps_trained"

JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.clicks = 0;
    button.addEventListener("click", () => { button.clicks += 1; setStateValue("clicks", button.clicks); });
    parentElement.appendChild(button);
  }
  button.clicks = Math.max(button.clicks, data.clicks);  // a remount starts from what was trained
  button.textContent = data.label;
  button.title = data.help;
  button.disabled = data.disabled;
}
"""

CSS = """
button {
  width: 100%; min-height: 2.5rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem; cursor: pointer;
  font: inherit; font-family: var(--st-font, "Source Sans Pro", sans-serif); font-size: 1rem;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #ffffff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
}
button:hover:enabled { border-color: var(--st-primary-color, #1f77b4); color: var(--st-primary-color, #1f77b4); }
button:active:enabled { background: var(--st-primary-color, #1f77b4); color: #ffffff; }
button:disabled { cursor: not-allowed; opacity: 0.5; }
"""

_stepper = st.components.v2.component("bpdash_step", js=JS, css=CSS)


def clicks(*, disabled: bool, help: str, label: str = "Step") -> int:
    """Draw the button; the number of times it has been clicked in this session."""
    result = _stepper(key=KEY, data={"clicks": st.session_state.get(TRAINED, 0), "disabled": disabled,
                                     "label": label, "help": help},
                      default={"clicks": 0}, on_clicks_change=lambda: None, width="stretch")
    return int(result.clicks or 0)


def pending(total: int) -> int:
    """Clicks not trained yet, and mark them trained (the caller trains them now)."""
    trained = st.session_state.get(TRAINED, 0)
    st.session_state[TRAINED] = max(trained, total)
    return max(0, total - trained)
