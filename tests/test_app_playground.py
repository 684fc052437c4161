"""The playground features in the running app (AppTest): classroom links, weight and data
editing, the predictions toggles, optimizers, schedules, regularization, input features, neuron
previews and stopping rules.

Every ``at.run()`` is followed by ``assert not at.exception``; assertions use session state
(plotly figures come back as UnknownElements).
"""
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.share import to_query_params

from apptest import click, experiment, run, set_widget, start, texts


def show(at, view) -> AppTest:
    return set_widget(at, "segmented_control", "view", view)


def keys(at) -> set:
    """Keys of every widget on the page (sidebar included), the Step button's component too."""
    found = {c.key for c in at.get("bidi_component")}
    for kind in ("button", "number_input", "selectbox", "slider", "toggle", "checkbox", "radio",
                 "segmented_control", "multiselect"):
        found |= {w.key for w in getattr(at, kind)}
    return found


# -- classroom links -----------------------------------------------------------------------------

HIDE_ALL_BUT_STEP = "network,features,training,data,train_n,play,reset,views,saveload"
LINK = ExperimentConfig(dataset="circles", hidden=(4,), activations=("relu",), learning_rate=0.3, seed=5,
                        epochs=40)


def test_a_classroom_link_hides_controls_opens_its_view_and_keeps_the_links_values():
    at = start({**to_query_params(LINK), "hide": HIDE_ALL_BUT_STEP, "view": "Weights"})
    present = keys(at)
    assert "step" in present
    for hidden in ("train_many", "train_n", "play", "reset", "view", "seed", "learning_rate", "dataset",
                   "layer_0_units", "add_layer", "download_experiment"):
        assert hidden not in present, hidden
    with pytest.raises(KeyError):
        at.button(key="play")
    assert "weights_follow" in at.session_state  # the Weights view is open
    assert experiment(at).config == LINK
    at = click(at, "step")
    at = click(at, "step")  # runs without the widgets drawn keep the link's values
    exp = experiment(at)
    assert exp.config == LINK and exp.trainer.epoch == 2
    assert at.query_params["hide"] == HIDE_ALL_BUT_STEP and at.query_params["view"] == "Weights"
    expected = build(LINK).trainer.fit(2)
    pd.testing.assert_frame_equal(exp.trainer.history, expected, check_exact=True)


def test_a_classroom_link_only_opening_a_view_keeps_every_control():
    at = start({"view": "backprop inspector"})
    assert at.segmented_control(key="view").value == "Backprop inspector"
    assert {"step", "play", "seed", "view"} <= keys(at)
    at = show(at, "Cost")
    assert at.query_params["view"] == "Backprop inspector"  # the link's view stays in the address


def test_bad_classroom_parameters_give_notices():
    at = start({"hide": "network,teacher_desk", "view": "Nowhere"})
    shown = texts(at.warning)
    assert "teacher_desk" in shown and "Nowhere" in shown
    assert "layer_0_units" not in keys(at) and at.segmented_control(key="view").value == "Overview"


def test_the_share_popover_builds_a_classroom_link():
    at = start({"seed": "3"})
    at = set_widget(at, "multiselect", "classroom_hide", ["network", "play"])
    at = set_widget(at, "selectbox", "classroom_view", "Predictions")
    link = next(c.value for c in at.code if "hide=" in c.value)
    assert link == "?seed=3&hide=network%2Cplay&view=Predictions"


# -- editing weights and data --------------------------------------------------------------------

def test_setting_a_weight_changes_exactly_that_weight_and_training_goes_on():
    at = show(click(start(), "step"), "Weights")
    before = [W.copy() for W in experiment(at).net.weights]
    at.selectbox(key="edit_layer").set_value(2)
    at = run(at)
    at.selectbox(key="edit_j").set_value(3)
    at.selectbox(key="edit_k").set_value(5)
    at.number_input(key="edit_value").set_value(1.25)
    at = click(at, "edit_set")
    exp = experiment(at)
    after = exp.net.weights
    assert after[1][2, 4] == 1.25
    changed = [np.argwhere(a != b).tolist() for a, b in zip(after, before)]
    assert changed == [[], [[2, 4]], []]
    assert before[1] is not after[1]  # a new array: the old one is untouched
    assert exp.trainer.snapshots.latest.weights[1][2, 4] == 1.25
    assert "Set θ_35^(2) = 1.25" in texts(at.success)
    assert any("cannot carry them" in w for w in [str(x.value) for x in at.warning])
    at = click(at, "step")
    assert experiment(at).trainer.epoch == 2 and experiment(at) is exp


