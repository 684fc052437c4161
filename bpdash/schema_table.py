"""The settings as a Markdown table, made from their declarations (``bpdash.schema`` and each
built-in optimizer's hyperparameters): docs/settings.md holds its output, and a test checks that
it still does.

    python -m bpdash.schema_table     # print the tables
"""
from __future__ import annotations

from . import schema


def _range(f) -> str:
    if f.kind == "params":
        return f"the {f.of}'s {f.settings}, as it declares them"
    if f.kind == "specs":
        return (f"up to {f.items} layers of loaded types, each with its own settings; at most "
                f"{f.unit_layers} with units, each of up to {_number(f.high)}")
    if f.kind == "plugin":
        what = "a loaded activation or output layer type" if f.table is not None else f"a loaded {f.plugin[:-1]}"
        return what + (f"; up to {f.items}, one per {f.follows} entry" if f.items else "")
    if f.kind == "choice":
        choices = ", ".join(f"`{c}`" for c in f.choices)
        return (f"any of {choices}" if f.items else choices)
    if f.kind == "bool":
        return "true, false"
    text = f.bounds()
    if f.items:
        text = f"up to {f.items} entries, each {text}"
    if f.optional:
        text += f", or `{f.none_text}`"
    return text


def _default(f) -> str:
    if f.kind == "params":
        return "(each one's default)"
    return f"`{f.text(f.default)}`"


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _row(f, name=None) -> str:
    title = f.title.replace("|", "\\|")
    sweep = "yes" if f.sweep else ""
    return (f"| {name or f'`{f.name}`'} | {f.group} | {title} | {_default(f)} | {_range(f)} | {sweep} | "
            f"{f.help.replace('|', chr(92) + '|')} |")


def markdown(registry=None) -> str:
    """The config's settings, then the built-in optimizers' hyperparameters."""
    lines = ["| name | group | label | default | allowed | sweep | what it does |",
             "|---|---|---|---|---|---|---|"]
    for f in schema.FIELDS:
        lines.append(_row(f))
        if f.kind == "specs":  # the shorthand that changes the stack, read but never written
            lines += [_row(short, f"`{short.name}` (shorthand for `{f.name}`)") for short in schema.SHORTHAND]
    if registry is None:
        from .plugins import load_plugins

        registry = load_plugins(extra_dirs=[], entry_points=False)
    lines += ["", "| optimizer | flat name | label | default | allowed | what it does |", "|---|---|---|---|---|---|"]
    for name, record in sorted(registry.optimizers.items()):
        for hp in record.hyperparameters:
            lines.append(f"| `{name}` | `opt_{hp.name}` | {hp.title} | `{hp.text(hp.default)}` | {hp.bounds()} | {hp.help} |")
    lines += ["", "| Sweeps view | label | default | allowed | what it does |", "|---|---|---|---|---|"]
    lines += [f"| `{f.name}` | {f.title} | `{f.default}` | {f.bounds()} | {f.help} |" for f in schema.SWEEP_FIELDS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
