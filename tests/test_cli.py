"""The command line, run as a real subprocess: it must reproduce Trainer.fit exactly."""
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bpdash.config import ExperimentConfig
from bpdash.experiment import build

ROOT = Path(__file__).resolve().parent.parent


def bpdash_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bpdash", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def config_file(tmp_path):
    config = ExperimentConfig(dataset="circles", n_samples=120, hidden=(5,), activations=("tanh",),
                              batch_size=16, epochs=40, seed=3, data_seed=4)
    path = tmp_path / "exp.json"
    path.write_text(config.to_json())
    return config, path


def test_train_writes_the_same_history_as_trainer_fit(config_file, tmp_path):
    config, path = config_file
    out = tmp_path / "history.csv"
    result = bpdash_cli("train", "--config", path, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "40/40 epochs" in result.stderr  # the progress bar
    expected = build(config).trainer.fit(config.epochs)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_exact=True, check_dtype=False)


def test_epochs_flag_overrides_the_config(config_file, tmp_path):
    _, path = config_file
    out = tmp_path / "h.csv"
    assert bpdash_cli("train", "--config", path, "--epochs", 7, "--out", out, "--quiet").returncode == 0
    assert len(pd.read_csv(out)) == 7


def test_bad_config_names_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"learning_rate": -3, "activations": ["tanh", "nope"]}))
    result = bpdash_cli("train", "--config", path)
    assert result.returncode == 2 and "learning_rate" in result.stderr and "Traceback" not in result.stderr


def test_unknown_plugin_name_is_reported(tmp_path):
    path = tmp_path / "exp.json"
    path.write_text(ExperimentConfig(output_activation="nope").to_json())
    result = bpdash_cli("train", "--config", path)
    assert result.returncode == 2 and "output_activation" in result.stderr


def test_diverging_run_says_so_and_reports_the_kept_weights_cost(tmp_path):
    config = ExperimentConfig(dataset="sine", hidden=(8,), activations=("linear",), output_activation="linear",
                              cost="squared_error", learning_rate=100.0, epochs=200)
    path = tmp_path / "exp.json"
    path.write_text(config.to_json())
    result = bpdash_cli("train", "--config", path, "--quiet", "--out", tmp_path / "h.csv")
    assert result.returncode == 3 and "learning rate" in result.stderr
    exp = build(config)
    exp.trainer.fit(config.epochs)
    kept = exp.trainer.evaluate()["cost"]  # the weights it kept overflow the cost: say so, not "final cost inf"
    assert exp.trainer.diverged and kept == float("inf")
    assert f"the weights kept from epoch {exp.trainer.epoch} are finite, but so large that their cost " \
           "overflows to inf" in result.stderr
    assert f"the last cost in the history is {exp.trainer.history['cost'].iloc[-1]:.6g}" in result.stderr
    assert "final cost inf" not in result.stderr


def test_a_run_whose_cost_rises_says_so_and_exits_4(tmp_path):
    config = ExperimentConfig(learning_rate=90.0, epochs=150)  # cross-entropy, no divergence
    path, out = tmp_path / "exp.json", tmp_path / "h.csv"
    path.write_text(config.to_json())
    result = bpdash_cli("train", "--config", path, "--quiet", "--out", out)
    exp = build(config)
    start = exp.trainer.evaluate()["cost"]
    exp.trainer.fit(config.epochs)
    final = exp.trainer.evaluate()["cost"]
    assert not exp.trainer.diverged and final > 10 * start
    assert result.returncode == 4, result.stderr
    assert f"training made the network worse: the cost rose from {start:.6g} to {final:.6g}" in result.stderr
    assert len(pd.read_csv(out)) == 150  # the history is still written
    path.write_text(config.replace(learning_rate=0.5).to_json())
    calm = bpdash_cli("train", "--config", path, "--quiet", "--out", out)
    assert calm.returncode == 0 and "worse" not in calm.stderr


