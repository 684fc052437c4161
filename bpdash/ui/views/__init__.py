"""The dashboard's views. Each module exposes ``render(exp, registry)``, where ``exp`` is a
``bpdash.experiment.Experiment`` and ``registry`` the plugin registry.

``VIEWS`` maps a view's label to ``(module, function)``; ``find(label)`` imports the module by
name only when the view is shown, so a broken or missing module breaks that view alone.
"""
from __future__ import annotations

import importlib

VIEWS = {
    "Cost": ("cost", "render"),
    "Weights": ("weights", "render"),
    "Gradients": ("weights", "render_gradients"),
    "Predictions": ("predictions", "render"),
    "Network": ("network", "render"),
    "Neurons": ("neurons", "render"),
    "Symmetry lab": ("symmetry", "render"),
    "Backprop inspector": ("inspector", "render"),
    "Gradient check": ("gradcheck", "render"),
    "Compare runs": ("compare", "render"),
    "Sweeps": ("sweeps", "render"),
    "Plugins": ("plugins", "render"),
}


def find(label: str):
    """The render function of view ``label``; raises ImportError (or what the import raised)."""
    module_name, function = VIEWS[label]
    module = importlib.import_module(f"{__name__}.{module_name}")
    render = getattr(module, function, None)
    if render is None:
        raise ImportError(f"{module.__name__} has no function {function}(exp, registry)")
    return render
