"""The teaching views in the running app: symmetry lab, backprop inspector, gradient check, plugins.

Each test drives the real app script with AppTest, selects a view with the "view" control and
asserts on session state (plotly figures come back as UnknownElements).
"""
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from apptest import TIMEOUT, click, run, wait_for
from bpdash.plugins import HOOKS, load_plugins


def app_with_view(view: str, **widgets) -> AppTest:
    """The app after a first run, with sidebar ``widgets`` set and ``view`` selected."""
    at = run(AppTest.from_file("../app.py", default_timeout=TIMEOUT))
    for key, value in widgets.items():
        at.session_state[key] = value
    at.segmented_control(key="view").set_value(view)
    return run(at)


# -- symmetry lab ------------------------------------------------------------------------------

def test_symmetry_lab_zero_init_with_sigmoid_keeps_one_distinct_unit():
    at = app_with_view("Symmetry lab", n_layers=1, layer_0_units=4, layer_0_activation="sigmoid", n_samples=100)
    lab = at.session_state["symmetry_lab"]
    assert lab.config.hidden == (4,) and lab.config.activations == ("sigmoid",)
    at.number_input(key="symmetry_epochs").set_value(50)
    click(at, "symmetry_train")
    lab = at.session_state["symmetry_lab"]
    assert lab.epoch == 50
    assert lab.runs["zeros"].distinct["layer 2"].iloc[-1] == 1
    assert lab.runs["uniform"].distinct["layer 2"].iloc[-1] == 4
    assert [d.kind for d in lab.diagnoses()["zeros"]] == ["symmetric"]
    assert any("symmetric: the 4 hidden units of layer 2 are copies" in e.value for e in at.error)
    assert any("4 distinct units" in s.value for s in at.success)
    click(at, "symmetry_step")
    assert at.session_state["symmetry_lab"].epoch == 51


def test_symmetry_lab_follows_the_experiment_and_reports_dead_tanh():
    at = app_with_view("Symmetry lab")  # the default network: tanh hidden layers
    first = at.session_state["symmetry_lab"]
    click(at, "symmetry_train")
    assert [d.kind for d in at.session_state["symmetry_lab"].diagnoses()["zeros"]] == ["dead", "dead"]
    at.session_state["seed"] = 7
    run(at)
    rebuilt = at.session_state["symmetry_lab"]
    assert rebuilt is not first and rebuilt.config.seed == 7 and rebuilt.epoch == 0


def test_symmetry_lab_with_a_constant_start():
    at = app_with_view("Symmetry lab", layer_0_activation="sigmoid", layer_1_activation="sigmoid")
    at.segmented_control(key="symmetry_kind").set_value("constant")
    run(at)
    click(at, "symmetry_train")
    lab = at.session_state["symmetry_lab"]
    assert list(lab.runs) == ["constant", "uniform"]
    assert lab.runs["constant"].distinct.iloc[-1][["layer 2", "layer 3"]].tolist() == [1, 1]


DROPOUT_LINK = {"layers": "dense:8:sigmoid,dropout:0.2,dense:4:sigmoid", "output_activation": "softmax",
                "dataset": "spiral", "classes": "3", "cost": "categorical_cross_entropy"}


def test_symmetry_lab_trains_a_dropout_stack_and_says_what_the_masks_did():
    from apptest import job, start, texts

    at = start(DROPOUT_LINK)
    at.session_state["view"] = "Symmetry lab"
    run(at)
    click(at, "symmetry_train")  # the lab's job, waited for
    lab = at.session_state["symmetry_lab"]
    assert type(job(at)).__name__ == "LabTraining" and not job(at).active
    assert lab.epoch == 50 and all(r.trainer.epoch == 50 for r in lab.runs.values())  # in lockstep
    diagnoses = lab.diagnoses()
    shown = texts(at.error) + texts(at.warning) + texts(at.success)
    for name, layers in diagnoses.items():
        assert [d.layer for d in layers] == [2, 4]  # layer 3 is dropout's: layer 2's units
        for d in layers:
            assert f"**{name}**, layer {d.layer}: {d.message}" in shown
    # from zeros, the masks broke layer 2's symmetry; layer 4, after the dropout, stays copies
    assert [d.kind for d in diagnoses["zeros"]] == ["broken", "symmetric"]
    captions = texts(at.caption)
    assert "Θ^(2): none. Layer 3 (dropout) has no weight matrix and no parameters." in captions
    assert "Layer 3 (dropout) has no weights Θ: its 8 units are layer 2's, passed on" in captions
    said = texts(at.markdown)
    counts = lab.runs["zeros"].distinct["layer 2"]
    zeros, uniform = diagnoses["zeros"][0], diagnoses["uniform"][0]
    assert (f"Layer 2, whose units layer 3 drops at random, from the zeros start: {counts.iloc[0]} distinct unit "
            f"at epoch 0, {counts.iloc[-1]} of 8 at epoch 50: the masks broke the symmetry that the equal start "
            f"made, but barely: their incoming weights differ by up to {zeros.spread:.2g}, against "
            f"{uniform.spread:.2g} in the uniform run") in said
    assert "Layer 4, which no dropout follows: 1 distinct unit of 4 at epoch 50" in said


