"""Share links, Save / load and Compare runs, through the dashboard (Streamlit's AppTest).

Every ``at.run()`` is followed by ``assert not at.exception``. ``at.query_params`` set before the
first run is the URL the session opens with; after a run it holds what the app wrote back.
"""
import io
import pickle

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.export import export_json
from bpdash.weights_file import weights_npz
from bpdash.share import to_query_params
from bpdash.ui import files
from bpdash.ui.views import compare

from apptest import click, experiment, run, start, texts

CONFIG = ExperimentConfig(dataset="circles", n_samples=100, hidden=(5, 3), activations=("relu", "tanh"),
                          learning_rate=0.1 + 0.2, batch_size=16, epsilon=0.3, seed=11, bias=False,
                          data_seed=3, epochs=23)


def upload(at, key, name, data, mime) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, mime))
    return run(at)


def trained(config=CONFIG, epochs=None):
    """A session opened on ``config``'s link and trained ``epochs`` (default: its own) epochs."""
    at = start(to_query_params(config))
    if epochs is not None:
        at.number_input(key="train_n").set_value(epochs)
        run(at)
    return click(at, "train_many")


# -- share links ---------------------------------------------------------------------------------

def test_a_link_reproduces_the_history_bit_for_bit():
    at = trained()
    exp = experiment(at)
    assert exp.config == CONFIG and not at.warning
    expected = build(CONFIG).trainer.fit(CONFIG.epochs)
    pd.testing.assert_frame_equal(exp.trainer.history, expected, check_exact=True)
    assert at.query_params == to_query_params(CONFIG)


def test_the_share_link_shows_the_whole_config():
    at = start(to_query_params(CONFIG))
    link = next(c.value for c in at.code if c.value.startswith("?"))  # no browser URL under AppTest
    assert link == "?" + "&".join(f"{k}={v}" for k, v in to_query_params(CONFIG).items())
    assert "layers=dense:5:relu,dense:3:tanh&" in link  # readable: colons and commas as they are


def test_the_url_follows_the_widgets():
    at = start()
    assert at.query_params == {}  # the defaults make an empty query
    at.number_input(key="seed").set_value(42)
    at = run(at)
    assert at.query_params == {"seed": "42"}
    at.number_input(key="learning_rate").set_value(0.25)
    at = run(at)
    assert at.query_params == {"seed": "42", "learning_rate": "0.25"}


def test_the_url_is_read_on_the_first_run_only():
    at = start({"seed": "5"})
    at.query_params["seed"] = "9"  # a later change of the URL does not override the widgets
    at = run(at)
    assert experiment(at).config.seed == 5 and at.query_params["seed"] == "5"


HOSTILE = [
    ({"colour": "red"}, ["colour"]),
    ({"learning_rate": "1e6", "n_samples": "99999999"}, ["learning_rate", "n_samples"]),
    ({"epochs": "9" * 10_000}, ["epochs", "10,000 characters"]),
    ({"hidden": "4," * 5000}, ["hidden"]),
    ({"output_activation": "no_such_plugin"}, ["output_activation", "no_such_plugin"]),
    ({"dataset": "../../etc/passwd"}, ["dataset"]),
    ({"init": "/tmp/evil.py", "cost": "os.system"}, ["init", "cost"]),
    ({"activations": "tanh,nope", "hidden": "3,3"}, ["nope"]),
    ({"[click](javascript:alert(1))": "x"}, ["click"]),
    ({"noise": "2.5"}, ["noise", "using 1.0"]),  # valid, but past the slider
    ({"learning_rate": "0"}, ["learning_rate", "must be > 0"]),
]


@pytest.mark.parametrize("params, named", HOSTILE, ids=[", ".join(p) [:40] for p, _ in HOSTILE])
def test_bad_parameters_give_a_notice_naming_each_and_the_defaults(params, named):
    at = start(params)
    shown = texts(at.warning)
    for name in named:
        assert name in shown, (name, shown)
    config, defaults = experiment(at).config, ExperimentConfig()
    for name in params:
        if name in ("epochs", "dataset", "init", "cost", "output_activation", "n_samples"):
            assert getattr(config, name) == getattr(defaults, name)
    assert set(at.query_params) <= set(ExperimentConfig.__dataclass_fields__)  # the bad ones are gone


