"""Saving and restoring runs: experiment JSON (config, weights, history), history CSV, weights .npz.

An export restores exactly: floats are written with ``repr`` precision (JSON) or raw (npz), so
weights and history come back bit for bit, and the trainer's shuffling state travels along so
training continues as if it never stopped. Imports are validated field by field; a wrong or
hostile file raises ``ExportError`` with a message and changes nothing.
"""
from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import ConfigError, ExperimentConfig

FORMAT = "bpdash-experiment"
VERSION = 1
MAX_BYTES = 50 * 2**20  # an export of the largest network the dashboard allows is far below this


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


def _matrix_list(value, ndim, what):
    if not isinstance(value, list) or not value:
        raise ExportError(f"{what} must be a non-empty list of arrays")
    arrays = []
    for i, item in enumerate(value):
        try:
            array = np.array(item, dtype=float)
        except (TypeError, ValueError):
            raise ExportError(f"{what}[{i}] is not an array of numbers") from None
        if (ndim is not None and array.ndim != ndim) or not np.isfinite(array).all():
            shape = f"a {ndim}-D array" if ndim is not None else "an array"
            raise ExportError(f"{what}[{i}] must be {shape} of finite numbers")
        arrays.append(array)
    return arrays


def _check_shapes(config, weights, biases):
    hidden = list(config.hidden)
    if len(weights) != len(hidden) + 1 or len(biases) != len(weights):
        raise ExportError(f"the config has {len(hidden) + 1} weight layers but the file holds "
                          f"{len(weights)} weight matrices and {len(biases)} bias vectors")
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        if l > 1 and W.shape[1] != weights[l - 2].shape[0]:
            raise ExportError(f"weights[{l - 1}] (Θ^({l})) has {W.shape[1]} columns but layer {l} has "
                              f"{weights[l - 2].shape[0]} neurons")
        if l <= len(hidden) and W.shape[0] != hidden[l - 1]:
            raise ExportError(f"weights[{l - 1}] (Θ^({l})) has {W.shape[0]} rows but hidden layer "
                              f"{l} has {hidden[l - 1]} neurons")
        if b.shape != (W.shape[0],):
            raise ExportError(f"biases[{l - 1}] must have {W.shape[0]} values, got shape {b.shape}")


def _history(value):
    if not isinstance(value, dict) or not isinstance(value.get("columns"), list) \
            or not isinstance(value.get("rows"), list):
        raise ExportError("history must be {\"columns\": [...], \"rows\": [[...], ...]}")
    columns = value["columns"]
    if any(not isinstance(c, str) for c in columns) or "epoch" not in columns:
        raise ExportError("history columns must be names and include 'epoch'")
    for i, row in enumerate(value["rows"]):
        if not isinstance(row, list) or len(row) != len(columns) or \
                any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in row):
            raise ExportError(f"history row {i} must hold {len(columns)} numbers")
    frame = pd.DataFrame(value["rows"], columns=columns, dtype=float)
    frame["epoch"] = frame["epoch"].astype(int)
    return frame


