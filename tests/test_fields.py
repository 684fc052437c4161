"""bpdash.fields: one declaration gives a setting's check, its message and its text form."""
import math

import pytest

from bpdash.fields import Field, show


def test_numbers_are_checked_against_their_bounds_and_named_in_words():
    eta = Field("learning_rate", "float", 0.5, symbol="η", low=0.0, high=100.0, low_open=True)
    assert eta.problem(0.5) is None and eta.problem(100.0) is None
    assert eta.problem(0.0) == "must be > 0 and ≤ 100, got 0.0"
    assert eta.problem(-0.0).startswith("must be > 0")  # −0 is 0, not above it
    assert "finite" in eta.problem(math.inf) and "finite" in eta.problem(10**400)
    assert eta.problem(True).startswith("must be a finite number")
    assert eta.problem("0.5") == "must be a finite number, got '0.5'"
    assert eta.title == "Learning rate η"
    size = Field("n", "int", 3, low=1, high=128)
    assert size.problem(2.0) == "must be a whole number, got 2.0"
    assert size.problem(129) == "must be between 1 and 128, got 129"


def test_a_bad_default_is_refused_when_declared():
    with pytest.raises(ValueError, match="default"):
        Field("rate", "float", 2.0, low=0.0, high=1.0)
    with pytest.raises(ValueError, match="kind"):
        Field("rate", "number", 0.5)


def test_text_and_parse_round_trip_every_kind():
    fields = [Field("a", "float", 0.1), Field("b", "int", 3), Field("c", "bool", True),
              Field("d", "choice", "l2", choices=("none", "l1", "l2")),
              Field("e", "plugin", "tanh", plugin="activations"),
              Field("f", "float", None, optional=True, low=0.0),
              Field("g", "int", (8, 8), items=8, low=1, high=128)]
    values = [0.1 + 0.2, -7, False, "l1", "relu", None, (1, 2, 128)]
    for field, value in zip(fields, values):
        assert field.parse(field.text(value)) == value
    assert fields[5].parse("NONE") is None
    assert Field("h", "float", 0.0).parse("-0") == 0.0 and math.copysign(1, Field("h", "float", 0.0).parse("-0")) == 1


def test_parse_says_why_text_is_no_value():
    with pytest.raises(ValueError, match="not a whole number"):
        Field("b", "int", 3).parse("3.5")
    with pytest.raises(ValueError, match="not true or false"):
        Field("c", "bool", True).parse("maybe")


def test_list_fields_check_their_length_and_each_entry():
    hidden = Field("hidden", "int", (8, 8), items=8, low=1, high=128)
    assert hidden.problem((8,) * 9) == "must have at most 8 entries, got 9"
    assert hidden.problem((8, 0)) == "entry 2 must be between 1 and 128, got 0"
    assert hidden.problem([4]) is None


def test_plugin_names_are_checked_against_a_registry():
    class Registry:
        activations = {"tanh": None, "sigmoid": None}

    acts = Field("activations", "plugin", ("tanh",), plugin="activations", items=8)
    assert acts.registry_problem(("tanh", "sigmoid"), Registry) is None
    assert acts.registry_problem(("tanh", "swish"), Registry) == \
        "unknown activation 'swish'; choose one of sigmoid, tanh"


def test_messages_never_echo_a_long_value():
    assert len(show("x" * 10_000)) <= 40
    assert len(Field("e", "plugin", "tanh", plugin="activations").problem("x" * 10_000)) < 120


# -- the extensions: distinct lists, plugin settings, normal forms, labels -------------------------

def test_a_distinct_list_of_choices_is_a_set_kept_in_the_order_of_its_choices():
    features = Field("f", "choice", (), choices=("x1", "x2", "x1^2"), items=3, distinct=True)
    assert features.normal(["x1^2", "x1"]) == ("x1", "x1^2")
    assert features.problem(("x1", "x1")) == "names 'x1' twice"
    assert features.parse("none") == () and features.text(()) == "none"


def test_a_params_field_holds_named_settings_checked_for_form():
    from bpdash.fields import Settings

    params = Field("p", "params", Settings(), plugin="optimizers", of="optimizer", settings="hyperparameters")
    assert params.problem({"momentum": 0.9, "nesterov": True}) is None
    assert "finite" in params.problem({"momentum": math.nan})
    assert "no name" in params.problem({"not a name": 1.0})
    assert params.parse(params.text({"momentum": 0.8, "beta2": 0.99})) == {"momentum": 0.8, "beta2": 0.99}
    with pytest.raises(ValueError, match="params field needs"):
        Field("q", "params", Settings())


def test_settings_are_read_only_hashable_picklable_and_equal_to_a_dict():
    import pickle

    from bpdash.fields import Settings

    settings = Settings({"momentum": 0.8})
    assert settings == {"momentum": 0.8} and {"momentum": 0.8} == settings and settings != {"momentum": 0.9}
    assert hash(settings) == hash(Settings({"momentum": 0.8})) and pickle.loads(pickle.dumps(settings)) == settings
    with pytest.raises(TypeError):
        settings["momentum"] = 1.0


def test_normal_forms_and_labels():
    eps = Field("epsilon", "float", 0.5, low=0.0, high=10.0)
    assert math.copysign(1, eps.normal(-0.0)) == 1 and isinstance(eps.normal(2), float)
    assert eps.normal("bad") == "bad"  # a value with a problem is left for the message
    kinds = Field("k", "choice", "none", choices=("none", "l1"), choice_labels=("none", "L1 (λ Σ|θ|)"))
    assert kinds.choice_label("l1") == "L1 (λ Σ|θ|)" and kinds.choice_label("other") == "other"
    assert Field("seed", "int", 0, low=0, high=2**32 - 1).bounds() == "between 0 and 4294967295"
    with pytest.raises(ValueError, match="one label per choice"):
        Field("k", "choice", "a", choices=("a", "b"), choice_labels=("A",))


def test_every_bad_entry_of_a_list_is_named_at_once():
    hidden = Field("hidden", "int", (8, 8), items=8, low=1, high=128)
    assert hidden.problem((0, 4, 500)) == ("entry 1 must be between 1 and 128, got 0; "
                                           "entry 3 must be between 1 and 128, got 500")
