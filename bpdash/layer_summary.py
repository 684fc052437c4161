"""What each layer of a stack is, for the views that draw a network layer by layer: its type,
widths, output function, how it joins the layer before, and its parameters.

``net.layers[l-1]`` maps article layer l to layer l + 1, whatever its type: in a stack
dense → dropout → dense, Θ^(1) feeds layer 2, dropout makes layer 3 from layer 2, and Θ^(3)
feeds layer 4. A view numbers the layers so and draws each by what it has:

- a weight matrix Θ^(l) ``(n_out, n_in)`` (``theta``): a heatmap, edges coloured by θ;
- other parameters (γ, β of a layer norm): its arrays by their symbols;
- none (dropout): a line saying what it does.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

NO_ACTIVATION = "—"


@dataclass(frozen=True)
class LayerSummary:
    """One layer of a stack, ``net.layers[layer-1]``, from article layer ``layer`` to ``layer`` + 1.

    - ``kind``: its type, the spec's "layer" ("dense", "softmax", "dropout", a plugin's);
    - ``n_in``, ``n_out``: the widths of layers ``layer`` and ``layer`` + 1;
    - ``output``: its op's output name (a dense layer's activation, "softmax", "dropout");
    - ``connection``: how z depends on its input, ``LayerOp.connection`` ("affine",
      "identity" or "");
    - ``parameters``: its ``Parameter`` records, in the order ``net.params[layer-1]`` holds them;
    - ``settings``: its settings that have a symbol, as text ("p = 0.2");
    - ``description``: the layer type's own words.
    """

    layer: int
    kind: str
    n_in: int
    n_out: int
    output: str
    connection: str
    parameters: tuple
    settings: str = ""
    description: str = ""
    theta: int | None = None  # the index of Θ^(l) in its parameters (the network's Layout says)
    bias: int | None = None   # the index of b^(l) beside it

    @property
    def others(self) -> tuple:
        """The indexes of its parameters that are neither Θ^(l) nor its b^(l) (γ, β)."""
        return tuple(i for i in range(len(self.parameters)) if i not in (self.theta, self.bias))

    def split(self, arrays) -> tuple:
        """``arrays`` (its parameters, or their gradients, in order) as ``((Θ, b), others)``:
        Θ^(l) with b^(l) (zeros for a layer without b) or None, and the tuple of the rest."""
        theta = None
        if self.theta is not None:
            theta = (arrays[self.theta], np.zeros(self.n_out) if self.bias is None else arrays[self.bias])
        return theta, tuple(arrays[i] for i in self.others)

    @property
    def n_parameters(self) -> int:
        """How many numbers its parameters hold (Θ^(l) and b^(l): n_out · n_in + n_out)."""
        return sum(prod(p.shape) for p in self.parameters)

    @property
    def activation(self) -> str:
        """Its output function when it computes z = a Θᵀ + b ("tanh", "softmax"), else "—"."""
        return self.output if self.theta is not None and self.output else NO_ACTIVATION

    @property
    def label(self) -> str:
        """How a diagram names it: its activation when it has Θ, else its type with its
        settings ("dropout p = 0.2", "layer_norm")."""
        if self.theta is not None and self.output:
            return self.output
        return f"{self.kind} {self.settings}" if self.settings else self.kind

    @property
    def symbols(self) -> tuple:
        """The symbols of its ``others`` ("γ", "β"), a parameter's name where it has none."""
        return tuple(self.parameters[i].symbol or self.parameters[i].name for i in self.others)

    def caption(self) -> str:
        """A line saying what a layer without parameters does (dropout and its rate p)."""
        what = self.kind + (f" ({self.settings})" if self.settings else "")
        text = f"Layer {self.layer} → {self.layer + 1} is {what}, with no parameters"
        return text + (f": {self.description}" if self.description else ".")


def _settings(spec: dict, layer_type) -> str:
    """The spec's values of the settings that have a symbol: "p = 0.2"."""
    fields = getattr(layer_type, "settings", ())
    return ", ".join(f"{f.symbol} = {_value(spec[f.name])}" for f in fields
                     if getattr(f, "symbol", "") and f.name in spec)


def _value(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


def summarize(net) -> list[LayerSummary]:
    """One ``LayerSummary`` per layer of ``net`` (a ``bpdash.Network``), l = 1 … L−1."""
    summaries = []
    for l, (spec, op) in enumerate(zip(net.specs, net.layers), start=1):
        kind = spec["layer"]
        layer_type = getattr(net.registry, "layers", {}).get(kind)
        summaries.append(LayerSummary(
            layer=l, kind=kind, n_in=net.sizes[l - 1], n_out=net.sizes[l], output=op.output,
            connection=op.connection, parameters=tuple(op.parameters), settings=_settings(spec, layer_type),
            description=getattr(layer_type, "description", ""), theta=net.layout.weight[l - 1],
            bias=net.layout.bias[l - 1] if net.layout.weight[l - 1] is not None else None))
    return summaries