def test_setting_a_bias():
    at = show(start(), "Weights")
    at.selectbox(key="edit_k").set_value(0)
    at.number_input(key="edit_value").set_value(-2.0)
    at = click(at, "edit_set")
    assert experiment(at).net.biases[0][0] == -2.0


def test_l1_zero_weights_are_counted():
    at = show(start(), "Weights")
    at.selectbox(key="edit_layer").set_value(1)
    at.number_input(key="edit_value").set_value(0.0)
    at = click(at, "edit_set")
    assert at.session_state["weights_exact_zeros"] == 1
    assert "exactly 0" in texts(at.caption)


def test_adding_and_removing_a_point_changes_the_training_set_and_rebuilds():
    at = show(click(start(), "step"), "Predictions")
    n = experiment(at).data.n_train
    for i, value in enumerate((0.5, -0.25)):
        at.number_input(key=f"points_add_{i}").set_value(value)
    at.selectbox(key="points_add_2").set_value(1.0)
    at = click(at, "points_add")
    exp = experiment(at)
    assert exp.data.n_train == n + 1 and exp.trainer.epoch == 0
    assert exp.data.X_train[-1].tolist() == [0.5, -0.25] and exp.data.Y_train[-1].tolist() == [1.0]
    assert exp.data.n_test == 40 and "edited" in exp.data.name
    assert "Rebuilt the network" in texts(at.info) and "edited data" in texts(at.info)
    at.selectbox(key="points_remove_row").set_value(1)
    at = click(at, "points_remove")
    exp = experiment(at)
    assert exp.data.n_train == n and exp.data.X_train[-1].tolist() == [0.5, -0.25]
    at = click(at, "step")  # the edited data stays for the next runs
    assert experiment(at) is exp and exp.trainer.epoch == 1
    assert "edited data, which a link cannot carry" in texts(at.warning)
    at = set_widget(at, "selectbox", "dataset", "circles")  # other data drops the edits
    assert experiment(at).data.name == "circles" and experiment(at).data.n_train == n


def test_discretize_and_show_test_toggles():
    at = show(start(), "Predictions")
    assert at.toggle(key="predictions_show_test").value
    at = set_widget(at, "toggle", "predictions_discretize", True)
    at = set_widget(at, "toggle", "predictions_show_test", False)
    assert "hidden" in texts(at.caption)
    at = set_widget(at, "selectbox", "dataset", "sine")  # 1-D: no surface, test toggle still works
    assert experiment(at).data.n_features == 1
    assert "predictions_discretize" not in keys(at)


# -- optimizers, schedules, regularization, features, stopping -----------------------------------

@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_each_optimizer_can_be_chosen_and_trains(name, registry):
    at = set_widget(start(), "selectbox", "optimizer", name)
    assert experiment(at).config.optimizer == name
    at = click(at, "step")
    exp = experiment(at)
    assert exp.trainer.epoch == 1 and np.isfinite(exp.trainer.history["cost"]).all()
    assert any(registry.optimizers[name].latex in l.value for l in at.latex)  # its rule, typeset


