"""From a config to a ready run: data, network and trainer, built the same way everywhere."""
from __future__ import annotations

from dataclasses import dataclass

from .config import ConfigError, ExperimentConfig, registry_errors
from .network import Network
from .plugins import default_registry
from .trainer import Trainer


@dataclass
class Experiment:
    config: ExperimentConfig
    data: object  # bpdash.data.DataSplit
    net: Network
    trainer: Trainer


def build(config: ExperimentConfig, registry=None, data=None, **trainer_options) -> Experiment:
    """Make the config's data (unless ``data``, a DataSplit, is given), network and trainer.

    Raises ConfigError naming each field that refers to a plugin the registry lacks.
    """
    from .data import make_dataset  # the data module imports pandas; keep network-only imports light

    registry = registry if registry is not None else default_registry()
    errors = registry_errors(config, registry)
    if data is not None:
        errors.pop("dataset", None)
    if errors:
        raise ConfigError(errors)
    if data is None:
        data = make_dataset(config.dataset, n=config.n_samples, noise=config.noise,
                            seed=config.data_seed, test_share=config.test_share, registry=registry)
    net = Network(config.sizes(data.n_features, data.n_outputs), config.layer_activations(),
                  bias=config.bias, init=config.init, epsilon=config.epsilon, seed=config.seed,
                  registry=registry)
    trainer = Trainer(net, data.X_train, data.Y_train, learning_rate=config.learning_rate,
                      batch_size=config.batch_size, cost=config.cost, seed=config.seed,
                      X_test=data.X_test, Y_test=data.Y_test, task=data.task, **trainer_options)
    return Experiment(config, data, net, trainer)
