"""Layer plugins as an author meets them: a sound one loads and trains; a broken one is reported
with what failed, left out, and never takes bpdash down."""
import numpy as np
import pytest

import bpdash
from bpdash.gradcheck import gradient_check
from bpdash.plugins import PluginLoadError
from bpdash.trainer import Trainer
from plugin_helpers import assert_builtins_intact, by_name, write_plugin

IMPORTS = "from bpdash import Affine, Field, Layer, LayerOp, Parameter\n"

# A scaled identity a_out = z = s·a with one parameter s per unit: the template the broken
# cases below each break in one place.
SCALE = IMPORTS + """
class Scale(LayerOp):
    def __init__(self, n_in):
        self.n_out = n_in
        self.parameters = (Parameter("s", (n_in,), "ones", "s"),)

    def forward(self, params, a, ctx):
        z = a * params[0]
        return z, z, (a,)

    def delta(self, cache, grad):
        return grad

    def backward(self, params, cache, delta):
        return ((delta * cache[0]).sum(axis=0),), delta * params[0]

    def formulas(self, l):
        return {"forward": "z = s a"}


@hookimpl
def register_layers():
    return [Layer("scale", lambda n_in, settings, registry: Scale(n_in))]
"""


def variant(old: str, new: str) -> str:
    assert old in SCALE
    return SCALE.replace(old, new)


def test_a_sound_layer_plugin_loads_and_trains(tmp_path):
    write_plugin(tmp_path, "scale", SCALE)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and by_name(reg, "scale")[0].provides == ("scale",)
    net = bpdash.Network.from_specs(2, [{"layer": "dense", "units": 3, "activation": "tanh"},
                                        {"layer": "scale"}, {"layer": "dense", "units": 1}],
                                    seed=0, registry=reg)
    X = np.random.default_rng(0).normal(size=(20, 2))
    Y = (X[:, :1] > 0).astype(float)
    history = Trainer(net, X, Y, learning_rate=1.0, cost="cross_entropy").fit(100)
    assert history["cost"].iloc[-1] < history["cost"].iloc[0]


BROKEN = {
    "wrong_backward": (variant("delta * params[0]", "delta"),
                       ["layer 'scale'", "disagrees with a central difference", "a (grad_in)"]),
    "wrong_parameter_gradient": (variant("(delta * cache[0]).sum(axis=0)", "delta.sum(axis=0)"),
                                 ["layer 'scale'", "∂J/∂s", "central difference"]),
    "changes_its_input": (variant("z = a * params[0]", "a *= 1.5\n        z = a * params[0]"),
                          ["layer 'scale'", "changed its parameters or its input a in place"]),
    "wrong_shape": (variant("return z, z, (a,)", "return z, z[:, :1], (a,)"),
                    ["layer 'scale'", "a_out has shape (4, 1), expected (4, 3)"]),
    "not_finite": (variant("return z, z, (a,)", "return z, z * np.nan, (a,)"),
                   ["layer 'scale'", "non-finite"]),
    "make_raises": (variant("lambda n_in, settings, registry: Scale(n_in)",
                            "lambda n_in, settings, registry: Scale(n_in, 'extra')"),
                    ["layer 'scale'", "TypeError"]),
    "not_an_op": (variant("lambda n_in, settings, registry: Scale(n_in)", "lambda n_in, settings, registry: {}"),
                  ["layer 'scale'", "returned a dict, expected a LayerOp"]),
    "unknown_role": (variant('"ones", "s"', '"scale", "s"'), ["parameter 's'", "role 'scale'", "weight, bias"]),
    "settings_not_fields": (variant("Layer(\"scale\", lambda", "Layer(\"scale\", settings=('units',), make=lambda"),
                            ["layer 'scale'", "settings must be a tuple of Field"]),
    "no_delta": (variant("    def delta(self, cache, grad):\n        return grad\n", ""),
                 ["layer 'scale'", "NotImplementedError", "delta(cache, grad)"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_layer_plugin_is_reported_and_the_rest_load(tmp_path, registry, case):
    body, words = BROKEN[case]
    write_plugin(tmp_path, case, body)
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    [problem] = reg.errors
    assert (problem.plugin, problem.source) == (case, str(tmp_path))
    for word in words:
        assert word in problem.message, f"{word!r} not in {problem.message!r}"
    assert "scale" not in reg.layers and ("layers", "scale") not in reg.origin
    [info] = by_name(reg, case)
    assert info.status == "error" and info.provides == ()
    assert set(reg.layers) == set(registry.layers)
    assert_builtins_intact(reg)
    with pytest.raises(PluginLoadError, match=case):
        bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False, strict=True)


def test_a_plugin_keeps_its_sound_records_when_its_layer_fails(tmp_path):
    """Layers are checked once every plugin is in: the plugin's activation stays, its layer goes."""
    write_plugin(tmp_path, "mixed", variant("delta * params[0]", "delta") + """

@hookimpl
def register_activations():
    return [Activation("double", lambda z: 2.0 * z, lambda z, a: np.full_like(z, 2.0))]
""")
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert "double" in reg.activations and "scale" not in reg.layers
    [info] = by_name(reg, "mixed")
    assert info.status == "error" and info.provides == ("double",)


def test_a_layer_may_name_an_activation_that_loads_after_it(tmp_path):
    """The check runs against the whole registry: a_layer.py loads before z_activation.py."""
    write_plugin(tmp_path, "a_layer", IMPORTS + """
class Doubled(LayerOp):
    def __init__(self, n_in, activation):
        self.n_out, self.f, self.df = n_in, activation.f, activation.df
        self.output = "doubled"

    def forward(self, params, a, ctx):
        z = 2.0 * a
        out = self.f(z)
        return z, out, (z, out)

    def delta(self, cache, grad):
        return grad * self.df(*cache)

    def backward(self, params, cache, delta):
        return (), 2.0 * delta

    def formulas(self, l):
        return {}


@hookimpl
def register_layers():
    return [Layer("doubled", lambda n_in, settings, registry: Doubled(n_in, registry.get("activations", settings["activation"])),
                  settings=(Field("activation", "plugin", "cube", plugin="activations"),))]
""")
    write_plugin(tmp_path, "z_activation", """
@hookimpl
def register_activations():
    return [Activation("cube", lambda z: z ** 3, lambda z: 3 * z ** 2)]
""")
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert reg.errors == [] and "doubled" in reg.layers


def test_an_activation_whose_df_takes_z_alone_trains(tmp_path, registry):
    """A plugin written before df(z, a): its df(z) is wrapped once at load and trains as ever."""
    write_plugin(tmp_path, "old_style", """
@hookimpl
def register_activations():
    return [Activation("softsign", lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)]
""")
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(reg.activations["softsign"].df(z, None), 1 / (1 + np.abs(z)) ** 2)
    net = bpdash.Network([2, 3, 1], ["softsign", "linear"], seed=0, registry=reg)
    X = np.random.default_rng(1).normal(size=(10, 2))
    checks = gradient_check(net, X, X[:, :1] * X[:, 1:])
    assert all(c.relative_error < 1e-7 for c in checks)