@pytest.mark.parametrize("where", ["missing/folder/h.csv", ".", "/dev/full"])
def test_an_unusable_out_path_is_refused_before_training(where, tmp_path):
    path = tmp_path / "exp.json"
    path.write_text(ExperimentConfig(epochs=100_000).to_json())  # hours of work, if it started
    out = where if where.startswith("/") else tmp_path / where
    result = bpdash_cli("train", "--config", path, "--out", out)
    assert result.returncode == 2, result.stderr
    assert f"--out {out}" in result.stderr and "Traceback" not in result.stderr
    assert "/100000 epochs" not in result.stderr  # no progress bar: nothing trained


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_writes_the_epochs_done_and_exits_130(signum, tmp_path):
    config = ExperimentConfig(dataset="xor", n_samples=100, hidden=(4,), activations=("tanh",), epochs=100_000)
    path, out = tmp_path / "exp.json", tmp_path / "h.csv"
    path.write_text(config.to_json())
    run = subprocess.Popen([sys.executable, "-m", "bpdash", "train", "--config", str(path), "--out", str(out)],
                           cwd=ROOT, stderr=subprocess.PIPE)
    try:
        seen = read_until(run.stderr, b" epochs  cost ")  # the progress bar: training is under way
        run.send_signal(signum)
        _, rest = run.communicate(timeout=60)
    finally:
        run.kill()
    stderr = (seen + rest).decode()
    assert run.returncode == 130, stderr
    written = pd.read_csv(out)
    done = len(written)
    assert 0 < done < config.epochs
    assert f"wrote {done} epochs to {out}" in stderr
    assert f"interrupted by {signal.Signals(signum).name} after epoch {done}" in stderr
    expected = build(config).trainer.fit(done)  # the epochs done, exactly as an uninterrupted run has them
    pd.testing.assert_frame_equal(written, expected, check_exact=True, check_dtype=False)


def read_until(stream, marker: bytes, timeout: float = 120) -> bytes:
    """Bytes from ``stream`` up to and including ``marker`` (fails after ``timeout`` seconds)."""
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(stream.fileno(), 4096) if ready else b""
        assert chunk, f"no {marker!r} within {timeout} s; got {seen[-500:]!r}"
        seen += chunk
    return seen


def test_gradcheck_passes_for_the_default_experiment(tmp_path):
    path = tmp_path / "exp.json"
    path.write_text(ExperimentConfig().to_json())
    result = bpdash_cli("gradcheck", "--config", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok") == 3  # two hidden layers + output: Θ^(1) … Θ^(3)


def test_plugins_lists_builtins_and_errors(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    env_run = subprocess.run([sys.executable, "-m", "bpdash", "plugins"], cwd=ROOT, capture_output=True,
                             text=True, env={**__import__("os").environ, "BPDASH_PLUGINS_DIR": str(tmp_path)})
    assert env_run.returncode == 0
    assert "sigmoid" in env_run.stdout and "builtin" in env_run.stdout
    assert "broken" in env_run.stdout and "boom" in env_run.stdout


# -- parity with the dashboard: its experiment export, and `doctor` ------------------------------

def dashboard_trained(config):
    """An experiment trained in the dashboard (AppTest): opened from its share link, trained
    ``config.epochs`` epochs with "Train N epochs"."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from bpdash.share import to_query_params

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=60)
    for name, value in to_query_params(config).items():
        at.query_params[name] = value
    at.run()
    at.button(key="train_many").click()
    at.run()
    assert not at.exception, at.exception
    return at.session_state["experiment"]


def test_train_reproduces_the_dashboards_exported_run(tmp_path):
    from bpdash.export import export_json

    config = ExperimentConfig(dataset="moons", n_samples=150, hidden=(6, 4), activations=("tanh", "relu"),
                              batch_size=32, learning_rate=0.3, seed=5, data_seed=2, epochs=35)
    exp = dashboard_trained(config)
    assert exp.config == config and exp.trainer.epoch == 35
    path, out = tmp_path / "exported.json", tmp_path / "history.csv"
    path.write_text(export_json(exp.config, exp.trainer))
    result = bpdash_cli("train", "--config", path, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "the first 35 epochs match the exported history bit for bit" in result.stderr
    pd.testing.assert_frame_equal(pd.read_csv(out), exp.trainer.history, check_exact=True, check_dtype=False)


def test_train_reads_a_config_only_export_and_refuses_a_foreign_format(tmp_path):
    from bpdash.export import export_json

    config = ExperimentConfig(epochs=5)
    path = tmp_path / "exp.json"
    path.write_text(export_json(config))
    result = bpdash_cli("train", "--config", path, "--quiet")
    assert result.returncode == 0 and len(pd.read_csv(__import__("io").StringIO(result.stdout))) == 5
    path.write_text(json.dumps({"format": "someone-else", "config": config.to_dict()}))
    result = bpdash_cli("train", "--config", path)
    assert result.returncode == 2 and "not a bpdash experiment" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_versions_and_plugins(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    result = subprocess.run([sys.executable, "-m", "bpdash", "doctor"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={**__import__("os").environ, "BPDASH_PLUGINS_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for word in ("python", "platform", "numpy", "pandas", "plotly", "pluggy", "scipy", "streamlit", "bpdash",
                 "sigmoid", "builtin"):
        assert word in result.stdout
    assert "broken" in result.stdout and "boom" in result.stdout
    assert bpdash_cli("doctor", "--strict").returncode == 0  # no failing plugin without the folder
