"""The Backprop inspector on any layer stack, in the running app (AppTest): dropout (its masks
those of the training pass), a softmax output, and the example layer norm.

Each test opens a share link with the stack, trains where it matters, and compares what the page
shows with what the engine computes for the same network.
"""
import numpy as np
import pytest

from apptest import experiment, run, start, step, texts
from stacks import LAYERNORM

SPIRAL = {"output_activation": "softmax", "dataset": "spiral", "classes": "3", "cost": "categorical_cross_entropy"}
DROPOUT = {"layers": "dense:8:tanh,dropout:0.2,dense:4:tanh", **SPIRAL}
LAYER_NORM = {"layers": "dense:6:tanh,layer_norm,dense:4:tanh", **SPIRAL}


@pytest.fixture
def layer_norm(monkeypatch):
    """The app with the example layer norm among its plugins."""
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(LAYERNORM))


def show(at, view):
    at.session_state["view"] = view
    return run(at)


def table_with(at, column: str):
    """The values of the first table on the page that has ``column``."""
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert found, f"no table with a column {column!r}"
    return found[0]


def mask_table(at):
    """The table of dropout's mask r/(1 − p) (layer 3 of the links' stacks: 8 units), or None."""
    columns = [f"r_{j}^(3)/(1−p)" for j in range(1, 9)]
    found = [df.value for df in at.dataframe if list(df.value.columns) == columns]
    return found[0] if found else None


def latex(at) -> str:
    return "\n".join(l.value for l in at.latex)


def assert_formulas_of_every_layer(at, net):
    shown = latex(at)
    for l, op in enumerate(net.layers, start=1):
        formulas = op.formulas(l)
        assert formulas["forward"] in shown and formulas["gradients"] in shown, (l, net.specs[l - 1])
        if l + 1 < net.n_layers:  # the output's δ is the cost's, fused with the softmax
            assert formulas["delta"] in shown


# -- the inspector ------------------------------------------------------------------------------

def test_the_inspector_shows_a_dropout_stack_in_the_masks_its_training_pass_drew():
    at = show(step(start(DROPOUT)), "Backprop inspector")
    exp = experiment(at)
    net, trainer = exp.net, exp.trainer
    assert net.describe() == "2-8-8-4-3 tanh/dropout/tanh/softmax" and trainer.epoch == 1
    assert_formulas_of_every_layer(at, net)
    rows, context = trainer.last_pass()
    (mask,) = context.drawn(1)  # what the epoch's training pass drew for dropout (layer 3)
    shown = mask_table(at)
    np.testing.assert_array_equal(shown.to_numpy(), mask[:len(shown)])
    assert set(np.unique(mask)) == {0.0, 1.25}
    dropped = int((mask == 0).sum())
    assert f"({dropped} of {mask.size} in this pass, p = 0.2)" in texts(at.caption)
    # every number on the page is of the pass in those masks: J, and the gradients
    grads = net.backprop(trainer.X[rows], trainer.Y[rows], "categorical_cross_entropy", context=context)
    assert f"J = {grads.cost:.6g} on {len(rows)} sample(s)" in texts(at.caption)
    result = at.session_state["inspector_result"]
    assert result["backprop"] == pytest.approx(grads.weights[0][0, 0], rel=1e-12)
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9)
    assert result["numeric"] == pytest.approx(result["backprop"], rel=1e-5)
    # the softmax output: the paths start from δ^(L), and a sentence says why
    assert "Jacobian is not diagonal" in texts(at.info) and result["note"] in texts(at.info)


def test_one_sample_of_a_dropout_pass_shows_that_samples_mask():
    at = show(step(start(DROPOUT), 2), "Backprop inspector")
    at.selectbox(key="inspector_sample").set_value(6)
    at = run(at)
    trainer = experiment(at).trainer
    rows, context = trainer.last_pass()
    (mask,) = context.drawn(1)
    np.testing.assert_array_equal(mask_table(at).to_numpy(), mask[6:7])
    grads = experiment(at).net.backprop(trainer.X[6:7], trainer.Y[6:7], "categorical_cross_entropy",
                                        context=context.take(slice(6, 7)))
    result = at.session_state["inspector_result"]
    assert result["sample"] == 6 and result["backprop"] == pytest.approx(grads.weights[0][0, 0], rel=1e-12)
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9)


def test_with_mini_batches_the_inspector_shows_the_last_batch_by_its_training_rows():
    at = show(step(start({**DROPOUT, "batch_size": "48"})), "Backprop inspector")
    trainer = experiment(at).trainer
    rows, context = trainer.last_pass()
    assert len(rows) == 160 - 3 * 48  # the epoch's last batch
    assert "the last mini-batch (16 of 160 training rows)" in texts(at.caption)
    shown = mask_table(at)
    assert list(shown.index) == [int(i) + 1 for i in rows]  # training rows, numbered from 1
    np.testing.assert_array_equal(shown.to_numpy(), context.drawn(1)[0])
    grads = experiment(at).net.backprop(trainer.X[rows], trainer.Y[rows], "categorical_cross_entropy",
                                        context=context)
    assert f"J = {grads.cost:.6g} on 16 sample(s)" in texts(at.caption)


def test_before_any_training_the_inspector_says_it_shows_the_evaluation_pass():
    at = show(start(DROPOUT), "Backprop inspector")
    assert "No training pass yet" in texts(at.caption)
    assert mask_table(at) is None and "Drawn in this training pass" not in texts(at.markdown)
    result = at.session_state["inspector_result"]
    assert result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9)


def test_the_inspector_shows_a_layer_norm_and_refuses_to_expand_through_it(layer_norm):
    at = show(step(start(LAYER_NORM)), "Backprop inspector")
    net, trainer = experiment(at).net, experiment(at).trainer
    assert net.describe() == "2-6-6-4-3 tanh/layer_norm/tanh/softmax"
    assert_formulas_of_every_layer(at, net)
    grads = net.backprop(trainer.X, trainer.Y, "categorical_cross_entropy")
    gamma_beta = table_with(at, "γ")
    np.testing.assert_allclose(gamma_beta["γ"], grads.params[1][0], rtol=1e-12)
    np.testing.assert_allclose(gamma_beta["β"], grads.params[1][1], rtol=1e-12)
    result = at.session_state["inspector_result"]  # θ_11^(1): its paths run through the layer norm
    assert result["chain_rule"] is None and "through layer 3 (layer_norm)" in result["refused"]
    assert "path by path through layer 3 (layer_norm): its outputs mix its inputs" in texts(at.info)
    assert result["numeric"] == pytest.approx(result["backprop"], rel=1e-5)
    assert at.selectbox(key="inspector_layer").options == ["1 (dense)", "3 (dense)", "4 (softmax)"]
    at.selectbox(key="inspector_layer").set_value(3)
    result = run(at).session_state["inspector_result"]
    assert result["refused"] == "" and result["chain_rule"] == pytest.approx(result["backprop"], rel=1e-9)
