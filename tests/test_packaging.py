"""A normal install: ``pip install .`` (not editable) gives a complete bpdash, its built-in
plugins and Streamlit settings inside the package, the ``bpdash`` console script, and a
dashboard that starts from the installed package alone (the session's ``installed`` fixture).

Every process here runs from a folder outside the checkout, with the install first on its
module path, and checks that the bpdash it imported is the installed one.
"""
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pandas as pd

from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.ui.launch import settings_options
from installing import ROOT, environment
from ports import free_port


def listed_packages() -> dict:
    """pyproject.toml's packages, name → folder in the checkout."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped = setuptools.get("package-dir", {})
    return {name: ROOT / mapped.get(name, name.replace(".", "/")) for name in setuptools["packages"]}


def test_every_package_folder_is_listed_for_the_build():
    folders = {path.parent for path in (ROOT / "bpdash").rglob("*.py") if "__pycache__" not in path.parts}
    listed = set(listed_packages().values())
    assert folders <= listed, f"add to pyproject.toml's packages: {sorted(map(str, folders - listed))}"
    assert all(folder.is_dir() for folder in listed)


def requirements(path: Path) -> dict:
    """Name → Requirement of a requirements file's lines (options, -r and -e lines left out)."""
    from packaging.requirements import Requirement

    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    found = [Requirement(line) for line in lines if line and not line.startswith("-")]
    return {r.name.lower(): r for r in found}


def lower_bounds(requirement) -> set:
    return {spec.version for spec in requirement.specifier if spec.operator == ">="}


def test_the_requirement_files_and_pyproject_agree():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {r.name.lower(): r for r in map(Requirement, project["dependencies"])}
    hosted = requirements(ROOT / "requirements.txt")
    assert set(hosted) == set(needed)
    assert all(lower_bounds(hosted[name]) == lower_bounds(needed[name]) for name in needed), (hosted, needed)
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    assert [line for line in lines if line] == ["-r requirements.txt", "-e .[dev]"]  # the dev extra, said once


def run_installed(target: Path, *command: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), cwd=cwd, env=environment(target, **env), capture_output=True,
                          text=True, timeout=300)


def test_the_install_holds_every_module_and_the_shipped_files(installed):
    for name, folder in listed_packages().items():
        inside = installed / name.replace(".", "/")
        for module in folder.glob("*.py"):
            assert (inside / module.name).is_file(), f"{module.relative_to(ROOT)} is missing from the install"
    shipped = installed / "bpdash" / "streamlit_settings" / "config.toml"
    assert shipped.read_bytes() == (ROOT / ".streamlit" / "config.toml").read_bytes()
    assert (installed / "bin" / "bpdash").is_file()


def test_installed_bpdash_loads_its_builtin_plugins_from_the_package(installed, tmp_path):
    where = run_installed(installed, sys.executable, "-c",
                          "import bpdash, bpdash.shipped as s; print(bpdash.__file__); "
                          "print(s.builtin_plugins_dir()); print(s.streamlit_settings_file())", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    module, plugins, settings = where.stdout.split()
    assert Path(module).is_relative_to(installed)
    assert Path(plugins) == installed / "bpdash" / "builtin_plugins"
    assert Path(settings) == installed / "bpdash" / "streamlit_settings" / "config.toml"
    listing = run_installed(installed, "bpdash", "plugins", "--strict", cwd=tmp_path)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    for name in ("sigmoid", "tanh", "linear", "relu", "costs", "initializers", "datasets", "optimizers"):
        assert any(line.split()[:3] == ["ok", name, "builtin"] for line in listing.stdout.splitlines()), name
    assert "swish" in listing.stdout  # and the plugin package installed beside it


def test_the_console_script_trains_as_the_engine_does(installed, tmp_path):
    config = ExperimentConfig(dataset="xor", n_samples=80, hidden=(4,), activations=("tanh",), epochs=15)
    path, out = tmp_path / "exp.json", tmp_path / "history.csv"
    path.write_text(config.to_json())
    result = run_installed(installed, "bpdash", "train", "--config", str(path), "--out", str(out), "--quiet",
                           cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = build(config).trainer.fit(config.epochs)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_exact=True, check_dtype=False)


def test_the_dashboard_settings_become_streamlit_options():
    options = settings_options()
    assert "--server.maxUploadSize=5" in options
    assert "--server.enableXsrfProtection=true" in options and "--browser.gatherUsageStats=false" in options
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert len(options) == sum(len(table) for table in settings.values())


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_bpdash_dashboard_serves_the_app_from_the_installed_package(installed, tmp_path):
    """``bpdash dashboard`` with streamlit options after it; Streamlit's script health check runs
    the page's script once in the server, from the install."""
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            ["bpdash", "dashboard", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--server.scriptHealthCheckEnabled", "true"],
            cwd=tmp_path, env=environment(installed), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/_stcore"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if get(f"{base}/health", timeout=2) == (200, "ok"):
                    break
            except OSError:
                pass
            time.sleep(0.3)  # not up yet, or up but not healthy yet
        assert server.poll() is None, log.read_text()
        assert get(f"{base}/script-health-check", timeout=120) == (200, "ok"), log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log.read_text()
