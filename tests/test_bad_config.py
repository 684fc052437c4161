"""Bad configs, links and hyperparameters: random and hostile input thrown at every loader of a run.

The contract, for each loader:

- ``ExperimentConfig.from_json`` / ``from_dict``: return a valid config or raise ``ConfigError``.
- ``bpdash.share.from_query_params``: never raises; always a valid config plus notices, one
  for every parameter it could not use.
- Hyperparameters at the extremes are refused by validation with a message naming the field;
  a trainer given a huge learning rate stops with a message and finite weights.

CSV files are in test_bad_csv.py.
"""
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpdash.config import (MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_LEARNING_RATE, MAX_NEURONS, ConfigError,
                           ExperimentConfig, registry_errors)
from bpdash import schema
from bpdash.network import Network
from bpdash.share import from_query_params, to_query_params
from bpdash.trainer import Trainer
from fuzzing import builtins, count, fuzz, write_case_count


@pytest.fixture(scope="module", autouse=True)
def record_case_count():
    yield
    write_case_count()


# ================================================================ config JSON

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400),  # beyond float range too
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=80))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=6)),
                    max_leaves=30)
FIELDS = list(ExperimentConfig().to_dict())


def config_outcome(fn, *args):
    try:
        config = fn(*args)
    except ConfigError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return None
    assert isinstance(config, ExperimentConfig) and ExperimentConfig.from_dict(config.to_dict()) == config
    return config


@fuzz(200)
@given(st.one_of(st.text(max_size=500), st.binary(max_size=200)))
def test_config_from_random_text(text):
    count("config random text")
    config_outcome(ExperimentConfig.from_json, text)


@fuzz(200)
@given(JSON)
def test_config_from_random_json(value):
    count("config random JSON")
    config_outcome(ExperimentConfig.from_json, json.dumps(value))


@fuzz(400)
@given(st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), JSON, max_size=8))
def test_config_from_random_fields(data):
    count("config random fields")
    config = config_outcome(ExperimentConfig.from_dict, data)
    if config is not None:
        assert set(data) <= set(FIELDS)


@st.composite
def valid_configs(draw):
    registry = builtins()
    layers = draw(st.integers(0, MAX_HIDDEN_LAYERS))
    acts = sorted(registry.activations)
    return ExperimentConfig(
        dataset=draw(st.sampled_from(sorted(registry.datasets))),
        n_samples=draw(st.integers(2, 10_000)), noise=draw(st.floats(0, 10)),
        test_share=draw(st.floats(0, 0.9)), data_seed=draw(st.integers(0, 2**32 - 1)),
        hidden=tuple(draw(st.lists(st.integers(1, MAX_NEURONS), min_size=layers, max_size=layers))),
        activations=tuple(draw(st.lists(st.sampled_from(acts), min_size=layers, max_size=layers))),
        output_activation=draw(st.sampled_from(acts)), bias=draw(st.booleans()),
        cost=draw(st.sampled_from(sorted(registry.costs))), init=draw(st.sampled_from(sorted(registry.initializers))),
        epsilon=draw(st.floats(0, 10)), seed=draw(st.integers(0, 2**32 - 1)),
        learning_rate=draw(st.floats(1e-9, MAX_LEARNING_RATE)),
        batch_size=draw(st.one_of(st.none(), st.integers(1, 10_000))), epochs=draw(st.integers(1, MAX_EPOCHS)))


@fuzz(100)
@given(valid_configs())
def test_valid_configs_round_trip_through_json(config):
    count("config JSON round trip")
    assert ExperimentConfig.from_json(config.to_json()) == config


# ================================================================ query parameters

PARAM_NAME = st.one_of(st.sampled_from(FIELDS + ["opt_momentum", "opt_beta2", "opt_epsilon", "momentum", "beta2"]),
                       st.text(max_size=20),
                       st.sampled_from(["../../etc/passwd", "__import__", "plugins", "file", "url"]))
PARAM_VALUE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["0", "-1", "1e6", "1e309", "nan", "inf", "-inf", "true", "full", "3,4", "relu",
                     "softplus", "swish", "os.system", "../../etc/passwd", "/etc/passwd",
                     "http://example.com/evil.py", "plugins/sigmoid.py", "C:\\Windows\\win.ini",
                     "$(touch /tmp/x)", "%00", "a" * 201, "x" * 10_000, "1" * 5000, "1," * 200]),
    st.integers(-10**20, 10**20).map(str), st.floats().map(repr))
