"""Sweeps: axes and combinations, the command line, and local worker processes that equal the
serial run bit for bit, lose one run when a worker dies, and keep finished rows on Ctrl-C.
Ray and Dask are in test_sweep_clusters.py."""
import io
import math
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil
import pytest

from bpdash import overrides
from bpdash.config import ConfigError, ExperimentConfig
from bpdash.experiment import build
from bpdash.sweeps import backends, plan, scheduler, space, task
from sweep_helpers import BASE, killer_plugin, rows_with_a_worker_killed, same_results, serial_table, the_plan
from test_cli import ROOT, bpdash_cli


# -- axes and combinations ----------------------------------------------------------------------

def test_axes_read_values_ranges_and_counts(registry):
    axes = space.parse_axes(["learning_rate=0.001..10:5", "seed=0..3", "hidden=4;8,8", "optimizer=gd,adam",
                             "opt_momentum=0.5,0.9", "n_samples=100..400:4", "epochs=30"], registry)
    values = {a.name: a.grid_values() for a in axes}
    assert values["learning_rate"] == pytest.approx((0.001, 0.01, 0.1, 1.0, 10.0))  # η is declared log
    assert values["seed"] == (0, 1, 2, 3) and values["hidden"] == ((4,), (8, 8))
    assert values["optimizer"] == ("gd", "adam") and values["opt_momentum"] == (0.5, 0.9)
    assert values["n_samples"] == (100, 200, 300, 400) and values["epochs"] == (30,)
    assert space.size(axes) == 5 * 4 * 2 * 2 * 2 * 4
    assert space.swept(axes) == ["learning_rate", "seed", "hidden", "optimizer", "opt_momentum", "n_samples"]
    grid = space.grid(axes)
    assert grid[0]["learning_rate"] == 0.001 and grid[1]["n_samples"] == 200  # the first axis varies slowest


def test_a_whole_number_range_with_more_values_than_it_holds_repeats_none(registry):
    [seeds] = space.parse_axes(["seed=0..2:6"], registry)
    assert seeds.grid_values() == (0, 1, 2)
    [sizes] = space.parse_axes(["n_samples=100..110:3"], registry)
    assert sizes.grid_values() == (100, 105, 110)


def test_random_combinations_stay_in_their_ranges_and_repeat_for_a_seed(registry):
    axes = space.parse_axes(["learning_rate=0.001..10", "seed=0..9", "init=zeros,uniform"], registry)
    draws = space.sample(axes, 200, seed=3)
    assert draws == space.sample(axes, 200, seed=3) != space.sample(axes, 200, seed=4)
    rates = [d["learning_rate"] for d in draws]
    assert 0.001 <= min(rates) and max(rates) <= 10 and sum(r < 0.1 for r in rates) > 50  # log-uniform
    assert {d["seed"] for d in draws} == set(range(10)) and {d["init"] for d in draws} == {"zeros", "uniform"}


@pytest.mark.parametrize("text, says", [
    ("learning_rat=0.1", "unknown setting"), ("learning_rate=0.1..1", "needs a count"),
    ("learning_rate=1..0.1:3", "downwards"), ("learning_rate=0,0.1", "> 0"), ("seed=a..b", "whole number"),
    ("activations=tanh;nope", None), ("hidden=4,300", "128"), ("noise", "name=value")])
def test_bad_axes_are_named(registry, text, says):
    with pytest.raises((ValueError, KeyError)) as info:
        axes = space.parse_axes([text], registry)
        plan.make(BASE, axes, registry)
        space.grid(axes)
    assert says is None or says in str(info.value)


def test_every_bad_combination_is_reported_before_anything_runs(registry):
    with pytest.raises(ValueError) as info:
        plan.make(BASE, space.parse_axes(["dataset=moons,sine", "features=x1,x2,x1*x2"], registry), registry)
    assert "run 1" in str(info.value) and "features" in str(info.value) and "run 0" not in str(info.value)


def test_set_applies_settings_by_their_declarations(registry):
    config = overrides.apply(ExperimentConfig(), ["hidden=5,3,2", "activations=relu", "optimizer=adam",
                                                  "opt_beta2=0.99", "momentum=0.8", "batch_size=full"], registry)
    assert config.hidden == (5, 3, 2) and config.activations == ("relu",) * 3
    assert dict(config.optimizer_params) == {"beta2": 0.99, "momentum": 0.8} and config.batch_size is None
    assert overrides.apply(ExperimentConfig(), ["hidden=5"], registry).activations == ("tanh",)
    with pytest.raises(ConfigError) as info:
        overrides.apply(ExperimentConfig(), ["learning_rate=-1", "colour=red", "seed=1.5", "noequals"], registry)
    assert set(info.value.errors) == {"learning_rate", "colour", "seed", "noequals"}
    assert "opt_momentum" in info.value.errors["colour"]  # the valid names


