"""Plugins view: what is loaded, from where, whether it passed its checks, and how to add one."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from bpdash.charts.activations import activation_figure
from bpdash.doctor import format_report, report
from bpdash.plugins import HOOKS

from ..text import plain

GUIDE = """
**A folder plugin** — one Python file:

```python
# my_plugins/softsign.py
import numpy as np
from bpdash import Activation, hookimpl

@hookimpl
def register_activations():
    return [Activation("softsign", lambda z: z / (1 + np.abs(z)),
                       lambda z: 1 / (1 + np.abs(z)) ** 2,
                       "z / (1 + |z|): a gentler tanh.")]
```

then start the dashboard with the folder in `BPDASH_PLUGINS_DIR` (several folders: separate
them with `:`, or `;` on Windows):

```bash
BPDASH_PLUGINS_DIR=my_plugins streamlit run app.py
```

See `examples/softplus_plugin/`.

**A package** — installable, named `bpdash-<name>`, advertising the `bpdash` entry-point group
in its `pyproject.toml`:

```toml
[project.entry-points.bpdash]
swish = "bpdash_swish"   # plugin name = module holding the @hookimpl functions
```

See `examples/bpdash-swish/` (`pip install ./examples/bpdash-swish`).

The hooks are {hooks} (see `bpdash/hookspecs.py`); each returns a list of records. bpdash
checks every record when it loads — shapes, finite values, f′ against a central difference of f,
and a layer's backward against central differences of its forward (it must not change its
inputs either) — and lists a failing plugin here with its error instead of loading it; the
others are unaffected. A layer plugin (say a layer normalization, `examples/layernorm_plugin/`)
states its parameters, forward, δ, backward and formulas: see the layers guide in `docs/layers.md`.
Plugins run as code with your permissions: only point bpdash at folders you trust.
"""


def _plugin_table(registry) -> pd.DataFrame:
    return pd.DataFrame([{"plugin": p.name, "source": p.source, "version": p.version or "—",
                          "status": p.status, "provides": ", ".join(p.provides)}
                         for p in registry.plugins])


def _records_table(registry, kind: str) -> pd.DataFrame:
    """One row per record of ``kind``; a layer type or an optimizer lists the settings it declares."""
    table = getattr(registry, kind)
    rows = []
    for name, record in table.items():
        row = {"name": name, "from": registry.origin.get((kind, name), "—"),
               "description": getattr(record, "description", "")}
        declared = getattr(record, "settings", None) or getattr(record, "hyperparameters", None)
        if declared is not None:
            row["settings"] = ", ".join(f.title for f in declared) or "—"
        rows.append(row)
    return pd.DataFrame(rows)


def _errors(registry) -> None:
    if not registry.errors:
        st.success(f"All {len(registry.plugins)} plugins loaded and passed validation.")
        return
    st.error(f"{len(registry.errors)} plugin(s) failed to load and were left out:")
    for problem in registry.errors:
        st.error(f"**{plain(problem.plugin)}** ({plain(problem.source)}): {plain(problem.message)}")


def _activations(registry) -> None:
    st.subheader("Activations: f and f′")
    st.caption("Each was validated when it loaded: f and f′ map arrays to finite arrays of the "
               "same shape, and f′ agrees with a central difference of f on [−4, 4].")
    names = sorted(registry.activations)
    columns = st.columns(2)
    for i, name in enumerate(names):
        record = registry.activations[name]
        with columns[i % 2]:
            st.plotly_chart(activation_figure(record), key=f"plugins_activation_{name}")
            origin = registry.origin.get(("activations", name), "")
            st.caption(f"{record.description} — {origin}; validation: passed")


def render(exp, registry) -> None:
    """Every loaded plugin, its records, the failures, and a guide to writing one."""
    st.header("Plugins")
    st.dataframe(_plugin_table(registry), hide_index=True, key="plugins_table")
    _errors(registry)
    _activations(registry)
    for kind in (attribute for _, attribute in HOOKS.values() if attribute != "activations"):
        st.subheader(kind.capitalize())
        st.dataframe(_records_table(registry, kind), hide_index=True, key=f"plugins_{kind}")
    with st.expander("Add your own plugin", expanded=False):
        st.markdown(GUIDE.replace("{hooks}", ", ".join(f"`{hook}`" for hook in HOOKS)))
    with st.expander("Diagnostics for bug reports", expanded=False):
        st.caption("The same as `python -m bpdash doctor`: paste it into a bug report.")
        st.code(format_report(report(registry)), language=None)
