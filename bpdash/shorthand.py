"""``hidden`` and ``activations``: the older way to give the hidden layers, read as a change to
a layer stack's dense layers.

A config holds its hidden layers as one stack of layer specs (``layers``). Configs, links,
experiment files, ``--set`` and sweeps written before stacks gave ``hidden`` (units per hidden
layer) and ``activations`` (one per hidden layer); they still mean the same network, by this
rule, applied to a stack (the base config's, or the ``layers`` given alongside):

- ``hidden`` with as many entries as the stack has dense layers sets their units, in order;
  every other layer (dropout, a plugin's) stays where it is.
- ``hidden`` with another count makes the stack that many dense layers and nothing else (a
  dropout layer goes with the old shape), each with the stack's first dense activation (tanh
  when it has none), unless ``activations`` are given.
- ``activations`` sets the dense layers' activations, in order: one per dense layer, or one
  name alone for every one.

So on the default stack (two dense layers) ``hidden=16`` is one dense layer of 16; on
``dense:8:tanh,dropout:0.2`` it is ``dense:16:tanh,dropout:0.2``.
"""
from __future__ import annotations

from .schema import DENSE, SHORTHAND_BY_NAME
from .stack_field import TYPE_KEY, UNITS

ACTIVATION = "activation"
UNSET = object()


class ShorthandError(ValueError):
    """``hidden`` or ``activations`` cannot be applied; ``errors`` maps the name to why."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def dense_positions(layers) -> list[int]:
    """Where the dense layers of the stack are (0-based positions)."""
    return [i for i, spec in enumerate(layers) if spec.get(TYPE_KEY) == DENSE]


def hidden_of(layers) -> tuple:
    """The units of the stack's dense layers, in order (what ``hidden`` reads back)."""
    return tuple(layers[i].get(UNITS) for i in dense_positions(layers))


def activations_of(layers) -> tuple:
    """The activations of the stack's dense layers, in order (what ``activations`` reads back)."""
    return tuple(layers[i].get(ACTIVATION) for i in dense_positions(layers))


def apply(layers, hidden=UNSET, activations=UNSET) -> tuple:
    """The stack ``layers`` (a list of specs) changed by ``hidden`` and ``activations`` as the
    module docstring says; ShorthandError naming each that cannot be used."""
    specs = [dict(spec) for spec in layers]
    if hidden is not UNSET:
        specs = _with_hidden(specs, hidden)
    if activations is not UNSET:
        specs = _with_activations(specs, activations, "hidden entry" if hidden is not UNSET else "dense layer")
    return tuple(specs)


def _with_hidden(specs: list, hidden) -> list:
    field = SHORTHAND_BY_NAME["hidden"]
    problem = field.problem(hidden)
    if problem:
        raise ShorthandError({"hidden": problem})
    hidden = field.normal(hidden)
    dense = dense_positions(specs)
    if len(hidden) == len(dense):
        for i, units in zip(dense, hidden):
            specs[i][UNITS] = units
        return specs
    first = next((specs[i][ACTIVATION] for i in dense if ACTIVATION in specs[i]), None) if dense \
        else SHORTHAND_BY_NAME["activations"].default[0]
    return [{TYPE_KEY: DENSE, UNITS: units, **({ACTIVATION: first} if first else {})} for units in hidden]


def _with_activations(specs: list, activations, lead: str) -> list:
    field = SHORTHAND_BY_NAME["activations"]
    dense = dense_positions(specs)
    if isinstance(activations, str):
        activations = (activations,)
    if isinstance(activations, (list, tuple)) and len(activations) == 1:
        activations = tuple(activations) * len(dense)  # one name stands for every dense layer
    problem = field.problem(activations)
    if problem:
        raise ShorthandError({"activations": problem})
    if len(activations) != len(dense):
        raise ShorthandError({"activations": f"needs one entry per {lead} ({len(dense)}), "
                                             f"got {len(activations)}"})
    for i, name in zip(dense, activations):
        specs[i][ACTIVATION] = name
    return specs


def registry_problem(activations, registry) -> str | None:
    """Which activation names given as shorthand the registry lacks, or None."""
    field = SHORTHAND_BY_NAME["activations"]
    names = (activations,) if isinstance(activations, str) else activations
    return field.registry_problem(tuple(names), registry) if isinstance(names, (list, tuple)) else None
