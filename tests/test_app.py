"""The dashboard through Streamlit's AppTest: the page, the builder, training, views, uploads.

Every ``at.run()`` is followed by ``assert not at.exception`` (AppTest records app exceptions
instead of raising them). ``run_every`` never fires under AppTest, so each run is one frame of
the live area; training runs in the background worker meanwhile (see ``apptest``). Plotly
charts come back as UnknownElements: assertions use session state, or the data the Overview's
board component was given.
"""
import time

import numpy as np
from streamlit.testing.v1 import AppTest

from bpdash import Network
from bpdash.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, ExperimentConfig
from bpdash.ui import csv_upload, sidebar, training
from bpdash.ui.views import VIEWS

from apptest import click, component_data, experiment, job, readings, run, set_widget, settle, start, step, texts, \
    wait_for


GOOD_CSV = b"x1,x2,label\n" + b"".join(
    f"{a:.3f},{b:.3f},{int(a * b > 0)}\n".encode()
    for a, b in np.random.default_rng(0).uniform(-1, 1, size=(40, 2)))
BAD_CSV = b"x1,x2,label\n0.1,0.2,1\n0.3,oops,0\n0.5,0.6\n"

SOFTPLUS = '''
import numpy as np
from bpdash import Activation, hookimpl

@hookimpl
def register_activations():
    return [Activation("softplus_test", lambda z: np.logaddexp(0.0, z),
                       lambda z: np.exp(-np.logaddexp(0.0, -z)), "Smooth ReLU, for a test.")]
'''


# -- the default page ----------------------------------------------------------------------------

def test_default_page_builds_the_default_network_untrained():
    at = start()
    exp = experiment(at)
    defaults = ExperimentConfig()
    assert exp.config == defaults
    assert exp.data.name == defaults.dataset
    assert exp.net.sizes == [2, *defaults.hidden, 1]
    assert exp.trainer.epoch == 0 and exp.trainer.history.empty
    assert set(readings(at)) >= {"Epoch", "Train cost J", "Test cost J"}
    assert at.segmented_control(key="view").value == "Overview"
    assert "weights_follow" not in at.session_state  # only the chosen view renders


def test_the_overview_shows_the_untrained_network_on_its_data_at_epoch_0():
    """Something worth looking at before any training: the data and the untrained surface."""
    at = start()
    frame = component_data(at, "board")
    exp = experiment(at)
    assert frame["epoch"] == 0 and dict(frame["metrics"])["Epoch"] == "0"
    assert frame["data"]["kind"] == "plane" and len(frame["data"]["train"]) == exp.data.n_train
    assert frame["network"]["sizes"] == exp.net.sizes
    assert len(frame["network"]["tiles"]) == len(exp.net.sizes)  # a map for every neuron's layer
    assert len(frame["network"]["edges"]) == sum(W.size for W in exp.net.weights)
    assert frame["cost"]["train"][0] == [0] and frame["cost"]["best"] is None
    assert dict(frame["metrics"])["Train cost J"] == f"{exp.trainer.evaluate()['cost']:.4g}"


def test_one_click_on_step_trains_one_epoch_and_records_it():
    at = click(start(), "step")
    assert experiment(at).trainer.epoch == 1
    assert len(experiment(at).trainer.history) == 1
    at = click(at, "step")
    assert experiment(at).trainer.epoch == 2
    assert list(experiment(at).trainer.history["epoch"]) == [1, 2]
    assert readings(at)["Epoch"] == "2"


def test_every_step_click_counts_however_quick():
    """Twenty clicks that reach the server as one total train twenty epochs, in order."""
    at = step(start(), 20)
    trainer = experiment(at).trainer
    assert trainer.epoch == 20 and list(trainer.history["epoch"]) == list(range(1, 21))
    at = step(at, 0)  # a run without a new click trains nothing
    assert experiment(at).trainer.epoch == 20


