"""The experiment config: everything that defines a run, with JSON round-trip and validation.

Same config → same data, same initial weights, same history, bit for bit, wherever it runs
(dashboard, share link, CLI).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 128
MAX_EPOCHS = 100_000
MAX_SAMPLES = 10_000
MAX_LEARNING_RATE = 100.0
MAX_SEED = 2**32 - 1


class ConfigError(ValueError):
    """One or more fields are invalid; ``errors`` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("invalid experiment config: " +
                         "; ".join(f"{name}: {msg}" for name, msg in self.errors.items()))


@dataclass(frozen=True)
class ExperimentConfig:
    """A run: data (dataset, n_samples, noise, test_share, data_seed), network (hidden sizes,
    one activation per hidden layer, output_activation, bias), cost, initialization (init,
    epsilon, seed), and training (learning_rate, batch_size — None for the full batch — and epochs).
    """

    dataset: str = "moons"
    n_samples: int = 200
    noise: float = 0.1
    test_share: float = 0.2
    data_seed: int = 0
    hidden: tuple = (8, 8)
    activations: tuple = ("tanh", "tanh")
    output_activation: str = "sigmoid"
    bias: bool = True
    cost: str = "cross_entropy"
    init: str = "uniform"
    epsilon: float = 0.5
    seed: int = 0
    learning_rate: float = 0.5
    batch_size: int | None = None
    epochs: int = 300

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(self.hidden))
        object.__setattr__(self, "activations", tuple(self.activations))
        errors = field_errors(self)
        if errors:
            raise ConfigError(errors)

    def sizes(self, n_features: int, n_outputs: int) -> list[int]:
        """Neurons per layer, input first: ``[n_features, *hidden, n_outputs]``."""
        return [n_features, *self.hidden, n_outputs]

    def layer_activations(self) -> list[str]:
        """One activation name per non-input layer: the hidden ones, then the output's."""
        return [*self.activations, self.output_activation]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"], d["activations"] = list(self.hidden), list(self.activations)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> "ExperimentConfig":
        """Build from a dict; unknown keys and bad values raise ConfigError naming each field."""
        if not isinstance(data, dict):
            raise ConfigError({"config": f"expected a JSON object, got {type(data).__name__}"})
        known = {f.name for f in fields(cls)}
        errors = {name: "unknown field" for name in sorted(set(data) - known)}
        for name in ("hidden", "activations"):
            if name in data and not isinstance(data[name], (list, tuple)):
                errors[name] = f"must be a list, got {str(data[name])[:40]!r}"
        try:
            config = cls(**{k: v for k, v in data.items() if k in known and k not in errors})
        except ConfigError as exc:
            errors.update(exc.errors)
        if errors:
            raise ConfigError(errors)
        return config

    @classmethod
    def from_json(cls, text: str) -> "ExperimentConfig":
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise ConfigError({"config": f"not valid JSON: {str(exc)[:200]}"}) from None
        return cls.from_dict(data)

    def replace(self, **changes) -> "ExperimentConfig":
        return type(self).from_dict({**self.to_dict(), **changes})


def _show(value) -> str:
    """A value for a message, cut short: a message must not echo 10,000 characters back."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _whole(value, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number, got {_show(value)}"
    if not low <= value <= high:
        return f"must be between {low} and {high}, got {_show(value)}"
    return None


def _number(value, low, high, *, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a finite number, got {_show(value)}"
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond float range
        finite = False
    if not finite:
        return f"must be a finite number, got {_show(value)}"
    if value > high or value < low or (low_open and value == low):
        return f"must be {'>' if low_open else '≥'} {low} and ≤ {high}, got {_show(value)}"
    return None


def _name(value):
    if not isinstance(value, str) or not value or len(value) > 64:
        return f"must be a plugin name (a short string), got {_show(value)}"
    return None


def field_errors(c: ExperimentConfig) -> dict:
    """{field: message} for every field whose value is of the wrong type or out of range.

    Names are checked for form here; whether a plugin of that name is loaded is
    ``registry_errors``' job, since the registry differs between installations.
    """
    errors = {
        "dataset": _name(c.dataset),
        "n_samples": _whole(c.n_samples, 2, MAX_SAMPLES),
        "noise": _number(c.noise, 0.0, 10.0),
        "test_share": _number(c.test_share, 0.0, 0.9),
        "data_seed": _whole(c.data_seed, 0, MAX_SEED),
        "output_activation": _name(c.output_activation),
        "bias": None if isinstance(c.bias, bool) else f"must be true or false, got {_show(c.bias)}",
        "cost": _name(c.cost),
        "init": _name(c.init),
        "epsilon": _number(c.epsilon, 0.0, 10.0),
        "seed": _whole(c.seed, 0, MAX_SEED),
        "learning_rate": _number(c.learning_rate, 0.0, MAX_LEARNING_RATE, low_open=True),
        "batch_size": None if c.batch_size is None else _whole(c.batch_size, 1, MAX_SAMPLES),
        "epochs": _whole(c.epochs, 1, MAX_EPOCHS),
    }
    if len(c.hidden) > MAX_HIDDEN_LAYERS:
        errors["hidden"] = f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(c.hidden)}"
    else:
        bad = [_whole(n, 1, MAX_NEURONS) for n in c.hidden]
        errors["hidden"] = next((f"layer {i + 1}: {m}" for i, m in enumerate(bad) if m), None)
    if len(c.activations) != len(c.hidden):
        errors["activations"] = (f"needs one name per hidden layer ({len(c.hidden)}), "
                                 f"got {len(c.activations)}")
    else:
        errors["activations"] = next((f"layer {i + 1}: {_name(a)}" for i, a in enumerate(c.activations)
                                      if _name(a)), None)
    return {name: msg for name, msg in errors.items() if msg}


def registry_errors(c: ExperimentConfig, registry) -> dict:
    """{field: message} for every plugin name in ``c`` the registry does not have."""
    wanted = {"dataset": ("datasets", [c.dataset]), "cost": ("costs", [c.cost]),
              "init": ("initializers", [c.init]), "output_activation": ("activations", [c.output_activation]),
              "activations": ("activations", list(c.activations))}
    errors = {}
    for name, (kind, values) in wanted.items():
        table = getattr(registry, kind)
        missing = [v for v in values if v not in table]
        if missing:
            errors[name] = f"unknown {kind[:-1]} {missing[0]!r}; choose one of {', '.join(sorted(table))}"
    return errors
