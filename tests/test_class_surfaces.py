"""k classes on the surfaces: the predicted class over the plane (the arg-max of a^(L)) in its
class's colour, shaded by confidence, and the samples in their classes' colours, on the
Overview's board, the Predictions view and the Neurons view's output layer; accuracy counts the
arg-max. Real networks and data throughout; the app through AppTest.
"""
import base64
import json

import numpy as np
import pytest

from apptest import readings, run, start, step, texts
from bpdash import surface
from bpdash.charts import classes
from bpdash.charts.board import board_frame
from bpdash.config import ExperimentConfig
from bpdash.experiment import build

K_CLASSES = {"dataset": "spiral", "classes": "4", "output_activation": "softmax",
             "cost": "categorical_cross_entropy"}


def experiment(dataset="blobs", k=4, epochs=200):
    exp = build(ExperimentConfig(dataset=dataset, classes=k, output_activation="softmax",
                                 cost="categorical_cross_entropy", n_samples=300))
    exp.trainer.fit(epochs)
    return exp


@pytest.fixture(scope="module")
def blobs4():
    return experiment()


def all_points(data):
    return np.vstack([data.X_train, data.X_test])


# -- the engine: which class, how sure ------------------------------------------------------------

def test_the_class_grid_is_the_argmax_of_the_outputs_at_each_grid_point(blobs4):
    net, X = blobs4.net, all_points(blobs4.data)
    xs, ys, C, P = surface.class_grid(net, X, 30, transform=blobs4.transform)
    _, _, G = surface.grid_points(X, 30)
    A = net.forward(blobs4.transform(G))
    assert C.shape == P.shape == (30, 30)
    assert np.array_equal(C.ravel(), A.argmax(axis=1)) and np.array_equal(P.ravel(), A.max(axis=1))
    assert set(np.unique(C)) == {0, 1, 2, 3}  # trained on four blobs: four regions
    for c in range(4):  # and each the prediction_grid of its own output, where it wins
        P_c = surface.prediction_grid(net, X, 30, output=c, transform=blobs4.transform)[2]
        assert np.array_equal(P_c[C == c], P[C == c])


def test_a_point_whose_outputs_are_not_finite_has_no_confidence(blobs4):
    net = blobs4.net.copy()
    net.weights = [W * np.inf if W is not None else None for W in net.weights]
    _, _, C, P = surface.class_grid(net, all_points(blobs4.data), 8, transform=blobs4.transform)
    assert np.isnan(P).all() and (C == 0).all()


# -- the colours ---------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3, 4, 5, 10])
def test_each_class_has_its_own_hue_and_confidence_its_shade(k):
    table = classes.table(k).astype(int)
    n = classes.levels(k)
    assert table.shape == (k * n, 3) and k * n <= 256
    strongest = [tuple(table[c * n + n - 1]) for c in range(k)]
    assert len(set(strongest)) == k  # k distinct class colours
    faintest = table[np.arange(k) * n]
    assert (faintest > 200).all() and (faintest.sum(axis=1) > table[np.arange(k) * n + n - 1].sum(axis=1)).all()
    C = np.arange(k).repeat(3).reshape(k, 3)
    P = np.tile([1.0 / k, 0.5 + 0.5 / k, 1.0], (k, 1))
    codes = classes.codes(C, P, k).astype(int)
    assert (codes // n == C).all()  # the class survives the shading
    assert (codes % n == [0, round((n - 1) / 2), n - 1]).all()  # 1/k: faintest; 1: strongest
    assert (classes.codes(C, P, k, discrete=True) % n == n - 1).all()


def test_the_overview_board_frame_colours_every_class(blobs4):
    data = blobs4.data
    frame = board_frame(blobs4.net, blobs4.transform, data, blobs4.trainer.history, metrics=[],
                        current=(200, 0.1, 0.1))["data"]
    k, n = 4, classes.levels(4)
    assert frame["classes"]["names"] == list(data.class_names) == ["0", "1", "2", "3"]
    assert len({tuple(c) for c in frame["classes"]["colours"]}) == k
    table = np.array(frame["classes"]["table"]).reshape(-1, 3)
    assert len({tuple(table[c * n + n - 1]) for c in range(k)}) == k
    codes = np.frombuffer(base64.b64decode(frame["grid"]), dtype=np.uint8).reshape(frame["resolution"], -1)
    _, _, C, P = surface.class_grid(blobs4.net, all_points(data), frame["resolution"], transform=blobs4.transform)
    assert np.array_equal(codes // n, C[::-1])  # rows from the top
    assert frame["boundary"] is None
    rows = np.array(frame["train"])
    assert np.array_equal(rows[:, 2], data.Y_train.argmax(axis=1)) and set(rows[:, 2]) == {0, 1, 2, 3}


def test_two_classes_with_one_sigmoid_output_keep_the_diverging_surface():
    exp = build(ExperimentConfig(n_samples=100))
    frame = board_frame(exp.net, exp.transform, exp.data, exp.trainer.history, metrics=[], current=(0, 1, 1))
    assert "classes" not in frame["data"] and frame["data"]["boundary"] == 0.5


# -- the views -----------------------------------------------------------------------------------

def figures(at) -> list:
    """The plotly figures on the page, as the browser receives them."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def test_the_predictions_surface_shows_every_class_with_its_colour_and_name():
    at = start(K_CLASSES)
    at.session_state["view"] = "Predictions"
    run(at)
    assert "predictions_output" not in [s.key for s in at.selectbox]  # every class at once
    assert "paler where it is less sure" in texts(at.caption)
    (figure,) = figures(at)
    heatmap, *samples = figure["data"]
    assert heatmap["type"] == "heatmap" and not heatmap["zsmooth"]
    n = classes.levels(4)
    assert len(heatmap["colorscale"]) == 4 * n and (heatmap["zmin"], heatmap["zmax"]) == (0, 4 * n - 1)
    assert len({heatmap["colorscale"][c * n + n - 1][1] for c in range(4)}) == 4  # four hues at their strongest
    train = [t for t in samples if t.get("showlegend", True)]
    assert [t["name"] for t in train] == ["0", "1", "2", "3"]  # the legend names the classes
    assert len({t["marker"]["color"] for t in train}) == 4
    assert figure["layout"]["legend"]["title"]["text"] == "class"


def test_the_neurons_view_draws_the_output_layer_as_classes():
    at = start(K_CLASSES)
    at.session_state["view"] = "Neurons"
    run(at)
    at.session_state["neurons_layer"] = 4
    run(at)
    by_title = {f["layout"]["title"]["text"]: f for f in figures(at)}
    output = by_title["Output layer 4: the class a<sup>(4)</sup> gives each point"]
    assert [t["name"] for t in output["data"][1:]] == ["0", "1", "2", "3"]
    neuron = by_title["Neuron 1 of layer 4: a<sub>1</sub><sup>(4)</sup> over the input plane"]
    assert len({t["marker"]["color"] for t in neuron["data"][1:]}) == 4  # its points by class too


def test_accuracy_counts_the_argmax_of_k_outputs():
    at = start(K_CLASSES)
    at.session_state["view"] = "Cost"
    at = step(run(at), 5)
    exp = at.session_state["experiment"]
    data = exp.data
    for X, Y, label in ((data.X_train, data.Y_train, "Train accuracy"), (data.X_test, data.Y_test, "Test accuracy")):
        A = exp.net.forward(exp.inputs(X))
        assert readings(at)[label] == f"{np.mean(A.argmax(axis=1) == Y.argmax(axis=1)):.1%}"
