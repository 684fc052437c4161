"""Figures from data: data in, figure out. No Streamlit, no session state, no training.

- ``bpdash.charts.training``: cost and accuracy curves, Θ^(l) / ∂J/∂Θ^(l) heatmaps, decision
  surfaces, fitted curves, predicted vs actual, the data alone.
- ``bpdash.charts.parameters``: a layer's other parameters (γ, β) by their symbols, and either
  kind of layer played through the snapshots.
- ``bpdash.charts.network``: the network diagram, edges coloured and sized by θ.
- ``bpdash.charts.symmetry``, ``bpdash.charts.activations``: the teaching views' figures.
- ``bpdash.charts.neurons``: every neuron's activation over the input plane.
- ``bpdash.charts.classes``: k classes in their colours (surfaces shaded by confidence, points).
- ``bpdash.charts.sweeps``: a sweep's results against its settings.
- ``bpdash.charts.board``: not a plotly figure but the plain data of one frame of the Overview's
  canvas board (``bpdash.ui.board``).
- ``bpdash.charts.text``: user text made literal for plotly's labels.
"""
from .network import network_figure
from .parameters import layer_parameters_heatmap, parameter_animation
from .training import (accuracy_figure, cost_figure, curve_figure, data_figure, downsample,
                       parameter_heatmap, predicted_actual_figure, surface_figure)

__all__ = ["accuracy_figure", "cost_figure", "curve_figure", "data_figure", "downsample",
           "layer_parameters_heatmap", "network_figure", "parameter_animation", "parameter_heatmap",
           "predicted_actual_figure", "surface_figure"]
