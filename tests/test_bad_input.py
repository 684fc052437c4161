"""Bad input catalogue: random and hostile input thrown at every loader bpdash exposes.

The contract, for each loader:

- ``bpdash.csvdata.read_csv`` / ``load_csv``: return a DataFrame / a valid DataSplit, or raise
  ``DataError`` with a message. Nothing else, and no hang.
- ``ExperimentConfig.from_json`` / ``from_dict``: return a valid config or raise ``ConfigError``.
- ``bpdash.share.from_query_params``: never raises; always a valid config plus notices, one
  for every parameter it could not use.
- Hyperparameters at the extremes are refused by validation with a message naming the field;
  a trainer given a huge learning rate stops with a message and finite weights.

Property tests use hypothesis; explicit examples cover what random generation rarely hits
(a 10⁶-column header, 0 rows, UTF-16, ...). ``CASES`` counts every case tried; the total is
written to test-output/bad_input_cases.json when the module finishes (and is quoted in the
README's reliability section).
"""
import collections
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpdash
from bpdash.config import (MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_LEARNING_RATE, MAX_NEURONS, ConfigError,
                           ExperimentConfig, field_errors, registry_errors)
from bpdash.csvdata import load_csv, read_csv
from bpdash.data import MAX_ABS_VALUE, MAX_COLUMNS, MAX_ROWS, DataError, DataSplit
from bpdash.network import Network
from bpdash.share import from_query_params, to_query_params
from bpdash.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
CASES = collections.Counter()  # test name → cases tried
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]


def fuzz(n):
    """Hypothesis settings for a property tried on ``n`` examples (no per-example deadline)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=HEALTH, derandomize=False)


_REGISTRY = None


def builtins():
    """The built-in registry, loaded once for this module (hypothesis calls tests many times)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = bpdash.load_plugins(extra_dirs=[], entry_points=False)
    return _REGISTRY


@pytest.fixture(scope="module", autouse=True)
def record_case_count():
    yield
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "bad_input_cases.json").write_text(json.dumps(
        {"total": sum(CASES.values()), "by_test": dict(sorted(CASES.items()))}, indent=2))


def count(name):
    CASES[name] += 1


# ================================================================ CSV: the contract

def check_frame(df):
    """What read_csv promises about a DataFrame it returns."""
    assert isinstance(df, pd.DataFrame)
    assert 2 <= len(df) <= MAX_ROWS and 1 <= df.shape[1] <= MAX_COLUMNS
    assert df.columns.is_unique
    assert len(df.attrs["lines"]) == len(df)


def check_split(split):
    """What load_csv promises about a DataSplit it returns."""
    assert isinstance(split, DataSplit)
    for M in (split.X_train, split.Y_train, split.X_test, split.Y_test):
        assert M.dtype == float and np.isfinite(M).all()
    assert split.n_train >= 1 and split.n_features >= 1 and split.n_outputs >= 1
    if split.feature_mean is None:
        assert np.abs(split.X_train).max(initial=0) <= MAX_ABS_VALUE
    assert np.abs(split.Y_train).max(initial=0) <= MAX_ABS_VALUE


def csv_outcome(source, **load_options):
    """read_csv, then load_csv on its frame: each either works or raises DataError with a message."""
    try:
        df = read_csv(source)
    except DataError as exc:
        assert str(exc).strip()
        return "refused"
    check_frame(df)
    try:
        split = load_csv(df, **load_options)
    except DataError as exc:
        assert str(exc).strip()
        return "read only"
    check_split(split)
    return "loaded"


# ================================================================ CSV: random input

@fuzz(300)
@given(st.binary(max_size=3000))
def test_random_bytes(raw):
    count("csv random bytes")
    csv_outcome(raw)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis", "ascii"]


@fuzz(200)
@given(st.text(max_size=2000), st.sampled_from(ENCODINGS))
def test_random_text_in_any_encoding(text, encoding):
    count("csv random text, any encoding")
    csv_outcome(text.encode(encoding, errors="replace"))


