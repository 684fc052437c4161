"""Finding, loading and validating plugins; the registry the rest of bpdash reads.

Discovery, in order: the built-in plugins (``bpdash.shipped.builtin_plugins_dir``: the
repository's ``plugins/``, shipped inside the package when installed), every folder in
``BPDASH_PLUGINS_DIR`` (os.pathsep-separated), then installed distributions advertising the
``bpdash`` entry-point group. Each plugin is imported, registered and called on its own, so one broken plugin is
reported in ``Registry.errors``, unregistered, and never takes the others down.

Importing a folder plugin, and calling a plugin's hooks and checking their records, each run
under a time limit, ``BPDASH_PLUGIN_TIMEOUT`` seconds (default 5; 0 or "off" for none): a plugin
that takes longer is reported and skipped. Imports are tried first in a child process, which is
killed when it overruns (``bpdash.plugin_probe``). Python cannot stop a thread, so a hook call
over the limit is left running in a daemon thread whose results are thrown away; it cannot hold
up the process's exit.
"""
from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from . import hookspecs
from .plugin_probe import Probe
from .records import Activation, Cost, Dataset, Initializer, Layer, Optimizer, with_two_argument_df
from .shipped import builtin_plugins_dir as builtin_dir  # a name the tests replace
from .time_limit import DEFAULT_TIMEOUT_S, plugin_timeout, within  # noqa: F401 (DEFAULT_TIMEOUT_S: the API's)
from .validation import CHECKS, RecordError

ENTRY_POINT_GROUP = "bpdash"
HOOKS = {  # hook name → (record type, registry attribute)
    "register_activations": (Activation, "activations"),
    "register_costs": (Cost, "costs"),
    "register_initializers": (Initializer, "initializers"),
    "register_datasets": (Dataset, "datasets"),
    "register_optimizers": (Optimizer, "optimizers"),
    "register_layers": (Layer, "layers"),
}
BUILTIN = "builtin"
PACKAGE_DIR = Path(__file__).resolve().parent


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
    optimizers: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    plugins: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    origin: dict = field(default_factory=dict)  # (attribute, record name) → plugin source label

    def get(self, kind: str, name: str):
        """The record ``name`` of ``kind`` ("activations", "costs", ...), or a KeyError listing choices."""
        table = getattr(self, kind)
        if name not in table:
            raise KeyError(f"unknown {kind[:-1]} {name!r}; choose one of {sorted(table)}")
        return table[name]


