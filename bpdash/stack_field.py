"""A layer stack as a setting: the "specs" kind of ``bpdash.fields.Field``.

Its value is a list of layer specs (``bpdash.stack``): ``[{"layer": "dense", "units": 8,
"activation": "tanh"}, {"layer": "dropout", "rate": 0.2}]``. Its text, in links and on the
command line, is one item per layer, the type and then its settings' values in the order the
type declares them, all separated by colons; items by commas::

    dense:8:tanh,dropout:0.2,dense:8:tanh

Values left off at the end take their defaults (``dropout`` is dropout at its default rate);
``none`` is the empty stack. Reading the text needs the registry (which settings a type has, in
which order); checking the form of a value does not.

The field's bounds: ``items`` layers at most in all; ``high`` the most units any layer may have;
``unit_layers`` the most layers with a units setting of their own (dense layers and alike).
"""
from __future__ import annotations

from collections.abc import Mapping

from .fields import MAX_TEXT, Settings, show, value_text

TYPE_KEY = "layer"
SEPARATORS = ",:;="  # the text form's separators: no text setting of a layer may hold one
UNITS = "units"


def form_problem(field, value) -> str | None:
    """What is wrong with the form of the stack ``value`` (no registry needed), or None."""
    if not isinstance(value, (list, tuple)):
        return f"must be a list of layer specs, got {show(value)}"
    if len(value) > field.items:
        return f"must have at most {field.items} layers, got {len(value):,}"
    for i, spec in enumerate(value):
        problem = _spec_form(field, spec)
        if problem:
            return f"layer {i + 1}{_kind(spec)}: {problem}"
    return None


def _kind(spec) -> str:
    kind = spec.get(TYPE_KEY) if isinstance(spec, Mapping) else None
    return f" ({kind})" if isinstance(kind, str) and len(kind) <= MAX_TEXT else ""


def _spec_form(field, spec) -> str | None:
    if not isinstance(spec, Mapping):
        return f"a layer spec is a mapping such as {{'layer': 'dense', 'units': 8}}, got {show(spec)}"
    kind = spec.get(TYPE_KEY)
    if not isinstance(kind, str) or not kind.strip() or len(kind) > MAX_TEXT or _separated(kind):
        return f"'{TYPE_KEY}' must name a layer type, got {show(kind)}"
    if len(spec) > 32:
        return f"has {len(spec)} settings; a layer has at most 32"
    for name, item in spec.items():
        if name == TYPE_KEY:
            continue
        if not isinstance(name, str) or not name.isidentifier() or len(name) > MAX_TEXT:
            return f"has a setting name that is no name: {show(name)}"
        if isinstance(item, str):
            bad = not item.strip() or len(item) > MAX_TEXT or _separated(item)
        else:
            bad = not isinstance(item, (bool, int, float)) or not _finite(item)
        if bad:
            return (f"{name} must be a finite number, true or false or a short text without "
                    f"{' '.join(SEPARATORS)}, got {show(item)}")
    units = spec.get(UNITS)
    if field.high is not None and isinstance(units, (int, float)) and not isinstance(units, bool) \
            and units > field.high:
        return f"{UNITS} must be at most {field.high:g}, got {show(units)}"
    return None


def _separated(text: str) -> bool:
    return any(c in text for c in SEPARATORS)


def _finite(value) -> bool:
    try:
        return value == value and abs(value) != float("inf")
    except OverflowError:
        return False


def registry_problem(field, value, registry) -> str | None:
    """What is wrong with the stack against the loaded layer types: an unknown type or setting,
    a value its type's Field refuses, more layers with units than ``unit_layers`` or a default
    width above ``high``; None when it builds."""
    specs = []
    for spec in value:
        try:
            specs.append(canonical(spec, registry, len(specs)))
        except ValueError as exc:
            return str(exc)
    sized = [i for i, spec in enumerate(specs) if UNITS in spec]
    if field.unit_layers and len(sized) > field.unit_layers:
        return f"has {len(sized)} layers with units (dense and alike); at most {field.unit_layers}"
    for i in sized:
        units = specs[i][UNITS]
        if field.high is not None and units > field.high:
            return f"layer {i + 1} ({specs[i][TYPE_KEY]}): {UNITS} must be at most {field.high:g}, got {units}"
    return None


