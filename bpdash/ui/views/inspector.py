"""Backprop inspector: the forward pass, the δs and ∂J/∂Θ as numbers beside the formulas, and
one weight's derivative expanded path by path as the article does it.

The latest comparison for the chosen weight is kept in ``st.session_state["inspector_result"]``
(chain-rule sum, backprop, finite difference), for the curious and for the tests.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.chainrule import chain_rule
from bpdash.gradcheck import numeric_gradient

RESULT = "inspector_result"
PENDING = "inspector_preset_pending"
MAX_ROWS = 100  # samples shown in the per-layer tables

# The article's networks, as values for the sidebar's widgets (keys from bpdash.ui.sidebar):
# its tiny dataset, one hidden layer, sigmoid everywhere, squared error. The rest stays.
PRESETS = {"1-1-1": ("article_1_1_1", 1), "2-2-2": ("article_2_2_2", 2)}  # dataset, hidden units
PRESET_COMMON = {"data_source": "Generated", "output_activation": "sigmoid", "output_was": "sigmoid",
                 "cost": "squared_error"}


def load_preset(name: str) -> None:
    """Callback: set the sidebar to the article's ``name`` network ("1-1-1" or "2-2-2").

    The view is drawn inside the live-training fragment, so a click reruns only the fragment:
    the flag ``PENDING`` asks ``render`` for a full rerun, in which the sidebar reads these values
    and ``state.sync`` rebuilds the experiment like after any other sidebar change.
    """
    from bpdash.ui import sidebar_layers, state

    dataset, units = PRESETS[name]
    st.session_state.update({**PRESET_COMMON, "dataset": dataset})
    sidebar_layers.write([{"layer": "dense", "units": units, "activation": "sigmoid"}], state.get_registry())
    st.session_state[PENDING] = name


def _sample_choice(X) -> int | None:
    """None for the whole batch, else a row index of the training set."""
    options = [None, *range(min(len(X), 500))]
    return st.selectbox(f"Samples (m = {len(X)} training rows)", options, key="inspector_sample",
                        format_func=lambda i: "the whole batch" if i is None
                        else f"sample {i + 1}: x = ({', '.join(f'{v:.3g}' for v in X[i])})")


def _layer_table(grads, l: int) -> pd.DataFrame:
    """Columns z_j, a_j, δ_j of layer l (a only for the input) for up to MAX_ROWS samples."""
    A = grads.activations[l - 1][:MAX_ROWS]
    columns = {}
    for j in range(A.shape[1]):
        if l > 1:
            columns[f"z_{j + 1}^({l})"] = grads.zs[l - 2][:MAX_ROWS, j]
        columns[f"a_{j + 1}^({l})"] = A[:, j]
        if l > 1:
            columns[f"δ_{j + 1}^({l})"] = grads.deltas[l - 2][:MAX_ROWS, j]
    return pd.DataFrame(columns, index=pd.RangeIndex(1, len(A) + 1, name="sample"))


def _show(table: pd.DataFrame, key: str) -> None:
    """A table of numbers, 4 significant digits."""
    st.dataframe(table.style.format("{:.4g}"), key=key)


def _gradient_table(grads, l: int, bias: bool) -> pd.DataFrame:
    """∂J/∂Θ^(l) with rows j (to layer l+1) and columns k (from layer l), and ∂J/∂b^(l)."""
    dW = grads.weights[l - 1]
    table = pd.DataFrame(dW, index=[f"j={j}" for j in range(1, dW.shape[0] + 1)],
                         columns=[f"k={k}" for k in range(1, dW.shape[1] + 1)])
    if bias:
        table["b"] = grads.biases[l - 1]
    return table


def _output_formula(exp, registry, fused: bool) -> None:
    L = exp.net.n_layers
    cost = registry.costs.get(exp.config.cost)
    if cost is not None and cost.latex:
        st.latex(cost.latex)
    if fused:
        st.latex(rf"\delta^{{({L})}} = \frac{{\partial J}}{{\partial z^{{({L})}}}} \quad"
                 r"\text{(the cost and the output activation fused: for cross-entropy after a sigmoid, }"
                 rf"(a^{{({L})}} - y)/m\text{{)}}")
    else:
        st.latex(rf"\delta^{{({L})}} = \frac{{\partial J}}{{\partial a^{{({L})}}}} \odot f'(z^{{({L})}})")


def _penalty_latex(config, l: int) -> str:
    """The regularization's term of ∂J/∂Θ^(l) (biases get none), or ""."""
    if config.regularization == "none" or config.reg_rate == 0:
        return ""
    return (rf" + \lambda\,\Theta^{{({l})}}" if config.regularization == "l2"
            else rf" + \lambda\,\mathrm{{sign}}(\Theta^{{({l})}})")


def _regularization(config) -> None:
    """The regularized cost, when there is a penalty."""
    if not _penalty_latex(config, 1):
        return
    R = (r"\frac{\lambda}{2}\sum_l \sum_{jk} (\theta_{jk}^{(l)})^2" if config.regularization == "l2"
         else r"\lambda \sum_l \sum_{jk} |\theta_{jk}^{(l)}|")
    st.latex(rf"J(\theta) = J_{{\text{{data}}}}(\theta) + {R}, \quad \lambda = {config.reg_rate:g}"
             r"\quad\text{(biases are not regularized)}")


