"""Every declared setting has a control in the sidebar, and each control takes its label, bounds
and help from the declaration (bpdash.schema, or the optimizer's own hyperparameters). A field
added to the schema without a control fails here."""
import pytest

from bpdash import schema

from apptest import run, set_widget, start

# Fields whose control is not the widget keyed by the field's own name: name → (kind, key).
SHOWN_BY = {"layers": ("number_input", "layer_0_units"), "classes": ("slider", "classes"),
            "features": ("checkbox", "feature_x1^2"), "test_share": ("slider", "train_share"),
            "epochs": ("number_input", "train_n"), "optimizer_params": ("number_input", "opt:momentum:momentum"),
            "target_cost": ("number_input", "target_cost"), "patience": ("number_input", "patience")}
KINDS = {"int": "number_input", "float": "number_input", "bool": "checkbox", "choice": "selectbox",
         "plugin": "selectbox"}


@pytest.fixture(scope="module")
def page():
    """The page with every control drawn: momentum's hyperparameter, a schedule, both stopping rules."""
    at = start()
    for kind, key, value in (("selectbox", "dataset", "spiral"),  # a dataset that makes several classes
                             ("selectbox", "optimizer", "momentum"), ("selectbox", "lr_schedule", "step"),
                             ("toggle", "stop_target_on", True), ("toggle", "stop_patience_on", True)):
        at = set_widget(at, kind, key, value)
    return at


def widget(at, kind, key):
    found = [w for w in getattr(at, kind) if w.key == key]
    assert found, f"no {kind} with key {key!r}"
    return found[0]


@pytest.mark.parametrize("name", [f.name for f in schema.FIELDS])
def test_every_field_has_a_control(page, name):
    f = schema.field(name)
    kind, key = SHOWN_BY.get(name, (KINDS.get(f.kind), name))
    if name == "noise":
        kind = "slider"
    control = widget(page, kind, key)
    if key == name:
        assert control.label == f.title
        assert f.help and (control.help or "").startswith(f.help[:40])
    if kind == "number_input" and name not in ("batch_size", "epochs", "layers"):  # units: clamped with a message
        declared = f if name != "optimizer_params" else page.session_state["experiment"].net.registry \
            .optimizers["momentum"].hyperparameters[0]
        assert (control.min, control.max) == (declared.low, declared.high), name


def test_the_train_share_and_noise_sliders_follow_their_declarations(page):
    share, test_share = widget(page, "slider", "train_share"), schema.field("test_share")
    assert (share.min, share.max) == (round(1 - test_share.high, 4), round(1 - test_share.low, 4))
    noise = widget(page, "slider", "noise")
    assert (noise.min, noise.max) == schema.field("noise").slider


def test_choices_are_shown_by_their_declared_labels(page):
    regularization = widget(page, "selectbox", "regularization")
    f = schema.field("regularization")
    assert regularization.options == [f.choice_label(c) for c in f.choices]
    assert widget(page, "checkbox", "feature_x1*x2").label == schema.field("features").choice_label("x1*x2")


def test_each_optimizers_controls_are_the_hyperparameters_it_declares(page):
    registry = page.session_state["experiment"].net.registry
    at = page
    for name, record in registry.optimizers.items():
        at = set_widget(at, "selectbox", "optimizer", name)
        keys = sorted(w.key for w in at.number_input if str(w.key).startswith(f"opt:{name}:"))
        assert keys == sorted(f"opt:{name}:{hp.name}" for hp in record.hyperparameters)
        for hp in record.hyperparameters:
            control = widget(at, "number_input", f"opt:{name}:{hp.name}")
            assert control.label == hp.title and (control.min, control.max) == (hp.low, hp.high)
    run(at)
