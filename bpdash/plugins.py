"""Finding, loading and validating plugins; the registry the rest of bpdash reads.

Discovery, in order: the built-in ``plugins/`` folder, every folder in ``BPDASH_PLUGINS_DIR``
(os.pathsep-separated), then installed distributions advertising the ``bpdash`` entry-point
group. Each plugin is imported, registered and called on its own, so one broken plugin is
reported in ``Registry.errors``, unregistered, and never takes the others down.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from . import hookspecs
from .records import Activation, Cost, Dataset, Initializer
from .validation import CHECKS, RecordError

ENTRY_POINT_GROUP = "bpdash"
HOOKS = {  # hook name → (record type, registry attribute)
    "register_activations": (Activation, "activations"),
    "register_costs": (Cost, "costs"),
    "register_initializers": (Initializer, "initializers"),
    "register_datasets": (Dataset, "datasets"),
}
BUILTIN = "builtin"


class PluginLoadError(RuntimeError):
    """A built-in plugin failed, or any plugin failed under BPDASH_STRICT_PLUGINS=1."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: str  # "builtin", a folder path, or "distribution version"
    version: str = ""
    status: str = "ok"  # "ok" or "error"
    provides: tuple = ()  # names of the records it registered


@dataclass(frozen=True)
class PluginProblem:
    plugin: str
    source: str
    message: str


@dataclass
class Registry:
    """Everything the loaded plugins provide, by name, plus who provided it."""

    activations: dict = field(default_factory=dict)
    costs: dict = field(default_factory=dict)
    initializers: dict = field(default_factory=dict)
    datasets: dict = field(default_factory=dict)
    plugins: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    origin: dict = field(default_factory=dict)  # (attribute, record name) → plugin source label

    def get(self, kind: str, name: str):
        """The record ``name`` of ``kind`` ("activations", "costs", ...), or a KeyError listing choices."""
        table = getattr(self, kind)
        if name not in table:
            raise KeyError(f"unknown {kind[:-1]} {name!r}; choose one of {sorted(table)}")
        return table[name]


def builtin_dir() -> Path:
    """The folder of built-in plugins: the repository's ``plugins/``."""
    return Path(__file__).resolve().parent.parent / "plugins"


def plugin_dirs() -> list[Path]:
    """Extra plugin folders from BPDASH_PLUGINS_DIR, in order."""
    raw = os.environ.get("BPDASH_PLUGINS_DIR", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def _strict() -> bool:
    return os.environ.get("BPDASH_STRICT_PLUGINS", "") not in ("", "0", "false", "no")


def _import_file(path: Path):
    """Import one plugin file under a module name unique to its folder."""
    tag = hashlib.sha1(str(path.parent.resolve()).encode()).hexdigest()[:8]
    module_name = f"bpdash_plugin_{tag}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _candidates(include_entry_points: bool, extra_dirs):
    """Yield (name, source, version, loader) for every plugin to try, in discovery order."""
    folders = [(builtin_dir(), BUILTIN)] + [(d, str(d)) for d in (extra_dirs if extra_dirs is not None
                                                                   else plugin_dirs())]
    for folder, source in folders:
        if not folder.is_dir():
            if source != BUILTIN:
                yield folder.name, source, "", _missing_folder(folder)
            continue
        for path in sorted(folder.glob("*.py")):
            if not path.name.startswith("_"):
                yield path.stem, source, "", (lambda p=path: _import_file(p))
    if include_entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else ""
            yield ep.name, f"{dist} {version}".strip(), version, ep.load


def _missing_folder(folder):
    def fail():
        raise FileNotFoundError(f"plugin folder {folder} does not exist (BPDASH_PLUGINS_DIR)")
    return fail


def _collect(pm, plugin, name):
    """Call each of the plugin's hookimpls on its own; return {attribute: [records]}."""
    found = {}
    for hook_name, (record_type, attr) in HOOKS.items():
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.plugin is not plugin:
                continue
            records = impl.function()
            if not isinstance(records, (list, tuple)):
                raise RecordError(f"{hook_name}() returned {type(records).__name__}, expected a list "
                                  f"of {record_type.__name__} records")
            for record in records:
                if not isinstance(record, record_type):
                    raise RecordError(f"{hook_name}() returned a {type(record).__name__}, expected "
                                      f"{record_type.__name__} (from bpdash import {record_type.__name__})")
                if not isinstance(record.name, str) or not record.name.strip():
                    raise RecordError(f"{hook_name}() returned a {record_type.__name__} without a name")
                CHECKS[record_type](record)
                found.setdefault(attr, []).append(record)
    return found


def _clashes(registry, found, source):
    for attr, records in found.items():
        names = [r.name for r in records]
        for rec_name in names:
            if names.count(rec_name) > 1:
                raise RecordError(f"{attr[:-1]} {rec_name!r} is registered twice by this plugin")
            if rec_name in getattr(registry, attr):
                other = registry.origin[(attr, rec_name)]
                raise RecordError(f"{attr[:-1]} {rec_name!r} is already provided by {other}; "
                                  f"{source} cannot register it again: rename it")


def load_plugins(*, extra_dirs=None, entry_points: bool = True, strict: bool | None = None) -> Registry:
    """Discover, load and validate every plugin; return a fresh Registry.

    ``extra_dirs`` replaces BPDASH_PLUGINS_DIR when given. ``strict`` (default: the
    BPDASH_STRICT_PLUGINS environment variable) makes any plugin failure raise PluginLoadError;
    a failing built-in always raises.
    """
    strict = _strict() if strict is None else strict
    registry = Registry()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, source, version, load in _candidates(entry_points, extra_dirs):
        label = f"plugin '{name}' ({source})"
        plugin = None
        try:
            plugin = load()
            pm.register(plugin, name=f"{source}:{name}")
            pm.check_pending()
            found = _collect(pm, plugin, name)
            _clashes(registry, found, label)
        except BaseException as exc:  # a plugin may raise anything, SystemExit included
            if isinstance(exc, KeyboardInterrupt):
                raise
            if plugin is not None and pm.is_registered(plugin):
                pm.unregister(plugin)
            message = _describe(exc)
            registry.errors.append(PluginProblem(name, source, message))
            registry.plugins.append(PluginInfo(name, source, version, "error"))
            if strict or source == BUILTIN:
                raise PluginLoadError(f"{label} failed to load: {message}") from exc
            continue
        provides = []
        for attr, records in found.items():
            for record in records:
                getattr(registry, attr)[record.name] = record
                registry.origin[(attr, record.name)] = label
                provides.append(record.name)
        registry.plugins.append(PluginInfo(name, source, version, "ok", tuple(provides)))
    return registry


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecordError):
        return str(exc)
    if isinstance(exc, pluggy.PluginValidationError):
        return f"hook error: {exc} (hooks are: {', '.join(HOOKS)})"
    return f"{type(exc).__name__}: {exc}"


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry, loaded on first use (the engine's default for names)."""
    global _default
    if _default is None:
        _default = load_plugins()
    return _default


def reset_default_registry() -> None:
    """Forget the process-wide registry, so the next use reloads the plugins."""
    global _default
    _default = None
