"""How many sessions playing at once one server sustains, and how the rest of the page answers.

    python bench/bench_sessions.py                      # 1, 2, 4, 8 sessions, 10 s each
    python bench/bench_sessions.py --sessions 1,4,8 --seconds 15
    python bench/bench_sessions.py --speed "500 epochs/s"   # capped Play instead of max

One `streamlit run app.py` server (127.0.0.1, a free port) and one headless chromium (Debian's,
driven by Playwright). For each count n: n tabs (n Streamlit sessions) open the Overview and
press ▶ Play; after a settling time, a script in each page samples the board at every
animation frame for ``--seconds``: a redraw counts when every panel has repainted with a new
frame (bench/board_probe.py). Per session: redraws per second and epochs per second. A count
is *sustained* when every session gets at least 2 redraws a second.

Meanwhile one more tab, not playing, clicks Step ``--steps`` times, each when the last has
shown: the Step latency is the time from the click to the board showing the next epoch, in
that page. It tells whether the rest of the page stays responsive while n sessions play.

Read the numbers with the setup in mind: the browsers run on the same machine as the server
and take their share of its cores (the table shows the server's CPU next to chromium's and the
machine's; chromium runs at a lower priority, ``--nice``, so the server gets the CPU first), and
all sessions of one server share one Python process: their training runs on one background
thread, taking turns (bpdash.background), and their drawing shares the same interpreter.
The engine alone (Trainer.fit on the default experiment, same machine, just before) is printed
for scale. Run by hand, never as a timed test (bench/README.md).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from board_probe import (CHROMIUM_ARGS, EPOCH, IDLE, engine_epochs_per_s, SAMPLED, SAMPLER, browser_cpu_seconds, cpu_seconds, load, machine_busy, rates,
                         renice_browsers)
from streamlit_server import free_port, serve  # beside this file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_REDRAWS = 2.0  # every playing session gets at least this many redraws a second


def open_overview(browser, url: str):
    """A page on the Overview in a browser context of its own: its own window, so that it is
    drawn (the tabs of one window but the front one get no animation frames)."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(url)
    return page


def step_latencies(page, steps: int) -> list[float]:
    """Seconds from each Step click to the board showing the next epoch, in the page."""
    found = []
    button = page.get_by_role("button", name="Step", exact=True)
    for _ in range(steps):
        epoch = page.evaluate(EPOCH)
        start = time.perf_counter()
        button.click()
        page.wait_for_function(f"() => ({EPOCH})() > {epoch}", polling="raf", timeout=60_000)
        found.append(time.perf_counter() - start)
    return found


