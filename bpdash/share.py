"""Experiment configs in a URL: encode to query parameters, decode with notices, never fail.

A link holds only the settings that differ from the defaults, each by its flat name
(``bpdash.schema``: ``learning_rate=0.1``, ``opt_momentum=0.8``) in its declared text form
(``Field.text``; floats by repr, so they round-trip exactly). Decoding starts from the defaults
and takes each parameter it can use; anything unknown, malformed, out of range or naming a
plugin that is not loaded is ignored with a notice that names it and the value used instead.
Nothing in a URL can load code or read a file: values are parsed as numbers, booleans and names
of plugins that must already be in the registry.

The hidden layers travel as one parameter, ``layers=dense:8:tanh,dropout:0.2,dense:8:tanh``
(``bpdash.stack_field``); a layer item that does not read is left out with a notice naming it,
and the other layers are kept. Older links' ``hidden=8,8&activations=tanh,relu`` are read as
shorthand for the dense layers (``bpdash.shorthand``).
"""
from __future__ import annotations

from urllib.parse import urlencode

from . import outputs, schema, shorthand, stack_field
from .config import DEFAULTS, ConfigError, ExperimentConfig, _registry_errors
from .fields import value_text

MAX_VALUE_CHARS = 200  # longer values are ignored unread (a 10,000-character parameter)
MAX_STACK_CHARS = 2000  # a layer stack's text: its most layers, each with a few settings
LINK_SAFE = ":,"  # left as they are in a link: a stack reads dense:8:tanh,dropout:0.2, not dense%3A8%3A…


def _text(name: str, value, registry=None) -> str:
    """A flat setting's URL text: by its declaration for a config field, else as one value."""
    f = schema.BY_NAME.get(name)
    return f.text(value, registry) if f is not None else value_text(value)


def to_query_params(config: ExperimentConfig, registry=None) -> dict[str, str]:
    """The settings of ``config`` that differ from the defaults, as URL-ready strings (a layer
    stack in its types' declared order of settings when ``registry`` is given), and the cost
    whenever the output is not the default's."""
    default, values = schema.flatten(DEFAULTS.to_dict()), schema.flatten(config.to_dict())
    missing = object()
    params = {name: _text(name, value, registry) for name, value in values.items()
              if default.get(name, missing) != value}
    if "output_activation" in params and "cost" not in params:  # a link that names the output and
        params["cost"] = _text("cost", values["cost"], registry)  # no cost gets the output's (unstated_cost)
    return params


def share_url(base: str, config: ExperimentConfig, registry=None) -> str:
    """``base`` (the app's address) with the config's query string."""
    query = urlencode(to_query_params(config, registry), safe=LINK_SAFE)
    return f"{base.rstrip('?')}?{query}" if query else base


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def _default_text(f) -> str:
    """The text of what a setting is when a link leaves it out."""
    default = schema.flatten(DEFAULTS.to_dict())
    return f.text(default.get(f.name, f.default))


def _read(f, name: str, raw: str, registry, notices: list):
    """The value of one parameter, or ``_IGNORED`` with a notice saying why and what is used."""
    limit = MAX_STACK_CHARS if f.kind == "specs" else MAX_VALUE_CHARS
    if len(raw) > limit:
        notices.append(f"Ignored {name}: its value is {len(raw):,} characters long; using {_default_text(f)}.")
        return _IGNORED
    try:
        if f.kind == "specs":  # a layer that does not read is left out, the others kept
            value, ignored = stack_field.parse_leniently(f, raw, registry)
            notices.extend(f"Ignored {name} item {_shown(item)} ({why}); the other layers are kept."
                           for item, why in ignored)
            problem = f.problem(value) or f.registry_problem(value, registry)
        else:
            value = f.parse(raw, registry)
            problem = f.problem(value)
    except ValueError as exc:
        problem = str(exc) or "malformed"
    if problem:
        notices.append(f"Ignored {name}={_shown(raw)} ({problem}); using {_default_text(f)}.")
        return _IGNORED
    return f.normal(value)


_IGNORED = object()


def from_query_params(params, registry) -> tuple[ExperimentConfig, list[str]]:
    """A config from query parameters (a mapping of name → str, or → list of str), and notices.

    Each notice names a parameter that was ignored and the value used instead.
    """
    flat_fields = schema.flat_fields(registry)
    order = {name: i for i, name in enumerate(flat_fields)}
    values, notices = schema.flatten(DEFAULTS.to_dict()), []
    named = {schema.ALIASES.get(name, name): (name, raw) for name, raw in params.items()}
    given = {}  # the shorthand for the stack's dense layers, applied once the stack is read
    for target, (name, raw) in sorted(named.items(), key=lambda item: order.get(item[0], len(order))):
        raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
        raw = str(raw) if raw is not None else ""
        f = flat_fields.get(target)
        if f is None:
            notices.append(f"Ignored unknown parameter {_shown(name)}.")
            continue
        value = _read(f, name, raw, registry, notices)
        if value is not _IGNORED:
            (given if target in schema.SHORTHAND_BY_NAME else values)[target] = value
    _apply_shorthand(values, given, registry, notices)
    if "cost" not in named:
        values["cost"] = outputs.unstated_cost(values.get("output_activation"), values["cost"], registry)
    return _consistent(schema.nest(values), registry, notices)


def _apply_shorthand(values: dict, given: dict, registry, notices: list) -> None:
    """``hidden`` and ``activations`` applied to the link's stack (``bpdash.shorthand``): an
    activation that is not loaded, or one too few or too many, is replaced by the default's
    first, with a notice."""
    if not given:
        return
    f = schema.SHORTHAND_BY_NAME["activations"]
    layers = values["layers"]
    if "hidden" in given:
        layers = shorthand.apply(layers, hidden=given["hidden"])
    acts = given.get("activations")
    if acts is not None:
        table, fallback = registry.activations, f.default[0]
        unknown = [name for name in acts if name not in table]
        if unknown:
            notices.append(f"Ignored activations entry {_shown(unknown[0])} (not a loaded activation); "
                           f"using {fallback} in its place.")
            acts = tuple(n if n in table else fallback for n in acts)
        n = len(shorthand.dense_positions(layers))
        if len(acts) not in (1, n):
            used = (tuple(acts) + (fallback,) * n)[:n]
            notices.append(f"activations: {len(acts)} entries for {n} hidden entries; using {f.text(used)}.")
            acts = used
        layers = shorthand.apply(layers, activations=acts)
    values["layers"] = layers


def _consistent(values: dict, registry, notices: list):
    """Fix what only shows between fields or against the registry, with a notice for each."""
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
