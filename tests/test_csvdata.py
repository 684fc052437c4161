"""CSV files as data (bpdash.csvdata): reading, refusing with a reason, choosing columns."""
import io
import tracemalloc

import numpy as np
import pytest

from bpdash import Network
from bpdash.csvdata import load_csv, read_csv
from bpdash.data import MAX_COLUMNS, MAX_ROWS, DataError


# ---------------------------------------------------------------- reading and rejecting

GOOD = b"x1,x2,label,y\n0.5,1.0,a,0\n1.5,3.0,b,1\n2.5,5.0,c,1\n3.5,7.0,d,0\n4.5,9.0,e,1\n"


def rejects(data, *words, **kwargs):
    """Assert that loading ``data`` raises DataError whose message has every word."""
    loader = load_csv if kwargs else read_csv
    with pytest.raises(DataError) as info:
        loader(data, **kwargs)
    message = str(info.value).lower()
    for word in words:
        assert word.lower() in message, message
    return message


def test_read_csv_from_path_bytes_and_file_like(tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(GOOD)
    frames = [read_csv(path), read_csv(str(path)), read_csv(GOOD), read_csv(io.BytesIO(GOOD)),
              read_csv(io.StringIO(GOOD.decode()))]
    for df in frames:
        assert list(df.columns) == ["x1", "x2", "label", "y"] and len(df) == 5
        assert df["x2"].dtype.kind == "f" and df["y"].dtype.kind == "i"
    assert load_csv(path, features=["x1"]).name == "good"


def test_read_csv_rereads_an_already_read_upload():
    upload = io.BytesIO(GOOD)
    upload.read()  # Streamlit hands back the same UploadedFile on every rerun
    assert len(read_csv(upload)) == 5


def test_read_csv_accepts_bom_crlf_and_blank_lines():
    data = b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4\r\n"
    df = read_csv(data)
    assert list(df.columns) == ["a", "b"] and df["b"].tolist() == [2, 4]


def test_rejects_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    rejects(tmp_path / "empty.csv", "empty")
    rejects(b"  \n\n", "empty")


def test_rejects_undecodable_bytes():
    rejects("a,b\n1,café\n2,3\n".encode("latin-1"), "utf-8", "0xe9")
    rejects("a,b\n1,2\n3,4\n".encode("utf-16"), "utf-16")  # with a byte-order mark
    rejects("a,b\n1,2\n3,4\n".encode("utf-16-le"), "utf-16")  # without: NUL bytes
    rejects(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "xlsx", "csv")


def test_rejects_missing_file(tmp_path):
    rejects(tmp_path / "nope.csv", "cannot read", "nope.csv")


def test_rejects_ragged_rows():
    rejects(b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "line 3", "2 fields", "header has 3")
    rejects(b"a,b\n1,2\n3,4,5\n", "line 3", "3 fields")


def test_rejects_parse_errors():
    rejects(b'a,b\n1,"2"x\n3,4\n', "parse", "line 2")
    rejects(b'a,b\n1,2\n3,"4\n5,6\n', "parse", "line 3", "quote")


@pytest.mark.parametrize("data, words", [
    (b"a,b,c\n", ("no data rows", "at least 2 rows")),
    (b"a,b,c", ("no data rows", "at least 2 rows")),
    (b"a,b,c\n1,2,3\n", ("only 1 data row", "at least 2 rows")),
])
def test_rejects_too_few_rows(data, words):
    rejects(data, *words)


def test_rejects_too_many_rows():
    ok = b"a,b\n" + b"1,2\n" * MAX_ROWS
    assert len(read_csv(ok)) == MAX_ROWS
    rejects(ok + b"3,4\n", "more than", f"{MAX_ROWS:,}")


def test_rejects_too_many_columns():
    ok = "\n".join(",".join(f"{c}{i}" for i in range(MAX_COLUMNS)) for c in ("c", "1", "2"))
    assert read_csv(ok.encode()).shape == (2, MAX_COLUMNS)
    header = ",".join(f'"c{i}"' for i in range(MAX_COLUMNS + 1))  # quoted: parsed, then refused
    data = f"{header}\n" + ",".join(["1"] * (MAX_COLUMNS + 1))
    rejects(data.encode(), str(MAX_COLUMNS + 1), f"limit is {MAX_COLUMNS}")


def test_huge_header_is_refused_before_parsing():
    """A million-column header is refused from its first line: no row of a million fields is
    ever built (the csv module would hold a million strings, about 60 MB, for the header alone)."""
    header = ",".join(f"c{i}" for i in range(10**6)).encode()
    data = header + b"\n" + b",".join([b"1"] * 10**6)
    tracemalloc.start()
    try:
        rejects(data, "1,000,000 columns", "limit is 64")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(data)  # the decoded text and its first line, nothing per column


def test_rejects_duplicate_names_and_other_separators():
    rejects(b"a,b,a\n1,2,3\n4,5,6\n", "unique", "'a'")
    rejects(b"a;b;c\n1;2;3\n4;5;6\n", "comma")


# ---------------------------------------------------------------- choosing columns

def test_load_csv_defaults_last_column_is_target():
    d = load_csv(b"p,q,r\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,3.5\n9,10,4.5\n", test_share=0.2, seed=1)
    assert d.feature_names == ("p", "q") and d.target_names == ("r",)
    assert (d.n_train, d.n_test, d.n_features, d.n_outputs) == (4, 1, 2, 1)
    assert d.task == "regression"
    X, Y = np.vstack([d.X_train, d.X_test]), np.vstack([d.Y_train, d.Y_test])  # every row
    np.testing.assert_array_equal(np.sort(Y.ravel()), [0.5, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_array_equal(X[:, 1], X[:, 0] + 1)  # rows stay paired


def test_load_csv_column_choice_and_classification_inference():
    d = load_csv(GOOD, features=["x2", "x1"], target="y", test_share=0.0)
    assert d.feature_names == ("x2", "x1") and d.target_names == ("y",)
    assert d.task == "classification"
    np.testing.assert_array_equal(d.X_train[:, 0], 2 * d.X_train[:, 1])  # x2 = 2 x1 in GOOD
    # default features: every column but the target
    d = load_csv(b"y,a,b\n0,1,2\n1,3,4\n1,5,6\n", target="y", test_share=0.0)
    assert d.feature_names == ("a", "b") and d.task == "classification"


def test_load_csv_task_inference_and_override():
    reg = b"a,y\n1,0\n2,1\n3,2\n"
    assert load_csv(reg).task == "regression"
    assert load_csv(b"a,y\n1,0.0\n2,1.0\n3,1\n").task == "classification"
    assert load_csv(b"a,y\n1,0\n2,1\n3,1\n", task="regression").task == "regression"
    three = load_csv(reg, task="classification", test_share=0.0)  # the numbers taken as class labels
    assert three.class_names == ("0", "1", "2") and three.n_outputs == 3
    rejects(b"a,y1,y2\n1,0,1\n2,1,0\n3,2,1\n", "several target columns needs 0/1 targets", "'y1'", "line 4",
            target=["y1", "y2"], task="classification")
    with pytest.raises(ValueError, match="task"):
        load_csv(reg, task="clustering")


def test_a_column_of_text_labels_is_a_classification_of_its_classes():
    d = load_csv(b"a,b,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,versicolor\n9,1,virginica\n",
                 test_share=0.0, seed=3)
    assert d.task == "classification" and d.class_names == d.target_names == ("setosa", "versicolor", "virginica")
    X, Y = d.X_train, d.Y_train
    assert Y.shape == (5, 3) and (Y.sum(axis=1) == 1).all()  # one-hot, a row per sample
    species = dict(zip(X[:, 0].tolist(), np.array(d.class_names)[Y.argmax(axis=1)].tolist()))
    assert species == {1.0: "setosa", 3.0: "virginica", 5.0: "setosa", 7.0: "versicolor", 9.0: "virginica"}


def test_two_labels_are_one_0_1_column_named_by_the_column():
    d = load_csv(b"a,pet\n1,dog\n2,cat\n3,dog\n", test_share=0.0, seed=0)
    assert d.class_names == ("cat", "dog") and d.target_names == ("pet",) and d.n_outputs == 1
    assert dict(zip(d.X_train[:, 0].tolist(), d.Y_train[:, 0].tolist())) == {1.0: 1.0, 2.0: 0.0, 3.0: 1.0}
    numbers = load_csv(b"a,grade\n1,3\n2,7\n3,3\n", task="classification", test_share=0.0, seed=0)
    assert numbers.class_names == ("3", "7")  # numbers as labels, in increasing order


@pytest.mark.parametrize("raw, words", [
    (b"a,y\n1,cat\n2,cat\n3,cat\n", ["column 'y' holds one class only ('cat')"]),
    (b"a,y\n1,cat\n2,\n3,dog\n", ["column 'y' has an empty label in row 2", "line 3"]),
    (b"a,y\n" + b"".join(f"{i},c{i}\n".encode() for i in range(12)),
     ["column 'y' holds 12 classes; at most 10", "'c10'", "row 11, line 12"]),
])
def test_labels_that_are_no_set_of_classes_are_refused_naming_column_and_row(raw, words):
    rejects(raw, *words, test_share=0.0)


def test_load_csv_several_targets():
    d = load_csv(b"a,b,y1,y2\n1,2,0,1\n3,4,1,0\n5,6,1,1\n", target=["y1", "y2"], test_share=0.0)
    assert d.feature_names == ("a", "b") and d.n_outputs == 2 and d.task == "classification"


def test_load_csv_standardizes_with_training_rows_only():
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(50, 10, 40), rng.normal(-3, 0.01, 40), np.full(40, 7.0),
                             rng.uniform(size=40)])
    text = "big,small,const,y\n" + "\n".join(",".join(map(repr, row)) for row in table.tolist())
    d = load_csv(text.encode(), standardize=True, test_share=0.25, seed=2)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), [1.0, 1.0, 0.0], atol=1e-12)
    assert np.all(d.X_test[:, 2] == 0.0)  # constant column: shifted, not divided by 0
    raw = load_csv(text.encode(), test_share=0.25, seed=2)  # same split, unscaled
    np.testing.assert_allclose(d.X_test, (raw.X_test - d.feature_mean) / d.feature_std)
    np.testing.assert_allclose(d.feature_mean, raw.X_train.mean(axis=0))
    assert not np.allclose(d.X_test.mean(axis=0)[:2], 0.0, atol=1e-12)  # test rows were not used


