"""Speed of the dashboard: a full script run, and the Overview live in a real browser.

    python bench/bench_app.py               # AppTest full runs, then chromium (if installed)
    python bench/bench_app.py --seconds 15  # sample Play longer

Measured side by side in one run (never as timed tests; bench/README.md):

- Full run: ``AppTest.run()`` of app.py, per view, the default network trained 300 epochs,
  median of several runs after a warm-up. It includes AppTest's own bookkeeping.
- Engine: ``Trainer.fit`` on the default experiment, alone, just before and just after the
  browser runs (the browser shares the CPUs; their mean is the peer).
- First paint: a fresh browser context opens the page; in the page, the time from navigation
  to the Overview's first drawn chart, split into what comes before it: the HTML, Streamlit's
  scripts loaded (DOMContentLoaded), the websocket open, its first message (the script run has
  begun sending), the chart drawn. Two runs: the first after the server started (imports,
  caches), the second warm.
- Play: chromium presses ▶ Play on the Overview; every animation frame a script in the page
  checks the board's canvases, and a redraw counts when every panel has repainted with a new
  frame: redraws a second, epochs a second (the board's epoch), and the board's own drawing
  time; the server's and chromium's CPU meanwhile. Twice: chromium at the server's priority,
  then at nice 10 (the server gets the CPU first, as when the browser is on a student's
  laptop).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bpdash.ui.views import VIEWS  # noqa: E402
from board_probe import (CHROMIUM_ARGS, FIRST_PAINT, IDLE, NAVIGATION, SAMPLED, SAMPLER,  # noqa: E402
                         browser_cpu_seconds, cpu_seconds, engine_epochs_per_s, load, machine_busy, rates, renice_browsers)
from streamlit_server import free_port, serve  # noqa: E402  (beside this file)

APP = str(ROOT / "app.py")


def fresh_app() -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def full_run_times(repeats: int) -> dict:
    """Median seconds of one full run of the default page, per view (after 2 warm-up runs),
    with the default network trained 300 epochs (so every view has a history and gradients)."""
    at = fresh_app()
    at.button(key="train_many").click()
    at.run()
    at.session_state["job"].wait(120)  # Train N runs in the background
    times = {}
    for label in VIEWS:
        at.segmented_control(key="view").set_value(label)
        at.run()
        at.run()
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        times[label] = statistics.median(samples)
    return times


VIEWPORT = {"width": 1440, "height": 900}


def first_paint(browser, url: str) -> list[dict]:
    """Milliseconds from navigation to each step before the first chart: a new visitor (a fresh
    context), then the same visitor again (Streamlit's scripts in the browser's cache)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(FIRST_PAINT)
    page = context.new_page()
    found = []
    for _ in range(2):
        page.goto(url)
        page.wait_for_function("() => window.__marks && window.__marks.firstChart", timeout=60_000)
        found.append(page.evaluate(NAVIGATION))
    context.close()
    return found


def play(browser, url: str, seconds: float, server_pid: int, nice: int) -> dict:
    """Play on the Overview: redraws/s, epochs/s, the board's drawing time, CPU shares; chromium
    at niceness ``nice`` (the server first, as when the browser is on a student's laptop)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    renice_browsers(nice)
    page.get_by_role("button", name="▶ Play").click()
    time.sleep(1.5)  # let the frames settle
    page.evaluate(SAMPLER)
    cpu0, chrome0, (busy0, total0), t0 = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy(), time.perf_counter()
    time.sleep(seconds)
    seen, draw = page.evaluate(SAMPLED)
    elapsed = time.perf_counter() - t0
    cpu1, chrome1, (busy1, total1) = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy()
    pause = page.get_by_role("button", name="‖ Pause")
    if pause.count():  # a run may already have reached the epoch limit and stopped
        pause.click()
    context.close()
    redraws, epochs = rates(seen)
    draw = sorted(d for d in draw if d == d)
    return dict(redraws=redraws, epochs=epochs, draw_ms=draw[len(draw) // 2] if draw else float("nan"),
                server=(cpu1 - cpu0) / elapsed, chromium=(chrome1 - chrome0) / elapsed,
                machine=(busy1 - busy0) / max(1, total1 - total0) * os.cpu_count())


def browser_runs(chromium: str, seconds: float, nices=(0, 10)) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = serve(port, "--server.fileWatcherType", "none",
                   env={k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")})
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            print("\nFirst paint of the Overview (ms from navigation, in the page):")
            print("| run | HTML | scripts loaded | websocket open | first message | first chart |")
            print("|---|---|---|---|---|---|")
            runs = first_paint(browser, url) + first_paint(browser, url)
            names = ("new visitor, first after the server started", "the same visitor again",
                     "new visitor, warm server", "the same visitor again")
            for run, m in zip(names, runs):
                print(f"| {run} | {m['html']:.0f} | {m['domReady']:.0f} | {m.get('socketOpen', float('nan')):.0f} | "
                      f"{m.get('firstMessage', float('nan')):.0f} | **{m['firstChart']:.0f}** |")
            results = []
            for nice in nices:
                before = engine_epochs_per_s(3.0)
                live = play(browser, url, seconds, server.pid, nice)
                after = engine_epochs_per_s(3.0)
                results.append((nice, before, after, live))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    for nice, before, after, live in results:
        engine = (before + after) / 2
        print(f"\nPlay on the Overview, chromium at nice {nice}, against a real server ({seconds:g} s, {load()}):")
        print(f"  engine alone (Trainer.fit) just before / after: {before:,.0f} / {after:,.0f} epochs/s")
        print(f"  {live['redraws']:.1f} redraws/s (every panel and the epoch together; target about 10)")
        print(f"  {live['epochs']:,.0f} epochs/s = {live['epochs'] / engine:.0%} of the engine (target >= 50%)")
        print(f"  the board draws a frame in {live['draw_ms']:.1f} ms (median, in the page)")
        print(f"  CPU: server {live['server']:.2f} cores, chromium {live['chromium']:.2f}, machine "
              f"{live['machine']:.2f} of {os.cpu_count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="runs per view for the median")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of Play sampled in the browser")
    parser.add_argument("--no-browser", action="store_true", help="AppTest only")
    args = parser.parse_args()
    print(f"{load()} (other work skews absolute times)\n")

    print("Full script run of the page after 300 epochs (AppTest, median of "
          f"{args.repeats}; target < 0.300 s server-side):")
    for label, seconds in full_run_times(args.repeats).items():
        print(f"  {label:<20} {seconds:6.3f} s  {'ok' if seconds < 0.3 else 'SLOW'}")

    if args.no_browser:
        return
    chromium = os.environ.get("BPDASH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        print("\nBrowser: skipped (needs chromium and the playwright package)")
        return
    browser_runs(chromium, args.seconds)


if __name__ == "__main__":
    main()
