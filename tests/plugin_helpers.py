"""What the plugin tests share: the built-ins they rely on, and writing plugin files."""
import textwrap
from pathlib import Path

# Built-ins the plugin tests rely on; more may be added (datasets, ...) without breaking it.
BUILTIN_PLUGINS = {"costs", "initializers", "linear", "relu", "sigmoid", "tanh"}
BUILTIN_ACTIVATIONS = {"sigmoid", "tanh", "linear", "relu"}
BUILTIN_COSTS = {"squared_error", "cross_entropy"}
BUILTIN_INITIALIZERS = {"zeros", "constant", "uniform", "glorot", "he"}


def by_name(reg, plugin_name):
    """The PluginInfo entries called ``plugin_name``."""
    return [p for p in reg.plugins if p.name == plugin_name]


def central_difference(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


HEADER = "import numpy as np\nfrom bpdash import Activation, Cost, hookimpl\n\n"


def write_plugin(folder: Path, name: str, body: str) -> Path:
    """Write ``folder/name.py`` with the usual imports and ``body`` (dedented)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def activation_plugin(act_name: str, f="lambda z: 2.0 * z", df="lambda z: np.full_like(z, 2.0)",
                      extra=""):
    """Source of a plugin registering one activation (by default a sound one, f = 2z)."""
    return f"""
        @hookimpl
        def register_activations():
            return [Activation({act_name!r}, {f}, {df}{extra})]
        """


def assert_builtins_intact(reg):
    assert BUILTIN_ACTIVATIONS <= set(reg.activations)
    assert BUILTIN_COSTS <= set(reg.costs)
    assert BUILTIN_INITIALIZERS <= set(reg.initializers)
    assert all(p.status == "ok" for p in reg.plugins if p.source == "builtin")