def test_optimizer_settings_and_schedule_reach_the_config():
    at = set_widget(start(), "selectbox", "optimizer", "adam")
    assert at.number_input(key="opt:adam:beta2").label == "Second-moment decay β₂"  # Adam's declaration
    at = set_widget(at, "number_input", "opt:adam:momentum", 0.8)
    at = set_widget(at, "number_input", "opt:adam:beta2", 0.99)
    at = set_widget(at, "selectbox", "lr_schedule", "step")
    at = set_widget(at, "number_input", "lr_decay", 0.25)
    at = set_widget(at, "number_input", "lr_step", 2)
    c = experiment(at).config
    assert (c.optimizer, dict(c.optimizer_params), c.lr_schedule, c.lr_decay, c.lr_step) == \
        ("adam", {"momentum": 0.8, "beta2": 0.99}, "step", 0.25, 2)
    assert experiment(at).trainer.optimizer_params == {"momentum": 0.8, "beta2": 0.99, "epsilon": 1e-8}
    at = set_widget(at, "selectbox", "optimizer", "gd")  # Adam's settings are not drawn for gd, but kept
    assert "opt:adam:momentum" not in [w.key for w in at.number_input]
    at = set_widget(at, "selectbox", "optimizer", "adam")
    assert at.number_input(key="opt:adam:momentum").value == 0.8
    at = set_widget(at, "number_input", "train_n", 5)
    at = click(at, "train_many")
    assert experiment(at).trainer.current_learning_rate == pytest.approx(0.5 * 0.25 ** 2)


def test_l1_with_a_big_rate_makes_exact_zeros_and_the_weight_view_reports_them():
    at = set_widget(start(), "selectbox", "regularization", "l1")
    at = set_widget(at, "number_input", "reg_rate", 0.5)
    assert experiment(at).config.regularization == "l1" and experiment(at).config.reg_rate == 0.5
    at = set_widget(at, "number_input", "train_n", 30)
    at = show(click(at, "train_many"), "Weights")
    zeros = sum(int((W == 0).sum()) for W in experiment(at).net.weights)
    assert zeros > 0 and at.session_state["weights_exact_zeros"] == zeros
    assert "exactly 0" in texts(at.caption)


def test_l2_reaches_the_inspector_and_the_gradient_check():
    at = set_widget(start(), "selectbox", "regularization", "l2")
    at = set_widget(at, "number_input", "reg_rate", 0.1)
    at = show(click(at, "step"), "Backprop inspector")
    result = at.session_state["inspector_result"]
    assert result["regularization_term"] != 0
    assert result["chain_rule"] + result["regularization_term"] == pytest.approx(result["backprop"], rel=1e-6)
    assert result["numeric"] == pytest.approx(result["backprop"], rel=1e-4)
    assert any("lambda" in l.value for l in at.latex)
    at = show(at, "Gradient check")
    assert all(r["passed"] for r in at.session_state["gradcheck_result"])


def test_feature_toggles_change_the_input_layer():
    at = start()
    assert experiment(at).net.sizes[0] == 2
    at = set_widget(at, "checkbox", "feature_x1^2", True)
    at = set_widget(at, "checkbox", "feature_sin(x2)", True)
    exp = experiment(at)
    assert exp.config.features == ("x1", "x2", "x1^2", "sin(x2)") and exp.net.sizes[0] == 4
    at = set_widget(at, "checkbox", "feature_x1", False)
    assert experiment(at).net.sizes[0] == 3
    at = click(at, "step")
    at = show(at, "Predictions")
    at = show(at, "Neurons")
    assert at.session_state["neuron_grid_shapes"][0] == (8, 32, 32)
    at = set_widget(at, "selectbox", "dataset", "sine")  # 1-D data: no toggles, raw input
    assert experiment(at).config.features == () and "feature_x1" not in keys(at)


def test_neuron_previews_render_for_2d_data():
    at = show(start(), "Neurons")
    shapes = at.session_state["neuron_grid_shapes"]
    assert shapes == [(8, 32, 32), (8, 32, 32), (1, 32, 32)]
    at = set_widget(at, "selectbox", "neurons_layer", 3)
    at = set_widget(at, "selectbox", "neurons_unit", 5)
    at = set_widget(at, "selectbox", "dataset", "sine")
    assert "need 2-D data" in texts(at.info)


def test_target_cost_stops_with_the_reason_shown():
    at = set_widget(start(), "toggle", "stop_target_on", True)
    at = set_widget(at, "number_input", "target_cost", 0.6)
    assert experiment(at).config.target_cost == 0.6
    at = set_widget(at, "number_input", "train_n", 500)
    at = click(at, "train_many")
    trainer = experiment(at).trainer
    assert trainer.stopped and trainer.epoch < 500
    assert trainer.stop_reason and trainer.stop_reason in texts(at.success)
    at = click(at, "play")
    assert not at.session_state["running"]


