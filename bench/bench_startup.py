"""What trying folder plugins' imports in a child process costs at start-up.

    python bench/bench_startup.py              # 7 rounds
    python bench/bench_startup.py --rounds 15

Each measure runs in a fresh Python (as a new server or CLI does), with BPDASH_PLUGINS_DIR set to
a folder holding examples/softplus_plugin, once with the default BPDASH_PLUGIN_TIMEOUT (imports
tried in a child first) and once with BPDASH_PLUGIN_TIMEOUT=off (no child), alternating, and
prints medians and the ratio on ÷ off:

- ``load_plugins()``: the registry alone, as the CLI and the server's first session build it.
- first page: ``AppTest.run()`` of app.py, the first script run a new server makes for its first
  visitor (registry, data, network, page), measured inside the process.
- no plugin folder: ``load_plugins()`` with the default limit and no BPDASH_PLUGINS_DIR, against
  the same with the limit off: there is no child then, so the ratio should be 1.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOAD = """
import time
t = time.perf_counter()
import bpdash
bpdash.load_plugins()
print(time.perf_counter() - t)
"""
PAGE = """
import time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
t = time.perf_counter()
at.run()
assert not at.exception, at.exception
print(time.perf_counter() - t)
"""


def timed(code: str, env: dict) -> float:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return float(done.stdout.split()[-1])


def compare(code: str, env_on: dict, env_off: dict, rounds: int) -> tuple[float, float]:
    on, off = [], []
    for _ in range(rounds):
        on.append(timed(code, env_on))
        off.append(timed(code, env_off))
    return statistics.median(on), statistics.median(off)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    base = {k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")}
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ROOT / "examples" / "softplus_plugin" / "softplus.py", folder)
        with_folder = {**base, "BPDASH_PLUGINS_DIR": folder}
        rows = [
            ("load_plugins(), one folder plugin", LOAD, with_folder),
            ("first page (AppTest.run), one folder plugin", PAGE.format(app=str(ROOT / "app.py")), with_folder),
            ("load_plugins(), no plugin folder", LOAD, base),
        ]
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; medians of {rounds} fresh processes\n")
        print("| measure | limit on (child first) | limit off | on ÷ off |\n|---|---|---|---|")
        for label, code, env in rows:
            on, off = compare(code, env, {**env, "BPDASH_PLUGIN_TIMEOUT": "off"}, rounds)
            print(f"| {label} | {on * 1000:.0f} ms | {off * 1000:.0f} ms | {on / off:.2f} |", flush=True)
        print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