def test_load_csv_split_is_deterministic():
    a, b = load_csv(GOOD, features=["x1"], seed=4), load_csv(GOOD, features=["x1"], seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.Y_test, b.Y_test)


def test_load_csv_accepts_a_frame_from_read_csv():
    df = read_csv(GOOD)
    d = load_csv(df, features=["x1", "x2"], target="y", test_share=0.0)
    assert d.X_train.shape == (5, 2)
    rejects(b"a,y\n1,0\n,1\n", "missing", "row 2", "line 3", features=["a"])  # lines kept


def test_unused_text_columns_are_fine_but_chosen_ones_are_not():
    assert load_csv(GOOD, features=["x1", "x2"], target="y").n_features == 2
    rejects(GOOD, "'label'", "non-numeric", "'a'", "row 1", "line 2", features=["x1", "label"])


@pytest.mark.parametrize("cell, words", [
    ("", ("missing",)), ("NA", ("missing",)), ("nan", ("missing",)),
    ("abc", ("non-numeric", "'abc'")), ("1,000", ()),  # an unquoted 1,000 makes the row ragged
    ("inf", ("infinite",)), ("-Infinity", ("infinite",)), ("1e400", ("infinite",)),
    ("2e12", ("too large", "1e+12")),
])
def test_rejects_bad_values_naming_column_and_row(cell, words):
    data = f"a,b,y\n1,2,0\n3,4,1\n5,{cell},1\n6,7,0\n".encode()
    if cell == "1,000":
        rejects(data, "line 4", "4 fields")
    else:
        rejects(data, "'b'", "row 3", "line 4", *words, target="y")


