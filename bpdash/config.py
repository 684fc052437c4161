"""The experiment config: everything that defines a run, with JSON round-trip and validation.

Same config → same data, same initial weights, same history, bit for bit, wherever it runs
(dashboard, share link, CLI, sweep). ``ExperimentConfig`` is made from the declarations in
``bpdash.schema``: one field per declared ``Field``, its default, and its check. Validation
reports every bad field at once, each with what is wrong; names of plugins are checked for
form here and against a registry by ``registry_errors`` (which plugins exist differs between
installations), or both at once by ``from_dict(data, registry)``.

The hidden layers are one field, ``layers`` (a stack of layer specs); ``hidden`` and
``activations`` are read as shorthand for its dense layers (``bpdash.shorthand``) by the
constructor, ``from_dict`` and ``replace``, and read back as properties.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field as dataclass_field
from dataclasses import make_dataclass
from dataclasses import replace as replace_fields

from . import outputs, schema, shorthand, stack
from .fields import Settings, show, words
from .schema import BY_NAME, FIELDS, SHORTHAND_BY_NAME

# The limits other modules show or enforce, as the declarations give them.
MAX_HIDDEN_LAYERS = schema.field("layers").unit_layers
MAX_NEURONS = schema.field("layers").high
MAX_LAYERS = schema.field("layers").items
MAX_CLASSES = schema.field("classes").high
MAX_EPOCHS = schema.MAX_EPOCHS
MAX_SAMPLES = schema.MAX_SAMPLES
MAX_LEARNING_RATE = schema.field("learning_rate").high
MAX_SEED = schema.MAX_SEED


class ConfigError(ValueError):
    """One or more fields are invalid; ``errors`` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("invalid experiment config: " +
                         "; ".join(f"{name}: {msg}" for name, msg in self.errors.items()))


# -- checks on a dict of values ------------------------------------------------------------------

def _form_errors(values: dict) -> dict:
    """{field: message} for every value of the wrong type or out of its declared range."""
    errors = {f.name: f.problem(values.get(f.name)) for f in FIELDS}
    return {name: message for name, message in errors.items() if message}


def _with_shorthand(values: dict, given: dict) -> dict:
    """{field: message}, having applied ``hidden``/``activations`` in ``given`` to
    ``values["layers"]`` (a stack with a problem of its own is left for its own message)."""
    if not given or BY_NAME["layers"].problem(values["layers"]):
        return {}
    try:
        values["layers"] = shorthand.apply(values["layers"], **given)
    except shorthand.ShorthandError as exc:
        return exc.errors
    return {}


def _settings_problem(params, values: dict, registry) -> str | None:
    """What is wrong with the plugin settings ``values[params.name]`` (an optimizer's
    hyperparameters) against what the loaded plugins declare, or None.

    A setting the chosen plugin declares is checked by its own Field; one only another loaded
    plugin declares is kept (the run ignores it: a config that switches optimizers and back
    keeps its values) and checked by that plugin's Field; one no plugin declares is an error."""
    table = getattr(registry, params.plugin)
    chosen_name = values.get(params.of)
    chosen = {s.name: s for s in schema.declared_settings(params, table.get(chosen_name))} \
        if chosen_name in table else {}
    others = {}
    for record in table.values():
        for setting in schema.declared_settings(params, record):
            others.setdefault(setting.name, setting)
    problems = []
    for name, value in (values.get(params.name) or {}).items():
        setting = chosen.get(name) or others.get(name)
        if setting is None:
            problems.append(f"no loaded {params.plugin[:-1]} has a {params.settings[:-1]} {show(name)}; "
                            + (f"{chosen_name}'s are {words(chosen)}" if chosen else f"{chosen_name} has none"))
        elif setting.problem(value):
            problems.append(f"{name} {setting.problem(value)}")
    return "; ".join(problems) or None


def _registry_errors(values: dict, registry) -> dict:
    """{field: message} for the plugin names and plugin settings the registry lacks (a value of
    the wrong form is left to ``_form_errors``)."""
    errors = {}
    for f in FIELDS:
        if f.problem(values.get(f.name)):
            continue
        if f.kind in ("plugin", "specs"):
            problem = f.registry_problem(values.get(f.name), registry)
        elif f.kind == "params":
            problem = _settings_problem(f, values, registry)
        else:
            problem = None
        if problem:
            errors[f.name] = problem
    problem = None if "dataset" in errors or "features" in errors else _features_problem(values, registry)
    if problem:
        errors["features"] = problem
    problem = None if "dataset" in errors or "classes" in errors else _classes_problem(values, registry)
    if problem:
        errors["classes"] = problem
    problem = None if "dataset" in errors or "output_activation" in errors else _output_problem(values, registry)
    if problem:
        errors["output_activation"] = problem
    return errors


