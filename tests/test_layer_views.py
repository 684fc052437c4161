"""How the views see a stack layer by layer: the layer summaries (article numbering, types,
parameter counts), the diagram's edge table for stacks with dropout and a layer norm, and the
chart of a layer's other parameters (γ, β). The views themselves: test_app_layer_views.py."""
import json

import numpy as np
import pytest

from bpdash import Network
from bpdash.charts.board import network as board_network
from bpdash.charts.network import IDENTITY, MIXING, THETA, edge_table, network_edges, network_figure
from bpdash.charts.parameters import layer_parameters_heatmap, parameter_animation
from bpdash.layer_summary import summarize

from stacks import layer_registry

DROPOUT_STACK = [{"layer": "dense", "units": 5, "activation": "tanh"}, {"layer": "dropout", "rate": 0.2},
                 {"layer": "dense", "units": 4, "activation": "tanh"}, {"layer": "softmax", "units": 3}]
NORM_STACK = [{"layer": "dense", "units": 5, "activation": "relu"}, {"layer": "layer_norm"},
              {"layer": "softmax", "units": 3}]


@pytest.fixture(scope="module")
def layers():
    return layer_registry()


def test_a_summary_numbers_the_layers_as_the_article_does_dropout_included(registry):
    net = Network.from_specs(2, DROPOUT_STACK, seed=0, registry=registry)
    summary = summarize(net)
    assert [(s.layer, s.kind, s.n_in, s.n_out) for s in summary] == [
        (1, "dense", 2, 5), (2, "dropout", 5, 5), (3, "dense", 5, 4), (4, "softmax", 4, 3)]
    assert [s.theta for s in summary] == [0, None, 0, 0]
    assert [s.n_parameters for s in summary] == [sum(a.size for a in p) for p in net.params] == [15, 0, 24, 15]
    assert [s.label for s in summary] == ["tanh", "dropout p = 0.2", "tanh", "softmax"]
    assert [s.activation for s in summary] == ["tanh", "—", "tanh", "softmax"]
    assert summary[1].caption().startswith("Layer 2 → 3 is dropout (p = 0.2), with no parameters: Drops each unit")


def test_a_layer_norm_is_summarized_by_its_parameters_symbols(layers):
    net = Network.from_specs(2, NORM_STACK, seed=0, registry=layers)
    norm = summarize(net)[1]
    assert (norm.kind, norm.theta, norm.bias, norm.others, norm.symbols) == ("layer_norm", None, None, (0, 1), ("γ", "β"))
    assert norm.n_parameters == 10 and norm.label == "layer_norm" and norm.activation == "—"
    theta, others = norm.split(net.params[1])
    assert theta is None and np.array_equal(others[0], np.ones(5)) and np.array_equal(others[1], np.zeros(5))


def test_without_biases_a_dense_layer_splits_into_its_theta_and_a_zero_b(registry):
    net = Network.from_specs(2, DROPOUT_STACK, seed=0, registry=registry, bias=False)
    dense = summarize(net)[0]
    (W, b), others = dense.split(net.params[0])
    assert W is net.weights[0] and np.array_equal(b, np.zeros(5)) and others == ()
    assert dense.n_parameters == 10


def test_the_edge_table_of_a_dropout_stack_draws_theta_edges_and_one_to_one_dropout_edges(registry):
    net = Network.from_specs(2, DROPOUT_STACK, seed=0, registry=registry)
    edges, _ = network_edges(net)
    assert edges.shape == (2 * 5 + 5 + 5 * 4 + 4 * 3, 5)
    theta, identity = edges[edges[:, 4] == THETA], edges[edges[:, 4] == IDENTITY]
    assert set(theta[:, 0]) == {1, 3, 4} and not (edges[:, 4] == MIXING).any()
    # every θ_jk^(l) is the network's, under the article's numbering (Θ^(3) after dropout)
    for l, j, k, value, _ in theta:
        assert value == net.weights[int(l) - 1][int(j) - 1, int(k) - 1]
    assert identity.tolist() == [[2, j, j, 0, IDENTITY] for j in range(1, 6)]


