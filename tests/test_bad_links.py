"""Share links that would leave a dead page: settings that pass validation one by one but do not
build together. The page must open, drop what does not fit with a notice naming it, and work,
even when a classroom link hides the controls that could fix it."""
import textwrap

import pytest

from apptest import click, experiment, start, texts
from bpdash.buildable import buildable
from bpdash.config import ExperimentConfig

HIDE_ALL = "network,training,data,features"


def notices(at) -> str:
    return texts(at.warning)


def test_features_on_one_dimensional_data_are_dropped_and_the_page_opens():
    at = start({"dataset": "sine", "features": "x1,x2", "hide": "features"})
    exp = experiment(at)
    assert exp.config.dataset == "sine" and exp.config.features == ()
    assert "features" in notices(at) and "2-D data" in notices(at)
    assert not at.error
    at = click(at, "step")
    assert experiment(at).trainer.epoch == 1


def test_a_negative_zero_epsilon_with_every_control_hidden_opens_a_working_page():
    """−0 is read as 0: a valid ε (every weight starts at 0), never the uniform(−ε, ε) that
    refused high − low < 0 on every rerun."""
    at = start({"epsilon": "-0", "hidden": "3", "activations": "relu", "hide": HIDE_ALL})
    exp = experiment(at)
    assert exp.config.hidden == (3,) and exp.config.epsilon == 0.0
    assert all((W == 0).all() for W in exp.net.weights) and not at.error
    assert experiment(click(at, "step")).trainer.epoch == 1


FUSSY = '''
    import numpy as np
    from bpdash import Initializer, hookimpl

    def draw(shape, fan_in, fan_out, epsilon, rng):
        if epsilon > 0.3:
            raise ValueError("fussy wants epsilon at most 0.3")
        return rng.uniform(-epsilon, epsilon, size=shape)

    @hookimpl
    def register_initializers():
        return [Initializer("fussy", draw, "uniform, but only small")]
    '''


@pytest.fixture
def fussy_plugin(tmp_path, monkeypatch):
    """A folder plugin whose initializer refuses some configs that validate: only a build finds out."""
    (tmp_path / "fussy.py").write_text(textwrap.dedent(FUSSY))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    import bpdash

    registry = bpdash.load_plugins()
    assert "fussy" in registry.initializers, registry.errors
    return registry


def test_any_build_failure_drops_the_fewest_settings(fussy_plugin):
    config = ExperimentConfig(init="fussy", epsilon=0.4, hidden=(5,), activations=("relu",), seed=7)
    fixed, said = buildable(config, fussy_plugin)
    assert fixed == config.replace(init="uniform")  # one setting dropped; the rest of the link stays
    [notice] = said
    assert "init=fussy could not be used" in notice and "fussy wants epsilon at most 0.3" in notice
    assert buildable(config.replace(epsilon=0.2), fussy_plugin) == (config.replace(epsilon=0.2), [])


def test_a_link_a_plugin_refuses_opens_with_a_notice(fussy_plugin):
    at = start({"init": "fussy", "epsilon": "0.4", "hide": HIDE_ALL})
    assert experiment(at).config.init == "uniform" and experiment(at).config.epsilon == 0.4
    assert "init=fussy could not be used" in notices(at) and not at.error