def test_patience_stops_during_play():
    at = set_widget(start(), "toggle", "stop_patience_on", True)
    at = set_widget(at, "number_input", "patience", 1)
    at = set_widget(at, "number_input", "learning_rate", 50.0)  # jumps about: no improvement soon
    at = set_widget(at, "number_input", "train_n", 2000)
    at = click(at, "train_many")
    trainer = experiment(at).trainer
    assert experiment(at).config.patience == 1
    assert trainer.stopped or trainer.diverged
    if trainer.stopped:
        assert trainer.stop_reason in texts(at.success)


PLAYGROUND = ExperimentConfig(dataset="circles", n_samples=120, hidden=(5,), activations=("tanh",),
                              optimizer="adam", learning_rate=0.05,
                              optimizer_params={"momentum": 0.85, "beta2": 0.995},
                              regularization="l2", reg_rate=0.01, lr_schedule="exponential", lr_decay=0.9,
                              lr_step=7, features=("x1", "x2", "x1^2", "x1*x2"), target_cost=0.001,
                              patience=500, epochs=30)


def test_a_link_round_trips_every_new_setting_and_reproduces_the_history():
    params = to_query_params(PLAYGROUND)
    assert {"optimizer", "regularization", "features", "lr_schedule", "patience"} <= set(params)
    at = click(start(params), "train_many")
    exp = experiment(at)
    assert exp.config == PLAYGROUND and not at.warning
    assert exp.net.sizes[0] == 4
    expected = build(PLAYGROUND).trainer.fit(PLAYGROUND.epochs)
    pd.testing.assert_frame_equal(exp.trainer.history, expected, check_exact=True)
    assert at.query_params == params
    assert at.selectbox(key="optimizer").value == "adam" and at.checkbox(key="feature_x1*x2").value


def test_a_classroom_link_keeps_hidden_training_settings():
    params = {**to_query_params(PLAYGROUND), "hide": "training,features,network", "view": "Cost"}
    at = click(start(params), "step")
    assert experiment(at).config == PLAYGROUND
    assert "optimizer" not in keys(at) and "feature_x1" not in keys(at)
    expected = build(PLAYGROUND).trainer.fit(1)
    pd.testing.assert_frame_equal(experiment(at).trainer.history, expected, check_exact=True)


def test_a_point_of_k_classes_is_added_by_its_class_name_and_written_one_hot():
    at = show(start({"dataset": "blobs", "classes": "4", "output_activation": "softmax"}), "Predictions")
    data = experiment(at).data
    assert at.selectbox(key="points_add_2").options == list(data.class_names) == ["0", "1", "2", "3"]
    at.number_input(key="points_add_0").set_value(0.5)
    at.number_input(key="points_add_1").set_value(-0.25)
    at.selectbox(key="points_add_2").set_value("2")
    at = click(at, "points_add")
    edited = experiment(at).data
    assert edited.n_train == data.n_train + 1 and edited.X_train[-1].tolist() == [0.5, -0.25]
    assert edited.Y_train[-1].tolist() == [0.0, 0.0, 1.0, 0.0]  # exactly one class
    assert np.array_equal(edited.Y_train[:-1], data.Y_train)


def test_the_table_of_k_classes_has_one_class_column_and_reads_back_one_hot():
    from bpdash.data import make_dataset
    from bpdash.ui import points

    data = make_dataset("spiral", n=30, noise=0.1, seed=0, test_share=0.2, classes=3)
    table = points.frame(data)
    assert list(table.columns) == [*data.feature_names, "class"]
    assert np.array_equal(points._targets(data, table), data.Y_train)  # the same one-hot rows back
    table.loc[0, "class"] = "7"
    assert "every class must be one of 0, 1, 2" in points._problem(data, table)
    two = make_dataset("moons", n=30, noise=0.1, seed=0, test_share=0.2)  # one 0/1 column: as it was
    assert list(points.frame(two).columns) == [*two.feature_names, *two.target_names]
