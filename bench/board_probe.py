"""What the benches read in the browser: the Overview's board as the user sees it.

The board (bpdash/ui/board) counts on each canvas the frames it has drawn (``data-frames``) and
shows the epoch (``data-epoch``); a redraw counts when every panel repainted with a new frame.
Scripts here run inside the page, so times are the browser's own (``performance.now()``).
"""
from __future__ import annotations

import os
from pathlib import Path

# Installed before the page's own scripts: when the websocket opened and brought its first
# message, and when the board first drew (each animation frame looks for it until then).
# The page has no script run going (Streamlit's own marker on its root)
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Chromium headless as the benches run it: no network chatter, and pages in the background are
# not throttled (several sessions' pages are open at once)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]


def engine_epochs_per_s(seconds: float = 2.0) -> float:
    """``Trainer.fit`` alone on the default experiment, epochs a second (after a warm-up)."""
    import time

    from bpdash.config import ExperimentConfig
    from bpdash.experiment import build

    exp = build(ExperimentConfig())
    exp.trainer.fit(200)
    start, epoch0 = time.perf_counter(), exp.trainer.epoch
    while time.perf_counter() - start < seconds:
        exp.trainer.fit(500)
    return (exp.trainer.epoch - epoch0) / (time.perf_counter() - start)


FIRST_PAINT = """(() => {
  const marks = window.__marks = {};
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Socket(...args);
    socket.addEventListener('open', () => { marks.socketOpen ??= performance.now(); });
    socket.addEventListener('message', () => { marks.firstMessage ??= performance.now(); });
    return socket;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, Socket);
  const look = () => {
    for (const host of document.querySelectorAll('*')) {
      const board = host.shadowRoot && host.shadowRoot.querySelector('.board');
      if (board && +(board.querySelector('canvas').dataset.frames || 0) > 0) {
        marks.firstChart = performance.now(); return; }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();"""

NAVIGATION = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {html: n.responseEnd, domReady: n.domContentLoadedEventEnd, loaded: n.loadEventEnd, ...window.__marks}; }"""

# Samples the board at every animation frame: [time, epoch] whenever all panels have repainted.
SAMPLER = """() => { let board = null;
  for (const host of document.querySelectorAll('*'))
    if (host.shadowRoot && host.shadowRoot.querySelector('.board')) board = host.shadowRoot.querySelector('.board');
  window._seen = []; window._draw = [];
  let last = null;
  const look = () => {
    if (window._stop) return;
    const frames = Array.from(board.querySelectorAll('canvas')).map(c => +(c.dataset.frames || 0));
    const least = Math.min(...frames);
    if (least !== last) { last = least; window._seen.push([performance.now(), +board.dataset.epoch]);
                          window._draw.push(+board.dataset.drawMs); }
    requestAnimationFrame(look);
  };
  look(); }"""

SAMPLED = "() => { window._stop = true; return [window._seen, window._draw]; }"

EPOCH = """() => { for (const host of document.querySelectorAll('*')) {
    const board = host.shadowRoot && host.shadowRoot.querySelector('.board');
    if (board) return +board.dataset.epoch; } return null; }"""


def rates(seen) -> tuple[float, float]:
    """(redraws/s, epochs/s) from samples ``[time ms, epoch]``; the first sample is what was shown
    when sampling began."""
    if len(seen) < 3:
        return 0.0, 0.0
    (t0, e0), (t1, e1) = seen[1], seen[-1]
    seconds = (t1 - t0) / 1000
    return (len(seen) - 2) / seconds, (e1 - e0) / seconds


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds() -> float:
    """CPU seconds so far of every chromium process (the browser's share)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if "chrom" in (proc / "comm").read_text():
                    total += cpu_seconds(int(proc.name))
            except OSError:  # gone meanwhile
                continue
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} CPUs"


def renice_browsers(niceness: int) -> None:
    """Lower the priority of every chromium process, so the server gets the CPU it asks for first
    (in production the browsers are on the users' machines, not the server's)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and "chrom" in (proc / "comm").read_text():
                os.setpriority(os.PRIO_PROCESS, int(proc.name), niceness)
        except OSError:
            continue
