"""The background worker and the long computations cut into slices (bpdash.background, bpdash.jobs).

Every wait here is on an event (a job ending, a slice starting), never a sleep of a guessed length.
"""
import contextlib
import threading

import numpy as np
import pandas as pd
import pytest

from bpdash.background import CANCELLED, FAILED, FINISHED, Job, Worker
from bpdash.config import ExperimentConfig
from bpdash.experiment import build
from bpdash.gradcheck import gradient_check, training_context
from bpdash.jobs import MAX_STATES, GradientCheck, LabTraining, Training
from bpdash.symmetry import SymmetryLab

WAIT_S = 60  # generous: the machine may be busy; a passing test never waits this long


class Counting(Job):
    """Counts its slices; signals each; finishes after ``total`` units."""

    def __init__(self, total=None, **job):
        super().__init__(**job)
        self.total = total
        self.sliced = threading.Event()

    def work(self, deadline):
        self.done += 1
        self.sliced.set()
        return self.total is not None and self.done >= self.total


@pytest.fixture
def worker():
    return Worker()


def experiment(**config):
    return build(ExperimentConfig(**config))


def test_a_job_runs_to_its_end_in_slices(worker):
    job = worker.submit(Counting(total=5))
    assert job.wait(WAIT_S)
    assert job.state == FINISHED and job.done == 5 and job.progress == 1.0
    assert job not in worker.jobs


def test_jobs_take_turns(worker):
    """Two endless jobs both make progress: neither waits for the other to end."""
    first, second = worker.submit(Counting()), worker.submit(Counting())
    for _ in range(3):
        first.sliced.clear(), second.sliced.clear()
        assert first.sliced.wait(WAIT_S) and second.sliced.wait(WAIT_S)
    first.cancel(), second.cancel()
    assert first.state == second.state == CANCELLED


def test_no_slice_starts_after_cancel_returns(worker):
    job = worker.submit(Counting())
    assert job.sliced.wait(WAIT_S)
    with job.lock:  # as the page does: no slice can be running while it holds the lock
        job.cancel("Pause")
        done = job.done
    assert job.wait(WAIT_S) and job.reason == "Pause"
    other = worker.submit(Counting(total=3))  # a later job runs, so the worker has had rounds
    assert other.wait(WAIT_S)
    assert job.done == done


def test_the_worker_passes_over_a_job_whose_lock_is_held(worker):
    held, free = Counting(), Counting(total=20)
    with held.lock:
        worker.submit(held)
        worker.submit(free)
        assert free.wait(WAIT_S)  # the other job ran to its end meanwhile
        assert held.done == 0
    assert held.sliced.wait(WAIT_S)  # and once the lock is free, the held one runs
    held.cancel()


def test_a_job_nobody_watches_is_cancelled_before_its_next_slice(worker):
    watched = threading.Event()
    watched.set()
    job = worker.submit(Counting(alive=watched.is_set))
    assert job.sliced.wait(WAIT_S)
    watched.clear()  # the session went away
    assert job.wait(WAIT_S)
    assert job.state == CANCELLED and "nobody" in job.reason


def test_a_failing_job_ends_with_its_error_and_the_worker_goes_on(worker):
    class Broken(Job):
        def work(self, deadline):
            raise RuntimeError("boom")

    broken = worker.submit(Broken())
    assert broken.wait(WAIT_S)
    assert broken.state == FAILED and "boom" in broken.reason
    assert worker.submit(Counting(total=2)).wait(WAIT_S)


# -- the dashboard's jobs ---------------------------------------------------------------------------

def test_training_n_epochs_in_slices_is_training_n_epochs(worker):
    sliced, whole = experiment(), experiment()
    job = worker.submit(Training(sliced.trainer, epochs=300))
    whole.trainer.fit(300)
    assert job.wait(WAIT_S) and job.state == FINISHED
    assert job.done == sliced.trainer.epoch == 300
    pd.testing.assert_frame_equal(sliced.trainer.history, whole.trainer.history)
    for a, b in zip(sliced.net.weights, whole.net.weights):
        np.testing.assert_array_equal(a, b)


def test_training_keeps_its_pace():
    """At 1 epoch every 1000 s, a slice trains the first epoch and then waits for the next one's time."""
    exp = experiment()
    job = Training(exp.trainer, rate=0.001)
    assert not job.work(deadline=float("inf"))
    assert exp.trainer.epoch == 1 and job.done == 1
    assert job.ready_at > job._start + 999
    assert not job.work(deadline=float("inf"))  # called early anyway: still nothing to do
    assert exp.trainer.epoch == 1


def test_training_ends_when_training_diverges(worker):
    exp = experiment(learning_rate=100, cost="squared_error", output_activation="linear")
    job = worker.submit(Training(exp.trainer))
    assert job.wait(WAIT_S) and job.state == FINISHED
    assert exp.trainer.diverged and exp.trainer.message


