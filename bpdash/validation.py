"""Checks a plugin's records before the registry accepts them.

Each check returns nothing when the record is sound and raises ``RecordError`` with a message
addressed to the plugin's author otherwise.
"""
from __future__ import annotations

import numpy as np

from .fields import Field
from .records import Activation, Cost, Dataset, Initializer, Optimizer

# 64 points in [−4, 4] that skip 0, where ReLU-like functions have a kink.
PROBE_Z = np.linspace(-4.0, 4.0, 64)
STEP = 1e-5
RTOL = 1e-5
ATOL = 1e-5


class RecordError(ValueError):
    """A plugin returned a record bpdash cannot use."""


def _array_like(result, shape, what):
    if not isinstance(result, np.ndarray):
        raise RecordError(f"{what} returned {type(result).__name__}, expected a numpy array")
    if result.dtype.kind not in "biuf":  # complex or object arrays would poison the weights
        raise RecordError(f"{what} returned an array of dtype {result.dtype}, expected real numbers (float)")
    if result.shape != shape:
        raise RecordError(f"{what} returned shape {result.shape}, expected {shape}")
    if not np.all(np.isfinite(result)):
        raise RecordError(f"{what} returned non-finite values (nan or inf) on [-4, 4]")
    return result


def _call_on_copy(fn, x, what):
    """``fn`` applied to a copy of ``x``; raise if it changed that copy in place.

    The engine keeps z and a for backprop, so an activation that writes into its argument
    (``np.tanh(z, out=z)``) would silently corrupt the gradients.
    """
    probe = x.copy()
    result = fn(probe)
    if not np.array_equal(probe, x):
        raise RecordError(f"{what} changed its input in place; return a new array instead "
                          "(np.tanh(z), not np.tanh(z, out=z))")
    return result


def worst_mismatch(got, expected, rtol=RTOL, atol=ATOL):
    """The largest |got − expected| beyond tolerance, and where (None when they agree)."""
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    i = int(np.argmax(np.abs(got - expected) * bad))
    return i, float(got.flat[i]), float(expected.flat[i])


def check_activation(act: Activation) -> None:
    """f and f′ map (8, 8) arrays to finite (8, 8) arrays, and df(z, f(z)) is f′."""
    z = PROBE_Z.reshape(8, 8)
    for fn, label in ((act.f, "f"), (act.df, "df")):
        if not callable(fn):
            raise RecordError(f"activation '{act.name}': {label} is not callable")
    a = _array_like(_call_on_copy(act.f, z, f"activation '{act.name}': f(z)"),
                    z.shape, f"activation '{act.name}': f(z)")
    what = f"activation '{act.name}': df(z, a)"
    a_before = a.copy()
    df = _array_like(_call_on_copy(lambda z_: act.df(z_, a), z, what), z.shape, what)
    if not np.array_equal(a, a_before):
        raise RecordError(f"{what} changed a in place; return a new array instead")
    numeric = (act.f(z + STEP) - act.f(z - STEP)) / (2 * STEP)
    miss = worst_mismatch(df, numeric)
    if miss:
        i, got, want = miss
        raise RecordError(
            f"activation '{act.name}': df disagrees with the derivative of f at z = "
            f"{z.flat[i]:.3f}: df(z, f(z)) gives {got:.6g}, a central difference of f gives "
            f"{want:.6g}. df(z, a) must be f′(z), where a = f(z).")