def import_json(data) -> RunState:
    """Parse and validate an experiment file (text or bytes); raise ExportError naming the problem."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_BYTES:
            raise ExportError(f"the file is {len(data):,} bytes; experiment files are at most {MAX_BYTES:,}")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ExportError("the file is not UTF-8 text: is it an experiment JSON?") from None
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ExportError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError(f"not a bpdash experiment file (expected \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise ExportError(f"unsupported version {doc.get('version')!r}; this bpdash reads version {VERSION}")
    try:
        state = RunState(ExperimentConfig.from_dict(doc.get("config")))
    except ConfigError as exc:
        raise ExportError(f"config: {exc}") from None
    if "weights" in doc or "biases" in doc:
        state.weights = _matrix_list(doc.get("weights"), 2, "weights")
        state.biases = _matrix_list(doc.get("biases"), 1, "biases")
        _check_shapes(state.config, state.weights, state.biases)
    if "history" in doc:
        state.history = _history(doc["history"])
    epoch = doc.get("epoch", 0)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ExportError(f"epoch must be a whole number ≥ 0, got {epoch!r}")
    state.epoch = epoch
    if state.history is not None and len(state.history) != epoch:
        raise ExportError(f"the history has {len(state.history)} rows but epoch says {epoch}")
    rng_state = doc.get("rng_state")
    if rng_state is not None:
        try:
            np.random.default_rng().bit_generator.state = rng_state
        except (TypeError, ValueError, KeyError) as exc:
            raise ExportError(f"rng_state is not a numpy generator state: {exc}") from None
    state.rng_state = rng_state
    if "optimizer_state" in doc:
        state.optimizer_state = _optimizer_state(doc["optimizer_state"], state)
    return state


def _optimizer_state(value, state: RunState) -> dict:
    """The file's optimizer state, checked: {"name": the config's optimizer, "t": whole ≥ 0,
    "state": {key: one finite array per parameter, shaped like the weights, then the biases}}."""
    if state.weights is None:
        raise ExportError("optimizer_state needs the weights it belongs to; the file has none")
    if not isinstance(value, dict) or set(value) != {"name", "t", "state"}:
        raise ExportError('optimizer_state must be {"name": ..., "t": ..., "state": {...}}')
    if value["name"] != state.config.optimizer:
        raise ExportError(f"optimizer_state is for optimizer {str(value['name'])[:40]!r}, but the config "
                          f"uses {state.config.optimizer!r}")
    t = value["t"]
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise ExportError(f"optimizer_state t must be a whole number ≥ 0, got {str(t)[:40]!r}")
    if not isinstance(value["state"], dict):
        raise ExportError("optimizer_state state must be an object of name → list of arrays")
    shapes = [W.shape for W in state.weights] + ([b.shape for b in state.biases] if state.config.bias else [])
    arrays = {}
    for key, items in value["state"].items():
        if not isinstance(items, list) or len(items) != len(shapes):
            raise ExportError(f"optimizer_state[{str(key)[:40]!r}] must hold {len(shapes)} arrays, one per "
                              "weight matrix and bias vector")
        arrays[key] = _matrix_list(items, None, f"optimizer_state[{str(key)[:40]!r}]")
        for i, (a, shape) in enumerate(zip(arrays[key], shapes)):
            if a.shape != shape:
                raise ExportError(f"optimizer_state[{str(key)[:40]!r}][{i}] has shape {a.shape}, "
                                  f"expected {shape}")
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
    except ValueError as exc:  # the optimizer state does not fit this network or optimizer
        raise ExportError(str(exc)) from None


def history_csv(trainer) -> str:
    return trainer.history.to_csv(index=False)


def weights_npz(net) -> bytes:
    """Θ^(l) and b^(l) as ``theta_l`` and ``b_l`` (l = 1 … L−1) in an .npz archive."""
    buffer = io.BytesIO()
    arrays = {f"theta_{l}": W for l, W in enumerate(net.weights, start=1)}
    arrays.update({f"b_{l}": b for l, b in enumerate(net.biases, start=1)})
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def load_weights_npz(data: bytes) -> tuple[list, list]:
    """(weights, biases) from an .npz made by ``weights_npz``; pickled arrays are refused."""
    if len(data) > MAX_BYTES:
        raise ExportError(f"the file is {len(data):,} bytes; weight files are at most {MAX_BYTES:,}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            names = set(archive.files)
            n = len([name for name in names if name.startswith("theta_")])
            if n == 0 or names != {f"theta_{l}" for l in range(1, n + 1)} | {f"b_{l}" for l in range(1, n + 1)}:
                raise ExportError("expected arrays theta_1 … theta_n and b_1 … b_n")
            weights = [archive[f"theta_{l}"] for l in range(1, n + 1)]
            biases = [archive[f"b_{l}"] for l in range(1, n + 1)]
    except ValueError as exc:
        if isinstance(exc, ExportError):
            raise
        raise ExportError(f"refused: {exc} (bpdash never loads pickled data)") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ExportError(f"not an .npz archive: {exc}") from None
    for arrays, ndim, what in ((weights, 2, "theta"), (biases, 1, "b")):
        for l, a in enumerate(arrays, start=1):
            if a.ndim != ndim or a.dtype.kind not in "fiu" or not np.isfinite(a).all():
                raise ExportError(f"{what}_{l} must be a finite {ndim}-D numeric array")
    return [w.astype(float) for w in weights], [b.astype(float) for b in biases]
