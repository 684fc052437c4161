"""The playground's settings in the experiment config: validation naming each field, and exact
round trips through JSON, share links, experiment exports (optimizer state included) and the CLI."""
import json

import numpy as np
import pandas as pd
import pytest

from bpdash.config import ConfigError, ExperimentConfig, registry_errors
from bpdash.experiment import build
from bpdash.export import ExportError, export_json, import_json, restore
from bpdash.share import from_query_params, to_query_params

from test_cli import bpdash_cli

EVERYTHING = ExperimentConfig(dataset="moons", n_samples=80, hidden=(5,), activations=("tanh",), batch_size=16,
                              learning_rate=0.02, regularization="l2", reg_rate=0.001, optimizer="adam",
                              optimizer_params={"momentum": 0.8, "beta2": 0.99, "epsilon": 1e-7},
                              lr_schedule="exponential",
                              lr_decay=0.9, lr_step=10, features=("x1", "x2", "x1*x2", "sin(x1)"),
                              target_cost=0.01, patience=500, epochs=40, seed=2)


def test_defaults_keep_the_articles_run():
    c = ExperimentConfig()
    assert (c.regularization, c.reg_rate, c.optimizer, c.lr_schedule, c.features, c.target_cost, c.patience) \
        == ("none", 0.0, "gd", "constant", (), None, None)
    assert c.optimizer_params == {}  # each optimizer's declared defaults


@pytest.mark.parametrize("field, bad", [
    ("regularization", "l3"), ("regularization", None), ("reg_rate", -0.1), ("reg_rate", 11.0),
    ("reg_rate", float("inf")), ("optimizer", ""), ("optimizer", 3), ("optimizer_params", {"momentum": float("nan")}),
    ("optimizer_params", [0.9]), ("lr_schedule", "cosine"),
    ("lr_decay", 0.0), ("lr_decay", 1.5), ("lr_step", 0), ("lr_step", 2.5), ("lr_step", True),
    ("features", ("x1", "x9")), ("features", ("x2", "x2")), ("target_cost", -1.0), ("target_cost", "low"),
    ("target_cost", float("nan")), ("patience", 0), ("patience", 1.5),
])
def test_each_new_field_is_validated_by_name(field, bad):
    with pytest.raises(ConfigError) as info:
        ExperimentConfig(**{field: bad})
    assert set(info.value.errors) == {field}


@pytest.mark.parametrize("field, good", [
    ("regularization", "l1"), ("reg_rate", 10), ("lr_schedule", "step"), ("lr_decay", 1.0), ("lr_step", 100_000),
    ("features", ("x1",)), ("target_cost", 0), ("patience", 1),
])
def test_edge_values_are_accepted(field, good):
    assert getattr(ExperimentConfig(**{field: good}), field) == good


def test_registry_errors_name_an_unknown_optimizer(registry):
    errors = registry_errors(ExperimentConfig(optimizer="lion"), registry)
    assert set(errors) == {"optimizer"} and "adam" in errors["optimizer"]
    with pytest.raises(ConfigError) as info:
        build(ExperimentConfig(optimizer="lion"), registry)
    assert "optimizer" in info.value.errors


def test_json_round_trip_with_every_field():
    assert ExperimentConfig.from_json(EVERYTHING.to_json()) == EVERYTHING
    assert json.loads(EVERYTHING.to_json())["features"] == ["x1", "x2", "x1*x2", "sin(x1)"]


def test_share_round_trip_with_every_field(registry):
    params = to_query_params(EVERYTHING)
    assert params["features"] == "x1,x2,x1*x2,sin(x1)" and params["optimizer"] == "adam"
    config, notices = from_query_params(params, registry)
    assert config == EVERYTHING and notices == []


def test_share_writes_none_for_empty_and_unset_values(registry):
    config = ExperimentConfig(features=("x1",), target_cost=0.2, patience=3)
    params = to_query_params(config)
    assert from_query_params(params, registry)[0] == config
    # a link that spells the defaults out reads back to them
    back, notices = from_query_params({"features": "none", "target_cost": "none", "patience": "none"}, registry)
    assert back == ExperimentConfig() and notices == []