TOKENS = ["", " ", "0", "1", "-1", "0.5", "+5", "1e308", "-1e308", "1e309", "-1e309", "1e12", "-1e12",
          "1e13", "1.7976931348623157e308", "5e-324", "nan", "NaN", "-nan", "NA", "n/a", "null", "None",
          "inf", "-inf", "Infinity", "x", "é", "名前", "\t", "0x10", "1_000", "1e", ".", "-", "9" * 400,
          "١٢", "True", "=1+1", '"1,5"', '"a""b"', '"', "\x00", "\u202e", "__import__('os').system('id')"]
CELL = st.one_of(st.sampled_from(TOKENS),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(-10**30, 10**30).map(str),
                 st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8))


@st.composite
def hostile_csv(draw):
    """A grid of hostile cells: ragged rows, odd headers, mixed line ends, sometimes a BOM."""
    width = draw(st.integers(1, 8))
    header = draw(st.lists(st.one_of(st.sampled_from(["a", "b", "y", "", " a", "Unnamed: 1"]), CELL),
                           min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width) if draw(st.booleans())
                         else st.lists(CELL, min_size=0, max_size=width + 2), max_size=12))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(",".join(row) for row in [header, *rows]) + draw(st.sampled_from(["", end, end * 3]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return (bom + text).encode("utf-8", errors="replace")


@fuzz(400)
@given(hostile_csv(), st.booleans())
def test_hostile_grids(raw, standardize):
    count("csv hostile grids")
    csv_outcome(raw, standardize=standardize)


@st.composite
def numeric_csv(draw):
    """Numbers only, but any numbers: NaN, ±inf, huge, tiny, as floats or ints of any size."""
    width = draw(st.integers(2, 5))
    number = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                       st.floats(-1e3, 1e3).map(repr), st.integers(-10**40, 10**40).map(str),
                       st.sampled_from(["0", "1"]))
    rows = draw(st.lists(st.lists(number, min_size=width, max_size=width), min_size=0, max_size=30))
    header = ",".join(f"c{i}" for i in range(width))
    return "\n".join([header] + [",".join(r) for r in rows]).encode()


@fuzz(200)
@given(numeric_csv(), st.booleans(), st.floats(0, 0.9), st.integers(0, 2**32 - 1))
def test_numbers_of_any_size(raw, standardize, test_share, seed):
    count("csv numbers of any size")
    outcome = csv_outcome(raw, standardize=standardize, test_share=test_share, seed=seed)
    if outcome == "loaded":  # then every value was a usable number
        df = read_csv(raw)
        values = df.to_numpy(dtype=float)
        assert np.isfinite(values).all() and np.abs(values).max() <= MAX_ABS_VALUE


@fuzz(150)
@given(data=st.data())
def test_column_choices(data):
    """Any features/target arguments, sensible or not, on a sound file."""
    count("csv column choices")
    df = read_csv(b"a,b,c,label\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n")
    name = st.one_of(st.sampled_from(["a", "b", "c", "label", "A", "", "d", "label "]), st.text(max_size=5))
    target = data.draw(st.one_of(st.none(), name, st.lists(name, max_size=4)))
    features = data.draw(st.one_of(st.none(), st.lists(name, max_size=5)))
    task = data.draw(st.sampled_from([None, "classification", "regression"]))
    try:
        split = load_csv(df, features=features, target=target, task=task)
    except DataError as exc:
        assert str(exc).strip()
    else:
        check_split(split)


# ================================================================ CSV: explicit examples

def header_of(columns, quoted=False):
    cell = '"c{}"' if quoted else "c{}"
    return ",".join(cell.format(i) for i in range(columns))


REFUSED_FILES = {
    "empty": (b"", "empty"),
    "blank": (b" \n\n \n", "empty"),
    "one column, header only": (b"a\n", "no data rows"),
    "0 rows": (b"a,b\n", "no data rows, only a header"),
    "1 row": (b"a,b\n1,2\n", "only 1 data row"),
    "ragged row": (b"a,b\n1,2\n3\n", "line 3 has 1 field"),
    "too wide row": (b"a,b\n1,2\n3,4,5\n", "line 3 has 3 fields"),
    "10^6-column header": ((header_of(10**6) + "\n1,2\n").encode(), "1,000,000 columns"),
    "10^6-column quoted header": ((header_of(10**6, quoted=True) + "\n1,2\n").encode(), "1,000,000 columns"),
    "65 columns": ((header_of(MAX_COLUMNS + 1) + "\n" + ("1," * MAX_COLUMNS) + "1\n") .encode() * 1,
                   f"the limit is {MAX_COLUMNS}"),
    "10,001 rows": (b"a,b\n" + b"1,0\n" * (MAX_ROWS + 1), f"more than {MAX_ROWS:,} data rows"),
    "UTF-16": ("a,b\n1,2\n3,4\n".encode("utf-16"), "UTF-16"),
    "Latin-1": ("é,b\n1,2\n3,4\n".encode("latin-1"), "not UTF-8"),
    "xlsx (zip)": (b"PK\x03\x04" + b"\x00" * 100, "zip archive"),
    "NUL bytes": (b"a,b\x00\n1,2\n3,4\n", "NUL"),
    "open quote": (b'a,b\n"1,2\n3,4\n', "quote"),
    "field over 128 KiB": (b"a,b\n" + b"1" * 200_000 + b",2\n3,4\n", "field larger than field limit"),
    "semicolons": (b"a;b;c\n1;2;3\n4;5;6\n", "other than commas"),
    "duplicate columns": (b"a,a\n1,2\n3,4\n", "unique"),
    "old Mac line ends": (b"a,b\r1,2\r3,4\r", "cannot parse"),
    "missing path": (str(ROOT / "no" / "such.csv"), "cannot read"),
    "a directory": (str(ROOT), "cannot read"),
    "NUL in a path": ("a\x00b.csv", "cannot read"),
    "lone surrogate in a path": ("\ud800.csv", "cannot read"),
}


@pytest.mark.parametrize("case", list(REFUSED_FILES))
def test_refused_files(case):
    count("csv explicit refusals")
    source, words = REFUSED_FILES[case]
    with pytest.raises(DataError) as info:
        read_csv(source)
    assert words in str(info.value), str(info.value)


REFUSED_COLUMNS = {  # read fine, refused when the columns are used
    "one column": (b"a\n1\n2\n3\n", {}, "no feature columns"),
    "NaN": (b"a,b\n1,0\nnan,1\n2,0\n", {}, "missing value in row 2"),
    "+inf": (b"a,b\n1,0\ninf,1\n2,0\n", {}, "infinite value"),
    "-inf": (b"a,b\n1,0\n2,1\n-inf,0\n", {}, "infinite value"),
    "huge": (b"a,b\n1,0\n1e300,1\n2,0\n", {}, "too large"),
    "beyond float": (b"a,b\n1,0\n1e400,1\n2,0\n", {}, "infinite value"),
    "huge integer": (b"a,b\n1,0\n" + b"9" * 400 + b",1\n2,0\n", {}, "infinite value"),
    "text": (b"a,b\n1,0\nabc,1\n2,0\n", {}, "non-numeric value 'abc'"),
    "formula": (b"a,b\n1,0\n=1+1,1\n2,0\n", {}, "non-numeric value '=1+1'"),
    "unknown target": (b"a,b\n1,0\n2,1\n", {"target": "z"}, "unknown column 'z'"),
    "feature is target": (b"a,b\n1,0\n2,1\n", {"features": ["b"], "target": "b"}, "both a feature and a target"),
    "non-binary classification": (b"a,b\n1,0\n2,2\n", {"task": "classification"}, "0/1 targets"),
}


@pytest.mark.parametrize("case", list(REFUSED_COLUMNS))
def test_refused_columns(case):
    count("csv explicit refusals")
    raw, options, words = REFUSED_COLUMNS[case]
    df = read_csv(raw)
    with pytest.raises(DataError) as info:
        load_csv(df, **options)
    assert words in str(info.value), str(info.value)


ACCEPTED_FILES = {
    "BOM": b"\xef\xbb\xbfa,b\n1,0\n2,1\n",
    "CRLF": b"a,b\r\n1,0\r\n2,1\r\n",
    "quoted numbers": b'"a","b"\n"1","0"\n"2","1"\n',
    "NaN in an unused column": b"a,notes,b\n1,,0\n2,nan,1\n",
    "blank lines": b"a,b\n\n1,0\n\n2,1\n\n",
    "64 columns": (header_of(MAX_COLUMNS) + "\n" + ",".join(["1"] * MAX_COLUMNS) + "\n"
                   + ",".join(["0"] * MAX_COLUMNS) + "\n").encode(),
    "10,000 rows": b"a,b\n" + b"1,0\n" * MAX_ROWS,
    # a spread so small its std underflows to 0: standardizing once divided by it (±inf)
    "subnormal spread, standardized": b"a,b,c\n0.0,0.0,0\n0.0,2.2250738585e-313,1\n0,0,0\n",
}


@pytest.mark.parametrize("case", list(ACCEPTED_FILES))
def test_accepted_files(case):
    count("csv explicit acceptances")
    options = {"features": ["a"], "target": "b"} if "unused" in case else {}
    if "standardized" in case:
        options = {"standardize": True, "test_share": 0.0}
    assert csv_outcome(ACCEPTED_FILES[case], **options) == "loaded"


# ================================================================ config JSON

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400),  # beyond float range too
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=80))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=6)),
                    max_leaves=30)
