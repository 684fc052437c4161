"""Datasets from plugins, train/test splits, and CSV loading (bpdash.data, bpdash.csvdata, plugins/datasets.py)."""
import io
import time
from dataclasses import replace

import numpy as np
import pytest

from bpdash import Dataset, Network, load_plugins
from bpdash.csvdata import load_csv, read_csv
from bpdash.data import MAX_COLUMNS, MAX_ROWS, DataError, DataSplit, make_dataset, split

GENERATED = ["xor", "circles", "moons", "spiral", "blobs", "sine"]
CLASSIFICATION = ["xor", "circles", "moons", "spiral", "blobs"]
FIXED = {"article_1_1_1": (1, 1), "article_2_2_2": (2, 2)}  # name → (n_features, n_outputs)


@pytest.fixture(scope="module")
def registry():
    reg = load_plugins(extra_dirs=[], entry_points=False)
    assert not reg.errors
    return reg


def everything(d: DataSplit):
    return np.vstack([d.X_train, d.X_test]), np.vstack([d.Y_train, d.Y_test])


# ---------------------------------------------------------------- built-in datasets

def test_builtin_datasets_are_registered(registry):
    assert set(GENERATED) | set(FIXED) <= set(registry.datasets)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_shapes_task_and_n(registry, name):
    d = make_dataset(name, n=150, seed=3, registry=registry)
    X, Y = everything(d)
    assert X.shape == (150, 1 if name == "sine" else 2) and Y.shape == (150, 1)
    assert d.n_features == X.shape[1] and d.n_outputs == 1
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    assert np.abs(X).max() < 2.5  # roughly [-1, 1] at noise 0.1
    if name in CLASSIFICATION:
        assert d.task == "classification"
        assert set(np.unique(Y)) == {0.0, 1.0}
        assert 0.25 < Y.mean() < 0.75  # both classes well represented
    else:
        assert d.task == "regression"


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_is_deterministic_per_seed(registry, name):
    a, b = make_dataset(name, seed=7, registry=registry), make_dataset(name, seed=7, registry=registry)
    c = make_dataset(name, seed=8, registry=registry)
    for attr in ("X_train", "Y_train", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("n", [1, 2, 7, MAX_ROWS])
def test_exactly_n_samples(registry, n):
    for name in GENERATED:
        record = registry.get("datasets", name)
        X, Y = record.generate(n, 0.2, np.random.default_rng(0))
        assert X.shape[0] == Y.shape[0] == n


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_noise_free_labels_follow_the_geometry(registry, name):
    X, Y = registry.get("datasets", name).generate(400, 0.0, np.random.default_rng(1))
    y = Y[:, 0] == 1
    r = np.hypot(X[:, 0], X[:, 1])
    if name == "xor":
        assert np.array_equal(y, X[:, 0] * X[:, 1] > 0)
    elif name == "circles":
        assert r[y].max() <= 0.5 and r[~y].min() >= 0.7
    elif name == "blobs":
        assert X[y].mean() > 0.3 and X[~y].mean() < -0.3
    elif name == "moons":  # half circles of radius 2/3 around (∓1/3, ∓1/6), class 0 the upper
        centre = np.where(y[:, None], [1 / 3, 1 / 6], [-1 / 3, -1 / 6])
        np.testing.assert_allclose(np.hypot(*(X - centre).T), 2 / 3)
        assert np.all(np.abs(X) <= [1, 0.5])
    else:  # spiral: the angle grows with the radius, class 1 turned by π
        phi = 2.5 * np.pi * r + np.pi * y
        np.testing.assert_allclose(X, np.column_stack([r * np.cos(phi), r * np.sin(phi)]), atol=1e-12)
        assert r.max() <= 1


def test_sine_follows_sin_pi_x(registry):
    X, Y = registry.get("datasets", "sine").generate(50, 0.0, np.random.default_rng(0))
    np.testing.assert_allclose(Y, np.sin(np.pi * X))
    assert X.min() >= -1 and X.max() <= 1


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_article_datasets_are_not_split(registry, name):
    d = make_dataset(name, n=500, noise=3.0, seed=1, test_share=0.5, registry=registry)
    n_features, n_outputs = FIXED[name]
    assert d.X_train.shape[1] == n_features and d.Y_train.shape[1] == n_outputs
    assert d.X_test.shape == (0, n_features) and d.Y_test.shape == (0, n_outputs)
    assert 4 <= d.X_train.shape[0] <= 8  # a handful; n and noise ignored
    assert np.all((d.Y_train > 0) & (d.Y_train < 1))
    again = make_dataset(name, seed=99, registry=registry)
    np.testing.assert_array_equal(d.X_train, again.X_train)


def test_article_2_2_2_has_four_samples(registry):
    d = make_dataset("article_2_2_2", registry=registry)
    assert d.X_train.shape == (4, 2) and d.Y_train.shape == (4, 2)
    assert d.feature_names == ("x1", "x2") and d.target_names == ("y1", "y2")


def test_default_n_and_split_sizes(registry):
    d = make_dataset("moons", registry=registry)
    assert d.X_train.shape[0] + d.X_test.shape[0] == registry.get("datasets", "moons").default_n
    d = make_dataset("moons", n=100, test_share=0.3, registry=registry)
    assert (d.n_train, d.n_test) == (70, 30)
    d = make_dataset("moons", n=100, test_share=0.0, registry=registry)
    assert (d.n_train, d.n_test) == (100, 0)


def test_split_arrays_are_read_only(registry):
    d = make_dataset("xor", registry=registry)
    with pytest.raises(ValueError):
        d.X_train[0, 0] = 5.0


def test_make_dataset_checks_what_a_plugin_returns(registry):
    short = Dataset("short", lambda n, noise, rng: (np.zeros((n - 1, 2)), np.zeros((n - 1, 1))))
    broken = Dataset("broken", lambda n, noise, rng: (np.full((n, 2), np.nan), np.zeros((n, 1))))
    reg = replace(registry, datasets={"short": short, "broken": broken})
    with pytest.raises(ValueError, match="'short'.*10 rows"):
        make_dataset("short", n=10, registry=reg)
    with pytest.raises(ValueError, match="'broken'.*non-finite"):
        make_dataset("broken", n=10, registry=reg)


def test_unknown_dataset_lists_choices(registry):
    with pytest.raises(KeyError, match="moons"):
        make_dataset("moon", registry=registry)


@pytest.mark.parametrize("kwargs, word", [
    (dict(n=0), "n"), (dict(n=MAX_ROWS + 1), "n"), (dict(n=2.5), "n"), (dict(n=True), "n"),
    (dict(noise=-0.1), "noise"), (dict(noise=float("nan")), "noise"), (dict(noise="lots"), "noise"),
    (dict(test_share=0.95), "test_share"), (dict(test_share=-0.1), "test_share"),
    (dict(seed=-1), "seed"),
])
def test_make_dataset_validates_parameters(registry, kwargs, word):
    (value,) = kwargs.values()
    with pytest.raises(ValueError, match=word) as info:
        make_dataset("blobs", registry=registry, **kwargs)
    assert repr(value) in str(info.value)  # the message shows the bad value


def test_split_is_a_seeded_partition():
    X = np.arange(20.0).reshape(10, 2)
    Y = np.arange(10.0).reshape(10, 1)
    X_tr, Y_tr, X_te, Y_te = split(X, Y, 0.3, seed=5)
    assert X_tr.shape == (7, 2) and X_te.shape == (3, 2) and Y_te.shape == (3, 1)
    np.testing.assert_array_equal(np.sort(np.concatenate([Y_tr, Y_te]).ravel()), Y.ravel())
    np.testing.assert_array_equal(X_tr[:, 0], 2 * Y_tr[:, 0])  # rows stay paired
    again = split(X, Y, 0.3, seed=5)
    for a, b in zip((X_tr, Y_tr, X_te, Y_te), again):
        np.testing.assert_array_equal(a, b)
    other = split(X, Y, 0.3, seed=6)
    assert not np.array_equal(Y_te, other[3])


def test_split_keeps_one_training_row():
    X_tr, _, X_te, _ = split(np.zeros((2, 1)), np.zeros((2, 1)), 0.9, seed=0)
    assert len(X_tr) == 1 and len(X_te) == 1
    X_tr, _, X_te, _ = split(np.zeros((1, 1)), np.zeros((1, 1)), 0.5, seed=0)
    assert len(X_tr) == 1 and len(X_te) == 0


@pytest.mark.parametrize("name", GENERATED + sorted(FIXED))
def test_network_backprop_runs_on_every_dataset(registry, name):
    d = make_dataset(name, n=64, registry=registry)
    net = Network([d.n_features, 8, d.n_outputs], "tanh", seed=0, registry=registry)
    g = net.backprop(d.X_train, d.Y_train)
    assert np.isfinite(g.cost)
    assert [w.shape for w in g.weights] == [(8, d.n_features), (d.n_outputs, 8)]
    assert g.activations[-1].shape == d.Y_train.shape


def test_network_learns_blobs(registry):
    d = make_dataset("blobs", n=200, noise=0.05, registry=registry)
    net = Network([2, 4, 1], "sigmoid", seed=0, registry=registry)
    first = net.backprop(d.X_train, d.Y_train, "cross_entropy").cost
    for _ in range(300):
        g = net.backprop(d.X_train, d.Y_train, "cross_entropy")
        net.weights = [W - 1.0 * dW for W, dW in zip(net.weights, g.weights)]
        net.biases = [b - 1.0 * db for b, db in zip(net.biases, g.biases)]
    predicted = net.forward(d.X_test) > 0.5
    assert net.backprop(d.X_train, d.Y_train, "cross_entropy").cost < first / 4
    assert (predicted == (d.Y_test == 1)).mean() > 0.95


# ---------------------------------------------------------------- CSV: reading and rejecting

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
    header = ",".join(f"c{i}" for i in range(10**6)).encode()
    body = b"\n" + b",".join([b"1"] * 10**6)
    start = time.perf_counter()
    rejects(header + body, "1,000,000 columns", "limit is 64")
    assert time.perf_counter() - start < 5  # generous: parsing it all would take far longer


def test_rejects_duplicate_names_and_other_separators():
    rejects(b"a,b,a\n1,2,3\n4,5,6\n", "unique", "'a'")
    rejects(b"a;b;c\n1;2;3\n4;5;6\n", "comma")


# ---------------------------------------------------------------- CSV: choosing columns

def test_load_csv_defaults_last_column_is_target():
    d = load_csv(b"p,q,r\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,3.5\n9,10,4.5\n", test_share=0.2, seed=1)
    assert d.feature_names == ("p", "q") and d.target_names == ("r",)
    assert (d.n_train, d.n_test, d.n_features, d.n_outputs) == (4, 1, 2, 1)
    assert d.task == "regression"
    X, Y = everything(d)
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
    rejects(reg, "0/1 targets", "'y'", "line 4", task="classification")
    with pytest.raises(ValueError, match="task"):
        load_csv(reg, task="clustering")


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
