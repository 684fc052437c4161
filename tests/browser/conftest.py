"""Real-browser fixtures: a `streamlit run app.py` server and Debian's chromium driven by Playwright.

The server runs from the repository root (so it reads .streamlit/config.toml, as hosting does)
on 127.0.0.1 and a free port, with BPDASH_PLUGINS_DIR pointing at a temporary folder that
holds a custom activation plugin (a copy of examples/softplus_plugin/softplus.py). Chromium is
/usr/bin/chromium (or BPDASH_CHROMIUM); Playwright's own browser download is never used.

Every test that needs a browser is skipped, with the reason, when the playwright package or
chromium is missing; with BPDASH_REQUIRE_BROWSER=1 (as .ci/run sets) they fail instead, so
CI never passes without running them. Screenshots go to test-output/screenshots/<name>.png.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
SOFTPLUS = ROOT / "examples" / "softplus_plugin" / "softplus.py"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 # many pages at once: keep every page's timers running as if it were in front
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
VIEWPORT = {"width": 1440, "height": 900}  # the first screen the Overview must fit
STARTUP_S = 60


def chromium_path() -> str | None:
    for candidate in (os.environ.get("BPDASH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing_browser() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright; .ci/run does)"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium; .ci/run does)"
    return None


def require_browser() -> None:
    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("BPDASH_REQUIRE_BROWSER", "").strip() not in ("", "0"):
        pytest.fail(f"BPDASH_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@dataclass
class Server:
    """A running `streamlit run app.py`."""

    process: subprocess.Popen
    port: int
    log: Path
    plugins_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS), in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(workdir: Path, *options: str, **env: str) -> Server:
    """Start the app with a custom plugin folder under ``workdir`` and the environment variables
    ``env``; wait for /_stcore/health."""
    plugins = workdir / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOFTPLUS, plugins / "softplus.py")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")},
           "BPDASH_PLUGINS_DIR": str(plugins), "PYTHONUNBUFFERED": "1", **env}
    log = workdir / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--server.runOnSave", "false", *options]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log, plugins)
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {STARTUP_S} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """`streamlit run app.py` for the browser scenarios, shared by them."""
    require_browser()
    server = start_server(tmp_path_factory.mktemp("app_server"))
    yield server
    server.stop()


@pytest.fixture
def context(browser):
    """A fresh browser context (its own cookies: its own Streamlit session) per test."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def page(context, request):
    """A page of a fresh context; on failure, a screenshot to test-output/screenshots/FAILED-<test>.png."""
    page = context.new_page()
    yield page
    if getattr(request.node, "browser_test_failed", False):
        try:
            screenshot(page, f"FAILED-{request.node.name}")
        except Exception:  # the page may be gone; the failure itself is what matters
            pass


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-output/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shoot():
    return screenshot


