"""The plugin contract: pluggy markers and every hook a bpdash plugin may implement.

A plugin is a module (or any object) with functions decorated by ``@hookimpl`` whose names match
the specs below. Each hook takes no arguments and returns a list of records from
``bpdash.records``; bpdash validates every record and reports what is wrong with it.
"""
import pluggy

PROJECT = "bpdash"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_activations():
    """Return a list of ``Activation(name, f, df, description, latex)``.

    ``f(z)`` takes z (any shape) and returns a new array of the same shape; ``df(z, a)`` is
    f′(z), given a = f(z) as well, and must agree with a central difference of f on [−4, 4].
    A ``df(z)`` of z alone is accepted too (wrapped once at load).
    """


@hookspec
def register_costs():
    """Return a list of ``Cost(name, value, gradient, description, latex, link="")``."""


@hookspec
def register_initializers():
    """Return a list of ``Initializer(name, sample, description)``."""


@hookspec
def register_datasets():
    """Return a list of ``Dataset(name, generate, description, task, fixed, default_n)``."""


@hookspec
def register_optimizers():
    """Return a list of ``Optimizer(name, init, step, description, latex)``.

    ``init(params) → state`` (a dict of name → list of arrays shaped like params);
    ``step(params, grads, state, lr, hp, t) → new params`` as NEW arrays, params and grads left
    unchanged (see ``bpdash.records.Optimizer``).
    """


@hookspec
def register_layers():
    """Return a list of ``Layer(name, make, description, settings, latex)``.

    ``make(n_in, settings, registry)`` returns a ``bpdash.layers.LayerOp``: the layer bound to
    its input width and checked settings (its declared ``Field``s, plus the network's ``bias``
    flag). bpdash checks every layer once all plugins are loaded: made at a small width with
    default settings, its backward must agree with central differences of its forward, and it
    must not change its inputs. See docs/layers.md.
    """
