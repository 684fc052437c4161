"""bpdash: see a neural network learn by backpropagation.

A plugin author needs only ``from bpdash import hookimpl, Activation`` (or Cost, Initializer,
Dataset, Optimizer).
"""
from .hookspecs import hookimpl
from .records import Activation, Cost, Dataset, Initializer, Optimizer
from .plugins import Registry, default_registry, load_plugins
from .network import Gradients, Network

__version__ = "0.1.0"
__all__ = ["hookimpl", "Activation", "Cost", "Dataset", "Initializer", "Optimizer", "Registry",
           "default_registry", "load_plugins", "Gradients", "Network", "__version__"]
