"""The built-in plugins in plugins/: their names, values, derivatives and saturation."""
import numpy as np
import pytest

import bpdash
from plugin_helpers import (BUILTIN_ACTIVATIONS, BUILTIN_COSTS, BUILTIN_INITIALIZERS, BUILTIN_PLUGINS,
                            by_name, central_difference)


def test_builtins_load_ok_with_expected_names(registry):
    assert registry.errors == []
    builtins = [p for p in registry.plugins if p.source == "builtin"]
    assert BUILTIN_PLUGINS <= {p.name for p in builtins}
    assert len(builtins) == len(registry.plugins)  # no folders, no entry points: built-ins only
    assert all(p.status == "ok" and p.provides for p in builtins)
    assert BUILTIN_ACTIVATIONS <= set(registry.activations)
    assert BUILTIN_COSTS <= set(registry.costs)
    assert BUILTIN_INITIALIZERS <= set(registry.initializers)
    assert by_name(registry, "sigmoid")[0].provides == ("sigmoid",)
    assert registry.origin[("activations", "tanh")] == "plugin 'tanh' (builtin)"


def test_registry_get_names_the_choices(registry):
    assert registry.get("activations", "tanh").name == "tanh"
    with pytest.raises(KeyError, match=r"unknown activation 'softmax'.*'relu'.*'tanh'"):
        registry.get("activations", "softmax")


def test_default_registry_is_loaded_once_and_reset(monkeypatch):
    first = bpdash.default_registry()
    assert bpdash.default_registry() is first
    assert BUILTIN_ACTIVATIONS <= set(first.activations)
    bpdash.plugins.reset_default_registry()
    assert bpdash.default_registry() is not first


@pytest.mark.parametrize("name", sorted(BUILTIN_ACTIVATIONS))
def test_builtin_derivatives_match_central_differences(registry, name):
    act = registry.activations[name]
    z = np.linspace(-6, 6, 241)
    z = z[np.abs(z) > 1e-3]  # relu has a kink at 0
    np.testing.assert_allclose(act.df(z, act.f(z)), central_difference(act.f, z), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(BUILTIN_ACTIVATIONS))
def test_builtin_activations_keep_shape_and_leave_input_alone(registry, name):
    act = registry.activations[name]
    z = np.linspace(-3, 3, 12).reshape(3, 4)
    before = z.copy()
    a = act.f(z)
    a_before = a.copy()
    assert a.shape == act.df(z, a).shape == (3, 4)
    np.testing.assert_array_equal(z, before)
    np.testing.assert_array_equal(a, a_before)


def test_sigmoid_values(registry):
    sigmoid = registry.activations["sigmoid"]
    zero = np.array([0.0])
    assert sigmoid.f(zero)[0] == 0.5
    assert sigmoid.df(zero, sigmoid.f(zero))[0] == 0.25
    z = np.linspace(-20, 20, 401)
    np.testing.assert_allclose(sigmoid.f(z), 0.5 * (1 + np.tanh(z / 2)), rtol=1e-12, atol=1e-15)


def test_tanh_matches_numpy(registry):
    z = np.linspace(-20, 20, 4001)
    np.testing.assert_allclose(registry.activations["tanh"].f(z), np.tanh(z), rtol=0, atol=1e-12)
    assert registry.activations["tanh"].f(np.array([0.0]))[0] == 0.0


def test_linear_and_relu_values(registry):
    z = np.array([-2.0, -0.5, 0.5, 3.0])
    np.testing.assert_array_equal(registry.activations["linear"].f(z), z)
    np.testing.assert_array_equal(registry.activations["relu"].f(z), [0, 0, 0.5, 3])
    relu = registry.activations["relu"]
    np.testing.assert_array_equal(relu.df(z, relu.f(z)), [0, 0, 1, 1])


@pytest.mark.parametrize("name", sorted(BUILTIN_ACTIVATIONS))
def test_builtin_activations_saturate_without_nan(registry, name):
    act = registry.activations[name]
    z = np.array([-800.0, -710.0, 710.0, 800.0])
    with np.errstate(over="ignore"):  # exp overflowing to inf is the intended route to 0 or 1
        a = act.f(z)
        d = act.df(z, a)
    assert not np.isnan(a).any() and not np.isnan(d).any()
    if name == "sigmoid":
        np.testing.assert_array_equal(a, [0, 0, 1, 1])
        np.testing.assert_array_equal(d, [0, 0, 0, 0])
    if name == "tanh":
        np.testing.assert_array_equal(a, [-1, -1, 1, 1])
        np.testing.assert_array_equal(d, [0, 0, 0, 0])


def test_sigmoid_gives_the_same_values_on_small_and_large_arrays(registry):
    """Up to 128 values the sigmoid is scipy's expit, beyond that numpy's four steps: the two
    agree to rounding, saturate to exactly 0 and 1, and return new arrays."""
    f = registry.activations["sigmoid"].f
    z = np.concatenate([np.linspace(-800, 800, 1601), [-np.inf, np.inf, 0.0]])
    with np.errstate(over="ignore"):  # e^800 overflows to inf, rightly (the engine ignores it too)
        large = f(z)  # 1604 values: the numpy path
    small = np.concatenate([f(part) for part in np.array_split(z, 16)])  # ~100 values each: expit
    np.testing.assert_allclose(small, large, rtol=1e-15, atol=0)
    assert large[-1] == small[-1] == 0.5 and small[0] == large[0] == 0.0 and small[-2] == 1.0
    expected = 1 / (1 + np.exp(-np.linspace(-30, 30, 61)))
    for values in (f(np.linspace(-30, 30, 61)), f(np.tile(np.linspace(-30, 30, 61), 3))[:61]):
        np.testing.assert_allclose(values, expected, rtol=1e-15)
    tiny = z[:8].copy()
    assert f(tiny) is not tiny and (tiny == z[:8]).all()


@pytest.mark.parametrize("name", sorted(BUILTIN_ACTIVATIONS))
def test_builtin_activations_keep_float32_and_its_precision(registry, name):
    """A float32 network trains in float32: f and f′ keep the dtype (a float64 constant would
    turn float32 data into float64) and stay within a few float32 ulps of the float64 values,
    relative, even near z = 0 where a difference of nearly equal numbers would lose them."""
    act = registry.activations[name]
    z = np.concatenate([np.linspace(-8, 8, 1601), np.geomspace(1e-6, 1e-2, 50)]).astype(np.float32)
    a = act.f(z)
    d = act.df(z, a)
    assert a.dtype == d.dtype == np.float32
    z64 = z.astype(np.float64)
    a64 = act.f(z64)
    np.testing.assert_allclose(a, a64, rtol=4 * np.finfo(np.float32).eps, atol=1e-30)
    np.testing.assert_allclose(d, act.df(z64, a64), rtol=8 * np.finfo(np.float32).eps, atol=1e-6)
