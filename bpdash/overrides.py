"""Settings given as ``name=value`` on the command line (``train --set``, ``sweep --set``).

A name is any flat setting name (``bpdash.schema.flat_fields``: a config field, the shorthand
``hidden`` and ``activations``, or ``opt_`` and an optimizer hyperparameter) or an older alias
(``momentum``); a value is read by that setting's declaration (``Field.parse``), exactly as a
share link's (``layers=dense:8:tanh,dropout:0.2``). One name alone given to a list that
follows another's length (``activations=relu``) stands for every entry. Every bad name and
value is reported at once, with the valid names for an unknown one.
"""
from __future__ import annotations

from . import schema

HELP = ("set one setting, e.g. learning_rate=0.1, layers=dense:8:tanh,dropout:0.2 or opt_momentum=0.8 "
        "(repeatable); the names are the config's fields, hidden and activations (shorthand for the dense "
        "layers) and opt_<name> for the optimizer's hyperparameters (docs/settings.md)")
from .config import ConfigError, ExperimentConfig, checked
from .fields import show


def split(text: str) -> tuple[str, str]:
    """``("learning_rate", "0.1")`` from ``"learning_rate=0.1"``; ValueError without an ``=``."""
    name, sep, value = str(text).partition("=")
    if not sep or not name.strip():
        raise ValueError(f"{show(text)} is not name=value (e.g. learning_rate=0.1)")
    return name.strip(), value.strip()


def parse_value(field, text: str, registry=None):
    """The value ``text`` stands for in ``field`` (ValueError says why none): parsed and
    checked by its declaration (a layer stack against the ``registry``'s layer types); a single
    name for a list that follows another's length is that name alone (it then stands for every
    entry)."""
    value = field.parse(text, registry)
    problem = field.problem(value) or (field.registry_problem(value, registry) if field.kind == "specs" else None)
    if problem:
        raise ValueError(problem)
    if field.follows and len(value) == 1:
        return value[0]
    return field.normal(value)


def resolve(name: str, registry):
    """``(flat name, Field)`` for a name given on the command line (an alias is read as its
    flat name); KeyError naming the valid ones when it is none."""
    flat = schema.flat_fields(registry)
    target = schema.ALIASES.get(name, name)
    if target not in flat:
        raise KeyError(f"unknown setting {show(name)}; the settings are {', '.join(flat)}")
    return target, flat[target]


def parse(pairs, registry) -> dict:
    """Flat name → value from ``["name=value", ...]``; ConfigError naming every bad one."""
    values, errors = {}, {}
    for text in pairs or ():
        try:
            name, raw = split(text)
        except ValueError as exc:
            errors[str(text)[:40]] = str(exc)
            continue
        try:
            target, field = resolve(name, registry)
            values[target] = parse_value(field, raw, registry)
        except KeyError as exc:
            errors[name] = exc.args[0]
        except ValueError as exc:
            errors[name] = f"{show(raw)}: {exc}"
    if errors:
        raise ConfigError(errors)
    return values


def apply(config: ExperimentConfig, pairs, registry) -> ExperimentConfig:
    """``config`` with the ``name=value`` settings of ``pairs`` (``hidden`` and ``activations``
    change its stack's dense layers, as ``ExperimentConfig.replace`` does); ConfigError naming
    every setting that is bad alone or in the resulting config."""
    values = parse(pairs, registry)
    return checked(config.replace(**values), registry) if values else config
