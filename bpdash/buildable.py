"""Making a share link's config build, so a link always opens a working page.

A config can pass validation field by field and still fail to build: input features asked of
1-D data, or anything a plugin refuses when the network is made. ``buildable`` then puts fields
back to their defaults, as few as it can, and says which: first the fields the build's error
names, then each field the link set, one at a time (the layer stack is one field); when nothing
short of the defaults builds, the defaults.
"""
from __future__ import annotations

from . import schema
from .config import DEFAULTS, ExperimentConfig


def buildable(config: ExperimentConfig, registry) -> tuple[ExperimentConfig, list[str]]:
    """``(config, [])`` when it builds; else the nearest config that does and a notice naming
    what was dropped, and why."""
    problem = _problem(config, registry)
    if problem is None:
        return config, []
    default = DEFAULTS.to_dict()
    changed = [name for name, value in config.to_dict().items() if value != default[name]]
    named = [name for name in getattr(problem, "errors", {}) if name in changed]
    for names in ([named] if named else []) + [[name] for name in changed]:
        try:
            trial = config.replace(**{name: default[name] for name in names})
        except ValueError:  # the fields left are refused together: try the next
            continue
        if _problem(trial, registry) is None:
            settings = ", ".join(f"{name}={_value(config, name)}" for name in names)
            return trial, [f"{settings} could not be used with this link's other settings ({_why(problem)}); "
                           f"using the default{'s' if len(names) > 1 else ''} instead."]
    return DEFAULTS, [f"This link's settings could not build a network together ({_why(problem)}); "
                     "opened the default experiment instead."]


def _problem(config: ExperimentConfig, registry) -> Exception | None:
    """What building ``config`` raises (None: it builds)."""
    from .experiment import build

    try:
        build(config, registry)
    except Exception as exc:  # anything a build raises, a plugin's errors included, means "not this config"
        return exc
    return None


def _value(config: ExperimentConfig, name: str) -> str:
    """The setting as a link writes it (a stack as dense:8:tanh,dropout:0.2)."""
    return schema.field(name).text(getattr(config, name))


def _why(problem: Exception) -> str:
    text = str(problem).removeprefix("invalid experiment config: ")
    return text if len(text) <= 200 else text[:197] + "..."