class UI:
    """What the scenarios do and read on the page, with robust selectors (roles, labels, test ids)."""

    IDLE = IDLE

    @staticmethod
    def open(page, url: str) -> None:
        """Load ``url`` and wait until the first script run has finished and drawn the metrics
        (the Overview's board, or the st.metric row of another view)."""
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=STARTUP_S * 1000)
        UI.metric_value(page, "Epoch").wait_for(timeout=STARTUP_S * 1000)
        UI.assert_clean(page)

    @staticmethod
    def idle(page, timeout_s: float = 30) -> None:
        page.wait_for_selector(IDLE, timeout=timeout_s * 1000)

    @staticmethod
    def assert_clean(page) -> None:
        """No exception box anywhere on the page."""
        boxes = page.locator("[data-testid='stException']")
        assert boxes.count() == 0, boxes.all_inner_texts()

    @staticmethod
    def sidebar(page):
        return page.locator("[data-testid='stSidebar']")

    @staticmethod
    def metric_value(page, label: str):
        """The value of the metric labelled exactly ``label``: on the Overview's board, or an
        st.metric (the first, should a stale copy linger while a run replaces it)."""
        board = page.locator(f".board [data-metric='{label}'] .value")  # Playwright's CSS sees into the board
        metric = page.locator("[data-testid='stMetric']").filter(
            has=page.get_by_text(label, exact=True)).locator("[data-testid='stMetricValue']")
        return board.or_(metric).first

    @staticmethod
    def metric(page, label: str) -> str:
        return UI.metric_value(page, label).inner_text().strip()

    @staticmethod
    def expect_epoch(page, epoch: int, timeout_s: float = 30) -> None:
        from playwright.sync_api import expect

        expect(UI.metric_value(page, "Epoch")).to_have_text(f"{epoch:,}", timeout=timeout_s * 1000)

    @staticmethod
    def epoch(page) -> int:
        return int(UI.metric(page, "Epoch").replace(",", ""))

    @staticmethod
    def caption(page) -> str:
        """The header line describing the session's network, η and data ("Network 2-4-1 ...")."""
        return page.locator("[data-testid='stCaptionContainer']").filter(
            has_text="Network ").first.inner_text().strip()

    @staticmethod
    def charts(page) -> list:
        """Per plotly chart, per trace: (points, last x): changes whenever a chart is redrawn
        with more history."""
        return page.evaluate("""() => Array.from(document.querySelectorAll(
            "[data-testid='stPlotlyChart'] .js-plotly-plot")).map(g => (g._fullData || []).map(
            t => t.x ? [t.x.length, t.x.length ? Number(t.x[t.x.length - 1]) : null] : null))""")

    # The Overview's board: its panels are canvases inside the component's shadow root.
    BOARD = """() => { for (const host of document.querySelectorAll('*'))
        if (host.shadowRoot && host.shadowRoot.querySelector('.board')) return host.shadowRoot.querySelector('.board');
        return null; }"""

    @staticmethod
    def panels(page) -> dict:
        """Each board panel's picture, as a short digest of its pixels, by panel name."""
        return page.evaluate(f"""() => {{ const board = ({UI.BOARD})(); const found = {{}};
            for (const c of board.querySelectorAll('canvas')) {{ const url = c.toDataURL(); let h = 0;
                for (let i = 0; i < url.length; i += 7) h = (h * 31 + url.charCodeAt(i)) | 0;
                found[c.closest('.panel').classList[1]] = h; }}
            return found; }}""")

    @staticmethod
    def panel_boxes(page) -> dict:
        """Each board panel's canvas's box on the page (x, y, width, height)."""
        return {name: page.locator(f".board .panel.{name} canvas").bounding_box()
                for name in ("network", "data", "cost")}

    @staticmethod
    def set_number(page, label: str, value) -> None:
        box = UI.sidebar(page).get_by_role("spinbutton", name=label, exact=True)
        box.fill(str(value))
        box.press("Enter")

    @staticmethod
    def open_list(scope, page, label: str):
        """Open the selectbox ``label``'s list. A click that first scrolls the box into view
        may only focus it, so click until the list is open (a few tries)."""
        box = scope.get_by_role("combobox", name=label, exact=True)
        for _ in range(4):
            box.click()
            try:
                page.get_by_role("option").first.wait_for(state="visible", timeout=2000)
                return box
            except Exception:  # not open yet: click again
                page.keyboard.press("Escape")
        raise AssertionError(f"the list of {label!r} does not open")

    @staticmethod
    def choose(scope, page, label: str, option: str) -> None:
        UI.open_list(scope, page, label)
        page.get_by_role("option", name=option, exact=True).click()

    @staticmethod
    def options(scope, page, label: str) -> list:
        UI.open_list(scope, page, label)
        found = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        return [o.strip() for o in found]


@pytest.fixture
def ui():
    return UI


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory):
    """``start(*streamlit_options, **environment)`` starts another server (stopped at the end of
    the run)."""
    require_browser()
    started = []

    def start(*options: str, **env: str) -> Server:
        server = start_server(tmp_path_factory.mktemp("server"), *options, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
