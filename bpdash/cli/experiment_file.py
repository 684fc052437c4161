"""Reading what ``--config`` names: a config JSON, or the dashboard's whole experiment export
(``{"format": "bpdash-experiment", "config": {...}, ...}``), validated exactly as an upload is."""
from __future__ import annotations

import json
from pathlib import Path

from ..config import ConfigError, ExperimentConfig
from ..export import MAX_BYTES, ExportError, import_json
from ..plugins import default_registry


def read_experiment(path: str):
    """``(config, history)`` from a config JSON (history None) or an experiment export (its
    history, None when it holds none). Raises ConfigError or ExportError saying what is wrong."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise ExportError(f"{path} is {size:,} bytes; experiment files are at most {MAX_BYTES:,}")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError({"config": f"cannot read {path}: {exc.strerror or exc}"}) from None
    if _is_export(data):
        state = import_json(data)
        return state.config, state.history
    try:
        return ExperimentConfig.from_json(data.decode("utf-8"), default_registry()), None  # every bad field at once
    except UnicodeDecodeError:
        raise ConfigError({"config": f"{path} is not UTF-8 text: is it a config JSON?"}) from None


def _is_export(data: bytes) -> bool:
    """Whether the file claims to be an experiment export (its own checks follow)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # from_json names the JSON error
        return False
    return isinstance(doc, dict) and "format" in doc


def read_config(path: str) -> ExperimentConfig:
    return read_experiment(path)[0]

