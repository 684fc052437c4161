"""The dashboard's views. Each module exposes ``render(exp, registry)``, where ``exp`` is a
``bpdash.experiment.Experiment`` and ``registry`` the plugin registry.

``VIEWS`` maps a view's label to ``(module, function)``; ``find(label)`` imports the module by
name only when the view is shown, so a broken or missing module breaks that view alone.
A module's ``FRAME_S`` (``frame_interval``) is how often the view is redrawn while training:
the Overview's in-place board every 0.1 s, the views of plotly charts (mounted anew on every
update) every ``DEFAULT_FRAME_S``.

``NEEDS_WEIGHTS`` lists the views that still draw every layer as a weight matrix Θ^(l): for a
network with a layer that has none (dropout, a plugin layer such as a layer norm) they say so
(``cannot_show``) instead of drawing.
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


NEEDS_WEIGHTS = ("Overview", "Weights", "Gradients", "Network", "Backprop inspector",
                 "Gradient check")


def cannot_show(label: str, net) -> str | None:
    """Why view ``label`` cannot show ``net`` yet, in words; None when it can."""
    if label not in NEEDS_WEIGHTS:
        return None
    kinds = sorted({spec["layer"] for spec, W in zip(net.specs, net.weights) if W is None})
    if not kinds:
        return None
    able = [name for name in VIEWS if name not in NEEDS_WEIGHTS]
    return (f"The {label} view cannot show a network with {' and '.join(kinds)} layers yet: it draws every "
            f"layer as a weight matrix Θ, and these have none. Training works as for any network; "
            f"{', '.join(able[:3])} show this run, or remove the {' and '.join(kinds)} layers in the sidebar.")


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
