"""From a config to a ready run: data, network and trainer, built the same way everywhere."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import outputs
from .classes import encoded
from .config import ConfigError, ExperimentConfig, normalized, registry_errors
from .features import FeatureMap
from .network import Network
from .plugins import default_registry
from .trainer import Trainer


@dataclass
class Experiment:
    """A built run. ``data`` holds the RAW data (what charts show); the network sees
    ``transform(X_raw)``: the config's input features of the raw inputs, ``(m, net.sizes[0])``
    (the raw inputs themselves when ``config.features`` is empty). The trainer was given the
    transformed training and test inputs: ``trainer.X``, ``trainer.X_test``. Its targets are
    ``data``'s, written as the output layer needs them (two classes as two one-hot columns for
    a softmax, see ``bpdash.classes``)."""

    config: ExperimentConfig
    data: object  # bpdash.data.DataSplit
    net: Network
    trainer: Trainer
    transform: FeatureMap = field(default_factory=FeatureMap)  # raw X (m, d) → network input

    def inputs(self, X_raw) -> np.ndarray:
        """The network's input for raw inputs ``X_raw`` ``(m, d)``: ``transform(X_raw)``."""
        return self.transform(X_raw)


def build(config: ExperimentConfig, registry=None, data=None, **trainer_options) -> Experiment:
    """Make the config's data (unless ``data``, a DataSplit, is given), network and trainer.

    Raises ConfigError naming each field that refers to a plugin the registry lacks (or a
    setting no loaded plugin declares), and ``features`` when the config asks for input features
    of data that is not 2-D, and ``output_activation`` when an output with a unit per class
    (softmax) is asked of a regression. The network is ``Network.from_specs`` of the config's hidden layers
    and its output layer, as wide as the data's targets, in the config's dtype. Every setting of
    the config reaches the trainer (optimizer and its hyperparameters, regularization, schedule,
    stopping rules). The experiment keeps the config ``normalized``: its optimizer settings
    reduced to those the run uses, its layer specs complete.
    """
    from .data import make_dataset  # the data module imports pandas; keep network-only imports light

    registry = registry if registry is not None else default_registry()
    errors = registry_errors(config, registry)
    if data is not None:  # the data is given: it is checked below, not the dataset the config names
        errors.pop("dataset", None)
        errors.pop("features", None)
    if errors:
        raise ConfigError(errors)
    config = normalized(config, registry)
    if data is None:
        data = make_dataset(config.dataset, n=config.n_samples, noise=config.noise, seed=config.data_seed,
                            test_share=config.test_share, classes=config.classes, registry=registry)
    per_class = outputs.per_class(config.output_activation, registry)
    if per_class and data.task != "classification":  # a CSV's
        raise ConfigError({"output_activation": outputs.regression_problem(config.output_activation, data.name)})
    data = encoded(data, per_class)
    if config.features and data.n_features != 2:
        raise ConfigError({"features": f"input features need 2-D data (x1, x2); this data has "
                                       f"{data.n_features} input column(s): use features = []"})
    transform = FeatureMap(config.features)
    n_inputs = len(config.features) if config.features else data.n_features
    net = Network.from_specs(n_inputs, config.layer_specs(data.n_outputs, registry), bias=config.bias,
                             init=config.init, epsilon=config.epsilon, seed=config.seed, registry=registry,
                             dtype=config.dtype)
    options = dict(optimizer=config.optimizer, optimizer_params=dict(config.optimizer_params),
                   regularization=config.regularization, reg_rate=config.reg_rate,
                   lr_schedule=config.lr_schedule, lr_decay=config.lr_decay, lr_step=config.lr_step,
                   target_cost=config.target_cost, patience=config.patience)
    options.update(trainer_options)
    X_test = transform(data.X_test) if len(data.X_test) else data.X_test
    trainer = Trainer(net, transform(data.X_train), data.Y_train, learning_rate=config.learning_rate,
                      batch_size=config.batch_size, cost=config.cost, seed=config.seed,
                      X_test=X_test, Y_test=data.Y_test, task=data.task, **options)
    return Experiment(config, data, net, trainer, transform)
