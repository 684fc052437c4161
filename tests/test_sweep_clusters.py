"""Sweeps on a real local Ray and a real Dask LocalCluster: the same rows as the serial run, bit
for bit; a worker killed mid-sweep loses nothing; a run that kills its worker is reported.

Skipped when Ray or Dask is not installed (``pip install 'bpdash[ray]' 'bpdash[dask]'``).
"""
import os
import signal
import threading
import time

import pandas as pd
import pytest

from bpdash.plugins import load_plugins
from bpdash.sweeps import backends, scheduler
from sweep_helpers import BASE, killer_plugin, same_results, serial_table, the_plan
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
def dask_cluster(with_killer):
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    yield cluster
    cluster.close()


def test_dask_at_an_address_equals_the_serial_run_through_the_command_line(dask_cluster, tmp_path):
    out, base = tmp_path / "dask.csv", tmp_path / "base.json"
    base.write_text(BASE.to_json())
    result = bpdash_cli("sweep", "--config", base, "--set", "learning_rate=0.05,0.5,5", "--set", "seed=0..3",
                        "--set", "activations=tanh;relu", "--backend", "dask", "--address",
                        dask_cluster.scheduler_address, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    expected = serial_table(the_plan(load_plugins(extra_dirs=[], entry_points=False)))
    same_results(pd.read_csv(out, keep_default_na=False, na_values=[""]), expected)


def test_a_dask_worker_killed_mid_sweep_loses_nothing(dask_cluster, with_killer):
    p = the_plan(with_killer, ["seed=0..7"], BASE.replace(n_samples=300, hidden=(32, 32), epochs=150))
    dask = backends.Dask(dask_cluster.scheduler_address)
    pids = list(dask.client.run(os.getpid).values())  # the worker processes, asked here: one client
    finished = []

    def kill_a_worker():
        while not finished:
            time.sleep(0.02)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        rows = scheduler.run_all(dask, p.config_dicts(), on_result=lambda i, row: finished.append(i))
    finally:
        killer.join()
        dask.close()
    same_results(p.table(rows), serial_table(p))
