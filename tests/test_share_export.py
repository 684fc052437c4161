"""Share links and exports: exact round trips, and hostile input refused with messages."""
import io
import json

import numpy as np
import pandas as pd
import pytest

from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.export import ExportError, export_json, import_json, restore
from bpdash.weights_file import load_params_npz, weights_npz
from bpdash.share import from_query_params, share_url, to_query_params

CONFIG = ExperimentConfig(dataset="circles", n_samples=100, hidden=(5, 3), activations=("relu", "tanh"),
                          learning_rate=0.1 + 0.2, batch_size=16, epsilon=0.3, seed=11, bias=False)


def test_defaults_make_an_empty_query():
    assert to_query_params(ExperimentConfig()) == {}
    assert share_url("https://x.example/app", ExperimentConfig()) == "https://x.example/app"


def test_query_round_trip_is_exact(registry):
    config, notices = from_query_params(to_query_params(CONFIG), registry)
    assert config == CONFIG and notices == []


def test_query_reproduces_the_history_bit_for_bit(registry):
    config, _ = from_query_params(to_query_params(CONFIG), registry)
    assert build(config, registry).trainer.fit(30).equals(build(CONFIG, registry).trainer.fit(30))


@pytest.mark.parametrize("params, named", [
    ({"colour": "red"}, "colour"),
    ({"learning_rate": "1e6"}, "learning_rate"),
    ({"hidden": "4," * 5000}, "hidden"),
    ({"epochs": "x" * 10_000}, "epochs"),
    ({"activations": "tanh,nope", "hidden": "3,3"}, "nope"),
    ({"dataset": "../../etc/passwd"}, "dataset"),
    ({"init": "os.system"}, "init"),
    ({"bias": "maybe"}, "bias"),
    ({"hidden": "0"}, "hidden"),
    ({"hidden": "3,x"}, "hidden"),
    ({"seed": "-1"}, "seed"),
])
def test_bad_parameters_give_notices_and_defaults(registry, params, named):
    config, notices = from_query_params(params, registry)
    assert any(named in notice for notice in notices)
    assert isinstance(config, ExperimentConfig)
    for name in params:
        if name in ExperimentConfig.__dataclass_fields__ and name not in ("activations", "hidden"):
            assert getattr(config, name) == getattr(ExperimentConfig(), name)


def test_activations_a_link_leaves_out_follow_its_layer_count(registry):
    assert from_query_params({"hidden": "4"}, registry) == (ExperimentConfig(hidden=(4,), activations=("tanh",)), [])
    assert from_query_params({"hidden": "4,4,4"}, registry)[0].activations == ("tanh",) * 3


def test_activation_count_follows_hidden_layers(registry):
    config, notices = from_query_params({"hidden": "4,4,4", "activations": "relu"}, registry)
    assert config.activations == ("relu", "relu", "relu") and not notices  # one name: every layer
    config, notices = from_query_params({"hidden": "4,4,4", "activations": "relu,sigmoid"}, registry)
    assert config.activations == ("relu", "sigmoid", "tanh") and "2 entries for 3 hidden" in notices[0]


@pytest.fixture
def trained(registry):
    exp = build(CONFIG, registry)
    exp.trainer.fit(25)
    return exp


def test_json_export_import_restores_weights_history_and_continuation(registry, trained):
    state = import_json(export_json(CONFIG, trained.trainer))
    assert state.config == CONFIG and state.epoch == 25
    again = build(state.config, registry)
    restore(again, state)
    for a, b in zip(again.net.weights, trained.net.weights):
        assert np.array_equal(a, b)
    pd.testing.assert_frame_equal(again.trainer.history, trained.trainer.history, check_exact=True)
    # training on continues exactly as the original would (same shuffling state)
    trained.trainer.fit(5)
    again.trainer.fit(5)
    pd.testing.assert_frame_equal(again.trainer.history, trained.trainer.history, check_exact=True)


def test_config_only_export(trained):
    doc = json.loads(export_json(CONFIG, trained.trainer, weights=False, history=False))
    assert "weights" not in doc and "history" not in doc
    assert import_json(json.dumps(doc)).weights is None


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(format="other"), "not a bpdash experiment"),
    (lambda d: d.update(version=99), "version"),
    (lambda d: d["config"].update(learning_rate=-1), "learning_rate"),
    (lambda d: d["params"][0][0].append([1.0]), r"params\[0\]\[0\] \(weights\[0\] \(Θ\^\(1\)\)\) must be a list of 5"),
    (lambda d: d["params"].pop(), "params must be a list of 3"),
    (lambda d: d["params"][0].append([1.0]), r"params\[0\] must hold the 1 arrays of layer 2"),
    (lambda d: d["params"][0][0][0].__setitem__(0, "1e999"), r"params\[0\]\[0\].*\[0\]\[0\] is '1e999'"),
    (lambda d: d["sizes"].__setitem__(1, 6), r"sizes\[1\] is 6, but layer 2 \(dense\)"),
    (lambda d: d.update(weights=[]), "unknown field 'weights'"),
    (lambda d: d["history"]["rows"].pop(), "history"),
    (lambda d: d["history"]["rows"][0].__setitem__(1, "x"), "history row"),
    (lambda d: d.update(rng_state={"bit_generator": "Evil"}), "rng_state"),
    (lambda d: d.update(epoch=-4), "epoch"),
])
def test_corrupted_json_is_refused_with_a_message(trained, mutate, message):
    doc = json.loads(export_json(CONFIG, trained.trainer))
    mutate(doc)
    with pytest.raises(ExportError, match=message):
        import_json(json.dumps(doc))


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00", b"{", b"[]", b"null", b"x" * 100])
def test_garbage_is_refused(data):
    with pytest.raises(ExportError):
        import_json(data)


def test_restore_refuses_weights_that_do_not_fit_the_data(registry, trained):
    state = import_json(export_json(CONFIG, trained.trainer))
    other = build(CONFIG.replace(dataset="sine"), registry)  # 1 input, not 2
    with pytest.raises(ExportError, match="shapes"):
        restore(other, state)


def test_npz_round_trip_is_exact(trained):
    params = load_params_npz(weights_npz(trained.net), trained.net)
    assert [len(layer) for layer in params] == [1, 1, 1]  # bias off: Θ^(l) alone (its b_l zeros are checked)
    assert all(np.array_equal(a, b) for got, want in zip(params, trained.net.params) for a, b in zip(got, want))


def test_pickled_npz_is_refused(trained):
    buffer = io.BytesIO()
    arrays = {f"theta_{l}": np.full(W.shape, None, dtype=object) for l, W in enumerate(trained.net.weights, 1)}
    np.savez(buffer, **arrays, **{f"b_{l}": b for l, b in enumerate(trained.net.biases, 1)})
    with pytest.raises(ExportError, match="pickle"):
        load_params_npz(buffer.getvalue(), trained.net)


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_garbage_npz_is_refused(data, trained):
    with pytest.raises(ExportError):
        load_params_npz(data, trained.net)