# -- one run equals `train` ---------------------------------------------------------------------

def test_a_row_equals_train_on_its_config(registry, tmp_path):
    config = BASE.replace(n_samples=60, test_share=0.25, learning_rate=0.3, seed=2, epochs=25, patience=5)
    row = task.run(config.to_dict())
    path, out = tmp_path / "c.json", tmp_path / "h.csv"
    path.write_text(config.to_json())
    assert bpdash_cli("train", "--config", path, "--out", out, "--quiet").returncode == 0
    history = pd.read_csv(out)
    assert row["final_cost"] == history["cost"].iloc[-1] and row["best_cost"] == history["cost"].min()
    assert row["final_test_cost"] == history["test_cost"].iloc[-1]
    assert row["test_accuracy"] == history["test_accuracy"].iloc[-1] and row["epochs_run"] == len(history)
    assert row["status"] == "ok" and row["stop"] in ("epochs", "patience")


def test_rows_name_why_a_run_stopped_or_failed(registry):
    assert task.run(BASE.replace(learning_rate=100.0, cost="squared_error", output_activation="linear",
                                 activations="linear", dataset="sine", n_samples=60).to_dict())["stop"] == "diverged"
    assert task.run(BASE.replace(target_cost=10.0).to_dict())["stop"] == "target"
    failed = task.run({**BASE.to_dict(), "dataset": "no_such_dataset"})
    assert failed["status"] == "failed" and "no_such_dataset" in failed["error"] and math.isnan(failed["final_cost"])


# -- local worker processes ---------------------------------------------------------------------

def test_local_workers_equal_the_serial_run_bit_for_bit(registry):
    p = the_plan(registry, ["learning_rate=0.05,0.5,5", "seed=0..1", "activations=tanh;relu"])
    local = backends.Local(2)
    try:
        table = p.table(scheduler.run_all(local, p.config_dicts()))
    finally:
        local.close()
    same_results(table, serial_table(p))
    assert len(table) == 12 and set(table["status"]) == {"ok"}


def test_a_run_that_kills_its_worker_is_retried_once_then_reported_and_the_others_finish(registry, tmp_path,
                                                                                         monkeypatch):
    killer_plugin(tmp_path, monkeypatch)
    from bpdash.plugins import load_plugins

    with_killer = load_plugins(extra_dirs=[tmp_path], entry_points=False)
    base = BASE.replace(activations="killer")  # it kills on 37 training rows only: one run of six
    p = the_plan(with_killer, ["n_samples=35..40"], base)
    local, seen = backends.Local(2), []
    try:
        rows = scheduler.run_all(local, p.config_dicts(), on_result=lambda i, row: seen.append(i))
    finally:
        local.close()
    table = p.table(rows)
    killed = table[table["n_samples"] == 37]
    assert len(table) == 6 and list(killed["status"]) == ["failed"] and "died 2 times" in killed["error"].iloc[0]
    others = table[table["n_samples"] != 37]
    assert set(others["status"]) == {"ok"}, others[others["status"] != "ok"]["error"].tolist()
    reference = serial_table(p)  # in this process the activation is plain tanh
    same_results(others, reference[reference["n_samples"] != 37])
    assert sorted(seen) == list(range(6))


def test_a_worker_killed_from_outside_loses_nothing(registry):
    p = the_plan(registry, ["seed=0..7"], BASE.replace(n_samples=300, hidden=(32, 32), epochs=150))

    def a_worker():
        workers = psutil.Process().children(recursive=True)
        return [w for w in workers if "loky" in " ".join(w.cmdline()) or "python" in w.name()][-1].pid

    rows = rows_with_a_worker_killed(backends.Local(2), p, a_worker)
    same_results(p.table(rows), serial_table(p))


# -- the command line ---------------------------------------------------------------------------

