"""Predictions view: the decision surface for 2-D inputs, the fitted curve for 1-D inputs, and
predicted against actual otherwise; plus the data alone (scatter, line or table).

With one output per class (a softmax over k classes) the 2-D surface shows every class at once:
each point of the plane in the colour of the class the network gives it, paler where it is less
sure (``bpdash.charts.classes``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from bpdash import surface
from bpdash.charts import classes
from bpdash.charts.training import curve_figure, data_figure, predicted_actual_figure, surface_figure

from .. import points
from ..text import plain

RESOLUTION = 100  # the surface smooth at the chart's size, the boundary without steps
TABLE_ROWS = 200


def _output(data) -> int:
    """Which output to draw (a picker appears when the network has several)."""
    if data.n_outputs == 1:
        return 0
    names = list(data.target_names)
    name = st.selectbox("Output", names, key="predictions_output")
    return names.index(name)


def _test(data, show_test: bool):
    """(X_test, Y_test), or empty ones when the test points are switched off."""
    return (data.X_test, data.Y_test) if show_test else (data.X_test[:0], data.Y_test[:0])


def _surface(exp, o: int, show_test: bool, discrete: bool):
    data = exp.data
    X = np.vstack([data.X_train, data.X_test])
    xs, ys, P = surface.prediction_grid(exp.net, X, RESOLUTION, output=o, transform=exp.transform)
    X_test, Y_test = _test(data, show_test)
    return surface_figure(xs, ys, P, data.X_train, data.Y_train[:, [o]], X_test, Y_test[:, [o]],
                          classification=data.task == "classification", names=data.feature_names,
                          output_name=f"a<sub>{o + 1}</sub>", discrete=discrete)


def _class_surface(exp, show_test: bool, discrete: bool):
    data = exp.data
    X = np.vstack([data.X_train, data.X_test])
    xs, ys, C, P = surface.class_grid(exp.net, X, RESOLUTION, transform=exp.transform)
    X_test, Y_test = _test(data, show_test)
    return classes.surface_figure(xs, ys, C, P, data.X_train, data.Y_train, X_test, Y_test,
                                  class_names=data.class_names, names=data.feature_names, discrete=discrete)


def _curve(exp, o: int, show_test: bool):
    data = exp.data
    x, y = surface.fitted_curve(exp.net, np.vstack([data.X_train, data.X_test]), output=o)
    X_test, Y_test = _test(data, show_test)
    return curve_figure(x, y, data.X_train, data.Y_train[:, [o]], X_test, Y_test[:, [o]],
                        names=(data.feature_names[0], data.target_names[o]))


def _scatter(exp, o: int):
    data = exp.data
    P_train, P_test = (surface.predictions(exp.net, exp.inputs(data.X_train)),
                       surface.predictions(exp.net, exp.inputs(data.X_test)))
    return predicted_actual_figure(data.Y_train[:, o], P_train[:, o], data.Y_test[:, o], P_test[:, o],
                                   output_name=data.target_names[o])


def _data(data) -> None:
    if data.n_features == 2 and data.one_hot:
        figure = classes.data_figure(data.X_train, data.Y_train, data.X_test, data.Y_test,
                                     class_names=data.class_names, names=data.feature_names)
    else:
        figure = data_figure(data.X_train, data.Y_train, data.X_test, data.Y_test,
                             names=data.feature_names, target=data.target_names[0])
    if figure is not None:
        st.plotly_chart(figure, key="data_chart")
        return
    columns = list(data.feature_names) + list(data.target_names)
    rows = np.hstack([data.X_train, data.Y_train])[:TABLE_ROWS]
    st.dataframe(pd.DataFrame(rows, columns=columns), key="data_table", height=320)
    st.caption(f"The first {min(TABLE_ROWS, data.n_train)} of {data.n_train} training rows.")


def _toggles(data, per_class: bool) -> tuple[bool, bool]:
    """"Show test data" and, for a classification surface, "Discretize output"."""
    st.session_state.setdefault("predictions_show_test", True)
    left, right = st.columns(2)
    show_test = left.toggle("Show test data", key="predictions_show_test", disabled=not data.n_test)
    discrete = False
    if data.n_features == 2 and data.task == "classification":
        discrete = right.toggle("Discretize output", key="predictions_discretize",
                                help="Colour the plane by the predicted class alone, not shaded by how sure "
                                     "the network is." if per_class else
                                     "Colour the plane by the predicted class (a ≥ ½) instead of by a.")
    return show_test, discrete


def render(exp, registry) -> None:
    """What the network predicts, on top of the data it learns from; and editing the data."""
    data = exp.data
    points.editor(data)
    if st.toggle("Show the data alone", key="predictions_data_only"):
        _data(data)
        return
    per_class = data.n_features == 2 and data.one_hot
    o = 0 if per_class else _output(data)  # every class at once: no output to choose
    show_test, discrete = _toggles(data, per_class)
    if per_class:
        figure = _class_surface(exp, show_test, discrete)
        st.caption(f"Each point of the plane has the colour of the class the network gives it (the largest "
                   f"output a^(L)), paler where it is less sure: from its strongest shade at a = 1 to nearly "
                   f"white at a = 1/{data.n_classes}, a guess among {data.n_classes} classes.")
    elif data.n_features == 2:
        figure = _surface(exp, o, show_test, discrete)
    elif data.n_features == 1:
        figure = _curve(exp, o, show_test)
    else:
        figure = _scatter(exp, o)
    st.plotly_chart(figure, key="predictions_chart")
    st.caption(f"{plain(data.name)}: {data.n_train} training rows (●) and {data.n_test} test rows (×"
               f"{'' if show_test else ', hidden'}), {data.task}.")