def test_every_valid_value_fits_its_control_exactly():
    """The widgets take their bounds from the declarations: a tiny η or a value at a bound is
    shown and used as given (only the noise slider shows part of its range)."""
    params = {"learning_rate": "1e-05", "epsilon": "10.0", "reg_rate": "10.0", "regularization": "l2",
              "lr_step": "100000", "lr_schedule": "step", "optimizer": "adam", "opt_epsilon": "1.0",
              "opt_beta2": "0.99999", "test_share": "0.9", "patience": "100000"}
    at = start(params)
    assert not at.warning, texts(at.warning)
    assert at.query_params == params and experiment(at).config.learning_rate == 1e-5


def test_a_notice_cannot_inject_markdown_and_can_be_dismissed():
    at = start({"[click](javascript:alert(1))": "x", "![img](http://example.com/x.png)": "y"})
    warning = "\n".join(w.value for w in at.warning)
    assert "](" not in warning.replace("\\]\\(", "") and "\\[click\\]" in warning  # all escaped
    at = click(at, "share_dismiss")
    assert not at.warning


# -- Save / load ---------------------------------------------------------------------------------

def assert_same_run(a, b):
    for x, y in zip(a.net.weights + a.net.biases, b.net.weights + b.net.biases):
        assert np.array_equal(x, y)
    pd.testing.assert_frame_equal(a.trainer.history, b.trainer.history, check_exact=True)
    assert a.config == b.config and a.trainer.epoch == b.trainer.epoch


def test_json_export_import_round_trips_weights_and_history_through_the_uploader():
    source = experiment(trained())
    at = start()  # another session, on the defaults
    at = upload(at, files.EXPERIMENT_FILE, "exp.json", export_json(source.config, source.trainer).encode(),
                "application/json")
    restored = experiment(at)
    assert_same_run(restored, source)
    assert "Loaded" in texts(at.success) and not at.error
    assert at.number_input(key="seed").value == CONFIG.seed and at.query_params == to_query_params(CONFIG)
    # the next runs keep it (no rebuild), and training continues exactly as the original would
    at = click(at, "train_many")
    assert experiment(at) is restored
    source.trainer.fit(CONFIG.epochs)
    assert_same_run(restored, source)


def test_load_experiment_is_what_the_upload_callback_uses(registry):
    source = build(CONFIG, registry)
    source.trainer.fit(12)
    restored = files.load_experiment(export_json(CONFIG, source.trainer).encode(), registry)
    assert_same_run(restored, source)


