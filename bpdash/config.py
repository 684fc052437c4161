"""The experiment config: everything that defines a run, with JSON round-trip and validation.

Same config → same data, same initial weights, same history, bit for bit, wherever it runs
(dashboard, share link, CLI).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

from .features import canonical, problems

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 128
MAX_EPOCHS = 100_000
MAX_SAMPLES = 10_000
MAX_LEARNING_RATE = 100.0
MAX_SEED = 2**32 - 1
MAX_REG_RATE = 10.0
MAX_TARGET_COST = 1e6
REGULARIZATIONS = ("none", "l1", "l2")
LR_SCHEDULES = ("constant", "step", "exponential")


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

    The playground settings (each default keeps the article's plain run):

    - ``regularization`` "none" | "l1" | "l2" with rate λ = ``reg_rate`` (0 … 10): a penalty on
      the weights, never the biases, in the cost and its gradients (``bpdash.regularization``).
    - ``optimizer``: an optimizer plugin's name ("gd", the article's plain gradient descent;
      "momentum", "nesterov", "adagrad", "rmsprop", "adam"). Its hyperparameters:
      ``momentum`` β (0 … 0.9999: the momentum/Nesterov coefficient, RMSProp's decay ρ, Adam's
      β₁), ``beta2`` (Adam's β₂, 0 … 0.99999), ``opt_epsilon`` ε (AdaGrad, RMSProp, Adam; > 0 … 1).
    - ``lr_schedule`` "constant" | "step" | "exponential", with ``lr_decay`` (> 0 … 1) and
      ``lr_step`` (1 … MAX_EPOCHS): η in epoch e is η·decay^⌊(e−1)/step⌋ (step) or
      η·decay^((e−1)/step) (exponential); see ``bpdash.schedules``.
    - ``features``: () for the raw inputs, or some of ``bpdash.features.FEATURE_NAMES`` ("x1",
      "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"), kept in that order, for 2-input data
      only; the network's input layer has one neuron per feature.
    - ``target_cost``: stop once an epoch's cost J ≤ this (None: never); ``patience``: stop after
      this many epochs without the monitored cost (the test cost if there is a test set, else
      the training cost) improving on its best (None: never); see ``bpdash.stopping``.
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
    regularization: str = "none"
    reg_rate: float = 0.0
    optimizer: str = "gd"
    momentum: float = 0.9
    beta2: float = 0.999
    opt_epsilon: float = 1e-8
    lr_schedule: str = "constant"
    lr_decay: float = 0.5
    lr_step: int = 100
    features: tuple = ()
    target_cost: float | None = None
    patience: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(self.hidden))
        object.__setattr__(self, "activations", tuple(self.activations))
        if isinstance(self.features, (list, tuple)):
            features = tuple(self.features)
            if problems(features) is None:
                features = canonical(features)
            object.__setattr__(self, "features", features)
        errors = field_errors(self)
        if errors:
            raise ConfigError(errors)

    def sizes(self, n_features: int, n_outputs: int) -> list[int]:
        """Neurons per layer, input first: ``[n_features, *hidden, n_outputs]``."""
        return [n_features, *self.hidden, n_outputs]

    def layer_activations(self) -> list[str]:
        """One activation name per non-input layer: the hidden ones, then the output's."""
        return [*self.activations, self.output_activation]

    def optimizer_params(self) -> dict:
        """The optimizer's hyperparameters as ``Trainer`` and ``Optimizer.step`` take them."""
        return {"momentum": self.momentum, "beta2": self.beta2, "epsilon": self.opt_epsilon}

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"], d["activations"] = list(self.hidden), list(self.activations)
        d["features"] = list(self.features)
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
        for name in ("hidden", "activations", "features"):
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


def _choice(value, choices):
    if value not in choices:
        return f"must be one of {', '.join(choices)}, got {_show(value)}"
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
        "regularization": _choice(c.regularization, REGULARIZATIONS),
        "reg_rate": _number(c.reg_rate, 0.0, MAX_REG_RATE),
        "optimizer": _name(c.optimizer),
        "momentum": _number(c.momentum, 0.0, 0.9999),
        "beta2": _number(c.beta2, 0.0, 0.99999),
        "opt_epsilon": _number(c.opt_epsilon, 0.0, 1.0, low_open=True),
        "lr_schedule": _choice(c.lr_schedule, LR_SCHEDULES),
        "lr_decay": _number(c.lr_decay, 0.0, 1.0, low_open=True),
        "lr_step": _whole(c.lr_step, 1, MAX_EPOCHS),
        "features": problems(c.features),
        "target_cost": None if c.target_cost is None else _number(c.target_cost, 0.0, MAX_TARGET_COST),
        "patience": None if c.patience is None else _whole(c.patience, 1, MAX_EPOCHS),
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
              "activations": ("activations", list(c.activations)),
              "optimizer": ("optimizers", [c.optimizer])}
    errors = {}
    for name, (kind, values) in wanted.items():
        table = getattr(registry, kind)
        missing = [v for v in values if v not in table]
        if missing:
            errors[name] = f"unknown {kind[:-1]} {missing[0]!r}; choose one of {', '.join(sorted(table))}"
    return errors
