"""Symmetry lab: equal starting weights against small random ones, trained in lockstep.

The lab (a ``bpdash.symmetry.SymmetryLab``) lives in ``st.session_state["symmetry_lab"]`` and is
rebuilt whenever the current experiment's config, its data or the chosen initializations change.
"""
from __future__ import annotations

import streamlit as st

from bpdash.charts.symmetry import cost_curves, distinct_figure
from bpdash.charts.training import parameter_heatmap
from bpdash.jobs import LabTraining
from bpdash.symmetry import SymmetryLab, hidden_layers, hidden_units, passed_on

from .. import state, work
from ..text import plain

LAB = "symmetry_lab"
MAX_EPOCHS_PER_CLICK = 2000

ARGUMENT = (
    "If every weight starts equal, every hidden neuron of a layer computes the same activation, "
    "receives the same δ and so the same update: the neurons stay copies of each other and the "
    "layer is no better than one neuron. Starting from small random values in [−ε, ε] makes them "
    "differ from the first step on, so each can learn something of its own.")

DROPOUT = (
    "Dropout is not a layer of units of its own: in training it drops each unit of the layer before "
    "it with probability p, different units in every pass, and a dropped unit gets no δ in that pass. "
    "So units that start equal can get different updates. What that does is measured below on the "
    "lab's runs, which all draw the same masks from the seed.")


def _inits(epsilon: float):
    """The (initializer, ε) pairs the controls ask for: the symmetric start, then uniform ±ε."""
    kind = st.segmented_control("Symmetric start", ["zeros", "constant"], default="zeros", required=True,
                                key="symmetry_kind")
    kind = kind or "zeros"
    value = 0.0
    if kind == "constant":
        value = st.number_input("Every weight and bias =", min_value=0.0, max_value=10.0, value=0.3,
                                step=0.1, key="symmetry_constant")
    return ((kind, float(value)), ("uniform", float(epsilon)))


def _lab(exp, registry, inits) -> SymmetryLab:
    """The session's lab, rebuilt when the experiment's config or data or the inits change."""
    lab = st.session_state.get(LAB)
    if lab is None or lab.config != exp.config or lab.data is not exp.data or lab.inits != inits:
        if isinstance(work.current(), LabTraining):
            work.stop("the lab was rebuilt")
        lab = SymmetryLab(exp.config, exp.data, registry, inits=inits)
        st.session_state[LAB] = lab
    return lab


SYNC_S = 0.3  # a Train click waits this long for the lab's job before the page is drawn
BARELY = 0.01  # units this much less far apart than a random start's are told to differ "barely"


def train_lab(lab: SymmetryLab, epochs: int) -> None:
    """Callback of Train: the lab's epochs as a background job (progress and Stop in the live area)."""
    job = LabTraining(lab, epochs, lock=state.lock(), alive=work.is_watched(),
                      label=f"Symmetry lab: {len(lab.runs)} networks, {epochs:,} epochs each")
    work.start(job).wait(SYNC_S)


def _controls(lab: SymmetryLab) -> None:
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    epochs = left.number_input("Epochs per click", min_value=1, max_value=MAX_EPOCHS_PER_CLICK,
                               value=50, step=10, key="symmetry_epochs")
    busy = work.current() is not None
    middle.button(f"Train {epochs} epochs", key="symmetry_train", type="primary", disabled=busy,
                  on_click=train_lab, args=(lab, int(epochs)))
    if right.button("Step 1 epoch", key="symmetry_step", disabled=busy):
        lab.step(1)


def _diagnosis(lab: SymmetryLab, diagnoses: dict) -> None:
    st.subheader("Diagnosis")
    for name, layers in diagnoses.items():
        for d in layers:
            text = f"**{name}**, layer {d.layer}: {d.message}"
            if d.kind == "broken" and d.distinct == d.units:
                st.success(text)
            elif d.kind == "broken":
                st.warning(text)
            else:
                st.error(text)
    for p in passed_on(_net(lab)):
        source = "the inputs" if p.source == 1 else f"layer {p.source}'s"
        st.caption(f"Layer {p.layer} ({p.kind}) has no weights Θ: its {p.units} units are {source}, passed on, "
                   f"so it has no line of its own here or in the chart above"
                   + ("." if p.source == 1 else f": layer {p.source}'s diagnosis stands for them."))
    if all(lab.runs[n].trainer.epoch == 0 for n in lab.runs):
        st.caption("At epoch 0 an all-zero start gives no gradient to the hidden weights yet "
                   "(Θ of the next layer is 0): train a few epochs to see what happens.")


def _net(lab: SymmetryLab):
    return next(iter(lab.runs.values())).net


