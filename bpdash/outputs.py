"""The output layer L: what it may be, how it is built, and the cost that goes with it.

A config's ``output_activation`` names either an activation (a dense output layer with that
activation) or an output layer type, a layer plugin with a ``units`` setting (``softmax``). Either
way the output layer has one unit per column of the targets: its width is the data's. An output
layer type gives one unit per class, so two classes are two one-hot columns there, and one 0/1
column after an activation (``per_class``).

A cost names the output it suits (``Cost.link``: categorical cross-entropy → softmax). A cost
linked to an output layer type is only meaningful there (it needs outputs that sum to 1), so
``cost_after`` says which cost to take when the output changes to or from such a type.
"""
from __future__ import annotations

from . import stack

GENERAL_COST = "squared_error"  # the article's cost: meaningful after any activation


def layer_types(registry) -> dict:
    """The output layer types: layer plugins with a ``units`` setting other than dense (whose
    outputs are named by their activation), name → Layer."""
    return {name: layer for name, layer in getattr(registry, "layers", {}).items()
            if name != "dense" and any(f.name == "units" for f in layer.settings)}


def table(registry) -> dict:
    """Every name an output may take, name → record: the activations, then the output layer
    types (an activation's name wins, as in ``bpdash.stack.from_sizes``)."""
    return {**layer_types(registry), **registry.activations}


def is_layer_type(name: str, registry) -> bool:
    """Whether ``name`` is an output layer type (softmax) rather than an activation."""
    return name not in registry.activations and name in layer_types(registry)


def per_class(name: str, registry) -> bool:
    """Whether the output ``name`` has one unit per class (two classes as two one-hot columns)."""
    return is_layer_type(name, registry)


def regression_problem(output: str, data_name: str) -> str:
    """Why ``output`` (one unit per class) cannot be the output for the regression ``data_name``."""
    return (f"{output} gives one unit per class, and {data_name} is a regression: choose an activation "
            "such as linear for its output")


def spec(name: str, n_outputs: int, registry) -> dict:
    """The output layer's spec: a dense layer of ``n_outputs`` units with the activation
    ``name``, or the layer type ``name`` with ``n_outputs`` units."""
    return stack.from_sizes([0, n_outputs], [name], registry)[0]


def linked_cost(output: str, registry) -> str | None:
    """The cost whose ``link`` is ``output`` (the first by name), or None."""
    return next((name for name, cost in sorted(registry.costs.items()) if cost.link == output), None)


def unstated_cost(output, cost: str, registry) -> str:
    """The cost of a config (a link, a file, a CLI config) that names ``output`` but no cost:
    for an output layer type (softmax) the cost linked to it, as the sidebar switches to
    (``cost_after``); else ``cost``, the default."""
    if isinstance(output, str) and is_layer_type(output, registry):
        return linked_cost(output, registry) or cost
    return cost


def cost_after(previous: str, output: str, cost: str, registry) -> str | None:
    """The cost to switch to when the output changes from ``previous`` to ``output`` with
    ``cost`` chosen, or None to keep ``cost``:

    - to an output layer type: the cost linked to it (softmax → categorical cross-entropy);
    - away from one, with the cost linked to it: the cost linked to the new output (sigmoid →
      binary cross-entropy, linear → squared error), else squared error.
    """
    if previous == output:
        return None
    if is_layer_type(output, registry):
        linked = linked_cost(output, registry)
        return linked if linked and linked != cost else None
    record = registry.costs.get(cost)
    if record is not None and record.link == previous and is_layer_type(previous, registry):
        replacement = linked_cost(output, registry) or GENERAL_COST
        return replacement if replacement in registry.costs and replacement != cost else None
    return None
