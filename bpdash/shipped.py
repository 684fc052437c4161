"""Files bpdash ships beside its code: the built-in plugins and the dashboard's Streamlit settings.

Their sources live at the repository's top level, where people and hosting look for them:
``plugins/`` (one small module per built-in plugin) and ``.streamlit/config.toml`` (read by
``streamlit run app.py`` from the repository root). A built package carries both inside it, as
``bpdash/builtin_plugins/`` and ``bpdash/streamlit_settings/config.toml`` (pyproject.toml's
``package-dir`` maps them), so ``pip install .`` gives a complete bpdash. Run from a checkout,
plain or installed editable, bpdash reads the originals.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(packaged: str, in_checkout: str) -> Path:
    """``bpdash/<packaged>`` in a built package, else ``<checkout>/<in_checkout>``."""
    inside = PACKAGE_DIR / packaged
    return inside if inside.exists() else PACKAGE_DIR.parent / in_checkout


def builtin_plugins_dir() -> Path:
    """The folder of built-in plugins."""
    return _shipped("builtin_plugins", "plugins")


def streamlit_settings_file() -> Path:
    """The dashboard's Streamlit settings (theme, upload limit, XSRF, usage statistics off)."""
    return _shipped("streamlit_settings/config.toml", ".streamlit/config.toml")
