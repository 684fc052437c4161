"""Helpers shared by the AppTest suites: start the app, run it, read what the page shows.

AppTest records app exceptions instead of raising them, so ``run`` asserts there were none
after every run. ``run_every`` never fires under AppTest: each run is one tick of live training.
"""
from streamlit.testing.v1 import AppTest

APP = "../app.py"  # AppTest resolves it against this file, which sits beside the tests
TIMEOUT = 60


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start(params=None) -> AppTest:
    """The app after its first run, opened with query ``params`` (a share link) if given."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return run(at)


def experiment(at):
    return at.session_state["experiment"]


def texts(elements) -> str:
    """The elements' text as the page shows it (messages quoting outside text are Markdown-escaped)."""
    return "\n".join(str(e.value) for e in elements).replace("\\", "")


def click(at, key) -> AppTest:
    at.button(key=key).click()
    return run(at)


def set_widget(at, kind, key, value) -> AppTest:
    getattr(at, kind)(key=key).set_value(value)
    return run(at)
