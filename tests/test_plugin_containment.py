"""Plugin containment beyond tests/test_plugins.py: slow plugins, odd dtypes, failures at training time.

tests/test_plugins.py covers the failure catalogue at load time (raises on import or in a hook,
wrong shapes, NaN, non-arrays, wrong derivatives, name clashes, sys.exit ...). Here: a plugin
that takes too long (its import, its hook, or its f) is reported and skipped under
BPDASH_PLUGIN_TIMEOUT, as is one whose import ends the interpreter;
complex or object arrays are refused; an activation that misbehaves only outside the probe range
[-4, 4] is met during training.
"""
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import bpdash
from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.plugins import DEFAULT_TIMEOUT_S, PluginLoadError, plugin_timeout

HEADER = "import time\nfrom pathlib import Path\nimport numpy as np\nfrom bpdash import Activation, hookimpl\n\n"
SOUND = """
@hookimpl
def register_activations():
    return [Activation('double', lambda z: 2.0 * z, lambda z: np.full_like(z, 2.0))]
"""
SLEEP_S = 2.0   # the slow plugin's sleep ...
LIMIT_S = 0.5   # ... against this limit: the test waits the limit, never the sleep


def write(folder, name, body):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(HEADER + textwrap.dedent(body))


def slow_hook(marker):
    """A plugin whose hook sleeps SLEEP_S, then writes ``marker`` and returns a sound record."""
    return f"""
        @hookimpl
        def register_activations():
            time.sleep({SLEEP_S})
            Path({str(marker)!r}).write_text('done')
            return [Activation('sleepy', lambda z: 3.0 * z, lambda z: np.full_like(z, 3.0))]
        """


def slow_f(marker):
    """A plugin whose hook is quick but whose f sleeps SLEEP_S (once), then writes ``marker``."""
    return f"""
        calls = []

        def f(z):
            if not calls:
                calls.append(1)
                time.sleep({SLEEP_S})
                Path({str(marker)!r}).write_text('done')
            return 3.0 * z

        @hookimpl
        def register_activations():
            return [Activation('sluggish', f, lambda z: np.full_like(z, 3.0))]
        """


def wait_for(path, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.exists()


@pytest.mark.parametrize("maker, record", [(slow_hook, "sleepy"), (slow_f, "sluggish")])
def test_a_slow_plugin_is_reported_skipped_and_not_waited_for(tmp_path, monkeypatch, maker, record):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", str(LIMIT_S))
    marker = tmp_path / "finished"
    folder = tmp_path / "plugins"
    write(folder, "slow", maker(marker))
    write(folder, "zz_sound", SOUND)

    reg = bpdash.load_plugins(extra_dirs=[folder], entry_points=False)

    # load_plugins came back before the plugin finished: it waited the limit, not the sleep.
    assert not marker.exists()
    [problem] = reg.errors
    assert problem.plugin == "slow" and problem.source == str(folder)
    assert f"took longer than {LIMIT_S:g} s" in problem.message
    assert "BPDASH_PLUGIN_TIMEOUT" in problem.message
    assert record not in reg.activations
    assert "double" in reg.activations  # the plugin after it still loads
    assert {"sigmoid", "tanh", "linear", "relu"} <= set(reg.activations)
    assert [p.status for p in reg.plugins if p.name == "slow"] == ["error"]

    # The abandoned call finishes in the background; its records never reach the registry.
    assert wait_for(marker)
    time.sleep(0.1)
    assert record not in reg.activations and ("activations", record) not in reg.origin


def test_a_slow_plugin_raises_in_strict_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", str(LIMIT_S))
    write(tmp_path, "slow", slow_hook(tmp_path / "finished"))
    with pytest.raises(PluginLoadError, match="took longer than"):
        bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False, strict=True)
    wait_for(tmp_path / "finished")


def test_a_plugin_within_the_limit_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", "30")
    write(tmp_path, "sound", SOUND)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and "double" in reg.activations


def test_errors_from_the_worker_thread_keep_their_message(tmp_path, monkeypatch):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", "30")
    write(tmp_path, "boom", """
        @hookimpl
        def register_activations():
            raise LookupError('no table here')
        """)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    [problem] = reg.errors
    assert "LookupError: no table here" in problem.message and "boom.py" in problem.message