def check_cost(cost: Cost) -> None:
    """J is a finite float and ∂J/∂a agrees with a central difference of J."""
    rng = np.random.default_rng(0)
    A = rng.uniform(0.1, 0.9, size=(5, 3))
    Y = (rng.uniform(size=(5, 3)) > 0.5).astype(float)
    for fn, label in ((cost.value, "value"), (cost.gradient, "gradient")):
        if not callable(fn):
            raise RecordError(f"cost '{cost.name}': {label} is not callable")
    J = cost.value(A, Y)
    if not isinstance(J, (float, np.floating)) or not np.isfinite(J):
        raise RecordError(f"cost '{cost.name}': value(A, Y) returned {J!r}, expected a finite float")
    grad = _array_like(cost.gradient(A, Y), A.shape, f"cost '{cost.name}': gradient(A, Y)")
    numeric = np.empty_like(A)
    for idx in np.ndindex(A.shape):
        up, down = A.copy(), A.copy()
        up[idx] += STEP
        down[idx] -= STEP
        numeric[idx] = (cost.value(up, Y) - cost.value(down, Y)) / (2 * STEP)
    if worst_mismatch(grad, numeric):
        raise RecordError(f"cost '{cost.name}': gradient disagrees with a central difference of value; "
                          "it must be ∂J/∂a^(L), already divided by m")
    if not isinstance(cost.link, str):
        raise RecordError(f"cost '{cost.name}': link must be the name of an output function (a str), "
                          f"got {type(cost.link).__name__}")


def check_initializer(init: Initializer) -> None:
    """Draws have the asked shape, are finite, and repeat for the same seed."""
    if not callable(init.sample):
        raise RecordError(f"initializer '{init.name}': sample is not callable")
    for shape in ((3, 4), (3,)):
        first = init.sample(shape, 4, 3, 0.12, np.random.default_rng(1))
        _array_like(first, shape, f"initializer '{init.name}': sample{shape}")
        again = init.sample(shape, 4, 3, 0.12, np.random.default_rng(1))
        if not np.array_equal(first, again):
            raise RecordError(f"initializer '{init.name}': two draws with the same seed differ; "
                              "take all randomness from the rng argument")


def check_dataset(data: Dataset) -> None:
    """generate returns float X (m, d) and Y (m, k) with the same m, finite."""
    if not callable(data.generate):
        raise RecordError(f"dataset '{data.name}': generate is not callable")
    if data.task not in ("classification", "regression"):
        raise RecordError(f"dataset '{data.name}': task must be 'classification' or 'regression', "
                          f"not {data.task!r}")
    out = data.generate(40, 0.1, np.random.default_rng(0))
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RecordError(f"dataset '{data.name}': generate must return a pair (X, Y)")
    X, Y = out
    for arr, label in ((X, "X"), (Y, "Y")):
        if not isinstance(arr, np.ndarray) or arr.ndim != 2:
            raise RecordError(f"dataset '{data.name}': {label} must be a 2-D numpy array")
        if not np.all(np.isfinite(arr)):
            raise RecordError(f"dataset '{data.name}': {label} holds non-finite values")
    if X.shape[0] != Y.shape[0] or X.shape[0] < 1:
        raise RecordError(f"dataset '{data.name}': X has {X.shape[0]} rows but Y has {Y.shape[0]}")
    if isinstance(data.classes, bool) or not isinstance(data.classes, int) or data.classes < 2:
        raise RecordError(f"dataset '{data.name}': classes must be a whole number ≥ 2, got {data.classes!r}")
    if data.classes > 2 and data.task == "classification":
        _check_classes(data)


def _check_classes(data: Dataset) -> None:
    """A dataset that makes k > 2 classes returns k one-hot columns for k = 3."""
    out = data.generate(40, 0.1, np.random.default_rng(0), classes=3)
    Y = out[1] if isinstance(out, tuple) and len(out) == 2 else None
    if not isinstance(Y, np.ndarray) or Y.shape != (40, 3) or not np.isin(Y, (0.0, 1.0)).all() \
            or not (Y.sum(axis=1) == 1).all():
        raise RecordError(f"dataset '{data.name}': with classes=3, generate must return Y of shape "
                          f"(40, 3), one-hot (each row a single 1)")


CHECKS = {Activation: check_activation, Cost: check_cost,
          Initializer: check_initializer, Dataset: check_dataset}


# -- optimizers ----------------------------------------------------------------------------------

def check_optimizer_state(state, shapes, what) -> None:
    """``state`` is a dict of name → list of finite float arrays with the parameters' ``shapes``
    (what ``Optimizer.init`` must return and ``step`` must keep, so a saved run restores it)."""
    if not isinstance(state, dict):
        raise RecordError(f"{what} must be a dict of name → list of arrays shaped like the "
                          f"parameters, got {type(state).__name__}")
    for key, arrays in state.items():
        if not isinstance(key, str) or not isinstance(arrays, (list, tuple)) or len(arrays) != len(shapes):
            raise RecordError(f"{what}: entry {key!r} must be a list of {len(shapes)} arrays, one per "
                              "parameter array")
        for i, (array, shape) in enumerate(zip(arrays, shapes)):
            _array_like(array, shape, f"{what}[{key!r}][{i}]")