@pytest.mark.parametrize("params, named", [
    ({"optimizer": "lion"}, "optimizer"), ({"regularization": "l3"}, "regularization"),
    ({"features": "x1,x9"}, "features"), ({"patience": "soon"}, "patience"), ({"momentum": "1"}, "momentum"),
    ({"opt_epsilon": "0"}, "opt_epsilon"),
    ({"target_cost": "nan"}, "target_cost"), ({"lr_schedule": "cosine"}, "lr_schedule"),
])
def test_bad_share_parameters_are_ignored_with_a_notice(registry, params, named):
    config, notices = from_query_params(params, registry)
    assert any(named in notice for notice in notices)
    assert config == ExperimentConfig()


# -- optimizer hyperparameters: declared by each optimizer, old names read exactly ----------------

@pytest.mark.parametrize("optimizer, name, bad", [
    ("momentum", "momentum", 1.0), ("rmsprop", "momentum", -0.1), ("adam", "beta2", 1.0),
    ("adam", "epsilon", 0.0), ("adagrad", "epsilon", 2.0), ("adam", "momentum", "0.9")])
def test_hyperparameters_are_checked_by_the_optimizers_own_declaration(registry, optimizer, name, bad):
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"optimizer": optimizer, "optimizer_params": {name: bad}}, registry)
    assert set(info.value.errors) == {"optimizer_params"} and name in info.value.errors["optimizer_params"]


@pytest.mark.parametrize("optimizer, name, good", [
    ("momentum", "momentum", 0.0), ("nesterov", "momentum", 0.9999), ("adam", "beta2", 0.99999),
    ("adam", "epsilon", 1.0), ("rmsprop", "epsilon", 1e-12)])
def test_hyperparameter_edge_values_are_accepted(registry, optimizer, name, good):
    config = ExperimentConfig.from_dict({"optimizer": optimizer, f"opt_{name}": good}, registry)
    assert config.optimizer_params[name] == good


def test_a_hyperparameter_no_optimizer_declares_is_named_with_the_ones_that_exist(registry):
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"optimizer": "adam", "opt_betta2": 0.9}, registry)
    assert "betta2" in info.value.errors["optimizer_params"]
    assert "momentum, beta2 and epsilon" in info.value.errors["optimizer_params"]


OLD_FILE = {**{k: v for k, v in ExperimentConfig(n_samples=60, hidden=(4,), epochs=12).to_dict().items()
               if k != "optimizer_params"}, "optimizer": "adam", "momentum": 0.8, "beta2": 0.99,
            "opt_epsilon": 1e-7}


def test_old_configs_with_momentum_beta2_and_opt_epsilon_train_exactly_as_before(registry):
    old = ExperimentConfig.from_dict(OLD_FILE, registry)
    assert dict(old.optimizer_params) == {"momentum": 0.8, "beta2": 0.99, "epsilon": 1e-7}
    exp = build(old, registry)
    assert exp.trainer.optimizer_params == {"momentum": 0.8, "beta2": 0.99, "epsilon": 1e-7}
    # the rule's own numbers: Adam with those constants, as the trainer always passed them
    from bpdash.trainer import Trainer

    data, net = exp.data, build(old, registry).net
    by_hand = Trainer(net, data.X_train, data.Y_train, learning_rate=old.learning_rate, cost=old.cost,
                      seed=old.seed, X_test=data.X_test, Y_test=data.Y_test, optimizer="adam",
                      optimizer_params={"momentum": 0.8, "beta2": 0.99, "epsilon": 1e-7})
    assert exp.trainer.fit(12).equals(by_hand.fit(12))


def test_old_configs_of_plain_descent_keep_working(registry):
    """Every old file carried all three constants, whatever the optimizer."""
    old = ExperimentConfig.from_dict({**OLD_FILE, "optimizer": "gd", "momentum": 0.9, "beta2": 0.999,
                                      "opt_epsilon": 1e-8}, registry)
    assert old.optimizer_params == {} and old == ExperimentConfig.from_dict(
        {k: v for k, v in OLD_FILE.items() if k not in ("momentum", "beta2", "opt_epsilon", "optimizer")})


def test_old_links_with_momentum_and_beta2_read_exactly(registry):
    config, notices = from_query_params({"optimizer": "adam", "momentum": "0.8", "beta2": "0.99",
                                         "opt_epsilon": "1e-07"}, registry)
    assert notices == [] and config == EVERYTHING.replace(**{k: getattr(ExperimentConfig(), k) for k in (
        "dataset", "n_samples", "hidden", "activations", "batch_size", "learning_rate", "regularization",
        "reg_rate", "lr_schedule", "lr_decay", "lr_step", "features", "target_cost", "patience", "epochs",
        "seed")})
    assert to_query_params(config) == {"optimizer": "adam", "opt_momentum": "0.8", "opt_beta2": "0.99",
                                       "opt_epsilon": "1e-07"}