@pytest.mark.parametrize("raw, expected", [
    (None, DEFAULT_TIMEOUT_S), ("", DEFAULT_TIMEOUT_S), ("2.5", 2.5), (" 10 ", 10.0),
    ("0", None), ("-1", None), ("off", None), ("none", None),
    ("abc", DEFAULT_TIMEOUT_S), ("nan", DEFAULT_TIMEOUT_S), ("inf", DEFAULT_TIMEOUT_S),
])
def test_timeout_setting(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("BPDASH_PLUGIN_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", raw)
    assert plugin_timeout() == expected


def test_no_limit_runs_in_the_calling_thread(tmp_path, monkeypatch):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", "off")
    write(tmp_path, "where", """
        import threading

        @hookimpl
        def register_activations():
            assert threading.current_thread() is threading.main_thread()
            return [Activation('here', lambda z: 2.0 * z, lambda z: np.full_like(z, 2.0))]
        """)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and "here" in reg.activations


# --- plugins that hang, or end the process, at import --------------------------------------------

AT_IMPORT = {  # name → module-level code that never returns, or ends the interpreter
    "sleeper": "time.sleep(60)",
    "spinner": "while True:\n    pass",
    "quitter": "import os\nos._exit(3)",
}


def probe_children() -> list[int]:
    """Pids of this process's children still running a plugin probe (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"PPid:\t{os.getpid()}\n" in status and b"bpdash-probe" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("name", AT_IMPORT)
def test_a_plugin_that_never_finishes_importing_is_reported_and_the_rest_load(tmp_path, monkeypatch, name):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", str(LIMIT_S))
    marker = tmp_path / "imported"
    write(tmp_path, "a_sound", SOUND)
    write(tmp_path, name, f"Path({str(marker)!r}).touch()\n" + AT_IMPORT[name])
    write(tmp_path, "zz_sound", SOUND.replace("double", "triple"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)  # this process survives it
    [problem] = reg.errors
    assert problem.plugin == name and problem.source == str(tmp_path)
    expected = "ended the Python process" if name == "quitter" else f"importing it took longer than {LIMIT_S:g} s"
    assert expected in problem.message and ("BPDASH_PLUGIN_TIMEOUT" in problem.message or name == "quitter")
    assert marker.exists()  # the child did begin importing it ...
    assert not [m for m in sys.modules if m.endswith(f"_{name}")]  # ... this process never did
    assert {"double", "triple", "sigmoid"} <= set(reg.activations)  # before it, after it, built-in
    if Path("/proc").is_dir():
        assert probe_children() == []  # the child that hung was killed, the others ended


def test_the_command_line_reports_a_plugin_that_hangs_at_import(tmp_path):
    write(tmp_path, "sleeper", AT_IMPORT["sleeper"])
    env = {**os.environ, "BPDASH_PLUGINS_DIR": str(tmp_path), "BPDASH_PLUGIN_TIMEOUT": str(LIMIT_S)}
    listing = subprocess.run([sys.executable, "-m", "bpdash", "plugins"], env=env, capture_output=True,
                             text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert "error  sleeper" in listing.stdout and "took longer than" in listing.stdout


@pytest.mark.parametrize("limit, importers", [("30", 2), ("off", 1)])
def test_with_a_limit_a_child_imports_first_and_without_one_only_this_process(tmp_path, monkeypatch, limit,
                                                                            importers):
    monkeypatch.setenv("BPDASH_PLUGIN_TIMEOUT", limit)
    log = tmp_path / "imports.log"
    write(tmp_path / "plugins", "logged", f"import os\nwith open({str(log)!r}, 'a') as out:\n"
                                          "    out.write(f'{os.getpid()}\\n')\n" + SOUND)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path / "plugins"], entry_points=False)
    assert "double" in reg.activations, reg.errors
    pids = log.read_text().split()
    assert len(pids) == importers and pids[-1] == str(os.getpid())  # the real import is this process's


# --- arrays of the wrong kind -------------------------------------------------------------------

@pytest.mark.parametrize("name, f, df, words", [
    ("cplx", "lambda z: z + 0j", "lambda z: np.ones_like(z) + 0j", ["dtype complex128", "real numbers"]),
    ("objy", "lambda z: (2.0 * z).astype(object)", "lambda z: np.full_like(z, 2.0)", ["dtype object"]),
    ("texty", "lambda z: z.astype(str)", "lambda z: np.ones_like(z)", ["dtype <U", "real numbers"]),
])
def test_arrays_that_are_not_real_numbers_are_refused(tmp_path, name, f, df, words):
    write(tmp_path, name, f"""
        @hookimpl
        def register_activations():
            return [Activation({name!r}, {f}, {df})]
        """)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    [problem] = reg.errors
    for word in words:
        assert word in problem.message, problem.message
    assert name not in reg.activations


# --- failures the load-time probe on [-4, 4] cannot see -----------------------------------------

LATE = {
    "late_nan": "lambda z: np.where(np.abs(z) < 6, z, np.nan)",
    "late_raise": "lambda z: z if np.all(np.abs(z) < 6) else 1 / 0",
}


def late_registry(tmp_path, name):
    write(tmp_path, name, f"""
        @hookimpl
        def register_activations():
            return [Activation({name!r}, {LATE[name]}, lambda z: np.ones_like(z))]
        """)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and name in reg.activations  # it passes the probe on [-4, 4]
    return reg


def test_an_activation_turning_nan_in_training_stops_it_with_a_message(tmp_path):
    reg = late_registry(tmp_path, "late_nan")
    exp = build(ExperimentConfig(activations=("late_nan", "late_nan"), epsilon=3.0, learning_rate=5.0), reg)
    exp.trainer.fit(50)
    assert exp.trainer.diverged and exp.trainer.message
    assert all(np.isfinite(W).all() for W in exp.net.weights)


def test_an_activation_raising_in_training_stops_it_with_a_message(tmp_path):
    reg = late_registry(tmp_path, "late_raise")
    exp = build(ExperimentConfig(activations=("late_raise", "late_raise"), epsilon=3.0, learning_rate=5.0),
                reg)
    exp.trainer.fit(50)
    assert exp.trainer.diverged and "late_raise" in exp.trainer.message
    assert all(np.isfinite(W).all() for W in exp.net.weights)
