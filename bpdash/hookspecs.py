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
    """Return a list of ``Activation(name, f, df, description, df_from_a=None)``.

    f and df take z (any shape) and return an array of the same shape; df is f′(z) and must
    agree with a central difference of f on [−4, 4].
    """


@hookspec
def register_costs():
    """Return a list of ``Cost(name, value, gradient, description, fused={})``."""


@hookspec
def register_initializers():
    """Return a list of ``Initializer(name, sample, description)``."""


@hookspec
def register_datasets():
    """Return a list of ``Dataset(name, generate, description, task, fixed, default_n)``."""


@hookspec
def register_optimizers():
    """Return a list of ``Optimizer(name, init, step, description, latex, plain=False)``.

    ``init(params) → state`` (a dict of name → list of arrays shaped like params);
    ``step(params, grads, state, lr, hp, t) → new params`` as NEW arrays, params and grads left
    unchanged (see ``bpdash.records.Optimizer``).
    """
