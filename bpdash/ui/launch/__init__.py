"""Starting the dashboard from an installed bpdash: ``bpdash dashboard [streamlit options]``.

Streamlit needs a script file to run: ``app.py`` beside this module, the same two lines as the
repository's ``app.py`` (which hosting runs). It sits in a folder of its own because Streamlit
puts the script's folder first on ``sys.path``. The dashboard's settings
(``bpdash.shipped.streamlit_settings_file``: upload limit, XSRF, theme, ...) are passed as
command-line options, which Streamlit reads before any config.toml; options given after
``dashboard`` come later and win.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from bpdash.shipped import streamlit_settings_file

SCRIPT = Path(__file__).resolve().with_name("app.py")


def _flat(table: dict, prefix: str = "") -> dict:
    """``{"server": {"maxUploadSize": 5}}`` → ``{"server.maxUploadSize": 5}``."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def settings_options(path: Path | None = None) -> list[str]:
    """The settings file as Streamlit options: ``["--server.maxUploadSize=5", ...]``."""
    settings = tomllib.loads((path or streamlit_settings_file()).read_text(encoding="utf-8"))
    text = {True: "true", False: "false"}
    return [f"--{name}={text.get(value, value) if isinstance(value, bool) else value}"
            for name, value in _flat(settings).items()]


def command(extra: list[str]) -> list[str]:
    """The arguments of ``streamlit``: run the shipped script with the settings, then ``extra``."""
    return ["run", str(SCRIPT), *settings_options(), *extra]


def run(extra: list[str]) -> int:
    """Start the dashboard (blocks until the server stops); its exit status."""
    from streamlit.web import cli

    try:
        cli.main.main(args=command(extra), prog_name="streamlit", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