def test_share_link_reproduces_the_history(registry):
    config, _ = from_query_params(to_query_params(EVERYTHING), registry)
    assert build(config, registry).trainer.fit(15).equals(build(EVERYTHING, registry).trainer.fit(15))


def test_export_of_a_trained_adam_run_resumes_bit_for_bit(registry):
    straight = build(EVERYTHING, registry)
    straight.trainer.fit(30)
    saved = import_json(export_json(EVERYTHING, build_and_train(registry, 18)))
    assert saved.optimizer_state["name"] == "adam" and saved.optimizer_state["t"] == 18 * 4
    resumed = build(saved.config, registry)
    restore(resumed, saved)
    resumed.trainer.fit(12)
    assert resumed.trainer.history.equals(straight.trainer.history)
    for a, b in zip(resumed.net.weights + resumed.net.biases, straight.net.weights + straight.net.biases):
        np.testing.assert_array_equal(a, b)
    assert resumed.trainer.optimizer_state == straight.trainer.optimizer_state


def build_and_train(registry, epochs):
    exp = build(EVERYTHING, registry)
    exp.trainer.fit(epochs)
    return exp.trainer


def test_plain_runs_export_no_optimizer_state(registry):
    exp = build(ExperimentConfig(n_samples=40, hidden=(3,), activations=("tanh",)), registry)
    exp.trainer.fit(3)
    assert "optimizer_state" not in json.loads(export_json(exp.config, exp.trainer))


def _doc(registry):
    return json.loads(export_json(EVERYTHING, build_and_train(registry, 2)))


@pytest.mark.parametrize("mutate, says", [
    (lambda d: d["optimizer_state"].update(name="rmsprop"), "rmsprop"),
    (lambda d: d["optimizer_state"].update(t=-1), "t must be"),
    (lambda d: d["optimizer_state"].update(t=True), "t must be"),
    (lambda d: d["optimizer_state"]["state"]["m"].pop(), "must hold"),
    (lambda d: d["optimizer_state"]["state"]["m"].__setitem__(0, [[1.0]]), "shape"),
    (lambda d: d["optimizer_state"]["state"]["v"].__setitem__(0, "x"), "numbers"),
    (lambda d: d["optimizer_state"].pop("t"), "optimizer_state must be"),
    (lambda d: (d.pop("sizes"), d.pop("params")), "needs the weights"),
])
def test_import_refuses_a_bad_optimizer_state(registry, mutate, says):
    doc = _doc(registry)
    mutate(doc)
    with pytest.raises(ExportError, match=says):
        import_json(json.dumps(doc))


def test_restore_refuses_a_state_with_other_keys(registry):
    doc = _doc(registry)
    doc["optimizer_state"]["state"]["w"] = doc["optimizer_state"]["state"].pop("m")
    saved = import_json(json.dumps(doc))
    with pytest.raises(ExportError, match="keeps"):
        restore(build(saved.config, registry), saved)


def test_cli_trains_adam_l2_and_features_like_trainer_fit(tmp_path):
    path, out = tmp_path / "exp.json", tmp_path / "history.csv"
    path.write_text(EVERYTHING.to_json())
    result = bpdash_cli("train", "--config", path, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    expected = build(EVERYTHING).trainer.fit(EVERYTHING.epochs)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_exact=True, check_dtype=False)


def test_cli_reports_an_early_stop(tmp_path):
    config = ExperimentConfig(dataset="xor", n_samples=60, hidden=(4,), activations=("tanh",), target_cost=10.0)
    path, out = tmp_path / "exp.json", tmp_path / "history.csv"
    path.write_text(config.to_json())
    result = bpdash_cli("train", "--config", path, "--out", out, "--quiet")
    assert result.returncode == 0 and "stopped early: reached the target cost" in result.stderr
    assert len(pd.read_csv(out)) == 1


def test_cli_gradcheck_uses_features_and_regularization(tmp_path):
    config = ExperimentConfig(dataset="xor", n_samples=30, hidden=(3,), activations=("tanh",),
                              features=("x1", "x2", "x1*x2"), regularization="l2", reg_rate=0.1)
    path = tmp_path / "exp.json"
    path.write_text(config.to_json())
    result = bpdash_cli("gradcheck", "--config", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layer 2" in result.stdout