def measure(browser, url: str, n: int, seconds: float, settle: float, speed: str, server_pid: int,
            nice: int = 10, steps: int = 5) -> dict:
    """n sessions playing at once: per-session redraws/s and epochs/s, the CPU they took, and
    the Step latency in one more session."""
    pages = []
    try:
        pages = [open_overview(browser, url) for _ in range(n + 1)]
        playing, stepper = pages[:-1], pages[-1]
        for page in pages:
            page.wait_for_selector(IDLE, timeout=180_000)
            page.wait_for_function(f"() => ({EPOCH})() !== null", timeout=180_000)
        if speed != "max":
            for page in playing:
                page.get_by_role("combobox", name="Play speed", exact=True).click()
                page.get_by_role("option", name=speed, exact=True).click()
                page.wait_for_selector(IDLE, timeout=60_000)
        if nice:
            renice_browsers(nice)  # the pages' renderer processes exist by now
        for page in playing:
            page.get_by_role("button", name="▶ Play").click()
        time.sleep(settle)
        for page in playing:
            page.evaluate(SAMPLER)
        cpu0, browser0, (busy0, total0) = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy()
        t0 = time.perf_counter()
        latencies = step_latencies(stepper, steps) if steps else []
        time.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
        seen = [page.evaluate(SAMPLED)[0] for page in playing]
        elapsed = time.perf_counter() - t0
        cpu1, browser1, (busy1, total1) = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy()
    finally:
        for page in pages:
            page.context.close()
    redraws, epochs = zip(*(rates(samples) for samples in seen)) if seen else ((), ())
    return dict(n=n, redraws=list(redraws), epochs=list(epochs), steps=latencies,
                server_cpu=(cpu1 - cpu0) / elapsed, browser_cpu=(browser1 - browser0) / elapsed,
                machine=(busy1 - busy0) / max(1, total1 - total0) * os.cpu_count(), load=os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", default="1,2,4,8", help="session counts to try, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="sampling time per count")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of Play before sampling")
    parser.add_argument("--speed", default="max", help='Play speed ("max", "500 epochs/s", ...)')
    parser.add_argument("--steps", type=int, default=5, help="Step clicks timed in one more session")
    parser.add_argument("--nice", type=int, default=10,
                        help="niceness given to chromium's processes (0: same priority as the server)")
    parser.add_argument("--pin", action="store_true",
                        help="the server on CPU 0, chromium (and this script) on the others: as near as one "
                             "machine comes to browsers on the visitors' own computers")
    args = parser.parse_args()
    counts = [int(c) for c in args.sessions.split(",") if c.strip()]

    chromium = os.environ.get("BPDASH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("needs the playwright package (pip install playwright) and chromium (apt-get install chromium)")
    if not chromium:
        sys.exit("needs chromium (apt-get install chromium)")

    engine = engine_epochs_per_s()
    print(f"{load()}; engine alone (Trainer.fit, default experiment): {engine:,.0f} epochs/s; Play speed "
          f"{args.speed}; {args.seconds:g} s per count; chromium at nice {args.nice}\n")
    port = free_port()
    cpus = sorted(os.sched_getaffinity(0))
    server_cpus, browser_cpus = ({cpus[0]}, set(cpus[1:])) if args.pin and len(cpus) > 1 else (None, None)
    with tempfile.TemporaryFile() as log:
        server = serve(port, "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", "1",
                       log=log, env={k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")}, wait_s=60,
                       cpus=server_cpus)
        if browser_cpus:
            os.sched_setaffinity(0, browser_cpus)  # playwright's driver and chromium inherit it
            print(f"server pinned to CPU {cpus[0]}, chromium to CPU {', '.join(map(str, sorted(browser_cpus)))}\n")
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                url = f"http://127.0.0.1:{port}/"
                measure(browser, url, 1, 2.0, 1.0, args.speed, server.pid, steps=1)  # warm-up: imports, caches
                print("| sessions playing | redraws/s per session: min / median | epochs/s per session (median) "
                      "| epochs/s, all sessions | Step in another session: median / max | server CPU "
                      "| chromium CPU | machine busy | load |")
                print("|---|---|---|---|---|---|---|---|---|")
                for n in counts:
                    row = measure(browser, url, n, args.seconds, args.settle, args.speed, server.pid, args.nice,
                                  args.steps)
                    rows.append(row)
                    steps = (f"{statistics.median(row['steps']):.2f} s / {max(row['steps']):.2f} s"
                             if row["steps"] else "—")
                    print(f"| {n} | {min(row['redraws']):.2f} / {statistics.median(row['redraws']):.2f} | "
                          f"{statistics.median(row['epochs']):,.0f} | {sum(row['epochs']):,.0f} "
                          f"({sum(row['epochs']) / engine:.0%} of the engine) | {steps} | {row['server_cpu']:.2f} | "
                          f"{row['browser_cpu']:.2f} | {row['machine']:.2f} of {os.cpu_count()} | "
                          f"{row['load']:.1f} |", flush=True)
                    time.sleep(2)  # closed sessions are dropped (TTL 1 s) before the next count
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    sustained = [r["n"] for r in rows if min(r["redraws"]) >= TARGET_REDRAWS]
    best = max(sustained) if sustained else 0
    print(f"\nSustained at >= {TARGET_REDRAWS:g} redraws/s in every playing session: {best} session(s) "
          f"(of {', '.join(map(str, counts))}).")
    print("Columns: CPU in cores, averaged over the sampling time; chromium is every chromium process "
          "(all the pages); machine busy includes anything else running.")


if __name__ == "__main__":
    main()
