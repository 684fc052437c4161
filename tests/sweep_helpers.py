"""What the sweep tests share: a small base config, a plugin that kills its worker process, and
the serial reference every backend must equal."""
import os
import signal
import threading
import time

import pandas as pd

from bpdash.config import ExperimentConfig
from bpdash.sweeps import backends, plan, scheduler, space

BASE = ExperimentConfig(dataset="moons", n_samples=37, test_share=0.0, hidden=(4,), epochs=40)
AXES = ["learning_rate=0.05,0.5,5", "seed=0..3", "activations=tanh;relu"]

# An activation that behaves like tanh, except in a worker process on the 37 training rows of
# BASE, where it kills its own process: a run that makes its worker die, every time.
KILLER = '''
import os, signal
import numpy as np
from bpdash import Activation, hookimpl

def f(z):
    if z.shape[0] == 37 and str(os.getpid()) != os.environ.get("SWEEP_TEST_PARENT"):
        os.kill(os.getpid(), signal.SIGKILL)
    return np.tanh(z)

@hookimpl
def register_activations():
    return [Activation("killer", f, lambda z: 1 - np.tanh(z) ** 2, "tanh that kills its worker")]
'''


def killer_plugin(folder, monkeypatch):
    """Make worker processes started from now on load the killer activation."""
    (folder / "killer.py").write_text(KILLER)
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(folder))
    monkeypatch.setenv("SWEEP_TEST_PARENT", str(os.getpid()))


def the_plan(registry, axes=AXES, base=BASE):
    return plan.make(base, space.parse_axes(axes, registry), registry)


def serial_table(the_plan):
    rows = scheduler.run_all(backends.Serial(), the_plan.config_dicts())
    return the_plan.table(rows)


def rows_with_a_worker_killed(backend, the_plan, worker_pid):
    """Run ``the_plan`` on ``backend``, killing the process ``worker_pid()`` names (SIGKILL) as
    soon as the first run has finished; the rows, once the sweep is over (the backend closed)."""
    finished = []

    def kill_a_worker():
        while not finished:
            time.sleep(0.02)
        os.kill(worker_pid(), signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        return scheduler.run_all(backend, the_plan.config_dicts(), on_result=lambda i, row: finished.append(i))
    finally:
        killer.join()
        backend.close()


def same_results(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal tables, numbers bit for bit, but for the wall time (a table read back from CSV
    may hold its empty texts as NaN)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for column in a.columns:
        x, y = a[column].reset_index(drop=True), b[column].reset_index(drop=True)
        if column == "wall_time":
            continue
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            pd.testing.assert_series_equal(x.astype(float), y.astype(float), check_exact=True)
        else:
            assert text(x) == text(y), column


def text(column: pd.Series) -> list:
    """A column's values as text, a missing one as "" (an all-empty text column reads back from
    CSV as floats of NaN)."""
    return ["" if pd.isna(v) else str(v) for v in column.tolist()]

