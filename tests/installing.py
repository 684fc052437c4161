"""Installing for real, as a user would: bpdash (not editable) and the example plugin package
examples/bpdash-swish, with pip, into a temporary folder (``pip install --target``). The tests
install what they test, need nothing installed beforehand and leave their environment as it was.

pip builds each package in an isolated build environment (its default), so this works in a
brand-new virtualenv whose own setuptools cannot build wheels (setuptools 65 without ``wheel``).
The sources are copied first without build/ and *.egg-info folders, so nothing stale from an
earlier build in the checkout can end up in the install.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SWISH = ROOT / "examples" / "bpdash-swish"
NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".hypothesis", "test-output", ".venv", "venv")


def copy_source(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=NOT_SOURCE)
    return dest


def pip_install(target: Path, *sources: Path) -> None:
    """``pip install --no-deps --target target sources...``; skips when this interpreter has no
    pip, fails with pip's output when the install fails."""
    pip = [sys.executable, "-m", "pip"]
    try:
        probe = subprocess.run(pip + ["--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"pip cannot run in this interpreter ({sys.executable}): {exc}")
    if probe.returncode != 0:
        pytest.skip(f"pip cannot run in this interpreter ({sys.executable}): {probe.stderr.strip()}")
    done = subprocess.run(pip + ["install", "--quiet", "--no-deps", "--target", str(target), *map(str, sources)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"pip install failed:\n{done.stdout}\n{done.stderr}"


def install_bpdash_and_swish(workdir: Path) -> Path:
    """bpdash and bpdash-swish installed into ``workdir/site``; that folder."""
    target = workdir / "site"
    pip_install(target, copy_source(ROOT, workdir / "src" / "bpdash"),
                copy_source(SWISH, workdir / "src" / "bpdash-swish"))
    return target


def environment(target: Path, **extra: str) -> dict:
    """The environment of a process that uses the install in ``target``: it comes first on the
    module path and its scripts first on PATH; no BPDASH_ setting leaks in from the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPDASH_")}
    env["PYTHONPATH"] = str(target)
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env
