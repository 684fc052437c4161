"""Safety: every door through which input reaches bpdash, tried.

- Query parameters (share links) are parsed as numbers, booleans and names of plugins already
  loaded: a path or a module name in one loads nothing and reads nothing, and is reported.
- Uploaded files are parsed as CSV data only, never executed or unpickled, within the size
  limit set in .streamlit/config.toml and the row/column limits of ``bpdash.data``.
- Plugins load only from the built-in folder, the folders in BPDASH_PLUGINS_DIR and installed
  entry points: never from the working directory, an upload or a URL.

The real browser side of the upload doors (size limit, a .py file refused by the uploader) is
in tests/browser/test_browser.py.
"""
import ast
import importlib.metadata
import os
import pickle
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import bpdash
from bpdash.config import registry_errors
from bpdash.csvdata import load_csv, read_csv
from bpdash.data import MAX_COLUMNS, MAX_ROWS, DataError
from bpdash.plugins import BUILTIN, ENTRY_POINT_GROUP
from bpdash.share import from_query_params

from apptest import APP

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_LIMIT_MB = 5
REGISTRY_TABLE = {"dataset": "datasets", "cost": "costs", "init": "initializers",
                  "output_activation": "activations", "activations": "activations"}


def snapshot(registry):
    """Everything a registry holds, by identity, to compare before and after."""
    return {kind: {name: id(rec) for name, rec in getattr(registry, kind).items()}
            for kind in ("activations", "costs", "initializers", "datasets")} | {
        "plugins": [(p.name, p.source) for p in registry.plugins]}


def plugin_source(marker: Path, name="evil") -> str:
    """A plugin that, if ever imported, touches ``marker`` and registers activation ``name``."""
    return textwrap.dedent(f"""
        from pathlib import Path
        import numpy as np
        from bpdash import Activation, hookimpl
        Path({str(marker)!r}).touch()

        @hookimpl
        def register_activations():
            return [Activation({name!r}, lambda z: 2.0 * z, lambda z: np.full_like(z, 2.0))]
        """)


# ================================================================ query parameters

HOSTILE_PARAMS = [
    {"activations": "../../etc/passwd"},
    {"activations": "/etc/passwd,relu"},
    {"dataset": "os.system"},
    {"dataset": "__import__('os').system('id')"},
    {"init": "plugins/sigmoid.py"},
    {"cost": "http://example.com/evil.py"},
    {"output_activation": "bpdash_swish"},  # a module name, not a record name
    {"activations": "softplus"},  # a real plugin, but not loaded in this registry
    {"plugins": "/tmp", "plugins_dir": "/tmp", "BPDASH_PLUGINS_DIR": "/tmp"},
    {"dataset": "file:///etc/passwd", "n_samples": "../../"},
]


@pytest.mark.parametrize("params", HOSTILE_PARAMS, ids=lambda p: "&".join(p))
def test_a_query_parameter_naming_a_file_or_module_loads_nothing(params, registry):
    before, modules = snapshot(registry), set(sys.modules)
    config, notices = from_query_params(params, registry)
    assert snapshot(registry) == before
    assert set(sys.modules) == modules
    assert registry_errors(config, registry) == {}  # every name in it is a loaded plugin's
    for name in ("dataset", "cost", "init", "output_activation", "activations"):
        for value in ([getattr(config, name)] if isinstance(getattr(config, name), str) else getattr(config, name)):
            assert value in getattr(registry, REGISTRY_TABLE[name]) and not set("/.:()") & set(value)
    assert notices and all(isinstance(n, str) for n in notices)
    for name in params:
        assert any(name in n for n in notices), (name, notices)


def test_the_page_given_hostile_query_parameters_loads_nothing(tmp_path):
    marker = tmp_path / "imported"
    (tmp_path / "evil.py").write_text(plugin_source(marker))
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in {"activations": str(tmp_path / "evil.py"), "dataset": "os.system",
                        "init": "../../etc/passwd", "cost": "http://example.com/x.py",
                        "BPDASH_PLUGINS_DIR": str(tmp_path)}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    config = at.session_state["experiment"].config
    assert (config.activations, config.dataset, config.init) == (("tanh", "tanh"), "moons", "uniform")
    assert not marker.exists()  # the file named in the link was never imported
    assert not [m for m in sys.modules if m.endswith("_evil")]