def test_symmetry_lab_shows_a_plugin_layer_by_its_parameters(monkeypatch):
    from pathlib import Path

    from apptest import start, texts

    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(Path(__file__).parent.parent / "examples" / "layernorm_plugin"))
    at = start({**DROPOUT_LINK, "layers": "dense:8:sigmoid,layer_norm,dense:4:sigmoid"})
    at.session_state["view"] = "Symmetry lab"
    run(at)
    click(at, "symmetry_step")
    lab = at.session_state["symmetry_lab"]
    assert lab.epoch == 1 and [d.layer for d in lab.diagnoses()["uniform"]] == [2, 4]
    assert "Θ^(2): none. Layer 3 (layer_norm) has no weight matrix; its parameters are γ, β." in texts(at.caption)
    assert not any("Dropout and symmetry" in h.value for h in at.subheader)


# -- backprop inspector ------------------------------------------------------------------------

def test_inspector_chain_rule_sum_equals_backprop():
    at = app_with_view("Backprop inspector")
    at.selectbox(key="inspector_layer").set_value(1)
    at.selectbox(key="inspector_j").set_value(3)
    at.selectbox(key="inspector_k").set_value(2)
    run(at)
    result = at.session_state["inspector_result"]
    assert result["weight"] == (1, 3, 2) and result["sample"] is None
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9, abs=1e-15)
    assert result["numeric"] == pytest.approx(result["backprop"], rel=1e-5, abs=1e-9)
    assert result["paths"] == 8  # through the 8 neurons of layer 3 to the one output
    at.selectbox(key="inspector_sample").set_value(4)
    run(at)
    result = at.session_state["inspector_result"]
    assert result["sample"] == 4
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9, abs=1e-15)


def test_inspector_preset_loads_the_articles_2_2_2_network():
    at = app_with_view("Backprop inspector")
    click(at, "inspector_preset_222")
    exp = at.session_state["experiment"]
    assert exp.net.sizes == [2, 2, 2]
    assert exp.config.dataset == "article_2_2_2" and exp.config.cost == "squared_error"
    assert exp.net.activation_names == ["sigmoid", "sigmoid"]
    at.selectbox(key="inspector_layer").set_value(1)
    at.selectbox(key="inspector_j").set_value(1)
    at.selectbox(key="inspector_k").set_value(1)
    run(at)
    result = at.session_state["inspector_result"]
    assert result["paths"] == 2  # the article's blue and orange paths
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9)
    click(at, "inspector_preset_111")
    assert at.session_state["experiment"].net.sizes == [1, 1, 1]


# -- gradient check ----------------------------------------------------------------------------

def test_gradient_check_view_shows_every_layer_passing():
    at = app_with_view("Gradient check")
    result = at.session_state["gradcheck_result"]
    assert [r["layer"] for r in result] == [1, 2, 3]
    assert all(r["passed"] and r["relative_error"] < 1e-6 for r in result)
    assert any("Every layer passes" in s.value for s in at.success)


def test_the_gradient_check_waits_while_training_runs_and_checks_again_after():
    """The check holds the session's lock: on every frame of a Play it would stall training, so
    the last check stays shown until training pauses, then the new epoch is checked."""
    at = app_with_view("Gradient check")
    checked = at.session_state["gradcheck_checked"]
    assert checked[2] == 0
    at = click(at, "play")
    wait_for(lambda: at.session_state["experiment"].trainer.epoch > 0, "Play's first epochs")
    at = run(at)  # a frame while playing
    assert at.session_state["gradcheck_checked"] is checked  # not checked again
    assert any("stays until it pauses" in c.value for c in at.caption)
    at = click(at, "play")  # Pause
    assert at.session_state["gradcheck_checked"][2] == at.session_state["experiment"].trainer.epoch > 0


# -- plugins -----------------------------------------------------------------------------------

BROKEN = """
import numpy as np
from bpdash import Activation, hookimpl

@hookimpl
def register_activations():
    return [Activation("wrongsine", np.sin, lambda z: np.sin(z), "f' should be cos")]
"""

GOOD = """
import numpy as np
from bpdash import Activation, hookimpl

@hookimpl
def register_activations():
    return [Activation("double", lambda z: 2.0 * z, lambda z: np.full_like(z, 2.0), "f = 2z")]
"""