def test_rejects_bad_targets():
    rejects(b"a,y\n1,0\n2,\n3,1\n", "'y'", "missing", "row 2", target="y")


@pytest.mark.parametrize("kwargs, words", [
    (dict(features=["x1", "nope"]), ("unknown column", "'nope'")),
    (dict(target="nope"), ("unknown column", "'nope'")),
    (dict(features=["x1", "y"], target="y"), ("'y'", "both a feature and a target")),
    (dict(features=["y"]), ("'y'", "both a feature and a target")),
    (dict(features=[], target="y"), ("no feature",)),
    (dict(features=["x1", "x1"], target="y"), ("'x1'", "more than once")),
    (dict(target=[]), ("target",)),
])
def test_rejects_bad_column_choices(kwargs, words):
    rejects(GOOD, *words, **kwargs)


def test_single_column_file_has_no_features():
    rejects(b"y\n0\n1\n", "no feature", target="y")


def test_load_csv_validates_test_share():
    with pytest.raises(ValueError, match="test_share"):
        load_csv(GOOD, features=["x1"], test_share=1.0)


def test_network_backprop_on_a_loaded_csv(registry):
    d = load_csv(GOOD, features=["x1", "x2"], target="y", standardize=True, test_share=0.0)
    net = Network([d.n_features, 8, d.n_outputs], "tanh", seed=0, registry=registry)
    g = net.backprop(d.X_train, d.Y_train)
    assert np.isfinite(g.cost) and g.activations[-1].shape == (5, 1)
