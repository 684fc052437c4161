"""Experiment configs in a URL: encode to query parameters, decode with notices, never fail.

A link holds only the fields that differ from the defaults. Decoding starts from the defaults and
takes each parameter it can use; anything unknown, malformed, out of range or naming a plugin
that is not loaded is ignored with a notice that names it and the value used instead. Nothing
in a URL can load code or read a file: values are parsed as numbers, booleans and plugin names
that must already be in the registry.
"""
from __future__ import annotations

from dataclasses import fields
from urllib.parse import urlencode

from .config import ConfigError, ExperimentConfig, field_errors, registry_errors

MAX_VALUE_CHARS = 200  # longer values are ignored unread (a 10,000-character parameter)
LISTS = ("hidden", "activations", "features")
# fields that may be None, and how their other values parse; None is written "full" for the
# batch size (the full batch) and "none" for the others
OPTIONAL = {"batch_size": int, "target_cost": float, "patience": int}


def _text(value, name: str | None = None) -> str:
    """The URL text of field ``name``'s ``value``; ``_parse`` reads it back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "full" if name == "batch_size" else "none"
    if isinstance(value, (tuple, list)):
        if not value and name == "features":
            return "none"  # the raw inputs; an empty parameter would read as a mistake
        return ",".join(map(str, value))
    return repr(value) if isinstance(value, float) else str(value)  # repr: floats round-trip exactly


def to_query_params(config: ExperimentConfig) -> dict[str, str]:
    """The fields of ``config`` that differ from the defaults, as URL-ready strings."""
    default = ExperimentConfig()
    return {f.name: _text(getattr(config, f.name), f.name) for f in fields(config)
            if getattr(config, f.name) != getattr(default, f.name)}


def share_url(base: str, config: ExperimentConfig) -> str:
    """``base`` (the app's address) with the config's query string."""
    query = urlencode(to_query_params(config))
    return f"{base.rstrip('?')}?{query}" if query else base


def _parse(name: str, raw: str, default):
    """The value of field ``name`` from its URL text (a ValueError says why it cannot be)."""
    if name == "features" and raw.strip().lower() in ("", "none"):
        return ()
    if name in LISTS:
        items = [item.strip() for item in raw.split(",") if item.strip()] if raw.strip() else []
        return tuple(int(item) for item in items) if name == "hidden" else tuple(items)
    if name in OPTIONAL:
        return None if raw.strip().lower() in ("", "full", "none") else OPTIONAL[name](raw)
    if isinstance(default, bool):
        if raw.lower() in ("true", "1", "yes", "on"):
            return True
        if raw.lower() in ("false", "0", "no", "off"):
            return False
        raise ValueError("not true or false")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def from_query_params(params, registry) -> tuple[ExperimentConfig, list[str]]:
    """A config from query parameters (a mapping of name → str, or → list of str), and notices.

    Each notice names a parameter that was ignored and the value used instead.
    """
    default = ExperimentConfig()
    values, notices = default.to_dict(), []
    known = {f.name for f in fields(ExperimentConfig)}
    order = {f.name: i for i, f in enumerate(fields(ExperimentConfig))}
    for name, raw in sorted(params.items(), key=lambda item: order.get(item[0], len(order))):
        raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
        raw = str(raw) if raw is not None else ""
        if name not in known:
            notices.append(f"Ignored unknown parameter {_shown(name)}.")
            continue
        fallback = _text(getattr(default, name), name)
        if len(raw) > MAX_VALUE_CHARS:
            notices.append(f"Ignored {name}: its value is {len(raw):,} characters long; using {fallback}.")
            continue
        try:
            candidate = {**values, name: _parse(name, raw, getattr(default, name))}
            problem = field_errors(_unchecked(_same_length(candidate, name))).get(name)
        except (ValueError, TypeError) as exc:
            problem = str(exc) or "malformed"
        if problem:
            notices.append(f"Ignored {name}={_shown(raw)} ({problem}); using {fallback}.")
            continue
        values = candidate
    return _consistent(values, registry, notices)


def _same_length(values: dict, name: str) -> dict:
    """``values`` with the other list resized to match, so a field is judged on its own; the
    layer count is reconciled once every parameter is read (``_consistent``)."""
    if name == "hidden":
        return {**values, "activations": ("tanh",) * len(values["hidden"])}
    if name == "activations":
        return {**values, "hidden": (1,) * len(values["activations"])}
    return values


def _unchecked(values: dict) -> ExperimentConfig:
    """A config object built without validation, to run ``field_errors`` on."""
    config = object.__new__(ExperimentConfig)
    for name, value in values.items():
        object.__setattr__(config, name, tuple(value) if name in LISTS else value)
    return config


def _consistent(values, registry, notices):
    """Fix what only shows between fields or against the registry, with a notice for each."""
    default = ExperimentConfig()
    unknown = [a for a in values["activations"] if a not in registry.activations]
    if unknown:  # named before the layer count is matched, so no notice repeats a bad name
        notices.append(f"Ignored activations entry {_shown(unknown[0])} (not a loaded activation); "
                       "using tanh in its place.")
        values["activations"] = tuple(a if a in registry.activations else "tanh" for a in values["activations"])
    if len(values["activations"]) != len(values["hidden"]):
        used = (tuple(values["activations"]) + ("tanh",) * len(values["hidden"]))[:len(values["hidden"])]
        notices.append(f"activations: {len(values['activations'])} names for {len(values['hidden'])} "
                       f"hidden layers; using {','.join(used) or 'none'}.")
        values["activations"] = used
    for name, problem in registry_errors(_unchecked(values), registry).items():
        fallback = getattr(default, name)
        if name == "activations":
            fallback = tuple(a if a in registry.activations else "tanh" for a in values["activations"])
        notices.append(f"Ignored {name}={_text(values[name], name)!r} ({problem.split(';')[0]}); "
                       f"using {_text(fallback, name)}.")
        values[name] = fallback
    try:
        return ExperimentConfig.from_dict(values), notices
    except ConfigError as exc:  # cannot happen field by field; keep the defaults whole if it does
        notices.append(f"The link's settings do not fit together ({exc}); using the defaults.")
        return default, notices
