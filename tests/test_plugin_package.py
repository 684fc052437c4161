"""Plugins from an installed package: examples/bpdash-swish, installed for real with pip, is
found through its ``bpdash`` entry point (CI installs it first; otherwise the fixture does)."""
import importlib
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bpdash
from plugin_helpers import activation_plugin, assert_builtins_intact, by_name, central_difference, write_plugin

SWISH = Path(__file__).resolve().parent.parent / "examples" / "bpdash-swish"


def _swish_installed() -> bool:
    importlib.invalidate_caches()
    try:
        dist = importlib.metadata.distribution("bpdash-swish")
    except importlib.metadata.PackageNotFoundError:
        return False
    return (importlib.util.find_spec("bpdash_swish") is not None
            and any(ep.group == "bpdash" for ep in dist.entry_points))


@pytest.fixture(scope="session")
def swish_package(tmp_path_factory):
    """examples/bpdash-swish installed in this interpreter's environment (CI pre-installs it).

    When this fixture installs it, it uninstalls it again at the end of the session.
    """
    if _swish_installed():
        yield
        return
    pip = [sys.executable, "-m", "pip"]
    try:
        probe = subprocess.run(pip + ["--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"pip cannot run in this interpreter ({sys.executable}): {exc}")
    if probe.returncode != 0:
        pytest.skip(f"pip cannot run in this interpreter ({sys.executable}): {probe.stderr.strip()}")
    # Build from a copy so the build leaves no build/ or *.egg-info in the repository.
    source = tmp_path_factory.mktemp("swish") / "bpdash-swish"
    shutil.copytree(SWISH, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    done = subprocess.run(pip + ["install", "--no-deps", *isolation, str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"pip install {SWISH} failed:\n{done.stdout}\n{done.stderr}"
    assert _swish_installed(), "pip installed bpdash-swish but importlib.metadata cannot see it"
    yield
    subprocess.run(pip + ["uninstall", "--yes", "bpdash-swish"], capture_output=True, timeout=300)
    importlib.invalidate_caches()


def test_entry_point_plugin_loads(swish_package):
    reg = bpdash.load_plugins(extra_dirs=[], entry_points=True)
    assert reg.errors == []
    [info] = by_name(reg, "swish")
    assert info.status == "ok"
    assert "bpdash-swish" in info.source
    assert info.version == "0.1.0"
    assert info.provides == ("swish",)
    assert reg.origin[("activations", "swish")] == f"plugin 'swish' ({info.source})"
    assert_builtins_intact(reg)

    net = bpdash.Network([2, 4, 1], ["swish", "sigmoid"], seed=0, registry=reg)
    grads = net.backprop(np.array([[0.5, -1.0], [2.0, 0.1]]), np.array([[1.0], [0.0]]))
    assert np.isfinite(grads.cost) and all(np.isfinite(g).all() for g in grads.weights)


def test_entry_points_can_be_switched_off(swish_package):
    reg = bpdash.load_plugins(extra_dirs=[], entry_points=False)
    assert "swish" not in reg.activations and not by_name(reg, "swish")


def test_swish_values(swish_package):
    act = bpdash.load_plugins(extra_dirs=[], entry_points=True).activations["swish"]
    z = np.linspace(-10, 10, 401)
    np.testing.assert_allclose(act.f(z), z / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    # its df takes z alone; the loaded record's df takes (z, a), as every activation's does
    np.testing.assert_allclose(act.df(z, act.f(z)), central_difference(act.f, z), rtol=1e-6, atol=1e-9)
    zero = np.array([0.0])
    assert act.f(zero)[0] == 0.0 and act.df(zero, act.f(zero))[0] == 0.5
    big = np.array([-800.0, 800.0])
    np.testing.assert_array_equal(act.f(big), [0.0, 800.0])
    np.testing.assert_array_equal(act.df(big, act.f(big)), [0.0, 1.0])


def test_folder_plugin_clashing_with_entry_point_plugin(swish_package, tmp_path):
    # Folders load before entry points, so the folder's swish wins and the package is refused.
    write_plugin(tmp_path, "my_swish", activation_plugin("swish"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=True)
    [problem] = reg.errors
    assert problem.plugin == "swish" and "bpdash-swish" in problem.source
    assert f"plugin 'my_swish' ({tmp_path})" in problem.message
