"""The plugin system as a plugin author meets it: loading, checking, reporting.

Every test builds its own registry with ``bpdash.load_plugins(...)``; plugin files are written
into ``tmp_path``. The built-ins are tested in test_builtin_plugins.py, the installed example
package (entry points) in test_plugin_package.py.
"""
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import bpdash
from bpdash.plugins import PluginLoadError
from plugin_helpers import activation_plugin, assert_builtins_intact, by_name, central_difference, write_plugin

ROOT = Path(__file__).resolve().parent.parent
SOFTPLUS = ROOT / "examples" / "softplus_plugin" / "softplus.py"

# --- folder plugins -----------------------------------------------------------------------------

def test_softplus_example_loads_and_trains_a_network(tmp_path):
    shutil.copy(SOFTPLUS, tmp_path / "softplus.py")
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == []
    [info] = by_name(reg, "softplus")
    assert (info.status, info.source, info.provides) == ("ok", str(tmp_path), ("softplus",))
    assert_builtins_intact(reg)

    net = bpdash.Network([2, 3, 1], ["softplus", "sigmoid"], seed=0, registry=reg)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert net.forward(X).shape == (4, 1)
    grads = net.backprop(X, Y)
    # ∂J/∂θ from backprop agrees with a central difference of J through the softplus layer.
    W, h = net.weights[0], 1e-6
    for j, k in np.ndindex(W.shape):
        W[j, k] += h
        up = net.backprop(X, Y).cost
        W[j, k] -= 2 * h
        down = net.backprop(X, Y).cost
        W[j, k] += h
        assert grads.weights[0][j, k] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_softplus_values(tmp_path):
    shutil.copy(SOFTPLUS, tmp_path / "softplus.py")
    act = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False).activations["softplus"]
    assert act.f(np.array([0.0]))[0] == pytest.approx(np.log(2.0), rel=1e-15)
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(act.f(z), np.log1p(np.exp(z)), rtol=1e-12)
    np.testing.assert_allclose(act.df(z, act.f(z)), central_difference(act.f, z), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(act.df(z, act.f(z)), 1 / (1 + np.exp(-z)), rtol=1e-9, atol=1e-15)
    big = np.array([-800.0, 800.0])
    np.testing.assert_array_equal(act.f(big), [0.0, 800.0])
    np.testing.assert_array_equal(act.df(big, act.f(big)), [0.0, 1.0])


def test_extra_dirs_accepts_strings(tmp_path):
    shutil.copy(SOFTPLUS, tmp_path / "softplus.py")
    reg = bpdash.load_plugins(extra_dirs=[str(tmp_path)], entry_points=False)
    assert reg.errors == [] and "softplus" in reg.activations


def test_underscore_files_are_not_plugins(tmp_path):
    write_plugin(tmp_path, "_helper", "raise RuntimeError('a helper must not be loaded')\n")
    write_plugin(tmp_path, "double", activation_plugin("double"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and "double" in reg.activations and not by_name(reg, "_helper")


def test_plugins_dir_env_with_two_folders(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    write_plugin(first, "double", activation_plugin("double"))
    write_plugin(second, "triple", activation_plugin("triple", "lambda z: 3.0 * z",
                                                     "lambda z: np.full_like(z, 3.0)"))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", os.pathsep.join([str(first), str(second)]))
    reg = bpdash.load_plugins(entry_points=False)  # no extra_dirs: the variable decides
    assert reg.errors == []
    assert by_name(reg, "double")[0].source == str(first)
    assert by_name(reg, "triple")[0].source == str(second)
    assert {"double", "triple"} <= set(reg.activations)
    # and the process-wide registry the engine uses by default sees them too
    net = bpdash.Network([1, 2, 1], ["double", "triple"], seed=0)
    assert "triple" in net.registry.activations


def test_same_folder_twice_loads_once(tmp_path, monkeypatch):
    write_plugin(tmp_path, "double", activation_plugin("double"))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", os.pathsep.join([str(tmp_path), str(tmp_path)]))
    reg = bpdash.load_plugins(entry_points=False)
    assert reg.errors == [] and len(by_name(reg, "double")) == 1


def test_missing_plugin_folder_is_reported(tmp_path):
    missing = tmp_path / "nowhere"
    write_plugin(tmp_path / "real", "double", activation_plugin("double"))
    reg = bpdash.load_plugins(extra_dirs=[missing, tmp_path / "real"], entry_points=False)
    [problem] = reg.errors
    assert str(missing) in problem.message and "does not exist" in problem.message
    assert "double" in reg.activations


def test_each_registry_is_independent(tmp_path):
    write_plugin(tmp_path, "double", activation_plugin("double"))
    with_plugin = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    again = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    without = bpdash.load_plugins(extra_dirs=[], entry_points=False)
    assert again.errors == [] and "double" in again.activations
    assert with_plugin.activations["double"] is not again.activations["double"]
    assert "double" not in without.activations


# --- failure modes ------------------------------------------------------------------------------
# Each case: the bad plugin's source, and words its message must contain. A sound plugin sits
# beside it in the same folder and must still load.

FAILURES = {
    "syntax_error": ("def register_activations(:\n    return []\n", ["SyntaxError", "line"]),
    "raises_on_import": ("raise RuntimeError('needs a GPU')\n",
                         ["RuntimeError", "needs a GPU", "import"]),
    "raises_in_hook": ("""
        @hookimpl
        def register_activations():
            raise ValueError('table not found')
        """, ["ValueError", "table not found", "register_activations"]),
    "returns_record_not_list": ("""
        @hookimpl
        def register_activations():
            return Activation('single', lambda z: z, lambda z: np.ones_like(z))
        """, ["register_activations", "returned Activation", "expected a list"]),
    "returns_none": ("""
        @hookimpl
        def register_activations():
            pass
        """, ["returned NoneType", "expected a list"]),
    "wrong_record_type": ("""
        @hookimpl
        def register_activations():
            return [Cost('mse', lambda a, y: 0.0, lambda a, y: a * 0)]
        """, ["register_activations", "returned a Cost", "expected Activation"]),
    "dict_record": ("""
        @hookimpl
        def register_activations():
            return [{'name': 'dicty', 'f': abs}]
        """, ["returned a dict", "expected Activation", "from bpdash import Activation"]),
    "wrong_shape": (activation_plugin("flat", "lambda z: np.ravel(2.0 * z)"),
                    ["'flat'", "f(z)", "shape (64,)", "expected (8, 8)"]),
    "returns_nan": (activation_plugin("nanny", "lambda z: z * np.nan"),
                    ["'nanny'", "f(z)", "non-finite"]),
    "returns_list": (activation_plugin("listy", "lambda z: (2.0 * z).tolist()"),
                     ["'listy'", "f(z)", "returned list", "numpy array"]),
    "scalar_df": (activation_plugin("scalar", df="lambda z: 2.0"),
                  ["'scalar'", "df(z, a)", "returned float", "numpy array"]),
    "wrong_derivative": (activation_plugin("square", "lambda z: z * z", "lambda z: z"),
                         ["'square'", "derivative", "gives -4", "central difference"]),
    "wrong_derivative_from_a": (activation_plugin("scaled", df="lambda z, a: a"),
                                ["'scaled'", "df(z, f(z)) gives", "where a = f(z)"]),
    "old_df_from_a_keyword": (activation_plugin("old", extra=", df_from_a=lambda a: a"),
                              ["register_activations", "TypeError", "df_from_a"]),
    "f_raises": (activation_plugin("broken", "lambda z: z.nonexistent"),
                 ["'broken'", "AttributeError", "nonexistent"]),
    "modifies_input": ("""
        def double_in_place(z):
            z *= 2.0
            return z

        @hookimpl
        def register_activations():
            return [Activation('inplace', double_in_place, lambda z: np.full_like(z, 2.0))]
        """, ["'inplace'", "f(z)", "changed its input in place"]),
    "misspelled_hook": ("""
        @hookimpl
        def register_activation():
            return [Activation('typo', lambda z: z, lambda z: np.ones_like(z))]
        """, ["unknown hook", "register_activation'", "did you mean 'register_activations'"]),
    "hook_with_argument": ("""
        @hookimpl
        def register_activations(registry):
            return []
        """, ["register_activations", "registry"]),
    "clash_within_plugin": ("""
        @hookimpl
        def register_activations():
            return [Activation('twice', lambda z: z, lambda z: np.ones_like(z))] * 2
        """, ["'twice'", "registered twice"]),
    "exits_on_import": ("import sys\nsys.exit(3)\n", ["sys.exit(3)"]),
    "exits_without_code": ("import sys\nsys.exit()\n", ["sys.exit()"]),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failing_plugin_is_reported_and_others_load(tmp_path, registry, case):
    body, words = FAILURES[case]
    write_plugin(tmp_path, case, body)
    write_plugin(tmp_path, "zz_good", activation_plugin("double"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)

    [problem] = reg.errors
    assert (problem.plugin, problem.source) == (case, str(tmp_path))
    for word in words:
        assert word in problem.message, f"{word!r} not in {problem.message!r}"
    [info] = by_name(reg, case)
    assert info.status == "error" and info.provides == ()
    assert by_name(reg, "zz_good")[0].status == "ok"
    assert set(reg.activations) == set(registry.activations) | {"double"}
    assert_builtins_intact(reg)


def test_failed_plugin_is_unregistered_and_its_records_discarded(tmp_path):
    # The first activation is sound, the second is not: neither may reach the registry.
    write_plugin(tmp_path, "half_good", """
        @hookimpl
        def register_activations():
            return [Activation('fine', lambda z: z, lambda z: np.ones_like(z)),
                    Activation('bad', lambda z: z, lambda z: np.zeros_like(z))]
        """)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert "fine" not in reg.activations and "bad" not in reg.activations
    assert ("activations", "fine") not in reg.origin
    assert "'bad'" in reg.errors[0].message


def test_failing_plugin_does_not_leak_a_module(tmp_path):
    write_plugin(tmp_path, "raises_on_import", "raise RuntimeError('nope')\n")
    before = set(sys.modules)
    bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert not [m for m in set(sys.modules) - before if m.endswith("raises_on_import")]


def test_clash_with_builtin_names_both_sources(tmp_path):
    write_plugin(tmp_path, "my_sigmoid", activation_plugin("sigmoid"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    [problem] = reg.errors
    assert problem.plugin == "my_sigmoid"
    assert "plugin 'sigmoid' (builtin)" in problem.message
    assert f"plugin 'my_sigmoid' ({tmp_path})" in problem.message
    assert "rename" in problem.message
    assert by_name(reg, "my_sigmoid")[0].status == "error"
    assert reg.origin[("activations", "sigmoid")] == "plugin 'sigmoid' (builtin)"
    assert reg.activations["sigmoid"].f(np.array([0.0]))[0] == 0.5  # still the built-in


def test_two_clashing_folder_plugins_first_wins(tmp_path):
    write_plugin(tmp_path, "alpha", activation_plugin("double"))
    write_plugin(tmp_path, "beta", activation_plugin("double"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    [problem] = reg.errors
    assert problem.plugin == "beta"
    assert f"plugin 'alpha' ({tmp_path})" in problem.message
    assert f"plugin 'beta' ({tmp_path})" in problem.message
    assert by_name(reg, "alpha")[0].status == "ok"
    assert by_name(reg, "beta")[0].status == "error"
    assert reg.origin[("activations", "double")] == f"plugin 'alpha' ({tmp_path})"


def test_same_file_name_in_two_folders_clash_by_record_not_by_module(tmp_path):
    write_plugin(tmp_path / "one", "double", activation_plugin("double"))
    write_plugin(tmp_path / "two", "double", activation_plugin("double"))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path / "one", tmp_path / "two"], entry_points=False)
    [problem] = reg.errors
    assert problem.source == str(tmp_path / "two")
    assert str(tmp_path / "one") in problem.message and str(tmp_path / "two") in problem.message


# --- strict mode --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_strict_env_raises(tmp_path, monkeypatch, value):
    write_plugin(tmp_path, "raises_on_import", "raise RuntimeError('needs a GPU')\n")
    monkeypatch.setenv("BPDASH_STRICT_PLUGINS", value)
    with pytest.raises(PluginLoadError, match=r"plugin 'raises_on_import'.*needs a GPU"):
        bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)


@pytest.mark.parametrize("value", ["0", "false", "False", "no", ""])
def test_strict_env_off_values(tmp_path, monkeypatch, value):
    write_plugin(tmp_path, "raises_on_import", "raise RuntimeError('needs a GPU')\n")
    monkeypatch.setenv("BPDASH_STRICT_PLUGINS", value)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert len(reg.errors) == 1


def test_strict_argument_overrides_env(tmp_path, monkeypatch):
    write_plugin(tmp_path, "square", activation_plugin("square", "lambda z: z * z", "lambda z: z"))
    with pytest.raises(PluginLoadError, match="derivative"):
        bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False, strict=True)
    monkeypatch.setenv("BPDASH_STRICT_PLUGINS", "1")
    assert len(bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False, strict=False).errors) == 1


def test_strict_mode_passes_when_all_plugins_are_sound(tmp_path, monkeypatch):
    shutil.copy(SOFTPLUS, tmp_path / "softplus.py")
    monkeypatch.setenv("BPDASH_STRICT_PLUGINS", "1")
    assert bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False).errors == []


def test_missing_builtin_folder_always_raises(monkeypatch, tmp_path):
    monkeypatch.setattr(bpdash.plugins, "builtin_dir", lambda: tmp_path / "gone")
    with pytest.raises(PluginLoadError, match="built-in plugins"):
        bpdash.load_plugins(extra_dirs=[], entry_points=False)


def test_broken_builtin_always_raises(monkeypatch, tmp_path):
    write_plugin(tmp_path, "sigmoid", activation_plugin("sigmoid", df="lambda z: z"))
    monkeypatch.setattr(bpdash.plugins, "builtin_dir", lambda: tmp_path)
    with pytest.raises(PluginLoadError, match=r"plugin 'sigmoid' \(builtin\)"):
        bpdash.load_plugins(extra_dirs=[], entry_points=False, strict=False)
