"""The Overview and Network views for stacks with layers that have no weight matrix: dropout
(no parameters) and the example layer norm (γ and β), through AppTest.

Each view draws every layer under the article's numbering (a dropout at layer 2 → 3 makes the
next weight matrix Θ^(3)) and none of them says it cannot show the network. Plotly figures come
back as UnknownElements: what they show is read from the figure spec the page was sent.
"""
import json

import pytest

from apptest import component_data, experiment, run, start, step, texts
from stacks import LAYERNORM

LINK = {"output_activation": "softmax", "dataset": "spiral", "classes": "3", "cost": "categorical_cross_entropy"}
STACKS = {
    "dropout": {
        "layers": "dense:8:tanh,dropout:0.2,dense:4:tanh",
        "types": ["input", "dense", "dropout", "dense", "softmax"],
        "parameters": [0, 24, 0, 36, 15],
        "labels": ["tanh", "dropout p = 0.2", "tanh", "softmax"],
        "edges": {0: 16 + 32 + 12, 1: 8},
    },
    "layer_norm": {
        "layers": "dense:8:tanh,layer_norm,dense:4:tanh",
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


def says_it_cannot_show(at) -> bool:
    return "cannot show" in texts(at.info)


@pytest.mark.parametrize("name", STACKS)
def test_the_network_view_lists_every_layer_and_draws_the_stack(name, monkeypatch):
    at = show(open_stack(name, monkeypatch), "Network")
    assert not says_it_cannot_show(at)
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
    assert not says_it_cannot_show(at)
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
