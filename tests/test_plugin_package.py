"""Plugins from an installed package: examples/bpdash-swish, installed for real with pip (the
session's ``installed`` fixture), is found through its ``bpdash`` entry point."""
import importlib
import importlib.metadata
import sys

import numpy as np
import pytest

import bpdash
from plugin_helpers import activation_plugin, assert_builtins_intact, by_name, central_difference, write_plugin


@pytest.fixture(scope="module")
def swish_package(installed):
    """The install folder on this process's module path, so importlib.metadata finds bpdash-swish
    there and its entry point loads ``bpdash_swish`` from it; taken off again afterwards."""
    sys.path.insert(0, str(installed))
    importlib.invalidate_caches()
    dist = importlib.metadata.distribution("bpdash-swish")
    assert any(ep.group == "bpdash" for ep in dist.entry_points), "bpdash-swish lacks its entry point"
    assert str(dist.locate_file("")).startswith(str(installed)), "another bpdash-swish came first"
    yield
    sys.path.remove(str(installed))
    for name in [m for m in sys.modules if m == "bpdash_swish" or m.startswith("bpdash_swish.")]:
        del sys.modules[name]
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
