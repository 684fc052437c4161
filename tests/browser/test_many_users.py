"""Many users at once: one server, 8 browser sessions, each its own network, trained in parallel.

Each session (its own tab, so its own websocket and Streamlit session; the tabs of a round
share one browser context, so Streamlit's scripts load from its cache once) opens a share link
of its own config (a different hidden size, data seed and epoch
count), then all 8 press Train N at the same time. Afterwards each page must show its own
network, its own epoch, and the cost that the engine computes for exactly that config and
epoch count: no session touched another's weights or history. Two rounds of 8 sessions,
closed after each: the server's memory must come back near its baseline and not creep from
one round to the next, and Streamlit must count no session left. Live training (Play) with
many sessions at once is measured by bench/bench_sessions.py.

The server runs with ``server.disconnectedSessionTTL`` = 1 s: Streamlit keeps a closed session
for that long (120 s by default) in case its tab reconnects, and drops it when the next session
disconnects after that. The test waits the TTL out and lets one more brief session come and go
(a bare websocket to Streamlit's stream: a session without loading the page).

Per-session memory: the trainer's snapshots stay within their budget however long the run and
however large the network, and a session's engine memory is its snapshot budget plus its
history (engine-level tests, no browser).
"""
from __future__ import annotations

import gc
import json
import re
import time
import tracemalloc
import urllib.request
from pathlib import Path

import numpy as np
import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures skip (or, under BPDASH_REQUIRE_BROWSER, fail) saying why
    expect = None

import bpdash
from bpdash.config import MAX_NEURONS, ExperimentConfig
from bpdash.experiment import build
from bpdash.network import Network
from bpdash.share import share_url
from bpdash.trainer import Trainer

SESSIONS = 8
TTL_S = 1
BASELINE_SLACK_MB = 150   # after two rounds, at most this far above the warm baseline
ROUND_SLACK_MB = 60       # and the second round no more than this above the first
EXPECT_MS = 60_000


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory("--server.disconnectedSessionTTL", str(TTL_S))


def session_config(i: int, round_: int) -> ExperimentConfig:
    """Session i's config: its own hidden size, its own data (seed) and its own epoch count."""
    return ExperimentConfig().replace(hidden=(3 + i, 8), data_seed=11 * i + round_,
                                      epochs=100 + 10 * i + round_)


def network_text(config: ExperimentConfig) -> str:
    return f"Network 2-{config.hidden[0]}-8-1 tanh/tanh/sigmoid"


def open_pages(browser, server, ui, configs):
    """One tab (one Streamlit session) per config, each on its share link, loaded together."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(EXPECT_MS)
    pages = []
    for config in configs:
        page = context.new_page()
        page.goto(share_url(server.url, config))  # returns once the HTML is in; the sessions' scripts run together
        pages.append(page)
    for page in pages:
        ui.metric_value(page, "Epoch").wait_for(timeout=EXPECT_MS)
        ui.idle(page, 60)
        ui.assert_clean(page)
    return context, pages


def train_together(pages, configs, ui):
    """Every page presses Train N before any is waited on, so the 8 sessions train at once."""
    for page, config in zip(pages, configs):
        page.get_by_role("button", name=f"Train {config.epochs:,} epochs", exact=True).click()
    for page, config in zip(pages, configs):
        ui.expect_epoch(page, config.epochs, 60)
        ui.idle(page)


def shown_state(page, ui):
    """What a page shows: caption, epoch, train cost."""
    ui.idle(page)
    return dict(caption=ui.caption(page), epoch=ui.epoch(page), cost=ui.metric(page, "Train cost J"))


def assert_own_state(shown, config, registry):
    """The page shows its own config, and the cost the engine gets for exactly that run."""
    assert shown["caption"].startswith(network_text(config)), (shown["caption"], config)
    exp = build(config, registry)
    exp.trainer.fit(shown["epoch"])
    assert shown["epoch"] == config.epochs
    assert shown["cost"] == f"{exp.trainer.evaluate()['cost']:.4g}", (shown, config)


def server_metrics(server) -> dict:
    """Streamlit's own counters (/_stcore/metrics): active sessions, connects, disconnects."""
    with urllib.request.urlopen(f"{server.url}_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    found = {}
    for line in text.splitlines():
        match = re.match(r'^(active_sessions|session_events_total\{type="(\w+)"\}) (\d+)', line)
        if match:
            found[match.group(2) or "active"] = int(match.group(3))
    return found


def one_round(browser, server, ui, round_, registry, record):
    configs = [session_config(i, round_) for i in range(SESSIONS)]
    start = time.monotonic()
    context, pages = open_pages(browser, server, ui, configs)
    record[f"round {round_}: seconds to open {SESSIONS} pages"] = round(time.monotonic() - start, 1)
    try:
        train_together(pages, configs, ui)
        assert server_metrics(server)["active"] == SESSIONS
        record[f"round {round_}: RSS with {SESSIONS} sessions open (MiB)"] = round(server.rss_mb(), 1)
        shown = [shown_state(page, ui) for page in pages]
        for page in pages:
            ui.assert_clean(page)
    finally:
        context.close()
    for state, config in zip(shown, configs):
        assert_own_state(state, config, registry)
    record[f"round {round_}: epochs per session"] = [s["epoch"] for s in shown]
    record[f"round {round_}: seconds"] = round(time.monotonic() - start, 1)


# A session that comes and goes at once: a websocket to Streamlit's stream, opened and closed
# from a page of the server's origin (no need to load the whole app for it).
BRIEF_SESSION = """url => new Promise((done, fail) => {
    const socket = new WebSocket(url, ['streamlit']);
    socket.onopen = () => setTimeout(() => { socket.close(); done(); }, 200);
    socket.onerror = fail; })"""


def settled_rss(browser, server, ui) -> float:
    """The server's RSS once closed sessions are dropped: wait out the TTL, let one more brief
    session come and go (its disconnect makes Streamlit purge the expired ones), wait again."""
    time.sleep(TTL_S + 0.5)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}_stcore/health")
    page.evaluate(BRIEF_SESSION, server.url.replace("http", "ws", 1) + "_stcore/stream")
    context.close()
    time.sleep(TTL_S + 0.5)
    return server.rss_mb()


