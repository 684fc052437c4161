"""bpdash: see a neural network learn by backpropagation.

A plugin author needs only ``from bpdash import hookimpl, Activation`` (or Cost, Initializer,
Dataset, Optimizer); a layer plugin ``from bpdash import hookimpl, Layer, LayerOp, Parameter,
Field`` (and ``Affine``, the fully connected map, to build on).
"""
from .hookspecs import hookimpl
from .records import Activation, Cost, Dataset, Initializer, Layer, Optimizer
from .fields import Field
from .layers import Affine, LayerOp, Parameter
from .context import Context
from .plugins import Registry, default_registry, load_plugins
from .network import Gradients, Network

__version__ = "0.1.0"
__all__ = ["hookimpl", "Activation", "Cost", "Dataset", "Initializer", "Layer", "Optimizer", "Field",
           "Affine", "LayerOp", "Parameter", "Context", "Registry", "default_registry", "load_plugins",
           "Gradients", "Network", "__version__"]