def canonical(spec, registry, index: int) -> dict:
    """The spec with every setting of its type, checked (``bpdash.stack.canonical``)."""
    from .stack import canonical as fill  # the stack module builds layers: loaded when needed

    return fill(dict(spec) if isinstance(spec, Mapping) else spec, registry, index)


def normal(value) -> tuple:
    """The stack as configs hold it: a tuple of read-only spec mappings (hashable)."""
    return tuple(Settings(spec) for spec in value)


# -- text ----------------------------------------------------------------------------------------

def text(value, registry=None) -> str:
    """``dense:8:tanh,dropout:0.2``: each layer's type and values, in its type's declared order
    when ``registry`` is given (else in the spec's own order, which a checked config's specs
    have), ``none`` for no layer."""
    items = []
    for i, spec in enumerate(value):
        if registry is not None:
            spec = canonical(spec, registry, i)
        items.append(":".join([spec[TYPE_KEY], *(value_text(v) for k, v in spec.items() if k != TYPE_KEY)]))
    return ",".join(items) or "none"


def parse_item(item: str, registry, index: int = 0) -> dict:
    """The canonical spec one item of the text stands for; ValueError naming the layer and
    what is wrong (an unknown type, too many values, a value its setting refuses)."""
    kind, *raw = (part.strip() for part in item.split(":"))
    layers = getattr(registry, "layers", {})
    label = f"layer {index + 1}"
    if kind not in layers:
        raise ValueError(f"{label}: unknown layer type {show(kind)}; choose one of {', '.join(sorted(layers))}")
    settings = layers[kind].settings
    if len(raw) > len(settings):
        names = ", ".join(s.name for s in settings) or "none"
        raise ValueError(f"{label} ({kind}): {len(raw)} values for {len(settings)} settings ({names})")
    spec = {TYPE_KEY: kind}
    for setting, text_value in zip(settings, raw):
        try:
            spec[setting.name] = setting.parse(text_value)
        except ValueError as exc:
            raise ValueError(f"{label} ({kind}): {setting.name}: {exc}") from None
    return canonical(spec, registry, index)


def items(text_value: str) -> list[str]:
    """The items of a stack's text (none for ``none`` or nothing)."""
    text_value = str(text_value).strip()
    if text_value.lower() in ("none", ""):
        return []
    return [item.strip() for item in text_value.split(",") if item.strip()]


def parse(field, text_value: str, registry) -> tuple:
    """The stack the text stands for, every item read strictly (ValueError naming the first bad
    one); ``registry`` says which layer types and settings there are."""
    if registry is None:
        raise ValueError("reading a layer stack needs the loaded layer types (a registry)")
    found = items(text_value)
    if len(found) > field.items:
        raise ValueError(f"at most {field.items} layers, got {len(found):,}")
    return tuple(parse_item(item, registry, i) for i, item in enumerate(found))


def parse_leniently(field, text_value: str, registry) -> tuple[tuple, list[tuple[str, str]]]:
    """``(specs, ignored)``: the items that read as layers, and ``(item, why)`` for each that does
    not (a share link keeps what it can, and says what it left out). More items than the field
    allows is a ValueError: no stack is kept from them."""
    found, specs, ignored = items(text_value), [], []
    if len(found) > field.items:
        raise ValueError(f"at most {field.items} layers, got {len(found):,}")
    for item in found:
        try:
            specs.append(parse_item(item, registry, len(specs)))
        except ValueError as exc:
            ignored.append((item, str(exc)))
    return tuple(specs), ignored
