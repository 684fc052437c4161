"""How many live-training sessions one server sustains at ≥ 2 chart updates a second.

    python bench/bench_sessions.py                      # 1, 2, 3, 4, 6, 8 sessions, 10 s each
    python bench/bench_sessions.py --sessions 1,4,8 --seconds 15
    python bench/bench_sessions.py --speed "500 epochs/s"   # capped Play instead of max

One `streamlit run app.py` server (127.0.0.1, a free port) and one headless chromium (Debian's,
driven by Playwright). For each count n: n browser contexts (n users, n Streamlit sessions) open
the default page and press ▶ Play; after a settling time, a script in each page samples the
Epoch metric every 10 ms for ``--seconds``; every change of it is one redraw of the live area
(metrics and charts come in the same tick). Per session: chart updates per second and epochs
per second. A count is *sustained* when every session gets 2 updates a second (the ceiling: the
live area reruns every 0.5 s), counted as at least 1.9 measured.

Read the numbers with the setup in mind: the browsers run on the same machine as the server
and take their share of its cores (the table shows the server's CPU next to chromium's and the
machine's; chromium runs at a lower priority, ``--nice``, so the server gets the CPU first), and
all sessions of one server share one Python process, so its training and drawing share one GIL.
The engine alone (Trainer.fit on the default experiment, same machine, just before) is printed
for scale. Run by hand, never as a timed test (bench/README.md).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit_server import serve  # beside this file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TARGET_UPDATES = 2.0  # the target; the live area reruns every training.TICK_S (0.45 s),
TOLERANCE = 0.95      # and a session counts as sustained at ≥ 95% of the target

SAMPLER = """() => { window._seen = []; let last = null;
  const read = () => { for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
      const label = m.querySelector("[data-testid='stMetricLabel']");
      if (label && label.innerText.trim() === 'Epoch') {
        return m.querySelector("[data-testid='stMetricValue']").innerText; } } return null; };
  window._sampler = setInterval(() => { const v = read();
    if (v !== null && v !== last) { last = v;
      window._seen.push([performance.now(), parseInt(v.replace(/,/g, ''))]); } }, 10); }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds() -> float:
    """User + system CPU seconds so far of every live chromium process (the browser's share)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if "chrom" in (proc / "comm").read_text():
                total += cpu_seconds(int(proc.name))
        except OSError:  # gone meanwhile
            continue
    return total


def renice_browsers(niceness: int) -> None:
    """Lower the priority of every chromium process, so the server gets the CPU it asks for first
    (in production the browsers are on the users' machines, not the server's)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and "chrom" in (proc / "comm").read_text():
                os.setpriority(os.PRIO_PROCESS, int(proc.name), niceness)
        except OSError:
            continue


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def engine_epochs_per_s(seconds: float = 2.0) -> float:
    from bpdash.config import ExperimentConfig
    from bpdash.experiment import build

    exp = build(ExperimentConfig())
    exp.trainer.fit(200)
    start, epoch0 = time.perf_counter(), exp.trainer.epoch
    while time.perf_counter() - start < seconds:
        exp.trainer.fit(500)
    return (exp.trainer.epoch - epoch0) / (time.perf_counter() - start)


def measure(browser, url: str, n: int, seconds: float, settle: float, speed: str, server_pid: int,
            nice: int = 10) -> dict:
    """n sessions playing at once: per-session updates/s and epochs/s, and the CPU they took."""
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(n)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(url)
        for page in pages:
            page.wait_for_selector("[data-testid='stMetricValue']", timeout=180_000)
            page.wait_for_selector(IDLE, timeout=180_000)
        if speed != "max":
            for page in pages:
                page.get_by_role("combobox", name="Play speed", exact=True).click()
                page.get_by_role("option", name=speed, exact=True).click()
                page.wait_for_selector(IDLE, timeout=60_000)
        if nice:
            renice_browsers(nice)  # the pages' renderer processes exist by now
        for page in pages:
            page.get_by_role("button", name="▶ Play").click()
        time.sleep(settle)
        for page in pages:
            page.evaluate(SAMPLER)
        cpu0, browser0, (busy0, total0) = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy()
        t0 = time.perf_counter()
        time.sleep(seconds)
        seen = [page.evaluate("() => { clearInterval(window._sampler); return window._seen; }") for page in pages]
        elapsed = time.perf_counter() - t0
        cpu1, browser1, (busy1, total1) = cpu_seconds(server_pid), browser_cpu_seconds(), machine_busy()
    finally:
        for context in contexts:
            context.close()
    updates, epochs = [], []
    for samples in seen:
        changes = samples[1:]  # samples[0] is the value already shown when sampling began
        updates.append(len(changes) / elapsed)
        epochs.append((samples[-1][1] - samples[0][1]) / elapsed if len(samples) > 1 else 0.0)
    return dict(n=n, updates=updates, epochs=epochs, server_cpu=(cpu1 - cpu0) / elapsed,
                browser_cpu=(browser1 - browser0) / elapsed, machine=(busy1 - busy0) / max(1, total1 - total0) * os.cpu_count(), load=os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", default="1,2,3,4,6,8", help="session counts to try, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="sampling time per count")
    parser.add_argument("--settle", type=float, default=4.0, help="seconds of Play before sampling")
    parser.add_argument("--speed", default="max", help='Play speed ("max", "500 epochs/s", ...)')
    parser.add_argument("--nice", type=int, default=10,
                        help="niceness given to chromium's processes (0: same priority as the server)")
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
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; engine alone (Trainer.fit, default "
          f"experiment): {engine:,.0f} epochs/s; Play speed {args.speed}; {args.seconds:g} s per count; "
          f"chromium at nice {args.nice}\n")
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = serve(port, "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", "1",
                       log=log, env={k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")}, wait_s=60)
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                url = f"http://127.0.0.1:{port}/"
                measure(browser, url, 1, 2.0, 1.0, args.speed, server.pid)  # warm-up: imports, caches
                print("| sessions | chart updates/s per session: min / median | epochs/s per session "
                      "(median) | epochs/s, all sessions | server CPU | chromium CPU | machine busy | load |")
                print("|---|---|---|---|---|---|---|---|")
                for n in counts:
                    row = measure(browser, url, n, args.seconds, args.settle, args.speed, server.pid, args.nice)
                    rows.append(row)
                    print(f"| {n} | {min(row['updates']):.2f} / {statistics.median(row['updates']):.2f} | "
                          f"{statistics.median(row['epochs']):,.0f} | {sum(row['epochs']):,.0f} "
                          f"({sum(row['epochs']) / engine:.0%} of the engine) | {row['server_cpu']:.2f} | "
                          f"{row['browser_cpu']:.2f} | {row['machine']:.2f} of {os.cpu_count()} | "
                          f"{row['load']:.1f} |", flush=True)
                    time.sleep(2)  # closed sessions are dropped (TTL 1 s) before the next count
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    sustained = [r["n"] for r in rows if min(r["updates"]) >= TARGET_UPDATES * TOLERANCE]
    best = max(sustained) if sustained else 0
    print(f"\nSustained at ≥ {TARGET_UPDATES:g} chart updates/s (≥ {TARGET_UPDATES * TOLERANCE:g} measured, the "
          f"tick rate being the ceiling) in every session: {best} session(s) (of {', '.join(map(str, counts))}).")
    print("Columns: CPU in cores, averaged over the sampling time; chromium is every chromium process "
          "(all the pages); machine busy includes anything else running.")


if __name__ == "__main__":
    main()
