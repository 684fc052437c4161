"""Starting `streamlit run app.py` on loopback for the benches that drive a real server."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve(port: int, *options: str, log=subprocess.DEVNULL, env=None, wait_s: float = 60,
          cpus=None) -> subprocess.Popen:
    """The server on 127.0.0.1:``port`` with extra ``options``, once /_stcore/health answers ok;
    ``cpus``: the CPU numbers it (every thread of it) may run on (None: any)."""
    pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         *options],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=pin)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the streamlit server did not come up")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
