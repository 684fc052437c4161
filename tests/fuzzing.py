"""What the bad-input catalogue (test_bad_csv.py, test_bad_config.py) shares: hypothesis settings,
the built-in registry, and the count of cases tried.

``CASES`` counts every case tried, by test; each module writes the running total to
test-output/bad_input_cases.json when it finishes, so after a full run the file holds the total
of both (it is quoted in docs/reliability.md).
"""
import collections
import json
from pathlib import Path

from hypothesis import HealthCheck, settings

import bpdash

ROOT = Path(__file__).resolve().parent.parent
CASES = collections.Counter()  # test name → cases tried
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]


def fuzz(n):
    """Hypothesis settings for a property tried on ``n`` examples (no per-example deadline)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=HEALTH, derandomize=False)


_REGISTRY = None


def builtins():
    """The built-in registry, loaded once (hypothesis calls tests many times)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = bpdash.load_plugins(extra_dirs=[], entry_points=False)
    return _REGISTRY


def count(name):
    CASES[name] += 1


def write_case_count():
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "bad_input_cases.json").write_text(json.dumps(
        {"total": sum(CASES.values()), "by_test": dict(sorted(CASES.items()))}, indent=2))