FIELDS = list(ExperimentConfig().to_dict())


def config_outcome(fn, *args):
    try:
        config = fn(*args)
    except ConfigError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return None
    assert isinstance(config, ExperimentConfig) and field_errors(config) == {}
    return config


@fuzz(200)
@given(st.one_of(st.text(max_size=500), st.binary(max_size=200)))
def test_config_from_random_text(text):
    count("config random text")
    config_outcome(ExperimentConfig.from_json, text)


@fuzz(200)
@given(JSON)
def test_config_from_random_json(value):
    count("config random JSON")
    config_outcome(ExperimentConfig.from_json, json.dumps(value))


@fuzz(400)
@given(st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), JSON, max_size=8))
def test_config_from_random_fields(data):
    count("config random fields")
    config = config_outcome(ExperimentConfig.from_dict, data)
    if config is not None:
        assert set(data) <= set(FIELDS)


@st.composite
def valid_configs(draw):
    registry = builtins()
    layers = draw(st.integers(0, MAX_HIDDEN_LAYERS))
    acts = sorted(registry.activations)
    return ExperimentConfig(
        dataset=draw(st.sampled_from(sorted(registry.datasets))),
        n_samples=draw(st.integers(2, 10_000)), noise=draw(st.floats(0, 10)),
        test_share=draw(st.floats(0, 0.9)), data_seed=draw(st.integers(0, 2**32 - 1)),
        hidden=tuple(draw(st.lists(st.integers(1, MAX_NEURONS), min_size=layers, max_size=layers))),
        activations=tuple(draw(st.lists(st.sampled_from(acts), min_size=layers, max_size=layers))),
        output_activation=draw(st.sampled_from(acts)), bias=draw(st.booleans()),
        cost=draw(st.sampled_from(sorted(registry.costs))), init=draw(st.sampled_from(sorted(registry.initializers))),
        epsilon=draw(st.floats(0, 10)), seed=draw(st.integers(0, 2**32 - 1)),
        learning_rate=draw(st.floats(1e-9, MAX_LEARNING_RATE)),
        batch_size=draw(st.one_of(st.none(), st.integers(1, 10_000))), epochs=draw(st.integers(1, MAX_EPOCHS)))