def _optimizer_run(opt: Optimizer, params, grads):
    """Three steps t = 1, 2, 3 from fresh state, checking each; the parameters after each."""
    shapes = [p.shape for p in params]
    name = f"optimizer '{opt.name}'"
    state = opt.init([p.copy() for p in params])
    check_optimizer_state(state, shapes, f"{name}: init(params)")
    trajectory, current = [], [p.copy() for p in params]
    for t in (1, 2, 3):
        before = [p.copy() for p in current]
        g = [x * (1.0 + 0.5 * t) for x in grads]
        g_before = [x.copy() for x in g]
        result = opt.step(current, g, state, 0.1, {f.name: f.default for f in opt.hyperparameters}, t)
        what = f"{name}: step(params, grads, state, lr, hp, t={t})"
        if not isinstance(result, (list, tuple)) or len(result) != len(params):
            raise RecordError(f"{what} must return a list of {len(params)} arrays, got "
                              f"{type(result).__name__}")
        for i, (new, old, shape) in enumerate(zip(result, current, shapes)):
            _array_like(new, shape, f"{what}[{i}]")
            if new is old or np.shares_memory(new, old) or any(np.shares_memory(new, x) for x in g):
                raise RecordError(f"{what}[{i}] is (or shares memory with) a parameter or gradient "
                                  "array; return new arrays (θ - η g, not θ -= η g)")
        if any(not np.array_equal(a, b) for a, b in zip(current, before)):
            raise RecordError(f"{what} changed params in place; return new arrays instead "
                              "(snapshots keep references to the old ones)")
        if any(not np.array_equal(a, b) for a, b in zip(g, g_before)):
            raise RecordError(f"{what} changed grads in place; snapshots keep references to them")
        check_optimizer_state(state, shapes, f"{name}: its state after step t={t}")
        current = [np.asarray(r) for r in result]
        trajectory.append(current)
    return trajectory


def check_hyperparameters(opt: Optimizer) -> None:
    """``hyperparameters`` is a tuple of number or choice ``Field``s with distinct names."""
    hps = opt.hyperparameters
    if not isinstance(hps, tuple) or not all(isinstance(f, Field) for f in hps):
        raise RecordError(f"optimizer '{opt.name}': hyperparameters must be a tuple of bpdash.fields.Field")
    names = [f.name for f in hps]
    if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
        raise RecordError(f"optimizer '{opt.name}': hyperparameter names must be distinct names, got {names}")
    if any(f.kind not in ("int", "float", "bool", "choice") or f.items or f.optional for f in hps):
        raise RecordError(f"optimizer '{opt.name}': a hyperparameter is one number, true/false or choice")


def check_optimizer(opt: Optimizer) -> None:
    """init and step are callable; three steps on small random parameters (2 weight matrices and
    2 bias vectors) give new finite arrays of the same shapes, leave their inputs alone, keep the
    state well-formed, and repeat exactly from a fresh state."""
    for fn, label in ((opt.init, "init"), (opt.step, "step")):
        if not callable(fn):
            raise RecordError(f"optimizer '{opt.name}': {label} is not callable")
    check_hyperparameters(opt)
    rng = np.random.default_rng(0)
    params = [rng.uniform(-1, 1, shape) for shape in ((3, 2), (1, 3), (3,), (1,))]
    grads = [rng.uniform(-1, 1, p.shape) for p in params]
    first = _optimizer_run(opt, params, grads)
    again = _optimizer_run(opt, params, grads)
    if any(not np.array_equal(a, b) for x, y in zip(first, again) for a, b in zip(x, y)):
        raise RecordError(f"optimizer '{opt.name}': two runs from the same parameters, gradients and "
                          "a fresh state differ; keep all memory in the state init returns")


CHECKS[Optimizer] = check_optimizer