def _output_problem(values: dict, registry) -> str | None:
    """An output with one unit per class (softmax) needs a dataset with classes."""
    output, dataset = values.get("output_activation"), registry.datasets.get(values.get("dataset"))
    if dataset is None or not isinstance(output, str) or not outputs.per_class(output, registry):
        return None
    return outputs.regression_problem(output, dataset.name) if dataset.task != "classification" else None


def _classes_problem(values: dict, registry) -> str | None:
    """More than two classes need a dataset that can make them (``Dataset.classes``)."""
    k, dataset = values.get("classes"), registry.datasets.get(values.get("dataset"))
    if dataset is None or k == 2 or BY_NAME["classes"].problem(k):  # a bad value has its own message
        return None
    if dataset.task != "classification":
        return f"dataset {dataset.name} is a regression: it has no classes; use classes = 2"
    if k > dataset.classes:
        able = sorted(name for name, d in registry.datasets.items() if d.classes >= k)
        return (f"dataset {dataset.name} makes {dataset.classes} classes at most, got {k}"
                + (f"; {words(able)} make{'s' if len(able) == 1 else ''} {k}" if able else ""))
    return None


def _features_problem(values: dict, registry) -> str | None:
    """Input features are made from (x₁, x₂): the dataset must have two input columns (four
    samples drawn to count them; a dataset plugin that fails is left to the build to report)."""
    if not values.get("features"):
        return None
    import numpy as np

    try:
        X, _ = registry.datasets[values["dataset"]].generate(4, 0.0, np.random.default_rng(0))
    except Exception:  # reported, with its own words, where the data is made
        return None
    if X.shape[1] != 2:
        return (f"input features need 2-D data (x1, x2); dataset {values['dataset']} has {X.shape[1]} input "
                "column(s): use features = []")
    return None


# -- the config class ----------------------------------------------------------------------------

class _Config:
    """The methods of ``ExperimentConfig`` (its fields come from ``bpdash.schema.FIELDS``)."""

    def __post_init__(self):
        for f in FIELDS:
            object.__setattr__(self, f.name, f.normal(getattr(self, f.name)))
        errors = _form_errors(self.to_dict())
        if errors:
            raise ConfigError(errors)

    @property
    def hidden(self) -> tuple:
        """The units of the dense hidden layers, in order (shorthand, ``bpdash.shorthand``)."""
        return shorthand.hidden_of(self.layers)

    @property
    def activations(self) -> tuple:
        """The activations of the dense hidden layers, in order (shorthand)."""
        return shorthand.activations_of(self.layers)

    def layer_activations(self) -> list[str]:
        """One name per non-input layer: each hidden layer's activation (its type's name for a
        layer without one, such as dropout), then the output's."""
        return [spec.get("activation", spec["layer"]) for spec in self.layers] + [self.output_activation]

    def layer_specs(self, n_outputs: int, registry) -> list[dict]:
        """The whole stack: the hidden layers' specs, then the output layer's for ``n_outputs``
        targets (``bpdash.outputs.spec``)."""
        return [dict(spec) for spec in self.layers] + [outputs.spec(self.output_activation, n_outputs, registry)]

    def to_dict(self) -> dict:
        """The fields as JSON-ready values: lists for tuples, dicts for mappings."""
        def plain(value):
            if isinstance(value, tuple):
                return [plain(item) for item in value]
            return dict(value) if isinstance(value, Mapping) else value
        return {f.name: plain(getattr(self, f.name)) for f in FIELDS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Mapping, registry=None) -> "ExperimentConfig":
        """Build from a dict (fields left out take their defaults; flat names such as
        ``opt_momentum``, older names such as ``momentum`` and the shorthand ``hidden`` and
        ``activations`` are read too). Raises ConfigError naming every bad field at once: unknown
        ones (with the valid names), bad values and, when ``registry`` is given, plugin names it
        lacks. With a registry, the result is ``normalized``."""
        if not isinstance(data, Mapping):
            raise ConfigError({"config": f"expected a JSON object, got {type(data).__name__}"})
        data = schema.nest(dict(data))
        given = {name: data.pop(name) for name in SHORTHAND_BY_NAME if name in data}
        errors = {name: f"unknown field; the fields are {schema.valid_names()}"
                  for name in data if name not in BY_NAME}
        values = {**{f.name: getattr(DEFAULTS, f.name) for f in FIELDS},
                  **{k: v for k, v in data.items() if k in BY_NAME}}
        errors.update(_with_shorthand(values, given))
        if registry is not None and "cost" not in data:
            values["cost"] = outputs.unstated_cost(values["output_activation"], values["cost"], registry)
        if registry is not None and "activations" in given and "activations" not in errors:
            problem = shorthand.registry_problem(given["activations"], registry)
            if problem:  # an old config's unknown activation is named as it was written
                errors["activations"] = problem
        errors.update(_form_errors(values))
        if registry is not None:
            found = _registry_errors(values, registry)
            if "activations" in errors:
                found.pop("layers", None)
            errors.update(found)
        if errors:
            raise ConfigError(errors)
        config = cls(**values)
        return config if registry is None else normalized(config, registry)

    @classmethod
    def from_json(cls, text: str, registry=None) -> "ExperimentConfig":
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise ConfigError({"config": f"not valid JSON: {str(exc)[:200]}"}) from None
        return cls.from_dict(data, registry)

    def replace(self, **changes) -> "ExperimentConfig":
        """This config with ``changes`` (any names ``from_dict`` reads); ConfigError if invalid.
        ``hidden`` and ``activations`` change this config's stack (or the ``layers`` given with
        them) as ``bpdash.shorthand`` says."""
        return type(self).from_dict({**self.to_dict(), **changes})


