"""The Overview, Weights, Gradients and Network views for stacks with layers that have no weight
matrix: dropout (no parameters) and the example layer norm (γ and β), through AppTest.

Each view draws every layer under the article's numbering (a dropout at layer 2 → 3 makes the
next weight matrix Θ^(3)). Plotly figures come
back as UnknownElements: their titles are read from the figure spec the page was sent.
"""
import json

import numpy as np
import pytest

from apptest import component_data, experiment, run, set_widget, start, step, texts
from stacks import LAYERNORM

LINK = {"output_activation": "softmax", "dataset": "spiral", "classes": "3", "cost": "categorical_cross_entropy"}
STACKS = {
    "dropout": {
        "layers": "dense:8:tanh,dropout:0.2,dense:4:tanh",
        "weights": ["Θ<sup>(1)</sup>: layer 1 → 2", "Θ<sup>(3)</sup>: layer 3 → 4", "Θ<sup>(4)</sup>: layer 4 → 5"],
        "gradients": ["∂J/∂Θ<sup>(1)</sup>: layer 1 → 2", "∂J/∂Θ<sup>(3)</sup>: layer 3 → 4",
                      "∂J/∂Θ<sup>(4)</sup>: layer 4 → 5"],
        "types": ["input", "dense", "dropout", "dense", "softmax"],
        "parameters": [0, 24, 0, 36, 15],
        "labels": ["tanh", "dropout p = 0.2", "tanh", "softmax"],
        "edges": {0: 16 + 32 + 12, 1: 8},
    },
    "layer_norm": {
        "layers": "dense:8:tanh,layer_norm,dense:4:tanh",
        "weights": ["Θ<sup>(1)</sup>: layer 1 → 2", "γ<sup>(2)</sup>, β<sup>(2)</sup>: layer 2 → 3 (layer_norm)",
                    "Θ<sup>(3)</sup>: layer 3 → 4", "Θ<sup>(4)</sup>: layer 4 → 5"],
        "gradients": ["∂J/∂Θ<sup>(1)</sup>: layer 1 → 2",
                      "∂J/∂γ<sup>(2)</sup>, ∂J/∂β<sup>(2)</sup>: layer 2 → 3 (layer_norm)",
                      "∂J/∂Θ<sup>(3)</sup>: layer 3 → 4", "∂J/∂Θ<sup>(4)</sup>: layer 4 → 5"],
        "types": ["input", "dense", "layer_norm", "dense", "softmax"],
        "parameters": [0, 24, 16, 36, 15],
        "labels": ["tanh", "layer_norm", "tanh", "softmax"],
        "edges": {0: 16 + 32 + 12, 2: 64},
    },
}


def open_stack(name, monkeypatch):
    if name == "layer_norm":
        monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(LAYERNORM))
    at = start({**LINK, "layers": STACKS[name]["layers"]})
    assert [spec["layer"] for spec in experiment(at).net.specs][1] == name
    return at


def show(at, view):
    at.session_state["view"] = view
    return run(at)


def titles(at) -> list:
    """The title of every plotly chart on the page, without its epoch."""
    found = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    return [t.split(" after epoch")[0].split(", epoch")[0] for t in found]


@pytest.mark.parametrize("name", STACKS)
def test_the_weights_view_draws_every_layer_with_parameters_under_its_article_number(name, monkeypatch):
    at = show(step(open_stack(name, monkeypatch), 2), "Weights")
    assert titles(at) == STACKS[name]["weights"]
    dropout_line = [c.value for c in at.caption if c.value.startswith("Layer 2 → 3 is dropout")]
    assert dropout_line == ([] if name != "dropout" else [
        "Layer 2 → 3 is dropout (p = 0.2), with no parameters: Drops each unit with probability p in training "
        "(scaling the kept ones by 1/(1 - p)); the identity otherwise."])


@pytest.mark.parametrize("name", STACKS)
def test_the_gradients_view_draws_every_layers_gradients_after_a_step(name, monkeypatch):
    at = show(open_stack(name, monkeypatch), "Gradients")
    assert "exist from epoch 1 on" in texts(at.info) and titles(at) == []
    at = show(step(at), "Gradients")
    assert titles(at) == STACKS[name]["gradients"]


