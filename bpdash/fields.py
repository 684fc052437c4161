"""A setting, declared once: its type, default, bounds or choices, and how people see it.

Every setting bpdash exposes is a ``Field``: the experiment config's fields, a layer type's
settings, an optimizer's hyperparameters. From the one declaration come the check of a value
and its message (``problem``), its text in links and on the command line (``text`` and
``parse``, exact round trips), and what a widget needs (``label``, ``help``, the bounds,
``step``, the choices). A field that names a plugin (``plugin="activations"``) is checked for
form here and against a registry by ``registry_problem``: which plugins exist differs between
installations.

A list field (``items=n``) holds up to n values, each under the same rules (the hidden layers'
sizes, say); its text is the values joined by commas. A list may follow another list's length
(``follows``: one activation per hidden layer), or be a set of choices (``distinct``: kept in the
order of ``choices``).

A "params" field holds the settings a plugin declares for itself (an optimizer's
``hyperparameters``): a ``Settings`` mapping of their names to values. Its form is checked here;
the names and values against the plugin's own declarations by ``bpdash.config``.

A "specs" field holds a layer stack: a list of layer specs, each checked against its layer
type's own Fields (see ``bpdash.stack_field``, which holds that kind's checks and text form).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

KINDS = ("int", "float", "bool", "text", "choice", "plugin", "params", "specs")
MAX_TEXT = 64        # a name (plugin, choice) is at most this long
MAX_SETTINGS = 32    # entries of a params field
SHOWN = 40           # characters of a bad value quoted back in a message
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def show(value) -> str:
    """``repr(value)`` cut short: a message must not echo 10,000 characters back."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


def words(parts) -> str:
    """"a", "a and b", "a, b and c": a list in a sentence."""
    parts = [str(p) for p in parts]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class Settings(Mapping):
    """A read-only mapping of setting names to values (a plugin's own settings in a config):
    hashable and picklable, so a frozen config holding it stays frozen; equal to any mapping with
    the same items, a plain dict included."""

    __slots__ = ("_items",)

    def __init__(self, items=()):
        self._items = dict(items)

    def __getitem__(self, name):
        return self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __hash__(self):
        return hash(frozenset(self._items.items()))

    def __repr__(self):
        return f"Settings({self._items!r})"

    def __reduce__(self):
        return Settings, (self._items,)


