"""The Backprop inspector and the Gradient check on any layer stack, in the running app (AppTest):
dropout (the inspector in the training pass's masks, the check with its masks held fixed), a
softmax output, and the example layer norm.

Each test opens a share link with the stack, trains where it matters, and compares what the page
shows with what the engine computes for the same network.
"""
import numpy as np
import pytest

from bpdash.gradcheck import PASS_THRESHOLD, gradient_check, training_context
from bpdash.ui.views.gradcheck import MAX_PARAMETERS, MAX_SAMPLES

from apptest import click, experiment, run, start, step, texts
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
    samples = at.selectbox(key="inspector_sample")
    assert samples.options[0] == "the whole batch" and samples.index == 0  # chosen, not an empty choice
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


# -- the gradient check -------------------------------------------------------------------------

def check_table(at):
    table = table_with(at, "parameter")
    assert (table["relative error"] < PASS_THRESHOLD).all() and (table["verdict"] == "pass").all()
    return table


def test_the_gradient_check_holds_dropouts_masks_and_checks_every_array():
    at = show(step(start(DROPOUT)), "Gradient check")
    table = check_table(at)
    assert list(table["parameter"]) == ["Θ^(1)", "b^(1)", "Θ^(3)", "b^(3)", "Θ^(4)", "b^(4)"]
    assert list(table["layer"]) == ["1 → 2 (dense)"] * 2 + ["3 → 4 (dense)"] * 2 + ["4 → 5 (softmax)"] * 2
    assert "dropout layers held fixed" in texts(at.caption) and "every nudged forward pass" in texts(at.caption)
    assert "75 parameters in 6 arrays" in texts(at.caption)
    # the check the page shows is the engine's in a training pass with the run's seed's masks
    exp = experiment(at)
    X, Y = exp.trainer.X[:MAX_SAMPLES], exp.trainer.Y[:MAX_SAMPLES]
    checks = gradient_check(exp.net, X, Y, exp.config.cost, context=training_context(exp.net, exp.config.seed))
    assert list(table["relative error"]) == [e for c in checks for e in c.relative_errors]
    evaluation = gradient_check(exp.net, X, Y, exp.config.cost)  # dropout passing every unit: other gradients
    assert not np.allclose(checks[0].backprop_weights, evaluation[0].backprop_weights)


def test_the_gradient_check_of_a_softmax_output_has_a_row_per_array():
    at = show(start({"layers": "dense:5:sigmoid", **SPIRAL}), "Gradient check")
    table = check_table(at)
    assert list(table["parameter"]) == ["Θ^(1)", "b^(1)", "Θ^(2)", "b^(2)"]
    assert "held fixed" not in texts(at.caption)  # nothing differs in training


def test_the_gradient_check_names_a_layer_norms_gamma_and_beta(layer_norm):
    at = show(step(start(LAYER_NORM)), "Gradient check")
    table = check_table(at)
    assert list(table["parameter"]) == ["Θ^(1)", "b^(1)", "γ^(2)", "β^(2)", "Θ^(3)", "b^(3)", "Θ^(4)", "b^(4)"]
    assert list(table["entries"])[2:4] == [6, 6] and "2 → 3 (layer_norm)" in list(table["layer"])


def test_a_large_check_in_the_background_covers_gamma_beta_and_holds_the_masks(layer_norm):
    link = {"layers": "dense:56:tanh,layer_norm,dropout:0.2,dense:56:tanh", **SPIRAL, "n_samples": "60"}
    at = show(start(link), "Gradient check")
    net = experiment(at).net
    assert sum(a.size for arrays in net.params for a in arrays) > MAX_PARAMETERS
    assert "gradcheck_result" not in at.session_state  # it waits for the button
    at = run(click(at, "gradcheck_run"))
    table = check_table(at)
    assert "γ^(2)" in list(table["parameter"]) and "β^(2)" in list(table["parameter"])
    assert "dropout layers held fixed" in texts(at.caption)