PARAMS = st.dictionaries(PARAM_NAME, st.one_of(PARAM_VALUE, st.lists(PARAM_VALUE, max_size=3)), max_size=10)


@fuzz(400)
@given(PARAMS)
def test_query_params_never_raise(params):
    count("query params random")
    registry = builtins()
    config, notices = from_query_params(params, registry)  # must not raise
    assert isinstance(config, ExperimentConfig)
    assert registry_errors(config, registry) == {} and ExperimentConfig.from_dict(config.to_dict()) == config
    assert all(isinstance(n, str) and n for n in notices)
    known = set(schema.flat_fields(registry)) | set(schema.ALIASES)  # opt_momentum; momentum of old links
    unknown = [name for name in params if name not in known]
    assert sum("unknown parameter" in n for n in notices) == len(unknown)
    assert all(len(n) < 1000 for n in notices)  # a 10,000-character value is never echoed


@fuzz(150)
@given(valid_configs())
def test_valid_configs_round_trip_through_a_link(config):
    count("query params round trip")
    params = to_query_params(config)
    assert from_query_params(params, builtins()) == (config, [])


# ================================================================ hyperparameters at the extremes

EXTREMES = {
    "learning_rate": [1e6, MAX_LEARNING_RATE * 1.0001, 0.0, -0.5, math.nan, math.inf, "0.1", True],
    "hidden": [(0,), (-3,), (MAX_NEURONS + 1,), (4,) * (MAX_HIDDEN_LAYERS + 1), (2.5,)],
    "epochs": [10**9, MAX_EPOCHS + 1, 0, -1, 3.0],
    "batch_size": [0, -1, 10**9],
    "n_samples": [10**9, 1, 0],
    "noise": [-1.0, 1e6, math.nan],
    "epsilon": [-1.0, 1e9],
    "seed": [-1, 2**64],
}


@pytest.mark.parametrize("name, value", [(n, v) for n, values in EXTREMES.items() for v in values])
def test_extreme_hyperparameters_are_refused_with_a_message(name, value):
    count("hyperparameter extremes")
    changes = {name: value}
    if name == "hidden":
        changes["activations"] = ("tanh",) * len(value)
    with pytest.raises(ConfigError) as info:
        ExperimentConfig().replace(**changes)
    assert name in info.value.errors and info.value.errors[name]
    assert name in str(info.value)


@pytest.mark.parametrize("value", ["1e6", "0", "-1", "1e309"])
def test_an_extreme_learning_rate_in_a_link_is_ignored_with_a_notice(value):
    count("hyperparameter extremes")
    config, notices = from_query_params({"learning_rate": value}, builtins())
    assert config.learning_rate == ExperimentConfig().learning_rate
    assert len(notices) == 1 and "learning_rate" in notices[0]


@pytest.mark.parametrize("eta", [1e6, 1e3, MAX_LEARNING_RATE])
def test_a_huge_learning_rate_diverges_with_a_message_and_finite_weights(eta):
    count("hyperparameter extremes")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2)) * 10
    Y = (X[:, :1] > 0).astype(float) * 100  # large targets: squared error explodes fast
    net = Network([2, 16, 1], ["relu", "linear"], init="uniform", epsilon=1.0, seed=0, registry=builtins())
    trainer = Trainer(net, X, Y, learning_rate=eta, seed=0)
    trainer.fit(200)
    assert trainer.diverged
    assert "learning rate" in trainer.message and f"{eta:g}" in trainer.message
    assert all(np.isfinite(W).all() for W in net.weights) and all(np.isfinite(b).all() for b in net.biases)
    assert trainer.epoch < 200


# ================================================================ what the JSON parser itself refuses

@pytest.mark.parametrize("name", ["noise", "learning_rate", "epsilon", "test_share", "n_samples", "seed"])
def test_an_integer_beyond_float_range_is_refused(name):
    count("config explicit")
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({name: 10**400})
    assert name in info.value.errors and len(str(info.value)) < 1000  # the value is cut short


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000 + "]" * 100_000, '{"hidden": [' + "1," * 10**5 + "1]}",
                                  "\ud800", '{"a": NaN}', '{"noise": Infinity}', "null", "[]", '""'])
def test_json_the_parser_refuses_or_that_is_no_config_is_a_config_error(text):
    count("config explicit")
    with pytest.raises(ConfigError):
        ExperimentConfig.from_json(text)