def test_train_n_epochs():
    at = set_widget(start(), "number_input", "train_n", 40)
    at = click(at, "train_many")
    assert experiment(at).trainer.epoch == 40
    assert len(experiment(at).trainer.history) == 40


def test_train_n_shows_its_progress_with_a_stop_that_keeps_what_was_done():
    at = set_widget(start(), "number_input", "train_n", 100_000)
    at.button(key="train_many").click()
    at = run(at)
    training_job = job(at)
    wait_for(lambda: training_job.done > 0, "the first epochs")
    at = run(at)  # a frame of the live area: the progress and its Stop
    assert at.button(key="stop_job") and "Training 100,000 epochs" in at.get("progress")[0].proto.text
    at = click(at, "stop_job")
    assert not training_job.active and training_job.reason == "stopped"
    stopped = experiment(at).trainer.epoch
    assert 0 < stopped < 100_000 and len(experiment(at).trainer.history) == stopped
    time.sleep(0.2)  # a few of the worker's slices
    at = run(at)
    assert experiment(at).trainer.epoch == stopped  # nothing trains after Stop


def test_play_trains_in_the_background_and_pause_stops():
    at = click(start(), "play")
    assert at.session_state["running"]
    wait_for(lambda: experiment(at).trainer.epoch > 0, "Play's first epochs")
    first = experiment(at).trainer.epoch
    at = run(at)  # a frame: it shows the epochs trained meanwhile
    assert int(readings(at)["Epoch"].replace(",", "")) >= first
    wait_for(lambda: experiment(at).trainer.epoch > first, "more epochs")
    at = click(at, "play")  # the same button reads ‖ Pause now
    assert not at.session_state["running"]
    paused = experiment(at).trainer.epoch
    assert job(at) is None or not job(at).active
    run(at)
    assert experiment(at).trainer.epoch == paused


def test_play_speed_paces_the_epochs():
    """At 2 epochs a second, Play trains its first epoch at once and the next about 0.5 s later."""
    at = set_widget(start(), "selectbox", "play_speed", "2 epochs/s")
    at = click(at, "play")
    playing = job(at)
    wait_for(lambda: playing.done >= 1, "the first epoch")
    # the next epoch is due 0.5 s after the one before (at the pace's start + epochs done / 2)
    assert playing.rate == 2 and abs(playing.ready_at - (playing._start + (playing.done - playing._paced) / 2)) < 1e-9
    at = set_widget(at, "selectbox", "play_speed", "max")  # the pace changes while playing
    assert playing.rate is None and playing.active
    wait_for(lambda: playing.done > 100, "epochs at full speed")
    at = click(at, "play")
    assert not at.session_state["running"] and not playing.active


def test_reset_restores_the_seeded_initial_weights():
    at = set_widget(start(), "number_input", "train_n", 25)
    at = click(at, "train_many")
    exp = experiment(at)
    assert exp.trainer.epoch == 25
    at = click(at, "reset")
    exp = experiment(at)
    c = exp.config
    fresh = Network.from_specs(exp.data.n_features, c.layer_specs(exp.data.n_outputs, exp.net.registry), bias=c.bias,
                               init=c.init, epsilon=c.epsilon, seed=c.seed, registry=exp.net.registry)
    assert exp.trainer.epoch == 0 and exp.trainer.history.empty
    for got, want in zip(exp.net.weights + exp.net.biases, fresh.weights + fresh.biases):
        np.testing.assert_array_equal(got, want)


# -- the network builder -------------------------------------------------------------------------

def test_adding_and_removing_a_layer_rebuilds_the_network():
    at = click(start(), "add_layer")
    assert experiment(at).net.sizes == [2, 8, 8, 8, 1]
    assert "Rebuilt the network" in texts(at.info)
    at = set_widget(at, "number_input", "layer_2_units", 5)
    at = set_widget(at, "selectbox", "layer_2_activation", "relu")
    assert experiment(at).net.sizes == [2, 8, 8, 5, 1]
    assert experiment(at).net.activation_names == ["tanh", "tanh", "relu", "sigmoid"]
    at = click(at, "remove_layer")
    assert experiment(at).net.sizes == [2, 8, 8, 1]


