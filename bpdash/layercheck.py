"""Checks of a layer plugin before anything uses it, and of a cost's link to an output layer.

``check_layer`` makes the layer at a small width with its default settings and holds its
backward to central differences of its forward, the way activations are held to differences
of f: for a random linear functional J = Σ G ⊙ a_out of the layer's output, delta + backward
must give ∂J/∂(each parameter) and ∂J/∂a. Both raise ``RecordError`` with a message for the
plugin's author.
"""
from __future__ import annotations

import numpy as np

from .backprop import forward, linked_delta
from .context import Context
from .fields import Field
from .layers import ROLES, LayerOp, Parameter
from .validation import RecordError, worst_mismatch

N_IN, ROWS = 3, 4
STEP = 1e-6
RTOL, ATOL = 1e-5, 1e-7


def random_parameters(declared, rng) -> tuple:
    """Arrays for the ``Parameter`` declarations: weights and biases around 0, scales γ ("ones")
    around 1, shifts ("zeros") around 0: values where a layer's derivatives are typical."""
    arrays = []
    for p in declared:
        values = rng.uniform(-0.5, 0.5, p.shape)
        arrays.append(values + 1.0 if p.role == "ones" else values)
    return tuple(arrays)


def check_declarations(name: str, op) -> None:
    """RecordError unless ``op`` (made by the layer ``name``) is a LayerOp that declares a width,
    sound parameters and its methods."""
    if not isinstance(op, LayerOp):
        raise RecordError(f"{name}: make() returned a {type(op).__name__}, expected a LayerOp "
                          "(from bpdash import LayerOp, and subclass it)")
    if not isinstance(getattr(op, "n_out", None), (int, np.integer)) or isinstance(op.n_out, bool) \
            or op.n_out < 1:
        raise RecordError(f"{name}: make() returned an op whose n_out is {getattr(op, 'n_out', None)!r}; "
                          "it must be the layer's width, a whole number ≥ 1")
    parameters = getattr(op, "parameters", None)
    if not isinstance(parameters, tuple) or not all(isinstance(p, Parameter) for p in parameters):
        raise RecordError(f"{name}: the op's parameters must be a tuple of Parameter records "
                          "(from bpdash.layers import Parameter)")
    for p in parameters:
        if p.role not in ROLES:
            raise RecordError(f"{name}: parameter {p.name!r} has role {p.role!r}; the roles are "
                              f"{', '.join(ROLES)}")
        if not isinstance(p.shape, tuple) or not p.shape or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in p.shape):
            raise RecordError(f"{name}: parameter {p.name!r} has shape {p.shape!r}; a shape is a "
                              "tuple of whole numbers ≥ 1")
    for method in ("forward", "delta", "backward", "formulas"):
        if not callable(getattr(op, method, None)):
            raise RecordError(f"{name}: the op has no method {method}()")
    if not isinstance(getattr(op, "output", None), str):
        raise RecordError(f"{name}: the op's output must be a name (str)")


def _pass(name, op, params, a, ctx):
    """One forward pass, checked: the shapes, finite values, and params and a left alone."""
    saved = [p.copy() for p in params] + [a.copy()]
    result = op.forward(params, a, ctx)
    what = f"{name}: forward(params, a, ctx)"
    if not (isinstance(result, tuple) and len(result) == 3):
        raise RecordError(f"{what} must return a triple (z, a_out, cache)")
    z, out, cache = result
    for value, label in ((z, "z"), (out, "a_out")):
        if not isinstance(value, np.ndarray) or value.shape != (len(a), op.n_out):
            raise RecordError(f"{what}: {label} has shape {np.shape(value)}, expected "
                              f"{(len(a), op.n_out)} (rows × n_out)")
        if not np.isfinite(value).all():
            raise RecordError(f"{what}: {label} holds non-finite values on small random inputs")
    if any(not np.array_equal(x, y) for x, y in zip(list(params) + [a], saved)):
        raise RecordError(f"{what} changed its parameters or its input a in place; return new arrays")
    return z, out, cache


def _backward(name, op, params, a, cache, G):
    """delta and backward of the functional Σ G ⊙ a_out, checked for shapes: (grads, grad_in)."""
    delta = op.delta(cache, G.copy())
    if not isinstance(delta, np.ndarray) or delta.shape != G.shape:
        raise RecordError(f"{name}: delta(cache, grad) returned shape {np.shape(delta)}, expected {G.shape}")
    result = op.backward(params, cache, delta)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise RecordError(f"{name}: backward(params, cache, delta) must return a pair (grads, grad_in)")
    grads, grad_in = result
    if not isinstance(grads, (tuple, list)) or len(grads) != len(params):
        raise RecordError(f"{name}: backward must return one gradient per parameter ({len(params)}), "
                          f"got {grads!r:.60}")
    for g, p, declared in zip(grads, params, op.parameters):
        if not isinstance(g, np.ndarray) or g.shape != p.shape:
            raise RecordError(f"{name}: the gradient of {declared.name!r} has shape {np.shape(g)}, "
                              f"expected {p.shape}")
    if not isinstance(grad_in, np.ndarray) or grad_in.shape != a.shape:
        raise RecordError(f"{name}: backward's grad_in has shape {np.shape(grad_in)}, expected {a.shape} "
                          "(∂J/∂a, rows × n_in)")
    return grads, grad_in


