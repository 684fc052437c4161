"""Sweeps on a real local Ray and a real Dask cluster (scheduler and worker processes): the same rows as the serial run, bit
for bit; a worker killed mid-sweep loses nothing; a run that kills its worker is reported.

Skipped when Ray or Dask is not installed (``pip install 'bpdash[ray]' 'bpdash[dask]'``).
"""
import json
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

from bpdash.plugins import load_plugins
from bpdash.sweeps import backends, scheduler
from sweep_helpers import BASE, killer_plugin, rows_with_a_worker_killed, same_results, serial_table, the_plan
from test_cli import bpdash_cli


@pytest.fixture(scope="module")
def killer_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("killer")


@pytest.fixture
def with_killer(killer_folder, monkeypatch):
    killer_plugin(killer_folder, monkeypatch)
    return load_plugins(extra_dirs=[killer_folder], entry_points=False)


# -- Ray --------------------------------------------------------------------------------------------

def test_ray_equals_the_serial_run_and_reports_a_run_that_kills_its_worker(with_killer):
    pytest.importorskip("ray")
    plain = the_plan(with_killer)
    killing = the_plan(with_killer, ["n_samples=36..38"], BASE.replace(activations="killer"))
    ray = backends.open_backend("ray", jobs=2)  # a local Ray, started with the plugin folder set
    try:
        same_results(plain.table(scheduler.run_all(ray, plain.config_dicts())), serial_table(plain))
        table = killing.table(scheduler.run_all(ray, killing.config_dicts()))
    finally:
        ray.close()
    dead = table[table["n_samples"] == 37]  # the killer kills on 37 training rows only
    assert list(dead["status"]) == ["failed"] and "died 2 times" in dead["error"].iloc[0]
    assert set(table[table["n_samples"] != 37]["status"]) == {"ok"}


# -- Dask -------------------------------------------------------------------------------------------

@pytest.fixture
def dask_cluster(with_killer, tmp_path):
    """A real Dask cluster started as people start one: ``dask scheduler`` and ``dask worker``
    processes (two workers of one thread), the scheduler allowing no retries of its own (the
    sweep retries). Yields the scheduler's address."""
    pytest.importorskip("distributed")
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    info = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    scheduler_process = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                          "--no-dashboard", "--scheduler-file", str(info)],
                                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        workers = subprocess.Popen([*dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                    "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (workers, scheduler_process):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_dask_at_an_address_equals_the_serial_run_through_the_command_line(dask_cluster, tmp_path):
    out, base = tmp_path / "dask.csv", tmp_path / "base.json"
    base.write_text(BASE.to_json())
    result = bpdash_cli("sweep", "--config", base, "--set", "learning_rate=0.05,0.5,5", "--set", "seed=0..3",
                        "--set", "activations=tanh;relu", "--backend", "dask", "--address",
                        dask_cluster, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    expected = serial_table(the_plan(load_plugins(extra_dirs=[], entry_points=False)))
    same_results(pd.read_csv(out, keep_default_na=False, na_values=[""]), expected)


def test_a_dask_worker_killed_mid_sweep_loses_nothing(dask_cluster, with_killer):
    p = the_plan(with_killer, ["seed=0..7"], BASE.replace(n_samples=300, hidden=(32, 32), epochs=150))
    dask = backends.Dask(dask_cluster)
    pids = list(dask.client.run(os.getpid).values())  # the worker processes, asked here: one client
    rows = rows_with_a_worker_killed(dask, p, lambda: pids[0])
    same_results(p.table(rows), serial_table(p))