def _dropout(lab: SymmetryLab, diagnoses: dict) -> None:
    """What the dropout layers did to the symmetric start, in words from the lab's own counts."""
    net = _net(lab)
    dropped = {p.source: p.layer for p in passed_on(net) if p.kind == "dropout"}
    if not dropped:
        return
    st.subheader("Dropout and symmetry")
    st.markdown(DROPOUT)
    (name, run), *others = lab.runs.items()  # the symmetric start, then the random ones
    epoch, counts = run.trainer.epoch, run.distinct
    random = {d.layer: d.spread for d in diagnoses[others[0][0]]} if others else {}
    for d in diagnoses[name]:
        at_start = int(counts[f"layer {d.layer}"].iloc[0])
        if d.layer not in dropped:
            if d.kind == "symmetric":
                st.markdown(f"- Layer {d.layer}, which no dropout follows: {d.distinct} distinct unit of {d.units} "
                            f"at epoch {epoch}. Its units see the same inputs, masked or not, and get the same δ, "
                            "so the masks do not separate them.")
            continue
        told = f"- Layer {d.layer}, whose units layer {dropped[d.layer]} drops at random, from the {name} start: "
        if d.kind == "dead":
            st.markdown(told + f"no gradient reaches it at epoch {epoch}, so the masks have nothing to make "
                        "different: a dropped zero is still zero.")
        elif d.distinct > at_start:
            told += (f"{at_start} distinct unit{'s' * (at_start != 1)} at epoch 0, {d.distinct} of {d.units} at "
                     f"epoch {epoch}: the masks broke the symmetry that the equal start made")
            if d.layer in random and d.spread < BARELY * random[d.layer]:
                st.markdown(told + f", but barely: their incoming weights differ by up to {d.spread:.2g}, against "
                            f"{random[d.layer]:.2g} in the {others[0][0]} run, so they still compute nearly the "
                            "same thing.")
            else:
                st.markdown(told + f": their incoming weights differ by up to {d.spread:.2g}.")
        elif epoch == 0:
            st.markdown(told + f"{d.distinct} distinct of {d.units} at epoch 0: train a few epochs to see "
                        "whether the masks make them differ.")
        else:
            st.markdown(told + f"still {d.distinct} distinct of {d.units} at epoch {epoch}: the masks have not "
                        "made them differ.")


def _heatmaps(lab: SymmetryLab) -> None:
    """Θ^(l) and b^(l) of every run side by side, at an epoch both runs have a snapshot of."""
    runs = list(lab.runs.values())
    epochs = sorted(set.intersection(*(set(r.trainer.snapshots.epochs) for r in runs)))
    epoch = epochs[-1] if len(epochs) == 1 else st.select_slider(
        "Weights at epoch", options=epochs, value=epochs[-1], key="symmetry_epoch")
    for i, (column, run) in enumerate(zip(st.columns(len(runs)), runs)):
        snapshot = run.trainer.snapshots.at(epoch)
        with column:
            st.markdown(f"**{run.name}**")
            for l, (W, b) in enumerate(zip(snapshot.weights, snapshot.biases), start=1):
                if W is None:
                    st.caption(_no_weights(run.net, l))
                    continue
                st.plotly_chart(parameter_heatmap(W, b, l, epoch=snapshot.epoch),
                                key=f"symmetry_heatmap_{i}_{l}")


def _no_weights(net, l: int) -> str:
    """The caption that stands for the heatmap of a layer without Θ^(l) (dropout, a layer norm)."""
    others = ", ".join(p.symbol or p.name for p in net.layers[l - 1].parameters)
    return (f"Θ^({l}): none. Layer {l + 1} ({net.specs[l - 1]['layer']}) has no weight matrix"
            + (f"; its parameters are {others}." if others else " and no parameters."))


def render(exp, registry) -> None:
    """The lab for the current experiment's data, network and settings."""
    st.header("Symmetry lab")
    st.markdown(ARGUMENT)
    cfg = exp.config
    st.caption(f"Same data ({plain(exp.data.name)}), network {'-'.join(map(str, exp.net.sizes))} "
               f"({', '.join(cfg.layer_activations())}), cost {cfg.cost}, η = {cfg.learning_rate:g}, "
               f"seed {cfg.seed}: only the initial weights differ.")
    lab = _lab(exp, registry, _inits(cfg.epsilon))
    if not hidden_layers(exp.net):
        st.info("This network has no hidden layer with weights Θ, so there is no symmetry to break. "
                "Add a hidden dense layer in the sidebar.")
        return
    _controls(lab)
    st.caption(f"Epoch {lab.epoch}.")
    st.plotly_chart(cost_curves({n: r.trainer.history for n, r in lab.runs.items()}), key="symmetry_cost")
    _heatmaps(lab)
    st.subheader("Distinct units per hidden layer")
    st.plotly_chart(distinct_figure({n: r.distinct for n, r in lab.runs.items()}, units=hidden_units(exp.net)),
                    key="symmetry_distinct")
    diagnoses = lab.diagnoses()
    _diagnosis(lab, diagnoses)
    _dropout(lab, diagnoses)
