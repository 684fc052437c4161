"""A saved run's parameters, checked against the stack its config builds before any is used.

An experiment file (version 2) keeps the width of every article layer, ``sizes`` (input first),
and every layer's parameters, ``params``: per layer, a list of its arrays in the order the layer
declares them (a dense layer: Θ^(l) then b^(l); dropout: none). The config's stack is made on
``sizes[0]`` inputs with ``sizes[-1]`` outputs; the widths it gives must be ``sizes``, and each
array must have exactly the shape its layer declares, finite numbers only, before any array is
made. Version 1 files kept the dense layers' Θ^(l) and b^(l) as ``weights`` and ``biases``:
read, checked as they always were, and turned into the same per-layer form.
"""
from __future__ import annotations

import numpy as np

from . import stack
from .json_checks import FieldError, finite_array, finite_nested, show, whole
from .parameters import Layout

MAX_WIDTH = 4096  # of any layer in a file: far above what a config allows (128 units, 64 columns)


def bound(config, sizes: list, registry) -> Layout:
    """The Layout of ``config``'s stack on ``sizes[0]`` inputs and ``sizes[-1]`` outputs, its
    widths checked against ``sizes``; FieldError naming the first that differs."""
    specs = config.layer_specs(sizes[-1], registry)
    if len(sizes) != len(specs) + 1:
        raise FieldError(f"the config's stack has {len(specs)} layers after the input, so sizes must list "
                         f"{len(specs) + 1} widths; got {len(sizes)}")
    try:
        ops = stack.bind(sizes[0], specs, registry, config.bias)
    except Exception as exc:  # a layer plugin that refuses these widths
        raise FieldError(f"the config's stack cannot be made on {sizes[0]} inputs: {exc}") from None
    for l, op in enumerate(ops, start=2):
        if int(op.n_out) != sizes[l - 1]:
            raise FieldError(f"sizes[{l - 1}] is {sizes[l - 1]}, but layer {l} ({specs[l - 2]['layer']}) of the "
                             f"config's stack has {op.n_out} units")
    return Layout(ops)


def read_v2(sizes, params, config, registry) -> tuple[list, tuple, Layout]:
    """``(sizes, params, layout)`` from a version 2 file: every array checked for its declared
    shape and finite values as it is read."""
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= len(config.layers) + 2:
        raise FieldError(f"sizes must list the width of every layer, input first; got {show(sizes)}")
    sizes = [whole(n, f"sizes[{i}]", 1, MAX_WIDTH) for i, n in enumerate(sizes)]
    layout = bound(config, sizes, registry)
    if not isinstance(params, list) or len(params) != len(layout.shapes):
        raise FieldError(f"the stack has {len(layout.shapes)} layers, so params must be a list of "
                         f"{len(layout.shapes)} lists of arrays; got {show(params)}")
    out = []
    for l, (arrays, shapes) in enumerate(zip(params, layout.shapes)):
        if not isinstance(arrays, list) or len(arrays) != len(shapes):
            raise FieldError(f"params[{l}] must hold the {len(shapes)} arrays of layer {l + 2}; got {show(arrays)}")
        out.append(tuple(finite_nested(a, shape, f"params[{l}][{i}] ({layout.label(l + 1, i)})")
                         for i, (a, shape) in enumerate(zip(arrays, shapes))))
    return sizes, tuple(out), layout


def read_v1(weights, biases, config, registry) -> tuple[list, tuple, Layout]:
    """``(sizes, params, layout)`` from a version 1 file's Θ^(l) and b^(l) of a dense stack."""
    if any(spec["layer"] != "dense" for spec in config.layers):
        raise FieldError("a version 1 file holds dense layers only, but its config's stack has other layers")
    hidden = list(config.hidden)
    for value, name in ((weights, "weights"), (biases, "biases")):
        if not isinstance(value, list) or len(value) != len(hidden) + 1:
            raise FieldError(f"the config has {len(hidden) + 1} weight layers, so {name} must be a list of "
                             f"{len(hidden) + 1} arrays; got {show(value)}")
    weights = [finite_array(W, 2, f"weights[{l}]") for l, W in enumerate(weights)]
    biases = [finite_array(b, 1, f"biases[{l}]") for l, b in enumerate(biases)]
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        if l > 1 and W.shape[1] != weights[l - 2].shape[0]:
            raise FieldError(f"weights[{l - 1}] (Θ^({l})) has {W.shape[1]} columns but layer {l} has "
                             f"{weights[l - 2].shape[0]} neurons")
        if l <= len(hidden) and W.shape[0] != hidden[l - 1]:
            raise FieldError(f"weights[{l - 1}] (Θ^({l})) has {W.shape[0]} rows but hidden layer "
                             f"{l} has {hidden[l - 1]} neurons")
        if b.shape != (W.shape[0],):
            raise FieldError(f"biases[{l - 1}] must have {W.shape[0]} values, got shape {b.shape}")
    if not config.bias and any(b.any() for b in biases):
        raise FieldError("biases: the config has bias off, but the file's biases are not all zero")
    sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
    layout = bound(config, sizes, registry)
    params = tuple((W, b) if config.bias else (W,) for W, b in zip(weights, biases))
    return sizes, params, layout


def as_lists(params) -> list:
    """A network's ``params`` as JSON-ready nested lists (floats by repr: exact)."""
    return [[np.asarray(a).tolist() for a in layer] for layer in params]