def test_eight_sessions_train_in_parallel_without_cross_talk_or_leaks(browser, server, ui):
    registry = bpdash.load_plugins(extra_dirs=[], entry_points=False)
    record = {}
    warm = browser.new_context()  # warm up: imports, caches, the first script run
    page = warm.new_page()
    ui.open(page, server.url)
    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 1)
    warm.close()
    baseline = record["baseline RSS (MiB)"] = round(settled_rss(browser, server, ui), 1)

    one_round(browser, server, ui, 1, registry, record)
    first = record["round 1: RSS after close (MiB)"] = round(settled_rss(browser, server, ui), 1)
    one_round(browser, server, ui, 2, registry, record)
    second = record["round 2: RSS after close (MiB)"] = round(settled_rss(browser, server, ui), 1)
    metrics = record["streamlit session counters"] = server_metrics(server)
    print("\nmany users:", json.dumps(record, indent=1))
    write_record(record)

    assert metrics["active"] == 0, metrics  # every session closed, none left active
    assert metrics["disconnect"] >= metrics["connect"] - metrics.get("reconnect", 0)
    peak1 = record[f"round 1: RSS with {SESSIONS} sessions open (MiB)"]
    peak2 = record[f"round 2: RSS with {SESSIONS} sessions open (MiB)"]
    assert peak2 - peak1 < ROUND_SLACK_MB, record  # round 1's sessions are not still held
    assert second - first < ROUND_SLACK_MB, record
    assert second - baseline < BASELINE_SLACK_MB, record


def write_record(record):
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    (out / "many_users.json").write_text(json.dumps(record, indent=2))


# ================================================================ per-session memory (engine level)

def test_snapshots_of_a_large_network_never_exceed_their_budget(registry):
    """The widest network the dashboard allows, a small budget, epochs enough to thin the kept
    snapshots several times: at every epoch they fit the budget (plus the newest, which is the
    live network's own arrays)."""
    budget = 2 * 2**20
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(32, 2)), rng.uniform(size=(32, 1))
    net = Network([2, MAX_NEURONS, MAX_NEURONS, MAX_NEURONS, 1], "tanh", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.01, seed=0, snapshot_budget=budget)
    worst = []

    def check(t, row):
        epochs = t.snapshots.epochs
        snaps = [t.snapshots.at(e) for e in epochs]
        footprint = sum(s.footprint for s in snaps)
        one = max(s.footprint for s in snaps)
        worst.append(footprint)
        assert footprint <= budget + one, (t.epoch, footprint, budget)
        assert epochs[0] == 0 and epochs[-1] == t.epoch

    trainer.fit(60, callback=check)  # the stride has doubled several times by then
    assert trainer.epoch == 60 and trainer.snapshots.stride > 4  # the budget did bite, again and again
    assert max(worst) <= budget + trainer.snapshots.at(60).footprint


def test_a_sessions_memory_is_its_snapshot_budget_plus_its_history(registry):
    """Real memory (tracemalloc) a trainer gains over a long run of a small network, whose many
    tiny snapshots are the hard case for a byte budget: at most the budget plus the history
    table (a float per column per epoch, with room to grow) plus 1 MiB."""
    budget, epochs = 1 * 2**20, 6000
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    Y = (X[:, :1] > 0).astype(float)
    gc.collect()
    tracemalloc.start()
    try:
        net = Network([2, 8, 8, 1], "tanh", seed=0, registry=registry)
        trainer = Trainer(net, X, Y, learning_rate=0.1, seed=0, snapshot_budget=budget)
        before = tracemalloc.get_traced_memory()[0]
        trainer.fit(epochs)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    history = 2 * epochs * len(trainer.history.columns) * 8
    assert grown <= budget + history + 2**20, (grown, budget, history)
    assert trainer.snapshots.stride > 1