def test_the_edge_table_keeps_the_largest_theta_and_every_dropout_edge(registry):
    net = Network.from_specs(2, DROPOUT_STACK, seed=0, registry=registry)
    edges, _ = network_edges(net, max_edges=6)
    theta = edges[edges[:, 4] == THETA]
    everything = np.concatenate([np.abs(W).ravel() for W in net.weights if W is not None])
    assert sorted(np.abs(theta[:, 3])) == sorted(np.sort(everything)[-6:])
    assert np.count_nonzero(edges[:, 4] == IDENTITY) == 5


def test_a_layer_that_mixes_its_inputs_joins_every_pair_thinned_to_the_limit(layers):
    net = Network.from_specs(2, NORM_STACK, seed=0, registry=layers)
    edges, summary = network_edges(net)
    mixing = edges[edges[:, 4] == MIXING]
    assert len(mixing) == 25 and set(mixing[:, 0]) == {2} and (mixing[:, 3] == 0).all()
    assert {(j, k) for _, j, k, _, _ in mixing} == {(j, k) for j in range(1, 6) for k in range(1, 6)}
    thinned = edge_table([None], summary[1:2], max_edges=10)
    assert len(thinned) == 10 and (thinned[:, 4] == MIXING).all()


def test_a_plain_list_of_weights_still_makes_the_theta_edges():
    W = np.arange(6.0).reshape(2, 3) - 2
    edges = edge_table([W])
    assert edges.shape == (6, 5) and (edges[:, 4] == THETA).all() and sorted(edges[:, 3]) == sorted(W.ravel())


def test_the_board_and_the_network_view_draw_the_same_edges(registry):
    net = Network.from_specs(2, DROPOUT_STACK, seed=0, registry=registry)
    frame = board_network(net)
    assert frame["edges"] == network_edges(net)[0].round(4).tolist()
    assert frame["labels"] == ["tanh", "dropout p = 0.2", "tanh", "softmax"]
    figure = network_figure(net)
    assert list(figure.layout.xaxis.ticktext) == ["layer 1<br>2 · input", "layer 2<br>5 · tanh",
                                                  "layer 3<br>5 · dropout p = 0.2", "layer 4<br>4 · tanh",
                                                  "layer 5<br>3 · softmax"]
    dashed = [t for t in figure.data if t.mode == "lines" and t.line.dash == "dash"]
    assert len(dashed) == 1 and np.count_nonzero(~np.isnan(np.asarray(dashed[0].x, dtype=float))) == 2 * 5


def test_the_diagram_shows_a_layer_norms_gamma_and_beta_on_its_neurons(layers):
    net = Network.from_specs(2, NORM_STACK, seed=0, registry=layers)
    nodes = network_figure(net).data[-1]
    assert nodes.text[2 + 5].startswith("layer 3, neuron 1<br>layer_norm, γ = 1, β = 0")
    assert nodes.text[2].startswith("layer 2, neuron 1<br>relu, b = ")


def test_a_layers_other_parameters_are_one_heatmap_row_each_by_their_symbols():
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    figure = layer_parameters_heatmap((gamma, beta), ("γ", "β"), 2, kind="layer_norm", epoch=7)
    assert figure.layout.title.text == "γ<sup>(2)</sup>, β<sup>(2)</sup>: layer 2 → 3 (layer_norm) after epoch 7"
    assert [np.asarray(t.z).tolist() for t in figure.data] == [[gamma.tolist()], [beta.tolist()]]
    assert all(t.zmin == -3 and t.zmax == 3 for t in figure.data)  # one scale centred at 0 for both
    gradient = layer_parameters_heatmap((gamma, beta), ("γ", "β"), 2, gradient=True, epoch=7)
    assert gradient.layout.title.text.startswith("∂J/∂γ<sup>(2)</sup>, ∂J/∂β<sup>(2)</sup>: layer 2 → 3, epoch 7's update")


def test_a_replay_of_other_parameters_has_a_frame_per_epoch_on_one_scale():
    frames = [(e, (np.full(3, 1.0 + e), np.full(3, -e / 2))) for e in range(4)]
    figure = parameter_animation(frames, 2, symbols=("γ", "β"), kind="layer_norm")
    assert [f.name for f in figure.frames] == ["0", "1", "2", "3"]
    assert np.asarray(figure.frames[1].data[0].z).tolist() == [[2.0, 2.0, 2.0]]
    assert all(t.zmax == 4 for t in figure.data)
    json.loads(figure.to_json())  # plotly takes it whole
