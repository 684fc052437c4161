"""bpdash.schema: every setting is declared once, and every use derives from the declaration.

The tests here fail when a field is added without reaching validation, links, the command line
and the sidebar, when a copy of a declared fact drifts from it, or when a value validation
accepts fails later (when the run is built or trained).
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpdash import data, outputs, regularization, schedules, schema
from bpdash.config import DEFAULTS, ConfigError, ExperimentConfig
from bpdash.experiment import build
from bpdash.share import from_query_params, to_query_params
from fuzzing import builtins, fuzz

NAMES = [f.name for f in schema.FIELDS]


def test_the_config_has_exactly_the_declared_fields_in_order():
    assert list(ExperimentConfig().to_dict()) == NAMES
    for f in schema.FIELDS:
        assert getattr(DEFAULTS, f.name) == f.default, f.name
        assert f.group in schema.GROUPS and (f.label or f.symbol) and f.help, f.name


STACK = ({"layer": "dense", "units": 4, "activation": "relu"}, {"layer": "dropout", "rate": 0.25})


def _other_value(f, registry):
    """A valid value of ``f`` other than its default, from its declaration alone."""
    if f.kind == "params":
        return {"momentum": 0.5}
    if f.kind == "specs":
        return STACK
    if f.kind == "plugin":
        names = sorted(f.plugins(registry))
        pick = next(n for n in names if n not in ((f.default,) if not f.items else f.default))
        return (pick,) * len(DEFAULTS.hidden) if f.items else pick
    if f.items:
        return f.choices[2:4] if f.kind == "choice" else (f.high,) * 3
    if f.kind == "choice":
        return f.choices[-1]
    if f.kind == "bool":
        return not f.default
    if f.optional and f.default is None:
        return f.high
    return f.high if f.high != f.default else f.low


def _bad_values(f):
    """Values the declaration refuses: past each bound, off the choices, of the wrong type."""
    bad = ["not a value" if f.kind not in ("text", "plugin", "choice") else 12345]
    if f.high is not None:
        bad.append(f.high * 2 + 1)
    if f.low is not None and not f.items:
        bad.append(f.low - 1 if not f.low_open else f.low)
    if f.kind == "choice" and not f.items:
        bad.append("no such choice")
    return bad


def _changes(name, registry) -> dict:
    """A change of field ``name`` to another valid value, with what it needs to be valid."""
    changes = {name: _other_value(schema.field(name), registry)}
    if name == "optimizer_params":
        changes["optimizer"] = "momentum"
    if name == "classes":
        changes["dataset"] = "spiral"  # it makes up to 10 classes
    return changes


@pytest.mark.parametrize("name", NAMES)
def test_validation_uses_each_declaration(name, registry):
    f = schema.field(name)
    changes = _changes(name, registry)
    config = ExperimentConfig.from_dict(changes, registry)
    assert config.to_dict()[name] == (list(changes[name]) if isinstance(changes[name], tuple) else changes[name])
    for value in _bad_values(f):
        with pytest.raises(ConfigError) as info:
            ExperimentConfig.from_dict({name: [value] if f.items else value}, registry)
        assert name in info.value.errors, (name, value)


@pytest.mark.parametrize("name", NAMES)
def test_links_use_each_declaration(name, registry):
    f = schema.field(name)
    changes = _changes(name, registry)
    config = ExperimentConfig.from_dict(changes, registry)
    params = to_query_params(config)
    flat = "opt_momentum" if name == "optimizer_params" else name
    assert params[flat] == (f.text(getattr(config, name)) if flat == name else "0.5")
    assert from_query_params(params, registry) == (config, [])


def test_flat_names_are_the_fields_the_shorthand_and_each_declared_hyperparameter(registry):
    flat = schema.flat_fields(registry)
    assert set(NAMES) < set(flat)
    declared = {f"opt_{hp.name}" for opt in registry.optimizers.values() for hp in opt.hyperparameters}
    assert declared == {"opt_momentum", "opt_beta2", "opt_epsilon"}
    assert set(flat) - set(NAMES) == declared | {"hidden", "activations"}
    names = list(flat)  # the shorthand is read right after the stack it changes
    assert names.index("hidden") == names.index("layers") + 1
    assert all(schema.owner(alias)[1] == target[len("opt_"):] for alias, target in schema.ALIASES.items())


def test_an_unknown_field_is_named_with_the_valid_ones():
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"learning_rat": 0.1})
    message = info.value.errors["learning_rat"]
    assert all(name in message for name in NAMES) and "opt_<name>" in message


def test_every_bad_field_is_reported_at_once_with_the_registrys(registry):
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"hidden": [0, 4, 500], "activations": ["tanh", "nope", "relu"],
                                    "learning_rate": -1, "optimizer": "lion", "colour": 1}, registry)
    errors = info.value.errors
    assert set(errors) == {"hidden", "activations", "learning_rate", "optimizer", "colour"}
    assert "entry 1" in errors["hidden"] and "entry 3" in errors["hidden"]


def test_activations_follow_the_layer_count_and_one_name_stands_for_every_layer():
    assert ExperimentConfig.from_dict({"hidden": [5]}).activations == ("tanh",)
    assert ExperimentConfig.from_dict({"hidden": [5, 3, 2], "activations": "relu"}).activations == ("relu",) * 3
    assert ExperimentConfig.from_dict({"hidden": []}).activations == ()
    assert DEFAULTS.replace(hidden=(4, 4, 4)).activations == ("tanh",) * 3
    assert ExperimentConfig.from_dict({"hidden": [5, 3], "activations": ["relu"]}).activations == ("relu", "relu")
    with pytest.raises(ConfigError, match="one entry per hidden entry"):
        ExperimentConfig.from_dict({"hidden": [5, 3], "activations": ["relu", "tanh", "relu"]})


def test_minus_zero_is_zero_so_it_cannot_fail_when_drawing(registry):
    config = ExperimentConfig.from_dict({"epsilon": -0.0, "noise": -0.0, "reg_rate": -0.0})
    assert all(math.copysign(1, getattr(config, n)) == 1 for n in ("epsilon", "noise", "reg_rate"))
    config, notices = from_query_params({"epsilon": "-0"}, registry)
    assert notices == [] and math.copysign(1, config.epsilon) == 1
    build(config, registry).trainer.fit(2)


# -- copies of a declared fact elsewhere are tied to it -------------------------------------------

def test_copies_elsewhere_agree_with_the_declarations():
    from bpdash.ui import classroom, state

    assert state.DATA_FIELDS == schema.group("data")
    assert data.MAX_ROWS == schema.MAX_SAMPLES == schema.field("n_samples").high
    assert data.MAX_TEST_SHARE == schema.field("test_share").high
    assert regularization.KINDS == schema.field("regularization").choices
    assert schedules.SCHEDULES == schema.field("lr_schedule").choices
    assert set(classroom.GROUPS) == set(classroom.CONTROLS) - {"step", "play", "reset", "views", "saveload",
                                                                "share"}
    grouped = [name for names in classroom.GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(NAMES)  # every field is behind exactly one classroom control


def test_the_engine_implements_every_declared_choice():
    W = [np.array([[0.5, -2.0]])]
    assert [regularization.penalty(W, kind, 1.0) for kind in regularization.KINDS] == [0.0, 2.5, 2.125]
    rates = {s: schedules.learning_rate(1.0, 201, s, 0.5, 100) for s in schedules.SCHEDULES}
    assert rates == {"constant": 1.0, "step": 0.25, "exponential": 0.25}
    assert len({schedules.latex(s) for s in schedules.SCHEDULES}) == len(schedules.SCHEDULES)


def test_the_engine_refuses_what_the_declarations_refuse():
    for check, args in ((regularization.check, ("l2", 10.5)), (schedules.check, ("step", 0.0, 10)),
                        (schedules.check, ("step", 0.5, 0))):
        with pytest.raises(ValueError):
            check(*args)
    regularization.check("l2", 10.0)  # the same upper bound as the config's (it was any value ≥ 0)


# -- no valid value fails later -------------------------------------------------------------------

def _specs(registry):
    """A hypothesis strategy of layer stacks: dense layers of loaded activations, each maybe
    followed by dropout."""
    dense = st.builds(lambda units, act: {"layer": "dense", "units": units, "activation": act},
                      st.integers(1, 12), st.sampled_from(sorted(registry.activations)))
    dropout = st.builds(lambda rate: {"layer": "dropout", "rate": rate}, st.floats(0.0, 0.9))
    pairs = st.lists(st.tuples(dense, st.one_of(st.none(), dropout)), max_size=4)
    return pairs.map(lambda items: tuple(spec for pair in items for spec in pair if spec is not None))


def _value(f, registry):
    """A hypothesis strategy of valid values of one declared field."""
    if f.kind == "specs":
        return _specs(registry)
    if f.kind == "plugin":
        return st.sampled_from(sorted(f.plugins(registry)))
    if f.kind == "choice":
        if f.items:
            return st.lists(st.sampled_from(f.choices), unique=True, max_size=f.items).map(tuple)
        return st.sampled_from(f.choices)
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "int":
        one = st.integers(int(f.low), int(f.high))
    else:
        one = st.floats(f.low, f.high, exclude_min=f.low_open, allow_nan=False)
    if f.name in ("n_samples",):
        one = st.integers(int(f.low), 400)  # the largest are valid too, just slow to train here
    if f.items:
        return st.lists(st.integers(int(f.low), 24), max_size=f.items).map(tuple)
    return st.one_of(st.none(), one) if f.optional else one


@st.composite
def valid_configs(draw):
    registry = builtins()
    values = {}
    for f in schema.FIELDS:
        if f.kind == "params":
            continue
        values[f.name] = draw(_value(f, registry))
    dataset = registry.datasets[values["dataset"]]
    if dataset.task != "classification" or values["classes"] > dataset.classes:
        values["classes"] = 2  # more classes need a dataset that makes them
    if outputs.per_class(values["output_activation"], registry) and dataset.task != "classification":
        values["output_activation"] = "linear"  # one unit per class needs classes
    optimizer = registry.optimizers[values["optimizer"]]
    values["optimizer_params"] = {hp.name: draw(_value(hp, registry)) for hp in optimizer.hyperparameters
                                  if draw(st.booleans())}
    if registry.datasets[values["dataset"]].generate(4, 0.0, np.random.default_rng(0))[0].shape[1] != 2:
        values["features"] = ()  # features need 2-D data: build names that mismatch itself
    values["epochs"] = draw(st.integers(1, 3))
    return ExperimentConfig.from_dict(values, registry)


@fuzz(60)
@given(valid_configs())
def test_every_valid_config_builds_and_trains(config):
    registry = builtins()
    exp = build(config, registry)
    with np.errstate(all="ignore"):
        history = exp.trainer.fit(config.epochs)
    assert len(history) >= 1 or exp.trainer.diverged
    assert all(np.isfinite(p).all() for layer in exp.net.params for p in layer)


def test_the_settings_page_holds_the_table_the_declarations_make(registry):
    from pathlib import Path

    from bpdash.schema_table import markdown

    page = (Path(__file__).resolve().parent.parent / "docs" / "settings.md").read_text(encoding="utf-8")
    start = page.index("<!-- settings table: python -m bpdash.schema_table -->\n")
    end = page.index("\n<!-- end of the settings table -->")
    assert page[start:end].split("\n", 1)[1] == markdown(registry), "run python -m bpdash.schema_table"