@fuzz(100)
@given(valid_configs())
def test_valid_configs_round_trip_through_json(config):
    count("config JSON round trip")
    assert ExperimentConfig.from_json(config.to_json()) == config


# ================================================================ query parameters

PARAM_NAME = st.one_of(st.sampled_from(FIELDS), st.text(max_size=20),
                       st.sampled_from(["../../etc/passwd", "__import__", "plugins", "file", "url"]))
PARAM_VALUE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["0", "-1", "1e6", "1e309", "nan", "inf", "-inf", "true", "full", "3,4", "relu",
                     "softplus", "swish", "os.system", "../../etc/passwd", "/etc/passwd",
                     "http://example.com/evil.py", "plugins/sigmoid.py", "C:\\Windows\\win.ini",
                     "$(touch /tmp/x)", "%00", "a" * 201, "x" * 10_000, "1" * 5000, "1," * 200]),
    st.integers(-10**20, 10**20).map(str), st.floats().map(repr))
PARAMS = st.dictionaries(PARAM_NAME, st.one_of(PARAM_VALUE, st.lists(PARAM_VALUE, max_size=3)), max_size=10)


@fuzz(400)
@given(PARAMS)
def test_query_params_never_raise(params):
    count("query params random")
    registry = builtins()
    config, notices = from_query_params(params, registry)  # must not raise
    assert isinstance(config, ExperimentConfig)
    assert field_errors(config) == {} and registry_errors(config, registry) == {}
    assert all(isinstance(n, str) and n for n in notices)
    unknown = [name for name in params if name not in FIELDS]
    assert sum("unknown parameter" in n for n in notices) == len(unknown)
    assert all(len(n) < 1000 for n in notices)  # a 10,000-character value is never echoed