def _numeric(J, array) -> np.ndarray:
    """∂J/∂array by central differences, entry by entry (J reads ``array``)."""
    slope = np.empty(array.shape)
    for idx in np.ndindex(array.shape):
        kept = array[idx]
        array[idx] = kept + STEP
        up = J()
        array[idx] = kept - STEP
        down = J()
        array[idx] = kept
        slope[idx] = (up - down) / (2 * STEP)
    return slope


def _agree(name, label, got, want) -> None:
    miss = worst_mismatch(got, want, RTOL, ATOL)
    if miss:
        i, g, w = miss
        raise RecordError(f"{name}: backward's ∂J/∂{label} disagrees with a central difference of "
                          f"forward at entry {np.unravel_index(i, np.shape(want))}: {g:.6g} against "
                          f"{w:.6g}. delta must turn ∂J/∂a_out into ∂J/∂z, and backward ∂J/∂z into "
                          "the gradients of the parameters and of the input")


def check_layer(layer, registry) -> None:
    """``layer`` (a ``Layer`` record) made at width 3 with its default settings: its op declares
    sound parameters; forward gives finite arrays of the declared shapes in training and outside
    it and leaves its inputs alone; delta + backward agree with central differences of forward on
    random inputs and parameters (random draws held fixed); formulas(l) is a dict."""
    name = f"layer '{layer.name}'"
    if not callable(layer.make):
        raise RecordError(f"{name}: make is not callable")
    if not isinstance(layer.settings, tuple) or not all(isinstance(f, Field) for f in layer.settings):
        raise RecordError(f"{name}: settings must be a tuple of Field records (from bpdash.fields import Field)")
    settings = {f.name: f.default for f in layer.settings}
    settings["bias"] = True
    op = layer.make(N_IN, settings, registry)
    check_declarations(name, op)
    op.n_in, op.needs_grad_in = N_IN, True
    rng = np.random.default_rng(0)
    params = random_parameters(op.parameters, rng)
    a = rng.uniform(-1.0, 1.0, (ROWS, N_IN))
    _pass(name, op, params, a, Context())
    ctx = Context(training=True, rng=np.random.default_rng(1), record=True)
    ctx.start()
    _, _, cache = _pass(name, op, params, a, ctx)
    G = rng.normal(size=(ROWS, op.n_out))
    saved = [p.copy() for p in params] + [a.copy()]
    grads, grad_in = _backward(name, op, params, a, cache, G)
    if any(not np.array_equal(x, y) for x, y in zip(list(params) + [a], saved)):
        raise RecordError(f"{name}: delta or backward changed the parameters or the input a in place")
    replay = ctx.replay()
    work = [p.copy() for p in params]
    x = a.copy()

    def J():
        return float((G * forward([op], [tuple(work)], x, replay)[1][-1]).sum())

    for p, declared, g in zip(work, op.parameters, grads):
        _agree(name, declared.name, g, _numeric(J, p))
    _agree(name, "a (grad_in)", grad_in, _numeric(J, x))
    formulas = op.formulas(2)
    if not isinstance(formulas, dict) or not all(isinstance(v, str) for v in formulas.values()):
        raise RecordError(f"{name}: formulas(l) must return a dict of LaTeX strings")


def check_link(cost, op) -> None:
    """For the output layer ``op`` that ``cost`` links to, δ^(L) = (a − y)/m gives the numbers of
    the composition op.delta(gradient(a, y)) on random inputs and parameters, with targets one
    per row (0/1 for one output). Run when a network or trainer pairs them, before relying on it."""
    rng = np.random.default_rng(0)
    params = random_parameters(op.parameters, rng)
    X = rng.uniform(-1.0, 1.0, (5, op.n_in))
    _, activations, caches = forward([op], [params], X, Context())
    A = activations[-1]
    Y = ((rng.uniform(size=(5, 1)) > 0.5).astype(float) if op.n_out == 1
         else np.eye(op.n_out)[rng.integers(0, op.n_out, 5)])
    composed = op.delta(caches[0], cost.gradient(A, Y))
    miss = worst_mismatch(linked_delta(A, Y), composed, rtol=1e-7, atol=1e-10)
    if miss:
        _, got, want = miss
        raise RecordError(f"cost '{cost.name}': its link to '{op.output}' claims δ^(L) = (a − y)/m, "
                          f"which gives {got:.6g} where the cost's gradient through the layer's delta "
                          f"gives {want:.6g}")
