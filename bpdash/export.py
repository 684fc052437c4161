"""Saving and restoring runs: experiment JSON (config, weights, history) and history CSV.

An export restores exactly: floats are written with ``repr`` precision, so weights and history
come back bit for bit, and the trainer's shuffling state travels along so training continues as
if it never stopped. Imports are validated field by field before anything is built: strict
JSON (no repeated keys, no NaN/Infinity), every number finite and every count within the
config's limits, shapes that fit the config; a wrong or hostile file raises ``ExportError``
naming the field and changes nothing. Weights alone travel as .npz: ``bpdash.weights_file``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import MAX_EPOCHS, MAX_SAMPLES, ConfigError, ExperimentConfig
from .json_checks import FieldError, finite_array, is_finite, show, strict_loads, whole

FORMAT = "bpdash-experiment"
VERSION = 1
MAX_BYTES = 50 * 2**20  # an export of the largest network the dashboard allows is far below this
FIELDS = ("format", "version", "config", "epoch", "rng_state", "weights", "biases", "optimizer_state", "history")
RNG_KEYS = {"bit_generator", "state", "has_uint32", "uinteger"}  # numpy's PCG64 state, the trainer's shuffler


class ExportError(ValueError):
    """A file that cannot be restored; the message says why."""


@dataclass
class RunState:
    """What an experiment file holds: the config, and optionally the trained state.

    ``weights[l-1]``/``biases[l-1]`` as in ``Network``; ``history`` as ``Trainer.history``;
    ``rng_state`` the trainer's shuffling generator state (a dict), ``epoch`` the epochs done;
    ``optimizer_state`` the optimizer's memory ``{"name", "t", "state": {key: [arrays]}}`` (None
    for plain gradient descent, which keeps none; see ``Trainer.optimizer_state``).
    """

    config: ExperimentConfig
    weights: list | None = None
    biases: list | None = None
    history: pd.DataFrame | None = None
    epoch: int = 0
    rng_state: dict | None = None
    optimizer_state: dict | None = None


def _finite_or_none(values):
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def export_json(config: ExperimentConfig, trainer=None, *, weights=True, history=True) -> str:
    """The experiment as JSON text: always its config; the trainer's weights and history if asked."""
    doc = {"format": FORMAT, "version": VERSION, "config": config.to_dict()}
    if trainer is not None and (weights or history):
        doc["epoch"] = trainer.epoch
        doc["rng_state"] = trainer.rng.bit_generator.state
    if trainer is not None and weights:
        doc["weights"] = [W.tolist() for W in trainer.net.weights]
        doc["biases"] = [b.tolist() for b in trainer.net.biases]
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
    if type(version) is not int or version != VERSION:
        raise ExportError(f"unsupported version {show(version)}; this bpdash reads version {VERSION}")
    unknown = [name for name in doc if name not in FIELDS]
    if unknown:
        raise ExportError(f"unknown field {show(unknown[0])}; an experiment file holds {', '.join(FIELDS)}")
    return doc


def import_json(data) -> RunState:
    """Parse and validate an experiment file (text or bytes); raise ExportError naming the problem."""
    doc = _document(data)
    try:
        state = RunState(ExperimentConfig.from_dict(doc.get("config")))
    except ConfigError as exc:
        raise ExportError(f"config: {exc}") from None
    try:
        state.epoch = whole(doc.get("epoch", 0), "epoch", 0, MAX_EPOCHS)
        if "weights" in doc or "biases" in doc:
            state.weights, state.biases = _parameters(doc.get("weights"), doc.get("biases"), state.config)
        if "history" in doc:
            state.history = _history(doc["history"], state.epoch)
        if doc.get("rng_state") is not None:
            state.rng_state = _rng_state(doc["rng_state"])
        if "optimizer_state" in doc:
            state.optimizer_state = _optimizer_state(doc["optimizer_state"], state)
    except FieldError as exc:
        raise ExportError(str(exc)) from None
    return state


def _parameters(weights, biases, config) -> tuple[list, list]:
    """The file's Θ^(l) and b^(l) as finite float arrays whose shapes chain as ``config`` says."""
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
    return weights, biases


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
    shaped like the weights, then the biases}}."""
    if state.weights is None:
        raise FieldError("optimizer_state needs the weights it belongs to; the file has none")
    if not isinstance(value, dict) or set(value) != {"name", "t", "state"}:
        raise FieldError('optimizer_state must be {"name": ..., "t": ..., "state": {...}}')
    if value["name"] != state.config.optimizer:
        raise FieldError(f"optimizer_state is for optimizer {show(value['name'])}, but the config "
                         f"uses {state.config.optimizer!r}")
    t = whole(value["t"], "optimizer_state t", 0, state.epoch * MAX_SAMPLES)
    if not isinstance(value["state"], dict):
        raise FieldError("optimizer_state state must be an object of name → list of arrays")
    shapes = [W.shape for W in state.weights] + ([b.shape for b in state.biases] if state.config.bias else [])
    arrays = {}
    for key, items in value["state"].items():
        name = f"optimizer_state[{show(key)}]"
        if not isinstance(items, list) or len(items) != len(shapes):
            raise FieldError(f"{name} must hold {len(shapes)} arrays, one per weight matrix and bias vector")
        arrays[key] = [finite_array(a, len(shape), f"{name}[{i}]") for i, (a, shape) in enumerate(zip(items, shapes))]
        for i, (a, shape) in enumerate(zip(arrays[key], shapes)):
            if a.shape != shape:
                raise FieldError(f"{name}[{i}] has shape {a.shape}, expected {shape}")
    return {"name": value["name"], "t": t, "state": arrays}


def restore(experiment, state: RunState) -> None:
    """Put ``state``'s weights, history, epoch, shuffling and optimizer state into a freshly built
    experiment."""
    trainer, net = experiment.trainer, experiment.net
    if state.weights is not None:
        want = [W.shape for W in net.weights]
        if [W.shape for W in state.weights] != want:
            raise ExportError(f"the file's weights have shapes {[W.shape for W in state.weights]}, "
                              f"but this data makes a network with {want}")
        net.weights, net.biases = list(state.weights), list(state.biases)
    try:
        trainer.restore(state.history, state.epoch, state.rng_state, state.optimizer_state)
    except ValueError as exc:  # the history's columns or the optimizer state do not fit this network
        raise ExportError(str(exc)) from None


def history_csv(trainer) -> str:
    return trainer.history.to_csv(index=False)