def _doc() -> str:
    lines = ["A run: its settings, as ``bpdash.schema`` declares them (defaults: the article's plain run).", ""]
    for f in FIELDS:
        lines.append(f"- ``{f.name}`` ({f.group}): {f.title}. {f.help}")
    return "\n".join(lines)


_Fields = make_dataclass(
    "_Fields", [(f.name, object, dataclass_field(default=f.default)) for f in FIELDS],
    bases=(_Config,), frozen=True, kw_only=True)
_Fields.__module__ = __name__  # so a config pickles (sweeps send configs to worker processes)


class ExperimentConfig(_Fields):
    __doc__ = _doc()

    def __init__(self, *, hidden=shorthand.UNSET, activations=shorthand.UNSET, **values):
        """Every field by name; ``hidden`` and ``activations`` as shorthand for the dense layers
        of ``layers`` (given, or the default stack)."""
        if hidden is not shorthand.UNSET or activations is not shorthand.UNSET:
            base = values.get("layers", BY_NAME["layers"].default)
            problem = BY_NAME["layers"].problem(base)
            if problem:
                raise ConfigError({"layers": problem})
            try:
                values["layers"] = shorthand.apply(base, hidden, activations)
            except shorthand.ShorthandError as exc:
                raise ConfigError(exc.errors) from None
        super().__init__(**values)


DEFAULTS = ExperimentConfig()


# -- with a registry -----------------------------------------------------------------------------

def registry_errors(config, registry) -> dict:
    """{field: message} for every plugin name in ``config`` the registry does not have, and
    every plugin setting no loaded plugin declares or whose value its declaration refuses."""
    return _registry_errors(config.to_dict(), registry)


def normalized(config, registry):
    """``config`` with its plugin settings reduced to what its run uses: those the chosen
    plugin declares, and only where they differ from its defaults, and its layer specs with
    every setting, in their types' declared order (so two configs that train the same way
    compare equal). Assumes ``registry_errors(config, registry)`` is empty."""
    changes = {}
    layers = tuple(stack.canonical(dict(spec), registry, i) for i, spec in enumerate(config.layers))
    if layers != config.layers or any(list(a) != list(b) for a, b in zip(layers, config.layers)):
        changes["layers"] = layers
    for params in schema.params_fields():
        record = getattr(registry, params.plugin).get(getattr(config, params.of))
        declared = {s.name: s for s in schema.declared_settings(params, record)}
        kept = Settings((name, declared[name].normal(value)) for name, value in getattr(config, params.name).items()
                        if name in declared and declared[name].normal(value) != declared[name].default)
        if kept != getattr(config, params.name):
            changes[params.name] = kept
    return replace_fields(config, **changes) if changes else config


def checked(config, registry):
    """``config`` ``normalized`` against ``registry``; ConfigError naming every plugin name and
    setting it lacks."""
    errors = registry_errors(config, registry)
    if errors:
        raise ConfigError(errors)
    return normalized(config, registry)
