"""Text from outside (CSV column names, run names) in plotly figures, shown as text.

Plotly draws titles, axis titles, legend entries and hover labels from a small HTML subset:
``<a href>`` makes a live link, ``<span style>`` styles, ``&lt;`` is an entity. ``literal``
escapes ``&``, ``<`` and ``>`` so such text reaches the page exactly as written.
"""
import html


def literal(text) -> str:
    """``text`` as plotly label text that shows exactly these characters."""
    return html.escape(str(text), quote=False)


def literals(texts) -> list[str]:
    return [literal(text) for text in texts]
