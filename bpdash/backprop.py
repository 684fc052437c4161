"""Backpropagation over a stack of layers, written once: the forward pass, the output δ and the
backward pass. Training, ``Network.backprop`` (the inspector, the symmetry lab), the gradient
check and the chain rule all run these functions.

A stack is a list of ``bpdash.layers.LayerOp``; layer ``ops[i]`` maps article layer i+1 to
i+2 with the arrays ``params[i]``. Rows are samples:

- forward: a^(1) = x; z^(l+1), a^(l+1) = forward of the layer between them.
- output: δ^(L) = ∂J/∂a^(L) ⊙ (the output layer's delta); for the output its cost links to
  (cross-entropy after a sigmoid or a softmax, squared error after a linear output), δ^(L) =
  (a^(L) − y)/m exactly.
- backward: from δ^(l+1), layer l's backward gives ∂J/∂(its parameters) and ∂J/∂a^(l), and the
  delta of the layer before turns that into δ^(l): δ^(l) = (δ^(l+1) Θ^(l)) ⊙ f′(z^(l)) for
  dense layers.
"""
from __future__ import annotations

import warnings

import numpy as np

from .validation import RecordError

_LINKS: dict = {}  # (cost, layer type, output name) → whether the cost's link is sound there
_COUNTS: dict = {}  # m → m as a read-only 0-d array (of the last dtype asked for), see linked_delta


def forward(ops, params, a, ctx):
    """``(zs, activations, caches)`` of one pass of ``a`` ``(m, n_in)`` through the stack:
    zs[i] = z^(i+2), activations[i] = a^(i+1) (activations[0] = a), caches[i] of ops[i]."""
    ctx.start()
    zs, activations, caches = [], [a], []
    for i, op in enumerate(ops):
        ctx.layer = i
        z, a, cache = op.forward(params[i], a, ctx)
        zs.append(z)
        activations.append(a)
        caches.append(cache)
    return zs, activations, caches


def linked_delta(A, Y):
    """δ^(L) = (a^(L) − y)/m: where the output function's derivative cancels the cost's.

    m is a 0-d array of A's dtype, made once per m (numpy converts a Python int on every call,
    and a float64 m would make float32 data float64); the quotient is the same number."""
    delta = A - Y
    m = _COUNTS.get(len(A))
    if m is None or m.dtype is not A.dtype:
        if len(_COUNTS) >= 1024:  # a long-lived server sees many batch sizes: stay bounded
            _COUNTS.clear()
        m = _COUNTS[len(A)] = np.array(float(len(A)), A.dtype)
        m.flags.writeable = False
    delta /= m
    return delta


def output_delta(op, cost, cache, A, Y, linked: bool):
    """δ^(L) = ∂J/∂z^(L) for the output layer ``op``: (a − y)/m when ``linked`` (see ``links``),
    else its delta of the cost's ∂J/∂a^(L)."""
    return linked_delta(A, Y) if linked else op.delta(cache, cost.gradient(A, Y))


def backward(ops, params, caches, delta, deltas: list | None = None):
    """∂J/∂(every parameter), per layer like ``params``, from the output's δ^(L).

    ``deltas``, when given, receives δ^(l) of every layer l = 2 … L (output first).
    """
    grads = [None] * len(ops)
    for i in range(len(ops) - 1, -1, -1):
        if deltas is not None:
            deltas.append(delta)
        grads[i], grad_in = ops[i].backward(params[i], caches[i], delta)
        if i:
            delta = ops[i - 1].delta(caches[i - 1], grad_in)
    return grads


def links(cost, op) -> bool:
    """Whether δ^(L) = (a − y)/m may stand for the output layer ``op`` with ``cost``: the cost
    links to the op's output, and the claim held when checked against the composition (once
    per cost and layer type; a claim that fails is warned about, and the composition is used)."""
    if not cost.link or cost.link != op.output:
        return False
    key = (cost, type(op), op.output)
    sound = _LINKS.get(key)
    if sound is None:
        from .layercheck import check_link  # which runs this module's forward

        try:
            check_link(cost, op)
            sound = True
        except Exception as exc:  # RecordError, or whatever the plugins' functions raised
            reason = exc if isinstance(exc, RecordError) else (
                f"cost '{cost.name}': checking its link to '{op.output}' raised {exc!r}")
            warnings.warn(f"{reason}; backprop uses the cost's gradient and the layer's delta instead",
                          stacklevel=3)
            sound = False
        _LINKS[key] = sound
    return sound


def cost_and_outputs(ops, params, X, Y, cost, ctx):
    """(J, a^(L)) of one forward pass: the cost without backprop."""
    A = forward(ops, params, X, ctx)[1][-1]
    return float(cost.value(A, Y)), A