@pytest.mark.parametrize("name", STACKS)
def test_replaying_the_snapshots_plays_every_chart(name, monkeypatch):
    at = show(step(open_stack(name, monkeypatch), 3), "Weights")
    at = set_widget(at, "toggle", "weights_follow", False)
    at = set_widget(at, "slider", "weights_epoch", 1)
    assert titles(at) == STACKS[name]["weights"]
    at = set_widget(at, "toggle", "weights_replay", True)
    frames = [[f["name"] for f in json.loads(chart.proto.spec)["frames"]] for chart in at.get("plotly_chart")]
    assert frames == [["0", "1", "2", "3"]] * len(STACKS[name]["weights"])


def test_the_exact_zeros_count_only_theta_not_a_layer_norms_beta(monkeypatch):
    """β starts at exactly 0 (8 zeros): they are not weights L1 drove to zero."""
    at = show(open_stack("layer_norm", monkeypatch), "Weights")
    net = experiment(at).net
    assert np.count_nonzero(net.params[1][1] == 0) == 8
    assert at.session_state["weights_exact_zeros"] == sum(int(np.count_nonzero(W == 0)) for W in net.weights
                                                           if W is not None) == 0
    assert "exactly 0" not in texts(at.caption)


@pytest.mark.parametrize("name", STACKS)
def test_the_weight_editor_offers_the_layers_with_theta(name, monkeypatch):
    at = show(open_stack(name, monkeypatch), "Weights")
    assert at.selectbox(key="edit_layer").options == ["1", "3", "4"]
    at = set_widget(at, "selectbox", "edit_layer", 3)
    at.number_input(key="edit_value").set_value(0.75)
    at = run(at)
    at.button(key="edit_set").click()
    at = run(at)
    assert experiment(at).net.weights[2][0, 0] == 0.75


@pytest.mark.parametrize("name", STACKS)
def test_the_network_view_lists_every_layer_and_draws_the_stack(name, monkeypatch):
    at = show(open_stack(name, monkeypatch), "Network")
    table = at.dataframe[0].value
    assert table["type"].tolist() == STACKS[name]["types"]
    assert table["neurons"].tolist() == [2, 8, 8, 4, 3]
    assert table["activation"].tolist() == ["—", "tanh", "—", "tanh", "softmax"]
    assert table["parameters in"].tolist() == STACKS[name]["parameters"]
    ticks = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["ticktext"]
    assert [t.split(" · ")[1] for t in ticks] == ["input", *STACKS[name]["labels"]]


@pytest.mark.parametrize("name", STACKS)
def test_the_overview_board_draws_the_stack_with_its_edges_and_neuron_maps(name, monkeypatch):
    at = open_stack(name, monkeypatch)
    network = component_data(at, "board")["network"]
    assert network["labels"] == STACKS[name]["labels"]
    kinds = [edge[4] for edge in network["edges"]]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == STACKS[name]["edges"]
    assert [len(layer["maps"]) for layer in network["tiles"]] == [2, 8, 8, 4, 3]
    if name == "dropout":  # outside training dropout is the identity: layer 3's maps are layer 2's
        assert network["tiles"][2] == network["tiles"][1]
    else:
        assert network["tiles"][2] != network["tiles"][1]
    at = step(at)
    assert component_data(at, "board")["epoch"] == 1


def test_a_weight_set_by_hand_on_a_stack_that_starts_with_dropout_changes_the_scores_shown():
    """The page's scores are kept per epoch and per parameter arrays: a stack whose first layer
    has no Θ still sees a weight set by hand at the same epoch."""
    at = show(start({"layers": "dropout:0.2,dense:4:tanh"}), "Weights")
    before = at.session_state["scores"][1][1]["cost"]
    at = set_widget(at, "selectbox", "edit_layer", 2)
    at.number_input(key="edit_value").set_value(5.0)
    at = run(at)
    at.button(key="edit_set").click()
    at = run(at)
    exp = experiment(at)
    assert exp.net.weights[1][0, 0] == 5.0 and exp.trainer.epoch == 0
    after = at.session_state["scores"][1][1]["cost"]
    assert after == exp.trainer.evaluate()["cost"] != before