def test_the_sweep_command_writes_one_row_per_run_equal_to_train(tmp_path):
    base, out = tmp_path / "base.json", tmp_path / "results.csv"
    base.write_text(BASE.replace(n_samples=50, test_share=0.2).to_json())
    result = bpdash_cli("sweep", "--config", base, "--set", "learning_rate=0.1,1", "--set", "seed=0..1",
                        "--set", "optimizer=gd,momentum", "--epochs", 20, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "8/8 runs" in result.stderr and "8 ok, 0 failed" in result.stderr
    table = pd.read_csv(out)
    assert list(table.columns[:4]) == ["run", "learning_rate", "seed", "optimizer"] and len(table) == 8
    row = table.iloc[7]  # η = 1, seed 1, momentum: train on that config
    config = tmp_path / "one.json"
    config.write_text(BASE.replace(n_samples=50, test_share=0.2, learning_rate=1.0, seed=1, optimizer="momentum",
                                   epochs=20).to_json())
    history = pd.read_csv(io.StringIO(bpdash_cli("train", "--config", config, "--quiet").stdout))
    assert row["final_cost"] == history["cost"].iloc[-1] and row["final_test_cost"] == history["test_cost"].iloc[-1]


def test_random_sweeps_and_bad_arguments(tmp_path):
    out = tmp_path / "r.csv"
    result = bpdash_cli("sweep", "--set", "learning_rate=0.01..1", "--set", "seed=0..99", "--random", 5,
                        "--epochs", 5, "--backend", "serial", "--out", out, "--quiet")
    assert result.returncode == 0 and len(pd.read_csv(out)) == 5
    for args, says in ((["--set", "learning_rat=1"], "unknown setting"), (["--out", tmp_path], "folder"),
                       (["--out", tmp_path / "no" / "r.csv"], "does not exist"),
                       (["--backend", "serial", "--address", "x"], "--address")):
        result = bpdash_cli("sweep", "--set", "seed=0,1", "--epochs", 2, *args)
        assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_keeps_the_finished_rows(tmp_path):
    out = tmp_path / "partial.csv"
    process = subprocess.Popen([sys.executable, "-m", "bpdash", "sweep", "--set", "seed=0..199", "--set",
                                "hidden=32,32", "--epochs", "400", "--backend", "serial", "--out", str(out)],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline, seen = time.monotonic() + 60, ""
    while time.monotonic() < deadline and not any(int(n) >= 3 for n in re.findall(r"\] (\d+)/200 runs", seen)):
        seen += process.stderr.read(1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    table = pd.read_csv(out)
    assert 3 <= len(table) < 200 and set(table["status"]) == {"ok"} and "interrupted" in err


def test_train_takes_set_next_to_its_config_and_reports_every_bad_field_at_once(tmp_path):
    path, out = tmp_path / "c.json", tmp_path / "h.csv"
    path.write_text('{"hidden": [5], "n_samples": 60}')  # the activations follow the one layer
    result = bpdash_cli("train", "--config", path, "--set", "activations=relu", "--set", "opt_momentum=0.5",
                        "--set", "optimizer=momentum", "--epochs", 4, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    expected = build(ExperimentConfig(hidden=(5,), activations=("relu",), n_samples=60, optimizer="momentum",
                                      optimizer_params={"momentum": 0.5}, epochs=4)).trainer.fit(4)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_exact=True, check_dtype=False)
    path.write_text('{"learning_rate": -3, "activations": ["tanh", "nope"], "colour": "red"}')
    result = bpdash_cli("train", "--config", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for said in ("learning_rate", "nope", "colour", "the fields are dataset"):
        assert said in result.stderr


# -- the dashboard's background job -------------------------------------------------------------

def finished_while_touched(job, seconds: float = 60) -> None:
    """Wait for a sweep job to finish, touching it as a page watching it does."""
    deadline = time.monotonic() + seconds
    while not job.finished:
        assert time.monotonic() < deadline, f"the sweep did not finish within {seconds} s"
        job.touch()
        time.sleep(0.2)


def test_a_job_nobody_watches_stops_and_local_jobs_take_turns(registry):
    from bpdash.sweeps import job as jobs

    long = the_plan(registry, ["seed=0..199"], BASE.replace(n_samples=400, hidden=(32, 32), epochs=2000))
    first = jobs.Job(long, idle_seconds=1.5, backend=("local", None))
    second = jobs.Job(the_plan(registry, ["seed=0..1"]), backend=("local", None))
    time.sleep(0.5)
    second.touch()
    assert second.state == "queued"  # one local sweep at a time per server process
    assert first.wait(30) and first.state == "stopped" and len(first.rows) < first.total
    finished_while_touched(second)
    assert second.state == "done" and len(second.rows) == 2


def test_a_job_on_a_backend_that_cannot_start_says_why(registry, monkeypatch):
    from bpdash.sweeps import job as jobs

    monkeypatch.setenv("BPDASH_DASK_ADDRESS", "tcp://127.0.0.1:1")
    assert jobs.backend_from_environment() == ("dask", "tcp://127.0.0.1:1")
    monkeypatch.setenv("BPDASH_RAY_ADDRESS", "127.0.0.1:6379")
    assert jobs.backend_from_environment() == ("ray", "127.0.0.1:6379")
    job = jobs.Job(the_plan(registry, ["seed=0..1"]), backend=("serial", "tcp://127.0.0.1:1"))
    finished_while_touched(job)
    assert job.state == "failed" and job.error
