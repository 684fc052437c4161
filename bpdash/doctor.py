"""Diagnostics for bug reports: Python, platform, library versions and plugin status.

``report(registry)`` gathers them as a dict; ``format_report`` turns that into the plain text
that ``python -m bpdash doctor`` prints and the dashboard's Plugins view shows, ready to paste
into an issue. Nothing here reads secrets or the environment beyond the plugin settings.
"""
from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

LIBRARIES = ("bpdash", "numpy", "pandas", "plotly", "pluggy", "scipy", "streamlit")
SETTINGS = ("BPDASH_PLUGINS_DIR", "BPDASH_STRICT_PLUGINS")


def version_of(name: str) -> str:
    """The installed version of distribution ``name``; bpdash run from a checkout (as hosting
    does, without installing it) reports its ``__version__``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        if name == "bpdash":
            import bpdash
            return f"{bpdash.__version__} (not installed: imported from {os.path.dirname(bpdash.__file__)})"
        return "not installed"


def _registry(registry):
    """``(registry, None)``, loading the plugins if none is given; ``(None, message)`` when a
    built-in (or, in strict mode, any) plugin fails to load."""
    if registry is not None:
        return registry, None
    from .plugins import PluginLoadError, default_registry
    try:
        return default_registry(), None
    except PluginLoadError as exc:
        return None, str(exc)


def report(registry=None) -> dict:
    """Everything a bug report needs, as plain data (strings, lists, dicts)."""
    registry, failure = _registry(registry)
    plugins = [] if registry is None else [
        {"name": p.name, "source": p.source, "version": p.version or "", "status": p.status,
         "provides": list(p.provides)} for p in registry.plugins]
    errors = [failure] if failure else [
        f"{e.plugin} ({e.source}): {e.message}" for e in registry.errors]
    return {
        "python": f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})",
        "platform": platform.platform(),
        "versions": {name: version_of(name) for name in LIBRARIES},
        "settings": {name: os.environ.get(name, "(not set)") for name in SETTINGS},
        "plugins": plugins,
        "plugin_errors": errors,
    }


def format_report(data: dict) -> str:
    """``report()`` as text, one fact a line."""
    lines = [f"python     {data['python']}", f"platform   {data['platform']}", ""]
    lines += [f"{name:10} {version}" for name, version in data["versions"].items()]
    lines += [""] + [f"{name} = {value}" for name, value in data["settings"].items()]
    lines += ["", f"plugins ({len(data['plugins'])}):"]
    lines += [f"  {p['status']:5}  {p['name']:16} {p['source']}  {', '.join(p['provides']) or '-'}"
              for p in data["plugins"]]
    errors = data["plugin_errors"]
    lines += ["", f"plugin errors ({len(errors)}):" if errors else "plugin errors: none"]
    lines += [f"  {error}" for error in errors]
    return "\n".join(lines)
