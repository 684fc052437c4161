"""What the plugin tests share: the built-ins they rely on, and small helpers."""
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
