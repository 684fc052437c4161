"""The command line, run as a real subprocess: it must reproduce Trainer.fit exactly."""
import json
import subprocess
import sys
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


def test_diverging_run_says_so(tmp_path):
    path = tmp_path / "exp.json"
    path.write_text(ExperimentConfig(dataset="sine", hidden=(8,), activations=("linear",),
                                     output_activation="linear", cost="squared_error",
                                     learning_rate=100.0, epochs=200).to_json())
    result = bpdash_cli("train", "--config", path, "--quiet", "--out", tmp_path / "h.csv")
    assert result.returncode == 3 and "learning rate" in result.stderr


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
