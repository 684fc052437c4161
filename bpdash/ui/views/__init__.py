"""The dashboard's views. Each module exposes ``render(exp, registry)``, where ``exp`` is a
``bpdash.experiment.Experiment`` and ``registry`` the plugin registry.

``VIEWS`` maps a view's label to ``(module, function)``; ``find(label)`` imports the module by
name only when the view is shown, so a broken or missing module breaks that view alone.
A module's ``FRAME_S`` (``frame_interval``) is how often the view is redrawn while training:
the Overview's in-place board every 0.1 s, the views of plotly charts (mounted anew on every
update) every ``DEFAULT_FRAME_S``.
Every view draws any layer stack (dense, softmax, dropout, a plugin layer).
"""
from __future__ import annotations

import importlib

DEFAULT_FRAME_S = 0.45

VIEWS = {
    "Overview": ("overview", "render"),
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


def _module(label: str):
    return importlib.import_module(f"{__name__}.{VIEWS[label][0]}")


def frame_interval(label: str) -> float:
    """Seconds between redraws of view ``label`` while training."""
    try:
        return getattr(_module(label), "FRAME_S", DEFAULT_FRAME_S)
    except Exception:  # a broken view reports itself when drawn (find)
        return DEFAULT_FRAME_S


def find(label: str):
    """The render function of view ``label``; raises ImportError (or what the import raised)."""
    function = VIEWS[label][1]
    module = _module(label)
    render = getattr(module, function, None)
    if render is None:
        raise ImportError(f"{module.__name__} has no function {function}(exp, registry)")
    return render