@fuzz(150)
@given(valid_configs())
def test_valid_configs_round_trip_through_a_link(config):
    count("query params round trip")
    params = to_query_params(config)
    assert from_query_params(params, builtins()) == (config, [])


# ================================================================ hyperparameters at the extremes

EXTREMES = {
    "learning_rate": [1e6, MAX_LEARNING_RATE * 1.0001, 0.0, -0.5, math.nan, math.inf, "0.1", True],
    "hidden": [(0,), (-3,), (MAX_NEURONS + 1,), (4,) * (MAX_HIDDEN_LAYERS + 1), (2.5,)],
    "epochs": [10**9, MAX_EPOCHS + 1, 0, -1, 3.0],
    "batch_size": [0, -1, 10**9],
    "n_samples": [10**9, 1, 0],
    "noise": [-1.0, 1e6, math.nan],
    "epsilon": [-1.0, 1e9],
    "seed": [-1, 2**64],
}


@pytest.mark.parametrize("name, value", [(n, v) for n, values in EXTREMES.items() for v in values])
def test_extreme_hyperparameters_are_refused_with_a_message(name, value):
    count("hyperparameter extremes")
    changes = {name: value}
    if name == "hidden":
        changes["activations"] = ("tanh",) * len(value)
    with pytest.raises(ConfigError) as info:
        ExperimentConfig().replace(**changes)
    assert name in info.value.errors and info.value.errors[name]
    assert name in str(info.value)


@pytest.mark.parametrize("value", ["1e6", "0", "-1", "1e309"])
def test_an_extreme_learning_rate_in_a_link_is_ignored_with_a_notice(value):
    count("hyperparameter extremes")
    config, notices = from_query_params({"learning_rate": value}, builtins())
    assert config.learning_rate == ExperimentConfig().learning_rate
    assert len(notices) == 1 and "learning_rate" in notices[0]


@pytest.mark.parametrize("eta", [1e6, 1e3, MAX_LEARNING_RATE])
def test_a_huge_learning_rate_diverges_with_a_message_and_finite_weights(eta):
    count("hyperparameter extremes")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2)) * 10
    Y = (X[:, :1] > 0).astype(float) * 100  # large targets: squared error explodes fast
    net = Network([2, 16, 1], ["relu", "linear"], init="uniform", epsilon=1.0, seed=0, registry=builtins())
    trainer = Trainer(net, X, Y, learning_rate=eta, seed=0)
    trainer.fit(200)
    assert trainer.diverged
    assert "learning rate" in trainer.message and f"{eta:g}" in trainer.message
    assert all(np.isfinite(W).all() for W in net.weights) and all(np.isfinite(b).all() for b in net.biases)
    assert trainer.epoch < 200


# ================================================================ what the JSON parser itself refuses

@pytest.mark.parametrize("name", ["noise", "learning_rate", "epsilon", "test_share", "n_samples", "seed"])
def test_an_integer_beyond_float_range_is_refused(name):
    count("config explicit")
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({name: 10**400})
    assert name in info.value.errors and len(str(info.value)) < 1000  # the value is cut short


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000 + "]" * 100_000, '{"hidden": [' + "1," * 10**5 + "1]}",
                                  "\ud800", '{"a": NaN}', '{"noise": Infinity}', "null", "[]", '""'])
def test_json_the_parser_refuses_or_that_is_no_config_is_a_config_error(text):
    count("config explicit")
    with pytest.raises(ConfigError):
        ExperimentConfig.from_json(text)
