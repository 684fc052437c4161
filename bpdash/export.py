"""Saving and restoring runs: experiment JSON (config, parameters, history) and history CSV.

An export restores exactly: floats are written with ``repr`` precision, so parameters and
history come back bit for bit (float32 ones too: each is written as the float64 it equals),
and the trainer's generator state (shuffling, dropout masks) travels along so training
continues as if it never stopped. Imports are validated field by field before anything is
built: strict JSON (no repeated keys, no NaN/Infinity), every number finite and every count
within the config's limits, every array shaped as the config's stack declares it
(``bpdash.saved_parameters``); a wrong or hostile file raises ``ExportError`` naming the field
and changes nothing. Version 1 files (dense layers, ``weights`` and ``biases``) still load and
resume exactly. Weights alone travel as .npz: ``bpdash.weights_file``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import saved_parameters
from .config import MAX_EPOCHS, MAX_SAMPLES, ConfigError, ExperimentConfig
from .json_checks import FieldError, finite_array, finite_nested, is_finite, show, strict_loads, whole

FORMAT = "bpdash-experiment"
VERSION = 2
MAX_BYTES = 50 * 2**20  # an export of the largest network the dashboard allows is far below this
FIELDS = {2: ("format", "version", "config", "epoch", "rng_state", "sizes", "params", "optimizer_state", "history"),
          1: ("format", "version", "config", "epoch", "rng_state", "weights", "biases", "optimizer_state", "history")}
RNG_KEYS = {"bit_generator", "state", "has_uint32", "uinteger"}  # numpy's PCG64 state, the trainer's shuffler


class ExportError(ValueError):
    """A file that cannot be restored; the message says why."""


@dataclass
class RunState:
    """What an experiment file holds: the config, and optionally the trained state.

    ``params`` per layer, as ``Network.params`` (float64 arrays; None when the file holds none),
    ``sizes`` the width of every article layer they were saved for; ``history`` as
    ``Trainer.history``; ``rng_state`` the trainer's generator state (a dict), ``epoch`` the
    epochs done; ``optimizer_state`` the optimizer's memory ``{"name", "t", "state": {key:
    [arrays]}}`` (None for plain gradient descent, which keeps none; see
    ``Trainer.optimizer_state``). ``weights`` and ``biases``: Θ^(l) and b^(l) per layer, as in
    ``Network``.
    """

    config: ExperimentConfig
    params: tuple | None = None
    sizes: list | None = None
    history: pd.DataFrame | None = None
    epoch: int = 0
    rng_state: dict | None = None
    optimizer_state: dict | None = None
    layout: object = None  # the bpdash.parameters.Layout of the stack the params fit

    @property
    def weights(self) -> list | None:
        return None if self.params is None else list(self.layout.weights(self.params))

    @property
    def biases(self) -> list | None:
        return None if self.params is None else list(self.layout.biases(self.params))


def _finite_or_none(values):
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def export_json(config: ExperimentConfig, trainer=None, *, weights=True, history=True) -> str:
    """The experiment as JSON text: always its config; the trainer's parameters (every layer's)
    and history if asked."""
    doc = {"format": FORMAT, "version": VERSION, "config": config.to_dict()}
    if trainer is not None and (weights or history):
        doc["epoch"] = trainer.epoch
        doc["rng_state"] = trainer.rng.bit_generator.state
    if trainer is not None and weights:
        doc["sizes"] = list(trainer.net.sizes)
        doc["params"] = saved_parameters.as_lists(trainer.net.params)
        if trainer.optimizer_state is not None:  # its velocities etc.: without them no exact resume
            doc["optimizer_state"] = trainer.optimizer_state
    if trainer is not None and history:
        frame = trainer.history
        doc["history"] = {"columns": list(frame.columns),
                          "rows": [_finite_or_none(row) for row in frame.itertuples(index=False)]}
    return json.dumps(doc, allow_nan=False)


def _document(data) -> dict:
    """The file's top-level object, parsed strictly, with its format and version checked."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_BYTES:
            raise ExportError(f"the file is {len(data):,} bytes; experiment files are at most {MAX_BYTES:,}")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ExportError("the file is not UTF-8 text: is it an experiment JSON?") from None
    try:
        doc = strict_loads(data)
    except FieldError as exc:
        raise ExportError(f"not a valid experiment file: {exc}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, an integer of over 4,300 digits
        raise ExportError(f"not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError(f"not a bpdash experiment file (expected \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if type(version) is not int or version not in FIELDS:
        raise ExportError(f"unsupported version {show(version)}; this bpdash reads versions "
                          f"{', '.join(map(str, sorted(FIELDS)))}")
    unknown = [name for name in doc if name not in FIELDS[version]]
    if unknown:
        raise ExportError(f"unknown field {show(unknown[0])}; an experiment file of version {version} holds "
                          f"{', '.join(FIELDS[version])}")
    return doc


def import_json(data, registry=None) -> RunState:
    """Parse and validate an experiment file (text or bytes) against the plugins of ``registry``
    (default: every loaded one); raise ExportError naming the problem."""
    from .plugins import default_registry

    registry = registry if registry is not None else default_registry()
    doc = _document(data)
    try:
        state = RunState(ExperimentConfig.from_dict(doc.get("config"), registry))
    except ConfigError as exc:
        raise ExportError(f"config: {exc}") from None
    try:
        state.epoch = whole(doc.get("epoch", 0), "epoch", 0, MAX_EPOCHS)
        if doc["version"] == 1 and ("weights" in doc or "biases" in doc):
            state.sizes, state.params, state.layout = saved_parameters.read_v1(
                doc.get("weights"), doc.get("biases"), state.config, registry)
        elif "sizes" in doc or "params" in doc:
            state.sizes, state.params, state.layout = saved_parameters.read_v2(
                doc.get("sizes"), doc.get("params"), state.config, registry)
        if "history" in doc:
            state.history = _history(doc["history"], state.epoch)
        if doc.get("rng_state") is not None:
            state.rng_state = _rng_state(doc["rng_state"])
        if "optimizer_state" in doc:
            state.optimizer_state = _optimizer_state(doc["optimizer_state"], state)
    except FieldError as exc:
        raise ExportError(str(exc)) from None
    return state


def _history(value, epoch: int) -> pd.DataFrame:
    """The history table: named columns, one row per epoch 1 … ``epoch``, finite numbers (null
    where a measure does not apply, as for accuracy in regression), the cost always present."""
    if not isinstance(value, dict) or set(value) != {"columns", "rows"} or not isinstance(value["columns"], list) \
            or not isinstance(value["rows"], list):
        raise FieldError('history must be {"columns": [...], "rows": [[...], ...]}')
    columns, rows = value["columns"], value["rows"]
    if any(not isinstance(c, str) for c in columns) or len(set(columns)) != len(columns) \
            or not {"epoch", "cost"} <= set(columns):
        raise FieldError("history columns must be distinct names and include 'epoch' and 'cost'")
    if len(rows) != epoch:
        raise FieldError(f"the history has {len(rows)} rows but epoch says {epoch}")
    at_epoch, at_cost = columns.index("epoch"), columns.index("cost")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise FieldError(f"history row {i} must hold {len(columns)} values")
        for name, item in zip(columns, row):
            if item is not None and not is_finite(item):
                raise FieldError(f"history row {i} {name} is {show(item)}, not a finite number")
        if row[at_epoch] != i + 1 or isinstance(row[at_epoch], bool):
            raise FieldError(f"history row {i} epoch is {show(row[at_epoch])}; the rows must be epochs 1, 2, … "
                             f"{epoch} in order")
        if row[at_cost] is None:
            raise FieldError(f"history row {i} cost is missing")
    frame = pd.DataFrame(rows, columns=columns, dtype=float)
    frame["epoch"] = frame["epoch"].astype(int)
    return frame


def _rng_state(value) -> dict:
    """The trainer's shuffling state: numpy's PCG64 state, every number within its range."""
    if not isinstance(value, dict) or set(value) != RNG_KEYS or value["bit_generator"] != "PCG64" \
            or not isinstance(value["state"], dict) or set(value["state"]) != {"state", "inc"}:
        raise FieldError('rng_state must be numpy\'s PCG64 state: {"bit_generator": "PCG64", '
                         '"state": {"state": ..., "inc": ...}, "has_uint32": ..., "uinteger": ...}')
    for key in ("state", "inc"):
        whole(value["state"][key], f"rng_state state.{key}", 0, 2**128 - 1)
    whole(value["has_uint32"], "rng_state has_uint32", 0, 1)
    whole(value["uinteger"], "rng_state uinteger", 0, 2**32 - 1)
    try:
        np.random.default_rng().bit_generator.state = value
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise FieldError(f"rng_state is not a numpy generator state: {exc}") from None
    return value


def _optimizer_state(value, state: RunState) -> dict:
    """The file's optimizer state, checked: {"name": the config's optimizer, "t": the updates
    made (at most one per sample and epoch), "state": {key: one finite array per parameter,
    shaped like it: every weight's, then every bias's, then the rest}}."""
    if state.params is None:
        raise FieldError("optimizer_state needs the weights it belongs to; the file has none")
    if not isinstance(value, dict) or set(value) != {"name", "t", "state"}:
        raise FieldError('optimizer_state must be {"name": ..., "t": ..., "state": {...}}')
    if value["name"] != state.config.optimizer:
        raise FieldError(f"optimizer_state is for optimizer {show(value['name'])}, but the config "
                         f"uses {state.config.optimizer!r}")
    t = whole(value["t"], "optimizer_state t", 0, state.epoch * MAX_SAMPLES)
    if not isinstance(value["state"], dict):
        raise FieldError("optimizer_state state must be an object of name → list of arrays")
    layout = state.layout
    shapes = layout.to_saved([shape for layer in layout.shapes for shape in layer])
    arrays = {}
    for key, items in value["state"].items():
        name = f"optimizer_state[{show(key)}]"
        if not isinstance(items, list) or len(items) != len(shapes):
            raise FieldError(f"{name} must hold {len(shapes)} arrays, one per parameter (weight matrix, "
                             "bias vector, …)")
        arrays[key] = [_array(a, shape, f"{name}[{i}]") for i, (a, shape) in enumerate(zip(items, shapes))]
    return {"name": value["name"], "t": t, "state": arrays}


def _array(value, shape, name):
    """One array of a saved state: finite numbers of exactly ``shape``."""
    if len(shape) in (1, 2):  # the messages of the checks these files always had
        array = finite_array(value, len(shape), name)
        if array.shape != shape:
            raise FieldError(f"{name} has shape {array.shape}, expected {shape}")
        return array
    return finite_nested(value, shape, name)


def restore(experiment, state: RunState) -> None:
    """Put ``state``'s parameters, history, epoch, generator and optimizer state into a freshly
    built experiment (its parameters in the network's dtype)."""
    trainer, net = experiment.trainer, experiment.net
    if state.params is not None:
        want = [tuple(np.shape(a) for a in layer) for layer in net.params]
        got = [tuple(a.shape for a in layer) for layer in state.params]
        if got != want or list(state.sizes) != list(net.sizes):
            raise ExportError(f"the file's parameters have shapes {got} (layer widths {state.sizes}), "
                              f"but this data makes a network with {want} (widths {net.sizes})")
        net.params = tuple(tuple(np.asarray(a, net.dtype) for a in layer) for layer in state.params)
    try:
        trainer.restore(state.history, state.epoch, state.rng_state, state.optimizer_state)
    except ValueError as exc:  # the history's columns or the optimizer state do not fit this network
        raise ExportError(str(exc)) from None


def history_csv(trainer) -> str:
    return trainer.history.to_csv(index=False)
