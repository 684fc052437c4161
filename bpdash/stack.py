"""Layer stacks from specs: how a network is described layer by layer, and built.

A spec is a dict naming a layer type (a ``Layer`` plugin) under ``"layer"``, with values for
that type's settings; settings left out take their defaults::

    [{"layer": "dense", "units": 8, "activation": "tanh"},
     {"layer": "dropout", "rate": 0.2},
     {"layer": "softmax", "units": 3}]

is a tanh hidden layer of 8 units, dropout with p = 0.2 after it, and a 3-class softmax output.
``Network.from_specs(2, specs)`` builds it on 2 inputs; ``Network([2, 8, 3], ["tanh",
"softmax"])`` is the short form for stacks without dropout or plugin layers (see
``from_sizes``). Specs are plain JSON-ready data: ``canonical`` gives each with every setting
filled in, the form a saved experiment keeps. The network-wide ``bias`` flag reaches every layer
as the setting "bias"; layers with a bias follow it.
"""
from __future__ import annotations

from .fields import show
from .layercheck import check_declarations
from .stack_field import TYPE_KEY
from .validation import RecordError


class LayerSpecError(ValueError):
    """A layer spec that cannot be built; the message names the layer and the setting."""


def _label(index: int, spec) -> str:
    kind = spec.get(TYPE_KEY) if isinstance(spec, dict) else None
    return f"layer {index + 1}" + (f" ({kind})" if isinstance(kind, str) else "")


def canonical(spec, registry, index: int = 0) -> dict:
    """``spec`` with every setting of its layer type, defaults filled in, each value checked by
    its ``Field``; LayerSpecError naming the layer (1-based ``index``) and what is wrong."""
    label = _label(index, spec)
    if not isinstance(spec, dict):
        raise LayerSpecError(f"{label}: a layer spec is a dict such as {{'layer': 'dense', 'units': 8}}, "
                             f"got {show(spec)}")
    kind = spec.get(TYPE_KEY)
    layers = getattr(registry, "layers", {})
    if kind not in layers:
        raise LayerSpecError(f"{label}: unknown layer type {show(kind)}; choose one of {', '.join(sorted(layers))}")
    fields = {f.name: f for f in layers[kind].settings}
    unknown = sorted(set(spec) - set(fields) - {TYPE_KEY})
    if unknown:
        known = ", ".join(fields) or "none"
        raise LayerSpecError(f"{label}: unknown setting {unknown[0]!r}; the settings of {kind} are {known}")
    out = {TYPE_KEY: kind}
    for name, field in fields.items():
        value = spec.get(name, field.default)
        problem = field.problem(value) or field.registry_problem(value, registry)
        if problem:
            raise LayerSpecError(f"{label}: {name} {problem}")
        out[name] = value
    return out


def from_sizes(sizes, names, registry) -> list[dict]:
    """Specs for ``Network(sizes, names)``: one per non-input layer, ``names[i]`` an activation
    (a dense layer of ``sizes[i+1]`` units) or a layer type with a "units" setting (a softmax
    output). An activation's name wins over a layer type's."""
    specs = []
    for i, name in enumerate(names):
        units = sizes[i + 1]
        if name in registry.activations:
            specs.append({TYPE_KEY: "dense", "units": units, "activation": name})
        elif name in getattr(registry, "layers", {}) and any(
                f.name == "units" for f in registry.layers[name].settings):
            specs.append({TYPE_KEY: name, "units": units})
        else:
            layers = sorted(n for n, layer in getattr(registry, "layers", {}).items()
                            if n != "dense" and any(f.name == "units" for f in layer.settings))
            raise KeyError(f"unknown activation {name!r}; choose one of {sorted(registry.activations)}"
                           + (f" or an output layer {layers}" if layers else ""))
    return specs


def bind(n_in: int, specs, registry, bias: bool = True) -> list:
    """The layers of a stack, made on ``n_in`` inputs: one ``LayerOp`` per canonical spec, each
    told its input width (``n_in``) and whether anyone needs its ∂J/∂a (the first does not)."""
    ops = []
    for i, spec in enumerate(specs):
        layer = registry.layers[spec[TYPE_KEY]]
        settings = {k: v for k, v in spec.items() if k != TYPE_KEY}
        settings["bias"] = bool(bias)
        op = layer.make(n_in, settings, registry)
        try:
            check_declarations(f"layer '{layer.name}'", op)
        except RecordError as exc:
            raise LayerSpecError(f"{_label(i, spec)}: {exc}") from None
        op.n_in, op.needs_grad_in = n_in, bool(ops)
        ops.append(op)
        n_in = int(op.n_out)
    return ops