@pytest.mark.parametrize("data, message", [
    (b"{not json", "not valid JSON"),
    (b'{"format": "bpdash-experiment", "version": 1, "config": {"learning_rate": -1}}', "learning_rate"),
    (b'{"format": "something-else"}', "not a bpdash experiment"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
    (pickle.dumps({"format": "bpdash-experiment"}), "UTF-8"),
])
def test_a_corrupted_experiment_file_is_refused_and_changes_nothing(data, message):
    at = click(start(), "step")
    before, weights = experiment(at), [W.copy() for W in experiment(at).net.weights]
    at = upload(at, files.EXPERIMENT_FILE, "bad.json", data, "application/json")
    assert message in texts(at.error) and "Nothing was changed" in texts(at.error)
    assert experiment(at) is before and before.trainer.epoch == 1
    assert all(np.array_equal(a, b) for a, b in zip(before.net.weights, weights))


def test_an_experiment_whose_weights_do_not_fit_its_data_is_refused(registry):
    other = build(CONFIG.replace(dataset="sine"), registry)  # one input: Θ^(1) has one column
    bad = export_json(other.config, other.trainer).replace('"dataset": "sine"', '"dataset": "circles"')
    at = start()
    at = upload(at, files.EXPERIMENT_FILE, "bad.json", bad.encode(), "application/json")
    assert "shapes" in texts(at.error) and "Nothing was changed" in texts(at.error)
    assert experiment(at).config == ExperimentConfig()


def test_weights_npz_loads_into_the_network_and_a_pickle_or_a_misfit_is_refused():
    at = click(start(), "step")
    exp = experiment(at)
    other = build(ExperimentConfig(seed=99))
    at = upload(at, files.WEIGHTS_FILE, "w.npz", weights_npz(other.net), "application/octet-stream")
    assert "Loaded" in texts(at.success)
    assert all(np.array_equal(a, b) for a, b in zip(exp.net.weights, other.net.weights))
    assert exp.trainer.epoch == 1 and len(exp.trainer.history) == 1
    loaded = [W.copy() for W in exp.net.weights]

    pickled = io.BytesIO()
    np.savez(pickled, **{f"theta_{l}": np.full(W.shape, None, dtype=object) for l, W in enumerate(loaded, 1)},
             **{f"b_{l}": b for l, b in enumerate(exp.net.biases, 1)})
    misfit = weights_npz(build(ExperimentConfig(hidden=(3,), activations=("tanh",))).net)
    for name, data, message in (("evil.npz", pickled.getvalue(), "pickled"),
                                ("small.npz", misfit, "needs theta_1 (8, 2), b_1 (8,)"), ("junk.npz", b"PK\x03\x04junk", "npz")):
        at = upload(at, files.WEIGHTS_FILE, name, data, "application/octet-stream")
        assert message in texts(at.error) and "Nothing was changed" in texts(at.error), texts(at.error)
        assert all(np.array_equal(a, b) for a, b in zip(experiment(at).net.weights, loaded))


def test_the_download_buttons_are_there():
    at = start()
    keys = {b.key for b in at.get("download_button")}
    assert {"download_experiment", "download_history", "download_weights"} <= keys


# -- Compare runs --------------------------------------------------------------------------------

def show(at, view) -> AppTest:
    at.segmented_control(key="view").set_value(view)
    return run(at)


def test_compare_runs_overlays_saved_runs_and_tables_their_differences():
    at = show(click(start(), "step"), "Compare runs")
    at.text_input(key="compare_name").set_value("first")
    at = click(at, "compare_save")
    saved = at.session_state[compare.RUNS]["first"]
    at.number_input(key="seed").set_value(8)
    at = click(run(at), "step")
    at = click(at, "step")
    assert saved.epoch == 1 and len(saved.history) == 1  # a copy: later training changed nothing
    at = click(at, "compare_save")  # unnamed: "run 2"
    assert list(at.session_state[compare.RUNS]) == ["first", "run 2"]
    at.toggle(key="compare_differences").set_value(True)
    at = run(at)
    table = at.dataframe[0].value.set_index("setting")  # the view's only table: a row per setting
    assert set(table.index) == {"seed", "epochs trained"}
    assert list(table.loc["seed"][["first", "run 2"]]) == ["0", "8"]
    at.selectbox(key="compare_heatmap_run").set_value("first")
    run(at)


def test_the_symmetry_labs_runs_appear_in_the_comparison():
    at = show(start(), "Symmetry lab")
    at = show(at, "Compare runs")
    names = at.multiselect(key="compare_runs").options
    assert any(n.startswith("symmetry lab: zeros") for n in names)
    assert compare.CURRENT in names


def test_at_most_ten_runs_are_kept_the_oldest_dropped_with_a_notice(registry):
    exp, runs = build(CONFIG, registry), {}
    for i in range(compare.MAX_RUNS + 1):
        runs, message = compare.save_run(runs, f"r{i}", exp)
    assert len(runs) == compare.MAX_RUNS and "r0" not in runs and "dropped the oldest, 'r0'" in message
    runs, message = compare.save_run(runs, "r5", exp)
    assert "replacing" in message and len(runs) == compare.MAX_RUNS


def test_the_plugins_view_has_the_diagnostics():
    at = show(start(), "Plugins")
    report = next(c.value for c in at.code if "plugin errors" in c.value)
    assert "numpy" in report and "streamlit" in report and "sigmoid" in report


def test_a_run_on_an_uploaded_csv_says_the_link_and_file_do_not_carry_its_data():
    rows = np.random.default_rng(0).uniform(-1, 1, size=(40, 2))
    csv = b"x1,x2,label\n" + b"".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}\n".encode() for a, b in rows)
    at = start()
    at.radio(key="data_source").set_value("CSV file")
    at = upload(run(at), "csv_file", "good.csv", csv, "text/csv")
    assert experiment(at).data.feature_names == ("x1", "x2")
    assert "cannot carry" in texts(at.warning) and "does not hold" in texts(at.caption)
