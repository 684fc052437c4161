"""Bad CSV files: random and hostile input thrown at ``bpdash.csvdata``.

The contract: ``read_csv`` returns a DataFrame and ``load_csv`` a valid DataSplit, or each
raises ``DataError`` with a message. Nothing else, and no hang. Property tests use hypothesis;
explicit examples cover what random generation rarely hits (a 10⁶-column header, 0 rows,
UTF-16, ...). Configs, links and hyperparameters are in test_bad_config.py.
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpdash.csvdata import load_csv, read_csv
from bpdash.data import MAX_ABS_VALUE, MAX_COLUMNS, MAX_ROWS, DataError, DataSplit
from fuzzing import ROOT, count, fuzz, write_case_count


@pytest.fixture(scope="module", autouse=True)
def record_case_count():
    yield
    write_case_count()


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
    "non-binary labels in several targets": (b"a,b,c\n1,0,1\n2,2,0\n", {"target": ["b", "c"], "task": "classification"},
                                             "0/1 targets"),
    "a single class": (b"a,b\n1,x\n2,x\n", {}, "holds one class only"),
    "an empty label": (b"a,b\n1,x\n2,\n3,y\n", {}, "empty label in row 2"),
    "eleven classes": (b"a,b\n" + b"".join(f"{i},k{i}\n".encode() for i in range(11)), {}, "at most 10"),
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