def _forward_and_backward(exp, registry, X, Y, fused: bool) -> None:
    net = exp.net
    c = exp.config
    grads = net.backprop(X, Y, c.cost, c.regularization, c.reg_rate)
    st.subheader("Forward pass, δ and ∂J/∂Θ, layer by layer")
    st.caption(f"J = {grads.cost:.6g} on {len(X)} sample(s)" + (f"; tables show the first {MAX_ROWS}"
                                                                  if len(X) > MAX_ROWS else ""))
    _regularization(c)
    for l in range(1, net.n_layers):
        with st.expander(f"Layer {l} → {l + 1}", expanded=net.n_layers <= 4):
            if l == 1:
                st.latex(r"a^{(1)} = x")
                _show(_layer_table(grads, 1), "inspector_layer_1")
            st.latex(rf"z^{{({l + 1})}} = a^{{({l})}}\,\Theta^{{({l})\top}}"
                     + (rf" + b^{{({l})}}" if net.bias else "") + rf", \quad a^{{({l + 1})}} = f(z^{{({l + 1})}})")
            if l + 1 == net.n_layers:
                _output_formula(exp, registry, fused)
            else:
                st.latex(rf"\delta^{{({l + 1})}} = (\delta^{{({l + 2})}}\,\Theta^{{({l + 1})}})"
                         rf" \odot f'(z^{{({l + 1})}})")
            _show(_layer_table(grads, l + 1), f"inspector_layer_{l + 1}")
            st.latex(rf"\frac{{\partial J}}{{\partial \Theta^{{({l})}}}} = (\delta^{{({l + 1})}})^\top a^{{({l})}}"
                     + _penalty_latex(c, l) + (rf", \quad \frac{{\partial J}}{{\partial b^{{({l})}}}} = \sum_i \delta_i^{{({l + 1})}}"
                        if net.bias else ""))
            _show(_gradient_table(grads, l, net.bias), f"inspector_grad_{l}")


def _weight_choice(net) -> tuple[int, int, int]:
    """(l, j, k), 1-based; k = 0 is the bias b_j^(l)."""
    a, b, c = st.columns(3)
    layer = a.selectbox("Layer l (Θ^(l) feeds layer l+1)", range(1, net.n_layers), key="inspector_layer")
    j = b.selectbox(f"j: to neuron of layer {layer + 1}", range(1, net.sizes[layer] + 1), key="inspector_j")
    ks = range(0 if net.bias else 1, net.sizes[layer - 1] + 1)
    k = c.selectbox(f"k: from neuron of layer {layer}", ks, key="inspector_k", index=1 if net.bias else 0,
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


def _chain_rule(exp, X, Y, sample) -> None:
    net = exp.net
    st.subheader("One weight, path by path")
    layer, j, k = _weight_choice(net)
    c = exp.config
    result = chain_rule(net, X, Y, c.cost, layer, j, k, sample=sample, regularization=c.regularization,
                        reg_rate=c.reg_rate)
    numeric = numeric_gradient(net, X if sample is None else X[sample:sample + 1],
                               Y if sample is None else Y[sample:sample + 1], c.cost, layer, j, k,
                               regularization=c.regularization, reg_rate=c.reg_rate)
    st.session_state[RESULT] = {"weight": (layer, j, k), "sample": sample, "chain_rule": result.total,
                                "backprop": result.backprop, "numeric": numeric, "paths": result.n_paths,
                                "regularization_term": result.regularization_term}
    st.markdown(f"**{result.label}**: {result.n_paths} path(s) lead from neuron {j} of layer {layer + 1} "
                f"to the output{'s' * (net.sizes[-1] > 1)}; each multiplies the local derivatives along it"
                + (", summed over the samples." if sample is None else "."))
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
            _show(table.set_index(pd.RangeIndex(1, len(table) + 1, name="sample")).head(MAX_ROWS),
                  "inspector_first_path")
    if result.regularization_latex:
        st.latex(rf"\frac{{\partial J}}{{\partial \theta}} = \sum_{{\text{{paths}}}} + {result.regularization_latex}"
                 rf" = {result.total:.6g} + ({result.regularization_term:.6g}) = {result.gradient:.6g}")
    a, b, c = st.columns(3)
    a.metric("Σ over paths + λ term" if result.regularization_latex else "Σ over paths (chain rule)",
             f"{result.gradient:.10g}")
    b.metric("backprop (δ^(l+1))ᵀ a^(l)", f"{result.backprop:.10g}")
    c.metric("finite difference", f"{numeric:.10g}")


def _presets() -> None:
    st.caption("Load one of the article's networks (sigmoid, squared error, its tiny dataset):")
    a, b = st.columns(2)
    a.button("The article's 1-1-1 network", key="inspector_preset_111", on_click=load_preset, args=("1-1-1",))
    b.button("The article's 2-2-2 network", key="inspector_preset_222", on_click=load_preset, args=("2-2-2",))


def render(exp, registry) -> None:
    """The inspector for the current network on its training data."""
    st.header("Backprop inspector")
    if st.session_state.pop(PENDING, None):
        st.rerun(scope="app")
    _presets()
    net, trainer = exp.net, exp.trainer
    st.caption(f"{net.describe()}, cost {exp.config.cost}, epoch {trainer.epoch}. "
               "Rows are samples; δ = ∂J/∂z (the article's δ has the opposite sign).")
    sample = _sample_choice(trainer.X)
    X, Y = (trainer.X, trainer.Y) if sample is None else (trainer.X[sample:sample + 1], trainer.Y[sample:sample + 1])
    record = registry.costs.get(exp.config.cost)
    fused = record is not None and record.link == net.activation_names[-1]
    _forward_and_backward(exp, registry, X, Y, fused)
    _chain_rule(exp, trainer.X, trainer.Y, sample)