def test_the_lab_in_slices_is_the_lab_stepped(worker, registry):
    config, data = ExperimentConfig(hidden=(3, 3)), experiment().data
    sliced, whole = SymmetryLab(config, data, registry), SymmetryLab(config, data, registry)
    job = worker.submit(LabTraining(sliced, 40))
    whole.step(40)
    assert job.wait(WAIT_S) and job.state == FINISHED
    assert sliced.epoch == whole.epoch == 40
    for name in whole.runs:
        pd.testing.assert_frame_equal(sliced.runs[name].distinct, whole.runs[name].distinct)
        pd.testing.assert_frame_equal(sliced.runs[name].trainer.history, whole.runs[name].trainer.history)


@pytest.mark.parametrize("settings", [dict(), dict(bias=False), dict(regularization="l2", reg_rate=0.01)])
def test_the_gradient_check_in_slices_is_the_gradient_check(worker, settings):
    exp = experiment(hidden=(3, 2), **settings)
    exp.trainer.fit(5)
    X, Y, c = exp.trainer.X[:50], exp.trainer.Y[:50], exp.config
    job = worker.submit(GradientCheck(exp.net, X, Y, c.cost, 1e-5, regularization=c.regularization,
                                      reg_rate=c.reg_rate))
    expected = gradient_check(exp.net, X, Y, c.cost, 1e-5, regularization=c.regularization, reg_rate=c.reg_rate)
    assert job.wait(WAIT_S) and job.state == FINISHED
    assert job.done == job.total == sum(W.size + b.size * c.bias for W, b in zip(exp.net.weights, exp.net.biases))
    assert len(job.result) == len(expected)
    for got, want in zip(job.result, expected):
        assert got.layer == want.layer and got.label == want.label
        assert got.relative_error == want.relative_error and got.max_abs_diff == want.max_abs_diff
        np.testing.assert_array_equal(got.numeric_weights, want.numeric_weights)
        np.testing.assert_array_equal(got.backprop_weights, want.backprop_weights)
        if want.numeric_biases is None:
            assert got.numeric_biases is None
        else:
            np.testing.assert_array_equal(got.numeric_biases, want.numeric_biases)


def test_the_gradient_check_in_slices_holds_dropouts_masks_as_the_check_does(worker):
    exp = experiment(layers=[{"layer": "dense", "units": 4, "activation": "tanh"}, {"layer": "dropout", "rate": 0.5}])
    exp.trainer.fit(3)
    X, Y, c, net = exp.trainer.X[:40], exp.trainer.Y[:40], exp.config, exp.net
    job = worker.submit(GradientCheck(net, X, Y, c.cost, 1e-5, context=training_context(net, 7)))
    expected = gradient_check(net, X, Y, c.cost, 1e-5, context=training_context(net, 7))
    assert job.wait(WAIT_S) and job.state == FINISHED
    assert job.done == job.total == sum(array.size for arrays in net.params for array in arrays)
    assert [check.layer for check in job.result] == [1, 3] and all(check.passed() for check in job.result)
    for got, want in zip(job.result, expected):
        assert got.relative_error == want.relative_error
        for g, w in zip(got.backprop + got.numeric, want.backprop + want.numeric):
            np.testing.assert_array_equal(g, w)


def test_the_worker_gives_way_while_a_page_is_drawn(worker):
    """No slice starts while a page is being drawn (for up to PAGE_WAIT_S at a time)."""
    from bpdash.background import PAGE_WAIT_S

    job = worker.submit(Counting())
    assert job.sliced.wait(WAIT_S)
    with contextlib.ExitStack() as drawing:
        with job.lock:  # no slice is running while this is held: the page begins between two
            drawing.enter_context(worker.page())
            job.sliced.clear()
        assert not job.sliced.wait(PAGE_WAIT_S / 5)  # a fraction of the longest wait: no slice
    assert job.sliced.wait(WAIT_S)  # and once the page is drawn, training goes on
    job.cancel()


def test_training_records_its_states_when_asked_the_newest_few_in_order():
    """Asked to record every 0 s, a job keeps each epoch's state, in order; each holds the
    parameters after its epoch (their J is the next epoch's history row)."""
    exp = experiment()
    job = Training(exp.trainer, epochs=10)
    assert not job.work(deadline=0.0) and job.recorded() == []  # one epoch, not asked: nothing kept
    job.record(0.0)
    assert job.work(deadline=float("inf"))
    states = job.recorded()
    assert [s.epoch for s in states] == list(range(2, 11))  # all since asked (fewer than MAX_STATES)
    assert all(a.time <= b.time for a, b in zip(states, states[1:]))
    assert states[-1].params is exp.net.params
    history = exp.trainer.history.set_index("epoch")
    for s in states[:-1]:
        twin = experiment().trainer
        twin.net.params = s.params
        assert twin.evaluate()["cost"] == pytest.approx(history.loc[s.epoch + 1, "cost"], rel=1e-12)
    assert job.recorded() == []  # taken once


def test_training_keeps_at_most_max_states_and_stops_recording_when_told():
    exp = experiment()
    job = Training(exp.trainer, epochs=3 * MAX_STATES)
    job.record(0.0)
    job.work(deadline=float("inf"))
    assert [s.epoch for s in job.states] == list(range(2 * MAX_STATES + 1, 3 * MAX_STATES + 1))
    job.record(None)
    assert not job.states
    job.total += 5
    job.work(deadline=float("inf"))
    assert exp.trainer.epoch == 3 * MAX_STATES + 5 and job.recorded() == []
