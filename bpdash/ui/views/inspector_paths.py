"""The inspector's chain rule: one weight's derivative expanded path by path as the article does
it (``bpdash.chainrule``), beside backprop's value and a finite difference.

Where the expansion stops (an output whose Jacobian is not diagonal, a layer that mixes its
inputs) a sentence says why in its place. The latest comparison is kept in
``st.session_state[RESULT]`` for the curious and for the tests: the chosen weight, the sample,
the chain-rule sum (None when refused), backprop, the finite difference, the number of paths,
the regularization term, the note on the output and the refusal ("" when none).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.chainrule import ChainRuleError, chain_rule
from bpdash.gradcheck import numeric_gradient
from .inspector_layers import MAX_ROWS, show

RESULT = "inspector_result"


def weight_layers(net) -> list[int]:
    """The layers l (1-based) whose Θ^(l) the chain rule can expand the derivative of."""
    return [l for l, op in enumerate(net.layers, start=1)
            if op.connection == "affine" and net.layout.weight[l - 1] is not None]


def _weight_choice(net, layers) -> tuple[int, int, int]:
    """(l, j, k), 1-based; k = 0 is the bias b_j^(l)."""
    a, b, c = st.columns(3)
    layer = a.selectbox("Layer l (Θ^(l) feeds layer l+1)", layers, key="inspector_layer",
                        format_func=lambda l: f"{l} ({net.specs[l - 1]['layer']})")
    j = b.selectbox(f"j: to neuron of layer {layer + 1}", range(1, net.sizes[layer] + 1), key="inspector_j")
    bias = net.layout.bias[layer - 1] is not None
    ks = range(0 if bias else 1, net.sizes[layer - 1] + 1)
    k = c.selectbox(f"k: from neuron of layer {layer}", ks, key="inspector_k", index=1 if bias else 0,
                    format_func=lambda k: "0 (the bias b_j)" if k == 0 else str(k))
    return layer, j, k


def _path_table(result) -> pd.DataFrame:
    rows = []
    for path in result.paths:
        row = {"path": " → ".join(f"{n}" for n in path.neurons)}
        for i, f in enumerate(path.factors, start=1):
            row[f"factor {i}"] = (f"{f.label} = {f.values[0]:.4g}" if len(f.values) == 1 else f.label)
        row["product" if len(path.products) == 1 else "Σ over samples of the product"] = path.value
        rows.append(row)
    return pd.DataFrame(rows)


def _paths(result, net, layer: int, j: int, sample) -> None:
    """The expansion: how many paths, the note on the output, the table of paths."""
    st.markdown(f"**{result.label}**: {result.n_paths} path(s) lead from neuron {j} of layer {layer + 1} "
                f"to the output{'s' * (net.sizes[-1] > 1)}; each multiplies the local derivatives along it"
                + (", summed over the samples." if sample is None else "."))
    if result.note:
        st.info(result.note, icon="🔗")
    if result.truncated:
        st.caption(f"Showing the first {len(result.paths)} of {result.n_paths} paths; the sum is over all of them"
                   + ("." if result.enumerated else ", added up layer by layer (the distributive law — "
                      "exactly the saving backprop makes)."))
    st.dataframe(_path_table(result), hide_index=True, key="inspector_paths")
    if sample is None and result.paths:
        with st.expander("The first path's factors, sample by sample"):
            first = result.paths[0]
            table = pd.DataFrame({f.label: f.values for f in first.factors})
            table["product"] = first.products
            show(table.set_index(pd.RangeIndex(1, len(table) + 1, name="sample")).head(MAX_ROWS),
                 "inspector_first_path")
    if result.regularization_latex:
        st.latex(rf"\frac{{\partial J}}{{\partial \theta}} = \sum_{{\text{{paths}}}} + {result.regularization_latex}"
                 rf" = {result.total:.6g} + ({result.regularization_term:.6g}) = {result.gradient:.6g}")


def render(exp, grads, X, Y, sample, context) -> None:
    """One weight, path by path, on the pass's rows X, Y (``sample``: a row of them alone, or
    None), its dropout masks replayed by ``context``; ``grads`` is backprop of the pass shown
    above (of that sample alone when one is chosen)."""
    net, c = exp.net, exp.config
    st.subheader("One weight, path by path")
    layers = weight_layers(net)
    if not layers:
        st.info("No layer of this network has weights θ_jk: there is no weight to expand the derivative of.")
        return
    layer, j, k = _weight_choice(net, layers)
    one = slice(None) if sample is None else slice(sample, sample + 1)
    by_backprop = float(grads.biases[layer - 1][j - 1] if k == 0 else grads.weights[layer - 1][j - 1, k - 1])
    numeric = numeric_gradient(net, X[one], Y[one], c.cost, layer, j, k, regularization=c.regularization,
                               reg_rate=c.reg_rate, context=None if context is None else context.take(one))
    try:
        result = chain_rule(net, X, Y, c.cost, layer, j, k, sample=sample, regularization=c.regularization,
                            reg_rate=c.reg_rate, context=context)
    except ChainRuleError as exc:
        st.session_state[RESULT] = {"weight": (layer, j, k), "sample": sample, "chain_rule": None,
                                    "backprop": by_backprop, "numeric": numeric, "paths": 0,
                                    "regularization_term": 0.0, "note": "", "refused": str(exc)}
        reason = str(exc)
        st.info(reason[:1].upper() + reason[1:], icon="🔗")
        a, b = st.columns(2)
        a.metric("backprop", f"{by_backprop:.10g}")
        b.metric("finite difference", f"{numeric:.10g}")
        return
    st.session_state[RESULT] = {"weight": (layer, j, k), "sample": sample, "chain_rule": result.total,
                                "backprop": result.backprop, "numeric": numeric, "paths": result.n_paths,
                                "regularization_term": result.regularization_term, "note": result.note,
                                "refused": ""}
    _paths(result, net, layer, j, sample)
    a, b, c = st.columns(3)
    a.metric("Σ over paths + λ term" if result.regularization_latex else "Σ over paths (chain rule)",
             f"{result.gradient:.10g}")
    b.metric("backprop (δ^(l+1))ᵀ a^(l)", f"{result.backprop:.10g}")
    c.metric("finite difference", f"{numeric:.10g}")