@dataclass(frozen=True)
class Field:
    """One setting.

    - ``name``: its key in configs, links and specs; ``kind``: one of KINDS ("int", "float",
      "bool", "text", "choice" from ``choices``, "plugin" naming a record of the registry table
      ``plugin``, e.g. "activations").
    - ``default``; ``optional``: None is allowed too (e.g. "no target cost"), written
      ``none_text`` in links.
    - Numbers: ``low`` ≤ value ≤ ``high`` (either may be None: unbounded), ``low_open`` /
      ``high_open`` exclude the bound itself (η > 0). −0.0 counts as 0, and as below an open
      bound at 0.
    - ``items``: a list field of at most ``items`` values;
      ``follows``: the list field whose length it takes (a single value given for it stands for
      every entry); ``distinct``: a list of distinct choices, kept in the order of ``choices``.
    - "params" (a plugin's own settings): ``plugin`` the registry table, ``of`` the field naming
      the plugin, ``settings`` the record attribute declaring its Fields, ``prefix`` what
      precedes a setting's name in flat ``name=value`` form (``opt_`` + ``momentum``).
    - "plugin" naming a record of more than one table: ``table`` is a function of the registry
      giving the names it may take (name → record); ``plugin`` names them in messages.
    - "specs" (a layer stack): ``items`` the most layers, ``high`` the most units of any layer,
      ``unit_layers`` the most layers with units of their own (see ``bpdash.stack_field``).
    - People: ``label``, ``symbol`` (η, ε, λ: shown with the label), ``help``, ``step`` (a
      widget's increment), ``choice_labels`` (one per choice, for a menu), ``slider`` ((low,
      high): shown as a slider over that part of the range), ``group`` (which part of the page
      or config it belongs to), ``sweep`` (whether a sweep may vary it), ``log`` (it spans
      orders of magnitude: sweeps space its values geometrically).
    """

    name: str
    kind: str
    default: Any
    label: str = ""
    help: str = ""
    symbol: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    plugin: str = ""
    optional: bool = False
    none_text: str = "none"
    items: int = 0
    step: float | None = None
    group: str = ""
    sweep: bool = False
    follows: str = ""
    distinct: bool = False
    of: str = ""
    settings: str = ""
    prefix: str = ""
    choice_labels: tuple = ()
    slider: tuple = ()
    log: bool = False
    table: Callable | None = None
    unit_layers: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r}: a choice field needs choices")
        if self.kind == "plugin" and not self.plugin:
            raise ValueError(f"field {self.name!r}: a plugin field needs the registry table it names")
        if self.kind == "params" and not (self.plugin and self.of and self.settings):
            raise ValueError(f"field {self.name!r}: a params field needs plugin, of and settings")
        if self.kind == "specs" and not self.items:
            raise ValueError(f"field {self.name!r}: a layer stack needs its most layers (items)")
        if self.choice_labels and len(self.choice_labels) != len(self.choices):
            raise ValueError(f"field {self.name!r}: give one label per choice")
        problem = self.problem(self.default)
        if problem:
            raise ValueError(f"field {self.name!r}: its default {self.default!r} {problem}")

    # -- checking ---------------------------------------------------------------------------

    def problem(self, value) -> str | None:
        """What is wrong with ``value`` for this field (a phrase such as "must be between 1 and
        128, got 500"), or None when it is valid."""
        if value is None:
            return None if self.optional else f"must be {self._expected()}, got None"
        if self.kind == "params":
            return self._params_problem(value)
        if self.kind == "specs":
            from . import stack_field

            return stack_field.form_problem(self, value)
        if not self.items:
            return self._item_problem(value)
        if not isinstance(value, (list, tuple)):
            return f"must be a list, got {show(value)}"
        if len(value) > self.items:
            return f"must have at most {self.items} entries, got {len(value)}"
        problems = [f"entry {i + 1} {p}" for i, p in enumerate(map(self._item_problem, value)) if p]
        if problems:  # every bad entry at once, not one per attempt
            return "; ".join(problems[:4]) + ("; …" if len(problems) > 4 else "")
        if self.distinct and len(set(value)) != len(value):
            return f"names {show(next(v for v in value if list(value).count(v) > 1))} twice"
        return None

    def _expected(self) -> str:
        return {"int": "a whole number", "float": "a finite number", "bool": "true or false",
                "text": "a short text", "choice": f"one of {', '.join(map(str, self.choices))}",
                "plugin": "a plugin name", "params": "a mapping of setting names to values",
                "specs": "a list of layer specs"}[self.kind]

    def _params_problem(self, value) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be {self._expected()}, got {show(value)}"
        if len(value) > MAX_SETTINGS:
            return f"must have at most {MAX_SETTINGS} entries, got {len(value)}"
        for name, item in value.items():
            if not isinstance(name, str) or not name.isidentifier() or len(name) > MAX_TEXT:
                return f"has a setting name that is no name: {show(name)}"
            if isinstance(item, str):
                bad = not item.strip() or len(item) > MAX_TEXT
            else:
                bad = not isinstance(item, (bool, int, float)) or not _finite(item)
            if bad:
                return f"{name} must be a finite number, true or false or a short text, got {show(item)}"
        return None

    def _item_problem(self, value) -> str | None:
        kind = self.kind
        if kind == "bool":
            return None if isinstance(value, bool) else f"must be true or false, got {show(value)}"
        if kind == "choice":
            return None if value in self.choices else f"must be one of {', '.join(map(str, self.choices))}, got {show(value)}"
        if kind in ("text", "plugin"):
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                return f"must be {self._expected()} (at most {MAX_TEXT} characters), got {show(value)}"
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind == "int" and not isinstance(value, int)):
            return f"must be {self._expected()}, got {show(value)}"
        if not _finite(value):
            return f"must be a finite number, got {show(value)}"
        return self._range_problem(value)

    def _range_problem(self, value) -> str | None:
        low_bad = self.low is not None and (value < self.low or (self.low_open and value == self.low))
        high_bad = self.high is not None and (value > self.high or (self.high_open and value == self.high))
        if low_bad or high_bad:
            return f"must be {self.bounds()}, got {show(value)}"
        return None

    def bounds(self) -> str:
        """The allowed range in words: "between 1 and 128", "> 0 and ≤ 100", "≥ 0"."""
        low = None if self.low is None else f"{'>' if self.low_open else '≥'} {_number_text(self.low)}"
        high = None if self.high is None else f"{'<' if self.high_open else '≤'} {_number_text(self.high)}"
        if low and high and not self.low_open and not self.high_open:
            return f"between {_number_text(self.low)} and {_number_text(self.high)}"
        return " and ".join(part for part in (low, high) if part) or "any number"

    def normal(self, value):
        """``value`` in the one form configs hold and compare: lists as tuples, a distinct list
        in the order of ``choices``, −0.0 as 0.0 (ε = −0 would draw from [0, −0]), a params
        mapping as ``Settings``. A value with a problem comes back as it is."""
        if value is None or self.problem(value):
            return value
        if self.kind == "params":
            return Settings(value)
        if self.kind == "specs":
            from . import stack_field

            return stack_field.normal(value)
        if self.items:
            items = tuple(self._normal_item(v) for v in value)
            return tuple(c for c in self.choices if c in items) if self.distinct else items
        return self._normal_item(value)

    def _normal_item(self, value):
        return 0.0 if self.kind == "float" and value == 0 else (float(value) if self.kind == "float" else value)

    def plugins(self, registry) -> dict:
        """For a plugin field: the names it may take in ``registry``, name → record."""
        return self.table(registry) if self.table is not None else getattr(registry, self.plugin)

    def registry_problem(self, value, registry) -> str | None:
        """For a plugin field: which of ``value``'s names the registry lacks; for a layer stack,
        what its layer types refuse; else None."""
        if self.kind == "specs" and value is not None:
            from . import stack_field

            return stack_field.registry_problem(self, value, registry)
        if self.kind != "plugin" or value is None:
            return None
        table = self.plugins(registry)
        names = value if self.items else (value,)
        missing = [name for name in names if name not in table]
        if not missing:
            return None
        return f"unknown {self.plugin[:-1]} {show(missing[0])}; choose one of {', '.join(sorted(table))}"

    # -- text (links, command line) ---------------------------------------------------------

    def text(self, value, registry=None) -> str:
        """``value`` as text that ``parse`` reads back exactly (floats by repr). A layer stack is
        written in its types' declared order of settings when ``registry`` is given."""
        if value is None:
            return self.none_text
        if self.kind == "specs":
            from . import stack_field

            return stack_field.text(value, registry)
        if self.kind == "params":
            return ",".join(f"{name}={self._item_text(v)}" for name, v in value.items())
        if self.items:
            return ",".join(self._item_text(v) for v in value) or "none"
        return self._item_text(value)

    @staticmethod
    def _item_text(value) -> str:
        return value_text(value)

    def parse(self, text: str, registry=None):
        """The value ``text`` stands for; ValueError saying why when it stands for none. The
        result is not range-checked: ``problem`` does that. A layer stack needs the ``registry``
        (which settings each type has) and is checked against it as it is read."""
        text = str(text).strip()
        if self.optional and text.lower() in (self.none_text.lower(), "none", ""):
            return None
        if self.kind == "specs":
            from . import stack_field

            return stack_field.parse(self, text, registry)
        if self.kind == "params":
            return Settings(_setting(item) for item in text.split(",") if item.strip())
        if self.items:
            if text.lower() == "none":
                return ()
            return tuple(self._parse_item(item.strip()) for item in text.split(",") if item.strip())
        return self._parse_item(text)

    def _parse_item(self, text: str):
        if self.kind == "bool":
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise ValueError(f"{show(text)} is not true or false")
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{show(text)} is not a whole number") from None
        if self.kind == "float":
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{show(text)} is not a number") from None
            return 0.0 if value == 0 else value  # −0 is 0
        if self.kind == "choice":
            for choice in self.choices:  # choices may be numbers
                if str(choice) == text:
                    return choice
            raise ValueError(f"{show(text)} is not one of {', '.join(map(str, self.choices))}")
        return text

    # -- people -------------------------------------------------------------------------------

    def choice_label(self, choice) -> str:
        """How a menu shows ``choice``: its label, else the choice itself."""
        labels = dict(zip(self.choices, self.choice_labels))
        return str(labels.get(choice, choice))

    @property
    def title(self) -> str:
        """The label with its symbol, as a widget shows it: "Learning rate η"."""
        label = self.label or self.name.replace("_", " ").capitalize()
        return f"{label} {self.symbol}" if self.symbol else label


def _number_text(value) -> str:
    """A bound in words: whole numbers in full (4294967295, not 4.29497e+09), others by %g."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def value_text(value) -> str:
    """One value as text that parses back exactly: true/false, floats by repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond float range
        return False


def _setting(text: str) -> tuple:
    """``name=value`` of a params field's text: the value a number when it reads as one, else
    true/false or text (the plugin's own Field judges it)."""
    name, sep, raw = text.partition("=")
    if not sep:
        raise ValueError(f"{show(text.strip())} is not name=value")
    raw = raw.strip()
    for convert in (int, float):
        try:
            return name.strip(), convert(raw)
        except ValueError:
            pass
    lowered = raw.lower()
    return name.strip(), True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else raw
