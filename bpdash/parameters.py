"""A stack's parameters, by layer and by role: where Θ^(l) and b^(l) are, and the order an
optimizer sees them in.

A network keeps its parameters as ``params``: one tuple per layer, its arrays in the order the
layer declares them. The article's names are views of that: ``weights[l-1]`` is layer l's
"weight" parameter Θ^(l), ``biases[l-1]`` its "bias" b^(l). A layer with a weight but no bias
(a network built with ``bias=False``) shows a zero b^(l) that never changes, as the article's
networks without a bias neuron; a layer with neither (dropout) shows None for both.
"""
from __future__ import annotations

from itertools import chain
from operator import itemgetter

import numpy as np


def _slot(op, role):
    return next((i for i, p in enumerate(op.parameters) if p.role == role), None)


class Layout:
    """Where each layer's parameters are (``ops``: a stack's ``LayerOp`` list)."""

    def __init__(self, ops):
        self.shapes = [tuple(tuple(p.shape) for p in op.parameters) for op in ops]
        self.weight = [_slot(op, "weight") for op in ops]  # per layer: index in params, or None
        self.bias = [_slot(op, "bias") for op in ops]
        self.zero_biases = []
        for op, w, b in zip(ops, self.weight, self.bias):
            zeros = None
            if w is not None and b is None:
                zeros = np.zeros(op.n_out)
                zeros.flags.writeable = False  # shared: nobody may change a bias that is not there
            self.zero_biases.append(zeros)
        # flat: the parameters layer by layer, each layer's in its declared order (what an
        # optimizer sees); saved: every weight, then every bias, then the rest (the order of a
        # saved optimizer state, as the experiment files have always kept it)
        flat = [(l, i) for l, shapes in enumerate(self.shapes) for i in range(len(shapes))]
        weights = [slot for slot in flat if slot[1] == self.weight[slot[0]]]
        biases = [slot for slot in flat if slot[1] == self.bias[slot[0]]]
        saved = weights + biases + [slot for slot in flat if slot not in weights and slot not in biases]
        self.weight_positions = [flat.index(slot) for slot in weights]  # in flat, layer by layer
        self.other_positions = [i for i, slot in enumerate(flat) if slot not in weights]
        self.saved_order = [flat.index(slot) for slot in saved]  # flat position of each saved entry
        self.weight_layers = [l for l, _ in weights]  # 0-based layers with a weight Θ
        # unflat: per layer, one C-level getter that returns its arrays as a tuple (it runs
        # after every update)
        self._getters, start = [], 0
        for shapes in self.shapes:
            self._getters.append(_tuple_getter(list(range(start, start + len(shapes)))))
            start += len(shapes)

    def weights(self, params) -> tuple:
        """Θ^(l) per layer (None for a layer without a weight)."""
        return tuple(None if w is None else layer[w] for layer, w in zip(params, self.weight))

    def biases(self, params) -> tuple:
        """b^(l) per layer: its bias, the zero b of a layer with a weight and no bias, else None."""
        return tuple(zeros if b is None else layer[b]
                     for layer, b, zeros in zip(params, self.bias, self.zero_biases))

    def replace(self, params, role: str, arrays) -> tuple:
        """``params`` with every layer's ``role`` parameter ("weight" or "bias") taken from
        ``arrays`` (one entry per layer; entries of layers without one are ignored)."""
        slots = self.weight if role == "weight" else self.bias
        arrays = list(arrays)
        if len(arrays) != len(params):
            raise ValueError(f"expected {len(params)} {role} entries (one per layer), got {len(arrays)}")
        out = []
        for layer, slot, new in zip(params, slots, arrays):
            if slot is not None:
                layer = layer[:slot] + (new,) + layer[slot + 1:]
            out.append(layer)
        return tuple(out)

    def flat(self, params) -> list:
        """The arrays in the optimizer's order, layer by layer: θ = [Θ^(1), b^(1), Θ^(2), …]."""
        return list(chain.from_iterable(params))

    def unflat(self, arrays) -> tuple:
        """Per-layer tuples from arrays in the optimizer's order (``flat``'s inverse)."""
        return tuple([get(arrays) for get in self._getters])

    def to_saved(self, flat: list) -> list:
        """Entries in ``flat``'s order, put in the saved order: every Θ, every b, the rest."""
        return [flat[i] for i in self.saved_order]

    def from_saved(self, saved: list) -> list:
        """``to_saved``'s inverse."""
        flat = [None] * len(saved)
        for entry, i in zip(saved, self.saved_order):
            flat[i] = entry
        return flat

    def check(self, params) -> None:
        """ValueError naming the first parameter array of the wrong shape (or a missing one)."""
        if len(params) != len(self.shapes):
            raise ValueError(f"expected parameters for {len(self.shapes)} layers, got {len(params)}")
        for l, (layer, shapes) in enumerate(zip(params, self.shapes), start=1):
            if len(layer) != len(shapes):
                raise ValueError(f"layer {l}: expected {len(shapes)} parameter arrays, got {len(layer)}")
            for i, (array, shape) in enumerate(zip(layer, shapes)):
                if np.shape(array) != shape:
                    raise ValueError(f"{self.label(l, i)} must have shape {shape}, got {np.shape(array)}")

    def label(self, l: int, i: int) -> str:
        """How a message names parameter i of layer l (1-based): "weights[0] (Θ^(1))"."""
        if i == self.weight[l - 1]:
            return f"weights[{l - 1}] (Θ^({l}))"
        if i == self.bias[l - 1]:
            return f"biases[{l - 1}] (b^({l}))"
        return f"params[{l - 1}][{i}]"


def _tuple_getter(positions):
    """A function of a list giving the tuple of its items at ``positions``."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        i = positions[0]
        return lambda items: (items[i],)
    return lambda items: ()