def plugin_dirs() -> list[Path]:
    """Extra plugin folders from BPDASH_PLUGINS_DIR, in order."""
    raw = os.environ.get("BPDASH_PLUGINS_DIR", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def _strict() -> bool:
    return os.environ.get("BPDASH_STRICT_PLUGINS", "").strip().lower() not in ("", "0", "false", "no", "off")


def _import_file(path: Path, probe: Probe | None = None):
    """Import one plugin file under a module name unique to its folder; with a ``probe``, only
    once the child process has shown that its import ends (see ``bpdash.plugin_probe``)."""
    problem = probe.problem(path) if probe is not None else None
    if problem:
        raise RecordError(problem)
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


def _folders(extra_dirs) -> list[tuple[Path, str]]:
    """(folder, source label) for the built-in folder, then every plugin folder, each once."""
    builtin = builtin_dir()
    if not builtin.is_dir():
        raise PluginLoadError(
            f"the built-in plugins folder {builtin} is missing: reinstall bpdash "
            "(`pip install .` or `pip install -e .` from a clone of the repository)")
    folders, seen = [(builtin, BUILTIN)], {builtin.resolve()}
    for folder in (plugin_dirs() if extra_dirs is None else [Path(d) for d in extra_dirs]):
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            folders.append((folder, str(folder)))
    return folders


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_")) if folder.is_dir() else []


def _candidates(folders, include_entry_points: bool, probe: Probe | None):
    """Yield (name, source, version, loader) for every plugin to try, in discovery order."""
    for folder, source in folders:
        if not folder.is_dir():
            if source != BUILTIN:
                yield folder.name, source, "", _missing_folder(folder)
            continue
        checked = None if source == BUILTIN else probe
        for path in _files(folder):
            yield path.stem, source, "", (lambda p=path: _import_file(p, checked))
    if include_entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else ""
            yield ep.name, f"{dist} {version}".strip(), version, ep.load


def _missing_folder(folder):
    def fail():
        raise PluginLoadError(f"plugin folder {folder} does not exist "
                              "(check BPDASH_PLUGINS_DIR, or the extra_dirs passed to load_plugins)")
    return fail


def _check_hook_names(pm, plugin):
    """Raise PluginValidationError, with a suggestion, for a hookimpl no spec matches (a typo)."""
    for hook_name, caller in vars(pm.hook).items():
        if hook_name.startswith("_") or caller.has_spec():
            continue
        if any(impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls()):
            close = difflib.get_close_matches(hook_name, HOOKS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise pluggy.PluginValidationError(plugin, f"unknown hook {hook_name!r}{hint}")


def _where(exc: BaseException) -> str:
    """" (at file:line)" of the innermost frame outside bpdash: usually the plugin's own line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<") and Path(f.filename).resolve().parent != PACKAGE_DIR]
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _raised(exc: BaseException) -> str:
    """What an exception from a plugin's code did, for a report: "raised X: msg (at file:line)"."""
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else repr(exc.code)
        return f"called sys.exit({code}){_where(exc)}; a plugin must never end the process"
    return f"raised {type(exc).__name__}: {exc}{_where(exc)}"


def _call(fn, what: str, *args):
    """``fn(*args)``; an exception other than RecordError becomes one that says ``what`` raised it."""
    try:
        return fn(*args)
    except RecordError:
        raise
    except (Exception, SystemExit) as exc:
        raise RecordError(f"{what} {_raised(exc)}") from exc


def _collect(pm, plugin, timeout: float | None = None):
    """Call each of the plugin's hookimpls on its own; return {attribute: [records]}.

    The calls and the checks run within ``timeout`` seconds (None: no limit), see ``bpdash.time_limit.within``.
    """
    impls = [(hook_name, impl) for hook_name in HOOKS
             for impl in getattr(pm.hook, hook_name).get_hookimpls() if impl.plugin is plugin]
    return within(timeout, _records, impls)


def _records(impls):
    """{attribute: [records]} from calling and checking each (hook name, hookimpl)."""
    found = {}
    for hook_name, impl in impls:
        record_type, attr = HOOKS[hook_name]
        records = _call(impl.function, f"{hook_name}()")
        if not isinstance(records, (list, tuple)):
            raise RecordError(f"{hook_name}() returned {type(records).__name__}, expected a list "
                              f"of {record_type.__name__} records")
        for record in records:
            if not isinstance(record, record_type):
                raise RecordError(f"{hook_name}() returned a {type(record).__name__}, expected "
                                  f"{record_type.__name__} (from bpdash import {record_type.__name__})")
            if not isinstance(record.name, str) or not record.name.strip():
                raise RecordError(f"{hook_name}() returned a {record_type.__name__} without a name")
            kind = attr[:-1]
            if record_type is Activation:
                record = with_two_argument_df(record)
            if record_type in CHECKS:  # a layer is checked once every plugin is in: _check_layers
                _call(CHECKS[record_type], f"{kind} '{record.name}': checking it on sample inputs",
                      record)
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
    timeout = plugin_timeout()
    folders = _folders(extra_dirs)
    outside = [path for folder, source in folders if source != BUILTIN for path in _files(folder)]
    probe = Probe(outside, timeout) if timeout is not None else None  # starts now, works meanwhile
    try:
        return _load(folders, entry_points, strict, timeout, probe)
    finally:
        if probe is not None:
            probe.close()


def _load(folders, entry_points: bool, strict: bool, timeout: float | None, probe: Probe | None) -> Registry:
    """``load_plugins``' work: each candidate imported, registered, called and checked on its own."""
    registry = Registry()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, source, version, load in _candidates(folders, entry_points, probe):
        label = f"plugin '{name}' ({source})"
        plugin, step = None, "importing it"
        try:
            plugin = load()
            step = "registering it"
            pm.register(plugin, name=f"{source}:{name}")
            _check_hook_names(pm, plugin)
            pm.check_pending()
            found = _collect(pm, plugin, timeout)
            _clashes(registry, found, label)
        except BaseException as exc:  # a plugin may raise anything, SystemExit included
            if isinstance(exc, KeyboardInterrupt):
                raise
            if plugin is not None and pm.is_registered(plugin):
                pm.unregister(plugin)
            message = _describe(exc, step)
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
    _check_layers(registry, strict, timeout)
    return registry


def _check_layers(registry, strict: bool, timeout: float | None) -> None:
    """Check every layer plugin against the whole registry (a layer names activations, which may
    load after it); a failing one is reported under its plugin and left out, never fatal unless
    it is built in or ``strict``."""
    from .layercheck import check_layer

    for name, record in list(registry.layers.items()):
        label = registry.origin[("layers", name)]
        try:
            within(timeout, _call, check_layer, f"layer '{name}': checking it on sample inputs",
                    record, registry)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            del registry.layers[name]
            del registry.origin[("layers", name)]
            message = _describe(exc, "checking it")
            i = [f"plugin '{p.name}' ({p.source})" for p in registry.plugins].index(label)
            info = registry.plugins[i]
            registry.plugins[i] = PluginInfo(info.name, info.source, info.version, "error",
                                             tuple(n for n in info.provides if n != name))
            registry.errors.append(PluginProblem(info.name, info.source, message))
            if strict or info.source == BUILTIN:
                raise PluginLoadError(f"{label} failed to load: {message}") from exc


def _describe(exc: BaseException, step: str) -> str:
    """The report for a failed plugin; ``step`` says what bpdash was doing ("importing it")."""
    if isinstance(exc, (RecordError, PluginLoadError)):
        return str(exc)
    if isinstance(exc, pluggy.PluginValidationError):
        return f"hook error: {exc} (hooks are: {', '.join(HOOKS)})"
    return f"{step} {_raised(exc)}"


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
