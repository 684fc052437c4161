"""Widgets drawn from a setting's declaration (``bpdash.fields.Field``).

The label (with its symbol), the bounds, the step and the help of each control come from the
one place the setting is declared (``bpdash.schema``, or a plugin's own Fields), so a widget can
never allow what validation refuses, or say something else. A widget's value is set through
session state (``widgets.default``), never by ``value=``.
"""
from __future__ import annotations

import streamlit as st

from bpdash.fields import Field

from .widgets import choose


def _bound(field: Field, value):
    if value is None:
        return None
    return int(value) if field.kind == "int" else float(value)


def widget_value(field: Field, value):
    """``value`` as the number widget of ``field`` holds it (ints as int, floats as float)."""
    return int(value) if field.kind == "int" else float(value)


def number(field: Field, *, key: str | None = None, container=st, help: str | None = None,
           low=None, title: str | None = None, **options):
    """A number input over ``field``'s declared range (``low`` overrides its lower bound: the
    batch size's 0 stands for the full batch). An open bound (η > 0) is shown as the bound
    itself; validation names the value if it is chosen."""
    step = field.step if field.step is not None else (1 if field.kind == "int" else 0.01)
    return container.number_input(
        title or field.title, min_value=_bound(field, field.low if low is None else low),
        max_value=_bound(field, field.high), step=_bound(field, step),
        format=None if field.kind == "int" else "%g", key=key or field.name,
        help=field.help if help is None else help, **options)


def slider(field: Field, *, key: str | None = None, container=st, **options):
    """A slider over the part of ``field``'s range it declares for one (``Field.slider``)."""
    low, high = field.slider or (field.low, field.high)
    return container.slider(field.title, _bound(field, low), _bound(field, high), step=_bound(field, field.step),
                            key=key or field.name, help=field.help, **options)


def select(field: Field, options, *, key: str | None = None, container=st, help: str | None = None,
           title: str | None = None, **extra):
    """A select box of ``options`` (a choice field's choices, or a plugin table's names), shown
    by their declared labels."""
    return container.selectbox(title or field.title, list(options), key=key or field.name,
                               format_func=field.choice_label, help=field.help if help is None else help,
                               **extra)


def checkbox(field: Field, *, key: str | None = None, container=st, title: str | None = None, **options):
    return container.checkbox(title or field.title, key=key or field.name, help=field.help, **options)


def plugin_help(field: Field, table: dict) -> str:
    """The field's help, then every plugin of its registry table with its description."""
    listing = "\n".join(f"- **{name}**: {record.description or '(no description)'}"
                        for name, record in sorted(table.items()))
    return f"{field.help}\n\n{listing}" if field.help else listing


def setting(field: Field, registry, *, key: str, container=st, **options):
    """The widget ``field``'s kind calls for: a number input, a select box of its choices or of
    the plugins it may name (``registry``), a checkbox or a text input. Its value must already
    be in session state under ``key`` (a select box's is put back among its options). ``title``
    replaces the declared label (a layer row names its layer: "Layer 2 neurons")."""
    if field.kind in ("int", "float"):
        return number(field, key=key, container=container, **options)
    if field.kind == "bool":
        return checkbox(field, key=key, container=container, **options)
    if field.kind in ("plugin", "choice"):
        table = field.plugins(registry) if field.kind == "plugin" else None
        names = sorted(table) if table is not None else list(field.choices)
        choose(key, names, field.default)
        return select(field, names, key=key, container=container, **options,
                      help=plugin_help(field, table) if table is not None else None)
    title = options.pop("title", None) or field.title
    return container.text_input(title, key=key, help=field.help, max_chars=64, **options)
