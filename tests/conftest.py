"""Fixtures shared by every test: a clean plugin environment and a fresh registry."""
import pytest

import bpdash
import bpdash.plugins

PLUGIN_ENV = ("BPDASH_PLUGINS_DIR", "BPDASH_STRICT_PLUGINS")


@pytest.fixture(autouse=True)
def clean_plugin_environment(monkeypatch):
    """Each test starts with no plugin variables set and no process-wide registry loaded."""
    for name in PLUGIN_ENV:
        monkeypatch.delenv(name, raising=False)
    bpdash.plugins.reset_default_registry()
    yield
    bpdash.plugins.reset_default_registry()


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """A folder holding bpdash (a normal, non-editable install) and examples/bpdash-swish,
    installed once per test run with pip (see installing.py)."""
    from installing import install_bpdash_and_swish

    return install_bpdash_and_swish(tmp_path_factory.mktemp("installed"))


@pytest.fixture
def registry():
    """A fresh registry of the built-in plugins only (no plugin folders, no entry points)."""
    return bpdash.load_plugins(extra_dirs=[], entry_points=False)


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """The app caches the registry and datasets per process: every test starts from empty caches."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


# Tests that share an expensive session fixture, or one record, run in one worker when pytest-xdist
# spreads the suite over several (``--dist loadgroup``): one install, one browser and server, one
# count of the bad-input cases. Everything else is spread test by test.
GROUPS = {"browser": "browser", "test_packaging.py": "installed", "test_plugin_package.py": "installed",
          "test_bad_csv.py": "fuzzing", "test_bad_config.py": "fuzzing"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = item.path.parts
        group = GROUPS.get("browser" if "browser" in parts else item.path.name)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
