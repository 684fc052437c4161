"""The Sweeps view through the dashboard (AppTest): the two studies, one's own sweep, Stop, the
cap, and a run sent to Compare runs or opened as the current experiment. Each ``at.run()`` is
one tick of the view's live progress (``run_every`` does not fire under AppTest)."""
import re
import time

import pandas as pd

from bpdash.experiment import build
from bpdash.ui.views import compare, sweeps

from apptest import click, experiment, run, set_widget, start, texts


def sweeps_view(epochs=25, seeds=2):
    at = start({"hidden": "4", "n_samples": "80"})
    assert not at.warning  # the activations follow the one hidden layer
    at = set_widget(at, "segmented_control", "view", "Sweeps")
    at = set_widget(at, "number_input", "sweep_epochs", epochs)
    return set_widget(at, "number_input", "sweep_seeds", seeds)


def until_finished(at, seconds=120):
    deadline = time.monotonic() + seconds
    while not at.session_state["sweep_job"].finished and time.monotonic() < deadline:
        time.sleep(0.3)
        at = run(at)
    return run(at)


def nearest(shown: float, rows, plan) -> float:
    """The swept η that the answer shows with 6 digits."""
    return min({plan.combos[r]["learning_rate"] for r in rows}, key=lambda eta: abs(eta - shown))


def test_the_learning_rate_study_says_where_training_starts_and_diverges():
    at = until_finished(click(sweeps_view(), "sweep_study_learning_rate"))
    job = at.session_state["sweep_job"]
    assert job.state == "done" and len(job.rows) == 22  # 11 rates × 2 seeds
    answer = texts(at.success)
    starts = nearest(float(re.search(r"starts at η ≈ (\S+)", answer).group(1)), job.rows, job.plan)
    table = job.plan.table(job.rows)
    first = {r: job.rows[r]["cost_curve"][0] for r in job.rows}
    fell = table.groupby("learning_rate").apply(lambda g: all(c < 0.9 * first[r] for r, c in zip(g["run"], g["final_cost"])))
    assert fell[starts] and not fell[fell.index < starts].any()
    if "diverges from" in answer:
        eta = nearest(float(re.search(r"diverges from η ≈ (\S+)", answer).group(1)), job.rows, job.plan)
        at_eta = table[table["learning_rate"] == eta]
        assert (at_eta["stop"] == "diverged").any() or any(
            c > first[r] or c != c for r, c in zip(at_eta["run"], at_eta["final_cost"]))
    assert at.dataframe[0].value["run"].tolist() == list(range(22))


def test_the_symmetry_study_counts_distinct_hidden_units_against_epsilon():
    at = until_finished(click(sweeps_view(epochs=40), "sweep_study_epsilon"))
    job = at.session_state["sweep_job"]
    table = job.plan.table(job.rows)
    units = {job.plan.combos[r]["epsilon"]: job.rows[r]["distinct_units"] for r in job.rows}
    assert units[0.0] == 1 and units[1.0] == 4  # zero: one copy of a unit; ε = 1: all four differ
    assert "at ε = 0 1 of 4 hidden units are distinct" in texts(at.success)
    assert set(table["status"]) == {"ok"}


def test_ones_own_sweep_runs_sends_a_run_to_compare_and_opens_one(monkeypatch):
    at = sweeps_view()
    at.selectbox(key="sweep_field_1").set_value("learning_rate")
    at.text_input(key="sweep_values_1").set_value("0.1,1")
    at.selectbox(key="sweep_field_2").set_value("activations")
    at.text_input(key="sweep_values_2").set_value("tanh;relu")
    at = until_finished(click(run(at), "sweep_run"))
    job = at.session_state["sweep_job"]
    assert len(job.rows) == 8 and job.plan.swept == ("learning_rate", "activations", "seed")
    at.selectbox(key="sweep_pick").set_value(5)
    at = click(run(at), "sweep_compare")
    saved = at.session_state[compare.RUNS]
    name = next(iter(saved))
    assert name.startswith("sweep run 5") and saved[name].config == job.plan.configs[5]
    at = click(at, "sweep_open")
    exp = experiment(at)
    assert exp.config == job.plan.configs[5] and exp.trainer.epoch == 25
    expected = build(job.plan.configs[5]).trainer.fit(25)
    pd.testing.assert_frame_equal(exp.trainer.history, expected, check_exact=True)
    assert job.rows[5]["final_cost"] == expected["cost"].iloc[-1]
    assert at.number_input(key="learning_rate").value == job.plan.configs[5].learning_rate
    # a run that took long in the sweep is not trained again inside a click: it opens at epoch 0
    monkeypatch.setattr(sweeps, "RETRAIN_SECONDS", 0.0)
    at.selectbox(key="sweep_pick").set_value(2)
    at = click(run(at), "sweep_compare")
    assert "open it as the current experiment" in texts(at.warning) and len(at.session_state[compare.RUNS]) == 1
    at = click(at, "sweep_open")
    assert experiment(at).config == job.plan.configs[2] and experiment(at).trainer.epoch == 0


def test_stop_ends_a_sweep_and_keeps_its_finished_runs():
    at = sweeps_view(epochs=3000, seeds=10)
    at = click(at, "sweep_study_learning_rate")
    at = click(at, "sweep_stop")
    job = at.session_state["sweep_job"]
    assert job.wait(20) and job.state == "stopped" and len(job.rows) < job.total
    at = run(at)
    assert "stopped" in at.get("progress")[0].proto.text


def test_a_sweep_past_the_cap_or_with_bad_values_is_refused_with_a_message():
    at = sweeps_view(seeds=10)
    at.text_input(key="sweep_values_1").set_value("0.001..10:30")  # 30 × 10 seeds = 300 runs
    at = click(run(at), "sweep_run")
    assert "at most 256" in texts(at.error) and "sweep_job" not in at.session_state
    at.text_input(key="sweep_values_1").set_value("0.001..10:10000")  # with 10 seeds, 10⁹ runs: refused before any is made
    at.selectbox(key="sweep_field_2").set_value("noise")
    at = run(at)
    at.text_input(key="sweep_values_2").set_value("0..1:10000")
    at = click(run(at), "sweep_run")
    assert "1,000,000,000 runs" in texts(at.error) and "sweep_job" not in at.session_state
    at.selectbox(key="sweep_field_2").set_value("(none)")
    at.text_input(key="sweep_values_1").set_value("0.1,-1")
    at = click(run(at), "sweep_run")
    assert "learning_rate" in texts(at.error) and "sweep_job" not in at.session_state
