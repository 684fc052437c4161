"""Helpers shared by the AppTest suites: start the app, run it, read what the page shows.

AppTest records app exceptions instead of raising them, so ``run`` asserts there were none
after every run. ``run_every`` never fires under AppTest: each run is one frame of the live
area. Training runs in the background worker (``bpdash.ui.work``): Train N and Play return
before their epochs are done, so ``settle`` waits for the session's job to end, and
``wait_for`` for a condition, both on events with a generous limit, never a fixed sleep.
"""
import json
import time

from streamlit.testing.v1 import AppTest

APP = "../app.py"  # AppTest resolves it against this file, which sits beside the tests
TIMEOUT = 60
WAIT_S = 60  # the most a test waits for the worker; a passing test waits far less


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


def job(at):
    """The session's background job (running or ended), or None."""
    return at.session_state["job"] if "job" in at.session_state else None


def settle(at) -> AppTest:
    """Wait until the session's background job has ended, then run (the page shows its end)."""
    found = job(at)
    if found is not None:
        assert found.wait(WAIT_S), f"the job {found.label!r} did not end within {WAIT_S} s"
    return run(at)


def wait_for(condition, what: str) -> None:
    """Wait until ``condition()`` holds (the worker trains meanwhile)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_S} s for {what}"
        time.sleep(0.005)


def step(at, clicks: int = 1) -> AppTest:
    """Click Step ``clicks`` times before the next run, as quick clicks in the browser do: the
    button sends the total of its clicks (``bpdash.ui.stepper``)."""
    total = (at.session_state["step"]["clicks"] if "step" in at.session_state else 0) or 0
    at.session_state["step"] = {"clicks": total + clicks}
    return run(at)


JOB_BUTTONS = ("train_many", "symmetry_train", "gradcheck_run")  # buttons that start a job that ends


def click(at, key) -> AppTest:
    """Click the button ``key``; Step through ``step``; a button that starts a background job
    (Train N, the lab's Train, a large gradient check) waits for it to end (``settle``)."""
    if key == "step":
        return step(at)
    at.button(key=key).click()
    run(at)
    return settle(at) if key in JOB_BUTTONS else at


def set_widget(at, kind, key, value) -> AppTest:
    getattr(at, kind)(key=key).set_value(value)
    return run(at)


def component_data(at, key):
    """The data a ``st.components.v2`` component of ``key`` was given in the last run."""
    for element in at.get("bidi_component"):
        if element.key == key:
            proto = element.proto
            return json.loads(proto.json if proto.WhichOneof("data") == "json" else proto.mixed.json)
    raise AssertionError(f"no component with key {key!r} on the page")


def readings(at) -> dict:
    """The metrics the page shows: the Overview's board, or the row of st.metric of other views."""
    if at.metric:
        return {m.label: m.value for m in at.metric}
    return dict(component_data(at, "board")["metrics"])