# ================================================================ uploads are data

def code_payloads(marker: Path) -> dict:
    """Files that would do something (touch ``marker``) if anything executed them."""

    class Touch:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    python = f"__import__('os').system('touch {marker}')"
    return {
        "python in a cell": f"x,y\n{python},1\n2,0\n3,1\n".encode(),
        "python in the header": f"{python},y\n1,1\n2,0\n3,1\n".encode(),
        "python as a number": f"x,y\n1,1\n2,0\n3,1\n{python},0\n".encode(),
        "a whole plugin": plugin_source(marker).encode(),
        "shell": f"x,y\n$(touch {marker}),1\n`touch {marker}`,0\n3,1\n".encode(),
        "spreadsheet formula": f'x,y\n"=SYSTEM(""touch {marker}"")",1\n=1+1,0\n3,1\n'.encode(),
        "pickle": pickle.dumps(Touch()),
        "template": b"x,y\n{{7*7}},1\n${7*7},0\n3,1\n",
    }


def test_an_uploaded_file_is_parsed_as_data_and_never_executed(tmp_path):
    marker = tmp_path / "executed"
    for name, raw in code_payloads(marker).items():
        try:
            df = read_csv(raw)
            load_csv(df)
        except DataError as exc:
            assert str(exc), name
        assert not marker.exists(), f"{name}: the file was executed"


def test_code_in_a_cell_is_refused_as_non_numeric_and_not_run(tmp_path):
    marker = tmp_path / "executed"
    raw = code_payloads(marker)["python in a cell"]
    df = read_csv(raw)
    assert df["x"].iloc[0] == f"__import__('os').system('touch {marker}')"  # kept as text
    with pytest.raises(DataError, match="non-numeric value"):
        load_csv(df)
    assert not marker.exists()


def test_uploads_through_the_page_are_parsed_as_data_only(tmp_path):
    marker = tmp_path / "executed"
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="data_source").set_value("CSV file")
    at.run()
    assert at.file_uploader(key="csv_file").proto.type == [".csv"]  # the browser offers .csv only
    for name, raw in code_payloads(marker).items():
        before = at.session_state["experiment"].data
        at.file_uploader(key="csv_file").set_value((f"{name}.csv", raw, "text/csv"))
        at.run()
        assert not at.exception, (name, at.exception)
        data = at.session_state["experiment"].data
        if data is not before:  # loaded: then as numbers (code in a header is just a column name)
            assert data.X_train.dtype == float and name == "python in the header"
        assert not marker.exists(), f"{name}: the upload was executed"
    assert "evil" not in bpdash.load_plugins(entry_points=False).activations


def test_a_python_file_sent_past_the_browser_is_refused_by_the_server(tmp_path):
    """AppTest skips the browser's type check (tests/browser shows the browser refusing it):
    Streamlit itself then refuses the extension, and nothing is imported."""
    marker = tmp_path / "executed"
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="data_source").set_value("CSV file")
    at.run()
    before = at.session_state["experiment"].data
    at.file_uploader(key="csv_file").set_value(("evil.py", plugin_source(marker).encode(), "text/x-python"))
    at.run()
    assert [e.message for e in at.exception] == ["Invalid file extension: `.py`. Allowed: ['.csv']"]
    assert at.session_state["experiment"].data is before
    assert not marker.exists()
    assert "evil" not in bpdash.load_plugins(entry_points=False).activations


# ================================================================ upload size and shape limits

def test_the_upload_size_limit_is_small_and_set_where_hosting_reads_it():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 1 <= settings["server"]["maxUploadSize"] <= UPLOAD_LIMIT_MB
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["browser"]["gatherUsageStats"] is False
    # ... and Streamlit, started from the repository root as hosting does, reads it.
    shown = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; "
                               "print(config.get_option('server.maxUploadSize'), "
                               "config.get_option('server.enableXsrfProtection'))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert shown.stdout.split() == [str(settings["server"]["maxUploadSize"]), "True"], shown.stderr


