"""The inspector's forward and backward pass, layer by layer: each layer's own formulas
(``LayerOp.formulas``), its z, a and δ as numbers, what it drew in the pass (dropout's mask), and
∂J/∂(each of its parameters), all from one ``Network.backprop``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from bpdash import backprop
from bpdash.regularization import active

MAX_ROWS = 100  # samples shown in the per-layer tables


def show(table: pd.DataFrame, key: str) -> None:
    """A table of numbers, 4 significant digits."""
    st.dataframe(table.style.format("{:.4g}"), key=key)


def _samples(index) -> pd.Index:
    """The tables' row labels: training-set row numbers (1-based) of the shown samples."""
    return pd.Index([int(i) + 1 for i in index[:MAX_ROWS]], name="sample")


def _layer_table(grads, l: int, index) -> pd.DataFrame:
    """Columns z_j, a_j, δ_j of layer l (a only for the input) for up to MAX_ROWS samples."""
    A = grads.activations[l - 1][:MAX_ROWS]
    columns = {}
    for j in range(A.shape[1]):
        if l > 1:
            columns[f"z_{j + 1}^({l})"] = grads.zs[l - 2][:MAX_ROWS, j]
        columns[f"a_{j + 1}^({l})"] = A[:, j]
        if l > 1:
            columns[f"δ_{j + 1}^({l})"] = grads.deltas[l - 2][:MAX_ROWS, j]
    return pd.DataFrame(columns, index=_samples(index))


def _gradient_tables(op, gradients) -> list[pd.DataFrame]:
    """∂J/∂(each parameter of layer l): a matrix with rows j (to layer l+1) and columns k (from
    layer l); a vector as a column, beside the table before it when it has as many rows (b
    beside Θ, β beside γ)."""
    tables = []
    for parameter, g in zip(op.parameters, gradients):
        name = parameter.symbol or parameter.name
        if g.ndim == 2:
            tables.append(pd.DataFrame(g, index=[f"j={j}" for j in range(1, len(g) + 1)],
                                       columns=[f"k={k}" for k in range(1, g.shape[1] + 1)]))
        elif tables and g.ndim == 1 and len(g) == len(tables[-1]) and name not in tables[-1]:
            tables[-1][name] = g
        else:  # a vector of its own (or an array of another shape, entry by entry)
            flat = np.ravel(g)
            tables.append(pd.DataFrame({name: flat}, index=[f"j={j}" for j in range(1, flat.size + 1)]))
    return tables


def _mask(op, drawn, layer: int, index) -> None:
    """What the layer drew in this pass (dropout: r/(1 − p) per sample and unit), with its note."""
    st.markdown(f"**Drawn in this training pass** (layer {layer}):")
    for n, array in enumerate(drawn):
        if array.ndim == 2 and array.shape[1] == op.n_out:
            table = pd.DataFrame(array[:MAX_ROWS], index=_samples(index),
                                 columns=[op.draws_label(layer, j) for j in range(1, op.n_out + 1)])
            show(table, f"inspector_drawn_{layer}_{n}")
        else:
            st.caption(f"an array of shape {array.shape}")
    note = op.draws_note(layer, drawn)
    if note:
        st.caption(note)


def _penalty_latex(config, l: int) -> str:
    """The regularization's term of ∂J/∂Θ^(l) (biases get none), or ""."""
    if not active(config.regularization, config.reg_rate):
        return ""
    return (rf"\lambda\,\Theta^{{({l})}}" if config.regularization == "l2"
            else rf"\lambda\,\mathrm{{sign}}(\Theta^{{({l})}})")


def _regularization(config) -> None:
    """The regularized cost, when there is a penalty."""
    if not _penalty_latex(config, 1):
        return
    R = (r"\frac{\lambda}{2}\sum_l \sum_{jk} (\theta_{jk}^{(l)})^2" if config.regularization == "l2"
         else r"\lambda \sum_l \sum_{jk} |\theta_{jk}^{(l)}|")
    st.latex(rf"J(\theta) = J_{{\text{{data}}}}(\theta) + {R}, \quad \lambda = {config.reg_rate:g}"
             r"\quad\text{(biases and a layer's own parameters are not regularized)}")


def _delta(net, record, l: int, formulas: dict) -> None:
    """How δ^(l+1) comes about: the output's from the cost, a hidden layer's from what the layer
    above hands back."""
    L, op = net.n_layers, net.layers[l - 1]
    if l + 1 == L:
        if record.latex:
            st.latex(record.latex)
        if backprop.links(record, op):
            st.latex(rf"\delta^{{({L})}} = \frac{{\partial J}}{{\partial z^{{({L})}}}} = \frac{{a^{{({L})}} - y}}{{m}}"
                     r"\quad\text{(the cost and the output function taken together)}")
            return
    if "delta" in formulas:
        st.latex(formulas["delta"])
    if l + 1 < L:
        above = net.layers[l]
        st.caption(f"∂J/∂a^({l + 1}) is what layer {l + 1} → {l + 2} ({net.specs[l]['layer']}) hands back in the "
                   "backward pass" + (f": δ^({l + 2}) Θ^({l + 1})." if above.connection == "affine" else
                                      f": δ^({l + 2}) itself." if above.connection == "identity" else
                                      ", by that layer's own backward."))


def _gradients(net, grads, config, l: int, formulas: dict) -> None:
    op = net.layers[l - 1]
    if "gradients" in formulas:
        st.latex(formulas["gradients"])
    penalty = _penalty_latex(config, l) if net.layout.weight[l - 1] is not None else ""
    if penalty:
        st.latex(rf"\text{{plus the penalty's term: }} \frac{{\partial R}}{{\partial \Theta^{{({l})}}}} = {penalty}")
    for n, table in enumerate(_gradient_tables(op, grads.params[l - 1])):
        show(table, f"inspector_grad_{l}_{n}")


def render(net, grads, record, config, index) -> None:
    """Every layer l → l+1 of ``net`` in one expander: its formulas, what it drew, the table of
    layer l+1 and its parameters' gradients. ``grads`` is the pass's ``Network.backprop``,
    ``index`` the training-set rows of its samples."""
    _regularization(config)
    for l in range(1, net.n_layers):
        op, kind = net.layers[l - 1], net.specs[l - 1]["layer"]
        with st.expander(f"Layer {l} → {l + 1}: {kind}", expanded=net.n_layers <= 4):
            if l == 1:
                st.latex(r"a^{(1)} = x")
                show(_layer_table(grads, 1, index), "inspector_layer_1")
            formulas = op.formulas(l)
            if "forward" in formulas:
                st.latex(formulas["forward"])
            drawn = grads.context.drawn(l - 1) if grads.context is not None else []
            if drawn:
                _mask(op, drawn, l + 1, index)
            _delta(net, record, l, formulas)
            show(_layer_table(grads, l + 1, index), f"inspector_layer_{l + 1}")
            _gradients(net, grads, config, l, formulas)