def test_layer_limits_are_enforced_with_a_message():
    at = start()
    for _ in range(MAX_HIDDEN_LAYERS - 2):
        at = click(at, "add_layer")
    assert len(experiment(at).net.sizes) == MAX_HIDDEN_LAYERS + 2
    at = click(at, "add_layer")
    assert len(experiment(at).net.sizes) == MAX_HIDDEN_LAYERS + 2
    assert f"at most {MAX_HIDDEN_LAYERS}" in texts(at.warning) and "layers with units" in texts(at.warning)
    at = set_widget(at, "number_input", "layer_0_units", MAX_NEURONS + 100)
    assert experiment(at).net.sizes[1] == MAX_NEURONS
    assert f"At most {MAX_NEURONS} neurons" in texts(at.warning)
    for _ in range(MAX_HIDDEN_LAYERS + 1):
        at = click(at, "remove_layer")
    assert experiment(at).net.sizes == [2, 1]
    assert "no hidden layer left" in texts(at.warning)


def test_learning_rate_change_keeps_training_but_architecture_change_resets():
    at = set_widget(start(), "number_input", "train_n", 5)
    at = click(at, "train_many")
    before = experiment(at)
    at = set_widget(at, "number_input", "learning_rate", 0.1)
    exp = experiment(at)
    assert exp is before and exp.trainer.epoch == 5
    assert exp.trainer.learning_rate == 0.1 and exp.config.learning_rate == 0.1
    assert "Rebuilt" not in texts(at.info)
    at = set_widget(at, "number_input", "layer_0_units", 4)
    exp = experiment(at)
    assert exp is not before and exp.trainer.epoch == 0
    assert exp.net.sizes == [2, 4, 8, 1]
    assert exp.trainer.learning_rate == 0.1
    assert "Rebuilt the network" in texts(at.info)


def test_changing_the_data_rebuilds_with_a_notice():
    at = click(start(), "step")
    at = set_widget(at, "selectbox", "dataset", "circles")
    exp = experiment(at)
    assert exp.data.name == "circles" and exp.trainer.epoch == 0
    assert "circles" in texts(at.info)


def test_several_sessions_train_independently():
    one, two = start(), start()
    click(one, "step")
    assert experiment(one).trainer.epoch == 1
    run(two)
    assert experiment(two).trainer.epoch == 0
    assert experiment(one).net is not experiment(two).net


# -- plugins -------------------------------------------------------------------------------------

def test_a_custom_activation_plugin_can_be_chosen_and_trained(tmp_path, monkeypatch):
    (tmp_path / "softplus_test.py").write_text(SOFTPLUS)
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    at = start()
    assert "softplus_test" in at.selectbox(key="layer_0_activation").options
    at = set_widget(at, "selectbox", "layer_0_activation", "softplus_test")
    at = click(at, "step")
    exp = experiment(at)
    assert exp.net.activation_names[0] == "softplus_test"
    assert exp.trainer.epoch == 1 and np.isfinite(exp.trainer.history["cost"]).all()


