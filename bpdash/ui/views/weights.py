"""Weights and Gradients views: a heatmap per Θ^(l) (or ∂J/∂Θ^(l)) with b^(l) beside it.

Rows are "to neuron j", columns "from neuron k": the article's θ_jk^(l). Every layer of the
stack keeps its article number (``bpdash.layer_summary``): a layer with other parameters (γ, β
of a layer norm) shows them by their symbols, one without any (dropout) a line saying what it
does. The epoch comes from
the trainer's snapshots (``trainer.snapshots.epochs`` / ``.at(epoch)``): the latest while
following training, else an epoch slider; a replay animates the kept snapshots in the browser.
"""
from __future__ import annotations

import streamlit as st

import numpy as np

from bpdash.charts.parameters import layer_parameters_heatmap, parameter_animation
from bpdash.charts.training import downsample, parameter_heatmap
from bpdash.layer_summary import summarize

from .. import edit_weights

MAX_FRAMES = 40


def _epoch(snapshots, prefix: str) -> tuple[int, bool]:
    """The epoch to show and whether to replay; follows the latest epoch unless told otherwise."""
    latest = snapshots.latest.epoch
    st.session_state.setdefault(f"{prefix}_follow", True)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    follow = left.toggle("Follow training", key=f"{prefix}_follow",
                         help="Show the latest epoch; turn off to pick an epoch or replay.")
    if follow or latest == 0:
        right.caption(f"Epoch {latest} (the latest).")
        return latest, False
    epoch = right.slider("Epoch", 0, latest, value=latest, key=f"{prefix}_epoch",
                         help="Snapshots thin out on long runs: the nearest kept epoch is shown.")
    replay = left.toggle("Replay", key=f"{prefix}_replay", help="Animate the kept snapshots (▶ under each chart).")
    return epoch, replay


def _frames(snapshots, layer, gradient: bool, part: int) -> list:
    """(epoch, arrays) of up to MAX_FRAMES kept snapshots, evenly spread, for ``layer`` (a
    ``LayerSummary``): arrays its (Θ, b) for ``part`` 0, its other parameters (γ, β) for 1."""
    epochs = [e for e in snapshots.epochs if not gradient or e > 0]
    chosen = [epochs[i] for i in downsample(len(epochs), MAX_FRAMES)]
    frames = []
    for e in chosen:
        s = snapshots.at(e)
        frames.append((s.epoch, layer.split((s.gradients if gradient else s.params)[layer.layer - 1])[part]))
    return frames


def _charts(layer, arrays, snapshots, epoch: int, replay: bool, gradient: bool, prefix: str) -> None:
    """Layer ``layer``'s charts from its ``arrays`` (parameters, or gradients) at ``epoch``: Θ^(l)
    with b^(l), its other parameters by their symbols, or a line for a layer with none."""
    l, (theta, others) = layer.layer, layer.split(arrays)
    if theta is None and not others:
        st.caption(layer.caption())
    if theta is not None:
        figure = (parameter_animation(_frames(snapshots, layer, gradient, 0), l, gradient=gradient) if replay
                  else parameter_heatmap(*theta, l, gradient=gradient, epoch=epoch, mark_zeros=not gradient))
        st.plotly_chart(figure, key=f"{prefix}_heatmap_{l}")
    if others:
        figure = (parameter_animation(_frames(snapshots, layer, gradient, 1), l, gradient=gradient,
                                      symbols=layer.symbols, kind=layer.kind) if replay
                  else layer_parameters_heatmap(others, layer.symbols, l, kind=layer.kind, gradient=gradient,
                                                epoch=epoch))
        st.plotly_chart(figure, key=f"{prefix}_others_{l}")


def _show(exp, gradient: bool) -> None:
    prefix = "grads" if gradient else "weights"
    snapshots = exp.trainer.snapshots
    epoch, replay = _epoch(snapshots, prefix)
    snap = snapshots.at(epoch)
    if gradient and snap.gradients is None:
        st.info("Gradients ∂J/∂Θ exist from epoch 1 on: press **Step** to run the first backward pass.")
        return
    if snap.epoch != epoch:
        st.caption(f"Showing the nearest kept snapshot: epoch {snap.epoch}.")
    layers = summarize(exp.net)
    arrays = snap.gradients if gradient else snap.params
    if not gradient:
        _zeros([W for W in snap.weights if W is not None])
    for layer, layer_arrays in zip(layers, arrays):
        _charts(layer, layer_arrays, snapshots, snap.epoch, replay, gradient, prefix)


ZEROS = "weights_exact_zeros"


def _zeros(weights) -> None:
    """How many weights θ are exactly 0 (L1 regularization makes them), kept in session state:
    ``weights`` are the Θ^(l) of the layers that have one."""
    n = sum(int(np.count_nonzero(W == 0)) for W in weights)
    st.session_state[ZEROS] = n
    if n:
        total = sum(W.size for W in weights)
        st.caption(f"× marks a weight that is exactly 0: {n} of {total} weights are exactly 0 "
                   "(L1 regularization drives weights there).")


def render(exp, registry) -> None:
    """Θ^(l) and b^(l), l = 1 … L−1; and setting one by hand."""
    edit_weights.editor(exp)
    st.caption(r"$\theta_{jk}^{(l)}$ connects neuron k of layer l to neuron j of layer l+1 (its 'mailing "
               "label'). Blue is positive, red negative, white zero.")
    _show(exp, gradient=False)


def render_gradients(exp, registry) -> None:
    """∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l) and ∂J/∂b^(l) of the epoch's last update."""
    st.caption(r"$\partial J/\partial\theta_{jk}^{(l)} = \sum_i \delta_{ij}^{(l+1)} a_{ik}^{(l)}$ over the "
               r"samples i: how J changes with each weight. Gradient descent moves each θ against it: "
               r"$\theta := \theta - \eta\,\partial J/\partial\theta$.")
    _show(exp, gradient=True)