def test_the_largest_upload_the_limit_lets_through_is_still_refused_by_the_row_limit():
    rows = b"1,0\n" * (UPLOAD_LIMIT_MB * 2**20 // 4 - 1)  # just under the size limit
    with pytest.raises(DataError, match=f"more than {MAX_ROWS:,} data rows"):
        read_csv(b"a,b\n" + rows)


def test_a_header_as_wide_as_the_upload_limit_is_refused_before_parsing():
    header = ",".join(["c"] * (UPLOAD_LIMIT_MB * 2**20 // 2))
    with pytest.raises(DataError, match=f"the limit is {MAX_COLUMNS}"):
        read_csv((header + "\n1,2\n").encode())


def test_a_single_line_as_long_as_the_upload_limit_is_refused():
    with pytest.raises(DataError):
        read_csv(b"a,b\n" + b"1" * (UPLOAD_LIMIT_MB * 2**20 - 10) + b",2\n3,4\n")


# ================================================================ where plugins come from

def allowed_sources(dirs):
    dists = {f"{ep.dist.name} {ep.dist.version}".strip() if ep.dist else "?"
             for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return {BUILTIN, *map(str, dirs)} | dists


def test_a_plugin_in_the_working_directory_is_not_loaded(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "evil.py").write_text(plugin_source(marker))
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "evil2.py").write_text(plugin_source(marker, "evil2"))
    monkeypatch.chdir(tmp_path)  # a plugins/ folder here is not the built-in one
    registry = bpdash.load_plugins()
    assert not marker.exists()
    assert "evil" not in registry.activations and "evil2" not in registry.activations
    assert {p.source for p in registry.plugins} <= allowed_sources([])


def test_a_plugin_in_an_uploads_folder_is_not_loaded_but_the_configured_folder_is(tmp_path, monkeypatch):
    uploads, configured = tmp_path / "uploads", tmp_path / "configured"
    uploads.mkdir()
    configured.mkdir()
    (uploads / "evil.py").write_text(plugin_source(tmp_path / "uploaded_ran"))
    (configured / "good.py").write_text(plugin_source(tmp_path / "configured_ran", "good"))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(configured))
    registry = bpdash.load_plugins()
    assert "good" in registry.activations and (tmp_path / "configured_ran").exists()  # the control
    assert "evil" not in registry.activations and not (tmp_path / "uploaded_ran").exists()
    assert {p.source for p in registry.plugins} <= allowed_sources([configured])


def test_every_loaded_plugin_comes_from_an_allowed_source(tmp_path, monkeypatch):
    (tmp_path / "good.py").write_text(plugin_source(tmp_path / "ran", "good"))
    monkeypatch.setenv("BPDASH_PLUGINS_DIR", str(tmp_path))
    registry = bpdash.load_plugins()
    sources = {p.source for p in registry.plugins}
    assert sources <= allowed_sources([tmp_path]), sources - allowed_sources([tmp_path])
    assert BUILTIN in sources and str(tmp_path) in sources


def imported_modules(path: Path) -> set:
    tree = ast.parse(path.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    return imported | {node.module.split(".")[0] for node in ast.walk(tree)
                       if isinstance(node, ast.ImportFrom) and node.module}


NETWORK = {"urllib", "http", "requests", "socket", "ftplib", "pip", "zipimport"}


def test_the_loader_has_no_way_to_fetch_or_run_anything_else():
    """bpdash.plugins imports no networking or process modules: it can only import files from the
    folders it lists and entry points. Its import probe starts one kind of process: this same
    Python, importing those same files."""
    assert not imported_modules(ROOT / "bpdash" / "plugins.py") & (NETWORK | {"subprocess"})
    probe = ROOT / "bpdash" / "plugin_probe.py"
    assert not imported_modules(probe) & NETWORK
    calls = [node for node in ast.walk(ast.parse(probe.read_text())) if isinstance(node, ast.Call)
             and ast.unparse(node.func) == "subprocess.Popen"]
    assert [ast.unparse(call.args[0]) for call in calls] == \
        ["[sys.executable, '-c', CHILD, self._mark, *map(str, self._pending)]"]


# ================================================================ messages quoting uploads

def test_a_column_name_in_a_message_is_shown_as_text_not_markdown():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="data_source").set_value("CSV file")
    at.run()
    raw = b"![pixel](http://127.0.0.1:9/track.png),y\nzz,1\n2,0\n3,1\n"  # a feature that is no number
    at.file_uploader(key="csv_file").set_value(("md.csv", raw, "text/csv"))
    at.run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    # the name is shown (escaped, so Markdown renders it literally), never as an image to fetch
    assert "track" in message and "pixel" in message and "![pixel](" not in message
