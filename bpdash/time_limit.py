"""The plugins' time limit: the setting, BPDASH_PLUGIN_TIMEOUT, and running a call within it.

Folder plugins' imports are timed in a child process (``bpdash.plugin_probe``); hook calls and
record checks run here, in a daemon thread the caller waits on for at most the limit.
"""
from __future__ import annotations

import os
import threading

from .validation import RecordError

DEFAULT_TIMEOUT_S = 5.0


def plugin_timeout() -> float | None:
    """Seconds a plugin's import, hooks and checks may each take (BPDASH_PLUGIN_TIMEOUT); None: no limit.

    Unset or not a number: DEFAULT_TIMEOUT_S. "0", a negative number or "off": no limit.
    """
    raw = os.environ.get("BPDASH_PLUGIN_TIMEOUT", "").strip().lower()
    if raw in ("off", "none", "no"):
        return None
    try:
        seconds = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S
    if seconds != seconds or seconds == float("inf"):  # nan, inf: no sensible limit
        return DEFAULT_TIMEOUT_S
    return seconds if seconds > 0 else None


def within(seconds: float | None, fn, *args):
    """``fn(*args)`` in a daemon thread, waiting at most ``seconds``; RecordError on timeout.

    Whatever ``fn`` raises is raised here. On timeout the thread is abandoned (Python cannot
    kill it): it finishes, or not, in the background, and its result is dropped.
    """
    if seconds is None:
        return fn(*args)
    outcome = {}

    def run():
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="bpdash-plugin-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise RecordError(f"calling its hooks and checking their records took longer than {seconds:g} s "
                          "(the limit, BPDASH_PLUGIN_TIMEOUT); it was skipped. Make the hooks return "
                          "at once and f/f′ fast on small arrays")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