def test_a_broken_plugin_shows_its_error_and_nothing_else_breaks(tmp_path, monkeypatch):
    (tmp_path / "wrongsine.py").write_text(textwrap.dedent(BROKEN))
    (tmp_path / "double.py").write_text(textwrap.dedent(GOOD))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    at = app_with_view("Plugins")
    errors = [e.value for e in at.error]
    assert any("wrongsine" in e and "df disagrees" in e for e in errors), errors
    table = next(df.value for df in at.dataframe if "plugin" in df.value.columns)
    rows = table.set_index("plugin")
    assert rows.loc["wrongsine", "status"] == "error" and rows.loc["double", "status"] == "ok"
    assert rows.loc["sigmoid", "status"] == "ok"
    # the good plugin works everywhere: train a network with it and check its gradient
    at.session_state["layer_0_activation"] = "double"
    at.segmented_control(key="view").set_value("Gradient check")
    run(at)
    assert at.session_state["experiment"].net.activation_names[0] == "double"
    assert all(r["passed"] for r in at.session_state["gradcheck_result"])


def test_the_plugins_view_lists_every_kind_of_plugin_with_what_each_declares():
    at = app_with_view("Plugins")
    registry = load_plugins()
    subheaders = [h.value for h in at.subheader]
    tables = {tuple(df.value["name"]): df.value for df in at.dataframe if "name" in df.value.columns}
    for hook, (_, kind) in HOOKS.items():
        assert kind == "activations" or kind.capitalize() in subheaders, kind
        assert any(f"`{hook}`" in m.value for m in at.markdown), hook  # the guide names every hook
    layers = next(t for names, t in tables.items() if "dropout" in names).set_index("name")
    assert set(layers.index) == set(registry.layers)
    assert layers.loc["dropout", "settings"] == "Dropout rate p"
    assert layers.loc["dense", "settings"] == "Neurons, Activation"
    optimizers = next(t for names, t in tables.items() if "adam" in names).set_index("name")
    assert optimizers.loc["gd", "settings"] == "—" and "Momentum β" in optimizers.loc["momentum", "settings"]


# -- edge cases ----------------------------------------------------------------------------------

@pytest.mark.parametrize("view", ["Symmetry lab", "Backprop inspector", "Gradient check", "Plugins"])
@pytest.mark.parametrize("widgets", [
    {"n_layers": 0},                                      # no hidden layer: nothing to break
    {"bias": False, "layer_0_activation": "relu", "batch_size": 16},   # no biases (k = 0 not offered)
    {"dataset": "sine", "cost": "squared_error", "output_activation": "linear"},  # 1-D regression
], ids=["no-hidden", "no-bias", "regression"])
def test_teaching_views_survive_other_networks(view, widgets):
    at = app_with_view(view, **widgets)
    exp = at.session_state["experiment"]
    if "n_layers" in widgets:
        assert exp.net.n_layers == 2
    if view == "Symmetry lab" and exp.net.n_layers > 2:
        click(at, "symmetry_step")
        assert at.session_state["symmetry_lab"].epoch == 1
    if view == "Backprop inspector":
        result = at.session_state["inspector_result"]
        assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9, abs=1e-15)
    if view == "Gradient check":
        assert all(r["passed"] for r in at.session_state["gradcheck_result"])


# -- long work, in the background ------------------------------------------------------------------

def test_the_symmetry_labs_training_runs_in_the_background_with_a_stop():
    from apptest import job, wait_for

    at = app_with_view("Symmetry lab", n_layers=1, layer_0_units=64, n_samples=5000)
    at.number_input(key="symmetry_epochs").set_value(2000)
    at = run(at)
    at.button(key="symmetry_train").click()
    at = run(at)
    lab_job = job(at)
    wait_for(lambda: lab_job.done > 0, "the lab's first epochs")
    at = run(at)
    assert "Symmetry lab: 2 networks, 2,000 epochs each" in at.get("progress")[0].proto.text
    at = click(at, "stop_job")
    lab = at.session_state["symmetry_lab"]
    assert not lab_job.active and 0 < lab.epoch < 2000
    assert all(run_.trainer.epoch == lab.epoch for run_ in lab.runs.values())  # in lockstep to the end


def test_a_large_gradient_check_runs_in_the_background_and_shows_its_result():
    from bpdash.ui.views.gradcheck import MAX_PARAMETERS

    at = app_with_view("Gradient check", n_layers=2, layer_0_units=56, layer_1_units=56, n_samples=60)
    net = at.session_state["experiment"].net
    assert sum(W.size + b.size for W, b in zip(net.weights, net.biases)) > MAX_PARAMETERS
    assert "gradcheck_result" not in at.session_state  # it waits for the button
    at = click(at, "gradcheck_run")
    at = run(at)
    result = at.session_state["gradcheck_result"]
    assert [r["layer"] for r in result] == [1, 2, 3] and all(r["passed"] for r in result)