def test_a_broken_plugin_does_not_break_the_page(tmp_path, monkeypatch):
    (tmp_path / "explodes.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "garbled.py").write_text("def register_activations(:\n")
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    at = start()
    assert "boom at import" in texts(at.warning)
    assert experiment(at).net.sizes == [2, 8, 8, 1]
    at = click(at, "step")
    assert experiment(at).trainer.epoch == 1


# -- CSV upload ----------------------------------------------------------------------------------

def test_csv_upload_trains_and_a_bad_file_keeps_the_previous_data():
    at = set_widget(start(), "radio", "data_source", "CSV file")
    generated = experiment(at).data
    assert generated.name == "moons"  # no file yet: the current data stays
    at.file_uploader(key="csv_file").set_value(("good.csv", GOOD_CSV, "text/csv"))
    at = run(at)
    uploaded = experiment(at).data
    assert uploaded is not generated and uploaded.feature_names == ("x1", "x2")
    assert uploaded.n_train + uploaded.n_test == 40 and uploaded.task == "classification"
    at = click(at, "step")
    at.file_uploader(key="csv_file").set_value(("bad.csv", BAD_CSV, "text/csv"))
    at = run(at)
    assert "bad.csv" in texts(at.error) and "The previous data stays" in texts(at.error)
    assert experiment(at).data is uploaded and experiment(at).trainer.epoch == 1


def test_csv_column_choice_and_bad_columns():
    at = set_widget(start(), "radio", "data_source", "CSV file")
    at.file_uploader(key="csv_file").set_value(("good.csv", GOOD_CSV, "text/csv"))
    at = run(at)
    at = set_widget(at, "multiselect", "csv_features", ["x1"])
    assert experiment(at).data.feature_names == ("x1",) and experiment(at).net.sizes[0] == 1
    at = set_widget(at, "multiselect", "csv_features", [])
    assert "no feature columns" in texts(at.error)
    assert experiment(at).data.feature_names == ("x1",)


def test_csv_helpers_report_engine_errors():
    frame, error = csv_upload.read_upload(GOOD_CSV)
    assert error is None and list(frame.columns) == ["x1", "x2", "label"]
    split, error = csv_upload.split_upload(frame, ["x1", "x2"], "label", True, 0.25, 0)
    assert error is None and split.n_test == 10 and split.feature_mean is not None
    assert csv_upload.read_upload(BAD_CSV)[0] is None
    assert "line 4" in csv_upload.read_upload(BAD_CSV)[1]
    frame, _ = csv_upload.read_upload(b"a,b\n1,x\n2,y\n")
    split, error = csv_upload.split_upload(frame, ["a"], "b", False, 0.2, 0, "regression")
    assert split is None and "non-numeric" in error
    split, error = csv_upload.split_upload(frame, ["a"], "b", False, 0.2, 0)  # detected: text labels
    assert error is None and split.class_names == ("x", "y")


# -- divergence ----------------------------------------------------------------------------------

def diverging(at) -> AppTest:
    """Linear layers on the sine data with η = 100: the weights blow up within a few epochs."""
    at = set_widget(at, "selectbox", "dataset", "sine")
    for key in ("layer_0_activation", "layer_1_activation", "output_activation"):
        at = set_widget(at, "selectbox", key, "linear")
    at = set_widget(at, "selectbox", "cost", "squared_error")
    return set_widget(at, "number_input", "learning_rate", 100.0)


def test_divergence_shows_the_message_and_keeps_the_last_good_weights():
    at = set_widget(diverging(start()), "number_input", "train_n", 50)
    at = click(at, "train_many")
    trainer = experiment(at).trainer
    assert trainer.diverged and 0 < trainer.epoch < 50
    assert "diverged" in texts(at.error)
    assert all(np.isfinite(W).all() for W in experiment(at).net.weights + experiment(at).net.biases)
    at = set_widget(at, "number_input", "learning_rate", 0.01)  # no reset: the weights stay
    assert experiment(at).trainer.learning_rate == 0.01 and experiment(at).trainer.epoch > 0
    at = click(at, "reset")
    at = click(at, "step")
    assert experiment(at).trainer.epoch == 1 and not experiment(at).trainer.diverged and not at.error


def test_divergence_during_play_stops_playing():
    at = click(diverging(start()), "play")
    at = settle(at)  # the job ends by itself; the next frame brings the page up to date
    assert experiment(at).trainer.diverged
    at = run(at)
    assert not at.session_state["running"]
    assert "diverged" in texts(at.error)


# -- every view ----------------------------------------------------------------------------------

def show_every_view(at):
    for label in VIEWS:
        at = set_widget(at, "segmented_control", "view", label)
        assert at.session_state["view"] == label
    return at


def test_every_view_renders_for_the_default_experiment():
    show_every_view(start())


def test_every_view_renders_for_1d_regression():
    at = set_widget(start(), "selectbox", "dataset", "sine")
    at = set_widget(at, "selectbox", "output_activation", "linear")
    at = set_widget(at, "selectbox", "cost", "squared_error")
    assert experiment(at).data.task == "regression" and experiment(at).net.sizes[0] == 1
    show_every_view(at)


def test_every_view_renders_after_training():
    at = set_widget(start(), "number_input", "train_n", 30)
    at = click(at, "train_many")
    show_every_view(at)
    at = set_widget(at, "segmented_control", "view", "Weights")
    at = set_widget(at, "toggle", "weights_follow", False)
    at = set_widget(at, "slider", "weights_epoch", 10)
    at = set_widget(at, "toggle", "weights_replay", True)


def test_predictions_for_several_inputs_and_outputs():
    at = set_widget(start(), "selectbox", "dataset", "article_2_2_2")
    at = set_widget(at, "selectbox", "cost", "squared_error")
    at = set_widget(at, "segmented_control", "view", "Predictions")
    at = set_widget(at, "selectbox", "predictions_output", "y2")
    set_widget(at, "toggle", "predictions_data_only", True)


def test_apply_config_sets_every_control_and_rebuilds():
    """``sidebar.apply_config`` (for presets): the next run builds exactly that config."""
    at = click(start(), "step")
    wanted = ExperimentConfig(dataset="article_1_1_1", hidden=(1,), activations=("sigmoid",),
                              output_activation="sigmoid", cost="squared_error", bias=False,
                              init="uniform", epsilon=0.12, seed=7, learning_rate=2.0, epochs=500)
    sidebar.apply_config(wanted, at.session_state)
    at = run(at)
    exp = experiment(at)
    assert exp.config == wanted
    assert exp.net.sizes == [1, 1, 1] and exp.trainer.epoch == 0 and not exp.net.bias
    assert "Rebuilt the network" in texts(at.info)
    assert at.number_input(key="train_n").value == 500


def test_strict_plugin_mode_reports_a_broken_plugin_instead_of_crashing(tmp_path, monkeypatch):
    (tmp_path / "explodes.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    monkeypatch.setenv("BPDASH_STRICT_PLUGINS", "1")
    at = start()
    assert "boom at import" in texts(at.error)
    assert "experiment" not in at.session_state


def test_predictions_and_data_table_for_three_features():
    rows = np.random.default_rng(1).normal(size=(30, 3))
    body = "".join(f"{a:.4f},{b:.4f},{c:.4f},{a + b - c:.4f}\n" for a, b, c in rows)
    at = set_widget(start(), "radio", "data_source", "CSV file")
    at.file_uploader(key="csv_file").set_value(("three.csv", f"a,b,c,y\n{body}".encode(), "text/csv"))
    at = run(at)
    assert experiment(at).net.sizes[0] == 3 and experiment(at).data.task == "regression"
    at = set_widget(at, "segmented_control", "view", "Predictions")
    at = set_widget(at, "toggle", "predictions_data_only", True)
    assert at.dataframe[0].value.shape == (24, 4)  # the 24 training rows of a, b, c and y


def test_the_epoch_limit():
    from types import SimpleNamespace

    from bpdash.config import MAX_EPOCHS

    assert training.epochs_left(SimpleNamespace(epoch=MAX_EPOCHS)) == 0
    assert training.epochs_left(SimpleNamespace(epoch=MAX_EPOCHS - 3)) == 3


def test_a_config_names_its_data_with_every_data_setting_classes_included():
    from bpdash.config import ExperimentConfig
    from bpdash.ui import state

    config = ExperimentConfig(dataset="spiral", classes=4, n_samples=60, noise=0.1, data_seed=3, test_share=0.25)
    data = state.config_choice(config).load()  # what a link's first page and an imported file build on
    assert data.n_classes == 4 and data.n_train + data.n_test == 60 and data.n_test == 15
    assert state.config_choice(config).key != state.config_choice(config.replace(classes=3)).key
