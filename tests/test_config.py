"""Experiment config: JSON round-trip and validation that names each bad field."""
import json

import pytest

from bpdash.config import ConfigError, ExperimentConfig, registry_errors


def test_json_round_trip_is_exact():
    config = ExperimentConfig(hidden=(3, 5, 2), activations=("tanh", "relu", "sigmoid"),
                              learning_rate=0.123456789012345, batch_size=16, bias=False)
    assert ExperimentConfig.from_json(config.to_json()) == config


def test_defaults_are_valid_and_complete():
    config = ExperimentConfig()
    assert set(config.to_dict()) >= {"dataset", "classes", "layers", "output_activation", "bias", "cost", "init",
                                     "epsilon", "seed", "dtype", "learning_rate", "batch_size", "epochs"}
    assert "hidden" not in config.to_dict() and config.hidden == (8, 8) and config.activations == ("tanh", "tanh")


@pytest.mark.parametrize("field, value", [
    ("learning_rate", 0), ("learning_rate", -1), ("learning_rate", 1e6), ("learning_rate", "fast"),
    ("epochs", 0), ("epochs", 10**9), ("epochs", 2.5), ("hidden", [0]), ("hidden", [129]),
    ("hidden", [4] * 9), ("batch_size", 0), ("bias", "yes"), ("seed", -1), ("epsilon", float("nan")),
    ("noise", -0.1), ("test_share", 0.95), ("n_samples", 1), ("cost", ""), ("dataset", "x" * 1000),
    ("hidden", "4,4"),
])
def test_each_bad_field_is_named(field, value):
    data = ExperimentConfig().to_dict()
    data[field] = value
    if field == "hidden" and isinstance(value, list):
        data["activations"] = ["tanh"] * len(value)
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict(data)
    assert field in info.value.errors


def test_all_bad_fields_are_reported_together():
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"learning_rate": -1, "epochs": 0, "colour": "red"})
    assert set(info.value.errors) == {"learning_rate", "epochs", "colour"}


def test_activations_must_match_hidden_layers_or_be_one_name_for_every_one():
    with pytest.raises(ConfigError, match="activations"):
        ExperimentConfig(hidden=(4, 4), activations=("tanh", "relu", "tanh"))
    assert ExperimentConfig(hidden=(4, 4), activations=("relu",)).activations == ("relu", "relu")


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", json.dumps({"hidden": {"a": 1}})])
def test_malformed_json_is_refused(text):
    with pytest.raises(ConfigError):
        ExperimentConfig.from_json(text)


def test_unknown_plugin_names_are_named_with_the_choices(registry):
    config = ExperimentConfig(activations=("tanh", "nope"), cost="hinge")
    errors = registry_errors(config, registry)
    assert set(errors) == {"layers", "cost"}  # the shorthand has become the stack's dense layers
    assert "layer 2 (dense): activation unknown activation 'nope'" in errors["layers"]
    assert "squared_error" in errors["cost"]
    with pytest.raises(ConfigError) as info:  # read from a file, it is named as it was written
        ExperimentConfig.from_dict({"activations": ["tanh", "nope"]}, registry)
    assert set(info.value.errors) == {"activations"} and "nope" in info.value.errors["activations"]


# -- an output with a unit per class ------------------------------------------------------------

def test_a_config_naming_softmax_and_no_cost_takes_the_cost_linked_to_it(registry):
    assert ExperimentConfig.from_dict({"output_activation": "softmax"}, registry).cost == "categorical_cross_entropy"
    stated = ExperimentConfig.from_dict({"output_activation": "softmax", "cost": "squared_error"}, registry)
    assert stated.cost == "squared_error"  # a cost given is kept
    assert ExperimentConfig.from_dict({"output_activation": "tanh"}, registry).cost == ExperimentConfig().cost


def test_softmax_on_a_regression_is_refused_naming_the_output(registry):
    with pytest.raises(ConfigError) as caught:
        ExperimentConfig.from_dict({"output_activation": "softmax", "dataset": "sine"}, registry)
    assert "output_activation" in caught.value.errors
    assert "sine is a regression" in caught.value.errors["output_activation"]


def test_a_link_of_softmax_with_any_cost_reopens_as_the_same_config(registry):
    from bpdash.share import from_query_params, to_query_params

    for cost in ("cross_entropy", "categorical_cross_entropy", "squared_error"):
        config = ExperimentConfig.from_dict({"output_activation": "softmax", "cost": cost}, registry)
        params = to_query_params(config, registry)
        assert params["cost"] == cost  # the cost travels whenever the output is not the default
        again, notices = from_query_params(params, registry)
        assert again == config and not notices
    linked, notices = from_query_params({"output_activation": "softmax"}, registry)
    assert linked.cost == "categorical_cross_entropy" and not notices
