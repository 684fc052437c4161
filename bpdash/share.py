"""Experiment configs in a URL: encode to query parameters, decode with notices, never fail.

A link holds only the settings that differ from the defaults, each by its flat name
(``bpdash.schema``: ``learning_rate=0.1``, ``opt_momentum=0.8``) in its declared text form
(``Field.text``; floats by repr, so they round-trip exactly). Decoding starts from the defaults
and takes each parameter it can use; anything unknown, malformed, out of range or naming a
plugin that is not loaded is ignored with a notice that names it and the value used instead.
Nothing in a URL can load code or read a file: values are parsed as numbers, booleans and names
of plugins that must already be in the registry.
"""
from __future__ import annotations

from urllib.parse import urlencode

from . import schema
from .config import DEFAULTS, ConfigError, ExperimentConfig, _registry_errors
from .fields import value_text

MAX_VALUE_CHARS = 200  # longer values are ignored unread (a 10,000-character parameter)


def _text(name: str, value) -> str:
    """A flat setting's URL text: by its declaration for a config field, else as one value."""
    f = schema.BY_NAME.get(name)
    return f.text(value) if f is not None else value_text(value)


def to_query_params(config: ExperimentConfig) -> dict[str, str]:
    """The settings of ``config`` that differ from the defaults, as URL-ready strings."""
    default = schema.flatten(DEFAULTS.to_dict())
    missing = object()
    return {name: _text(name, value) for name, value in schema.flatten(config.to_dict()).items()
            if default.get(name, missing) != value}


def share_url(base: str, config: ExperimentConfig) -> str:
    """``base`` (the app's address) with the config's query string."""
    query = urlencode(to_query_params(config))
    return f"{base.rstrip('?')}?{query}" if query else base


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def from_query_params(params, registry) -> tuple[ExperimentConfig, list[str]]:
    """A config from query parameters (a mapping of name → str, or → list of str), and notices.

    Each notice names a parameter that was ignored and the value used instead.
    """
    flat_fields = schema.flat_fields(registry)
    order = {name: i for i, name in enumerate(flat_fields)}
    values, notices = schema.flatten(DEFAULTS.to_dict()), []
    named = {schema.ALIASES.get(name, name): (name, raw) for name, raw in params.items()}
    for f in schema.FIELDS:  # a list the link leaves out follows its lead's length (one per layer)
        if f.follows and f.name not in named:
            values[f.name] = None
    for target, (name, raw) in sorted(named.items(), key=lambda item: order.get(item[0], len(order))):
        raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
        raw = str(raw) if raw is not None else ""
        f = flat_fields.get(target)
        if f is None:
            notices.append(f"Ignored unknown parameter {_shown(name)}.")
            continue
        fallback = f.text(values.get(target, f.default))
        if len(raw) > MAX_VALUE_CHARS:
            notices.append(f"Ignored {name}: its value is {len(raw):,} characters long; using {fallback}.")
            continue
        try:
            value = f.parse(raw)
            problem = f.problem(value)
        except ValueError as exc:
            problem = str(exc) or "malformed"
        if problem:
            notices.append(f"Ignored {name}={_shown(raw)} ({problem}); using {fallback}.")
            continue
        values[target] = f.normal(value)
    return _consistent(schema.nest(values), registry, notices)


def _follow(values: dict, notices: list) -> None:
    """A list that follows another's length (activations per hidden layer) gets as many entries:
    one name stands for every layer; otherwise missing entries take the default's first."""
    for f in schema.FIELDS:
        if not f.follows:
            continue
        lead, own = values[f.follows], values[f.name]
        if len(own) == 1:
            values[f.name] = tuple(own) * len(lead)
        if len(values[f.name]) == len(lead):
            continue
        used = (tuple(own) + (f.default[0],) * len(lead))[:len(lead)]
        notices.append(f"{f.name}: {len(own)} entries for {len(lead)} {f.follows} entries; "
                       f"using {f.text(used)}.")
        values[f.name] = used


def _consistent(values: dict, registry, notices: list):
    """Fix what only shows between fields or against the registry, with a notice for each."""
    for f in schema.FIELDS:
        if f.follows and values[f.name] is None:
            values[f.name] = (f.default[0],) * len(values[f.follows])
    for f in schema.FIELDS:  # an unknown plugin in a list: that entry alone takes the default's
        if f.kind == "plugin" and f.items and values[f.name]:
            table = getattr(registry, f.plugin)
            unknown = [name for name in values[f.name] if name not in table]
            if unknown:
                notices.append(f"Ignored {f.name} entry {_shown(unknown[0])} (not a loaded "
                               f"{f.plugin[:-1]}); using {f.default[0]} in its place.")
                values[f.name] = tuple(n if n in table else f.default[0] for n in values[f.name])
    _follow(values, notices)
    for name, problem in _registry_errors(values, registry).items():
        f, fallback = schema.BY_NAME[name], getattr(DEFAULTS, name)
        notices.append(f"Ignored {name}={f.text(values[name])!r} ({problem.split(';')[0]}); "
                       f"using {f.text(fallback)}.")
        values[name] = fallback
    try:
        return ExperimentConfig.from_dict(values, registry), notices
    except ConfigError as exc:  # cannot happen field by field; keep the defaults whole if it does
        notices.append(f"The link's settings do not fit together ({exc}); using the defaults.")
        return DEFAULTS, notices
