"""Trying folder plugins' imports in a child Python first, so that one which hangs at import, or
ends the interpreter, is reported and skipped instead of hanging every session and the CLI.

The child imports the files in turn and says when each import starts and ends; the parent waits
at most the plugin time limit (BPDASH_PLUGIN_TIMEOUT) for each. A file whose import does not end
in time is skipped and the child killed (the files after it go to a fresh child); a file whose
import ends the child (``os._exit``, a crash) is skipped too. Every other file is then imported
for real, in this process, where its errors are reported as usual. The child starts when loading
begins and works while the built-in plugins load, so most of its cost is hidden; with no plugin
folder there is no child at all. It runs the same files from the same folders, nothing else.
"""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import uuid
from pathlib import Path

READY_S = 120.0  # the child's own start (Python, numpy, bpdash): not counted against any plugin

CHILD = """
import os, runpy, sys
import bpdash  # what every plugin imports first, loaded before any plugin's clock starts
mark, out = sys.argv[1], os.dup(1)  # a copy of stdout: a plugin may replace or close sys.stdout
say = lambda word, i: os.write(out, f"\\n{mark} {word} {i}\\n".encode())
say("ready", -1)
for i, path in enumerate(sys.argv[2:]):
    say("start", i)
    try:
        runpy.run_path(path, run_name="bpdash_plugin_probe")
    except BaseException:  # the real import reports it
        pass
    say("done", i)
"""


class Probe:
    """The child's verdict on each of ``paths``: ``problem(path)`` says why a file must not be
    imported (it hangs, or ends the interpreter) or None, waiting for the child as needed."""

    def __init__(self, paths, seconds: float):
        self.seconds, self.problems = seconds, {}
        self._pending = [Path(p) for p in paths]
        self._child = None
        if self._pending:
            self._start()

    def problem(self, path) -> str | None:
        path = Path(path)
        while path in self._pending:
            self._advance()
        return self.problems.get(path)

    def close(self) -> None:
        """Stop the child, if one is still running."""
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.wait()
            self._child = None

    def _start(self) -> None:
        self._mark = f"bpdash-probe-{uuid.uuid4().hex}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._child = subprocess.Popen([sys.executable, "-c", CHILD, self._mark, *map(str, self._pending)],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=env)
        self._events = queue.Queue()
        threading.Thread(target=self._read, args=(self._child.stdout, self._events), daemon=True,
                         name="bpdash-plugin-probe").start()
        self._ready, self._settled = False, 0

    def _read(self, stream, events) -> None:
        """The child's marked lines, as (word, index) events; None when its output ends."""
        with stream:
            for raw in stream:
                parts = raw.decode(errors="replace").split()
                if len(parts) == 3 and parts[0] == self._mark:
                    events.put((parts[1], int(parts[2])))
        events.put(None)

    def _next(self, seconds: float):
        """The child's next event: (word, index), None when it ended, "late" after ``seconds``."""
        try:
            return self._events.get(timeout=seconds)
        except queue.Empty:
            return "late"

    def _advance(self) -> None:
        """Settle the first pending file: the child's ``settled``-th."""
        path, i = self._pending[0], self._settled
        if not self._ready:
            if self._next(READY_S) != ("ready", -1):  # no child Python here: import as before
                self.close()
                self._pending.clear()
                return
            self._ready = True
        event = self._next(READY_S)  # ("start", i): the child begins this file at once
        if event == ("start", i):
            event = self._next(self.seconds)
        self._pending.pop(0)
        if event == ("done", i):
            self._settled += 1
            return
        self.problems[path] = (
            f"importing it took longer than {self.seconds:g} s (the limit, BPDASH_PLUGIN_TIMEOUT); it was "
            "skipped. A plugin's module must import at once: no network, no long work at import"
            if event == "late" else
            "importing it ended the Python process (os._exit, or a crash); it was skipped")
        self.close()
        if self._pending:
            self._start()
