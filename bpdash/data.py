"""Data for training: the ``DataSplit``, its limits, train/test splitting, generated datasets.

Everything ends in a ``DataSplit``: X (m, n_features) and Y (m, n_outputs) float arrays, split
into training and test rows. ``make_dataset`` draws a plugin's dataset; CSV files are read by
``bpdash.csvdata``. Problems with data raise ``DataError``, whose message is meant for the
person who supplied it.

CSV files are comma-separated, UTF-8 (a byte-order mark is fine), one header row. Missing values
("", NA, NaN, null, ...) and text are allowed in a column nobody uses; chosen columns must hold
finite numbers. Rows are reported both as data rows (row 1 is the first under the header) and
as lines of the file (the header is line 1), as a spreadsheet would number them.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .classes import names_of
from .plugins import default_registry

MAX_ROWS = 10_000      # data rows, in a CSV or a generated dataset: keeps a training tick responsive
MAX_COLUMNS = 64       # columns of a CSV (checked on the header before the rest is parsed)
MAX_ABS_VALUE = 1e12   # larger magnitudes in a chosen column are refused: no sensible input
MAX_TEST_SHARE = 0.9   # at most this share of rows held out, so there is something to train on
LIMITS = MappingProxyType({"max_rows": MAX_ROWS, "max_columns": MAX_COLUMNS,
                           "max_abs_value": MAX_ABS_VALUE, "max_test_share": MAX_TEST_SHARE})
TASKS = ("classification", "regression")


class DataError(ValueError):
    """A dataset or file bpdash cannot use; the message says what is wrong and where."""


@dataclass(frozen=True, eq=False)
class DataSplit:
    """Training and test rows of one dataset.

    ``X_train`` (m_train, n_features), ``Y_train`` (m_train, n_outputs), ``X_test`` (m_test,
    n_features), ``Y_test`` (m_test, n_outputs): float, read-only (copy before changing them);
    m_test may be 0. ``task`` is "classification" (0/1 targets) or "regression".
    ``feature_mean`` and ``feature_std`` (n_features,) are set when the features were
    standardized: x_scaled = (x − feature_mean) / feature_std, from the training rows.
    ``class_names``: for a classification of k classes, their names in class order (the target
    columns' for one-hot targets; two names for one 0/1 column, class 0's first); () when the
    targets are not one set of classes. ``single_column``: set on two classes written as two
    one-hot columns for a softmax output, the same data as one 0/1 column (``bpdash.classes``).
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    task: str
    name: str
    feature_names: tuple
    target_names: tuple
    feature_mean: np.ndarray | None = None
    feature_std: np.ndarray | None = None
    class_names: tuple = ()
    single_column: DataSplit | None = None

    def __post_init__(self):
        for attr in ("X_train", "Y_train", "X_test", "Y_test"):
            M = np.array(getattr(self, attr), dtype=float)  # a private copy
            if M.ndim != 2:
                raise ValueError(f"{attr} must be 2-D, got shape {M.shape}")
            M.flags.writeable = False
            object.__setattr__(self, attr, M)
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "target_names", tuple(self.target_names))
        object.__setattr__(self, "class_names", tuple(map(str, self.class_names)))
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        d, k = len(self.feature_names), len(self.target_names)
        for (X, Y), part in (((self.X_train, self.Y_train), "train"), ((self.X_test, self.Y_test), "test")):
            if len(X) != len(Y) or X.shape[1] != d or Y.shape[1] != k:
                raise ValueError(f"X_{part} {X.shape} and Y_{part} {Y.shape} do not fit {len(X)} rows "
                                 f"of {d} features and {k} targets")

    @property
    def n_features(self) -> int:
        """Columns of X: the input layer's size."""
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Columns of Y: the output layer's size."""
        return self.Y_train.shape[1]

    @property
    def n_classes(self) -> int:
        """k for a classification of k classes, else 0."""
        return len(self.class_names)

    @property
    def one_hot(self) -> bool:
        """Whether the targets are one column per class (k ≥ 2 one-hot columns, for a softmax
        output): the charts draw them class by class, the points editor as one class column."""
        return self.task == "classification" and self.n_outputs >= 2 and self.n_classes == self.n_outputs

    @property
    def n_train(self) -> int:
        """Rows of X_train."""
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        """Rows of X_test (0 for a fixed dataset)."""
        return self.X_test.shape[0]


# ---------------------------------------------------------------- validation of parameters

def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_ROWS:
        raise ValueError(f"n must be a whole number from 1 to {MAX_ROWS:,}, got {n!r}")
    return int(n)


def check_number(value, what, low, high=np.inf) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = np.nan
    if isinstance(value, bool) or not np.isfinite(x) or not low <= x <= high:
        limits = f"between {low} and {high}" if np.isfinite(high) else f"≥ {low}"
        raise ValueError(f"{what} must be a finite number {limits}, got {value!r}")
    return x


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be a whole number ≥ 0 (or None), got {seed!r}")
    return seed


# ---------------------------------------------------------------- generated datasets and splits

def split(X, Y, test_share, seed):
    """``(X_train, Y_train, X_test, Y_test)`` from a seeded permutation of the m rows.

    X is (m, n_features), Y (m, n_outputs). The test part takes round(test_share · m) rows,
    at most m − 1, so at least one row trains. ``seed`` is an int (the same seed gives the same
    split) or a ``numpy.random.Generator`` to draw the permutation from.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or len(X) < 1:
        raise ValueError(f"X and Y must be 2-D with the same number (≥ 1) of rows, "
                         f"got shapes {X.shape} and {Y.shape}")
    test_share = check_number(test_share, "test_share", 0.0, MAX_TEST_SHARE)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(_check_seed(seed))
    m = len(X)
    m_test = min(int(round(test_share * m)), m - 1)
    order = rng.permutation(m)
    train, test = order[m_test:], order[:m_test]
    return X[train], Y[train], X[test], Y[test]


def _classes(dataset, k) -> int:
    """``k`` checked against what ``dataset`` can make (ValueError saying why not)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"classes must be a whole number ≥ 2, got {k!r}")
    if k > 2 and (dataset.task != "classification" or k > dataset.classes):
        raise ValueError(f"dataset {dataset.name!r} makes "
                         + ("no classes (a regression)" if dataset.task != "classification"
                            else f"{dataset.classes} classes at most") + f", not {k}")
    return int(k)


def make_dataset(name, *, n=None, noise=0.1, seed=0, test_share=0.2, classes=2, registry=None) -> DataSplit:
    """Draw the dataset ``name`` from a plugin and split it into training and test rows.

    ``n`` samples (default: the dataset's ``default_n``, at most MAX_ROWS) with position noise
    ``noise`` (≥ 0), from ``numpy.random.default_rng(seed)``; the same generator then draws the
    split, so the same arguments always give the same DataSplit. A *fixed* dataset (the
    article's examples) ignores n and noise and is never split: every row trains, the test part
    is empty. ``classes``: k for a dataset that can make several (``Dataset.classes``): one 0/1
    target column for 2, k one-hot columns for more. ``registry`` defaults to every loaded
    plugin; an unknown name raises KeyError listing the choices; a bad parameter raises
    ValueError naming it.
    """
    registry = registry if registry is not None else default_registry()
    dataset = registry.get("datasets", name)
    n = dataset.default_n if n is None else n
    n = _check_n(n)
    noise = check_number(noise, "noise", 0.0)
    test_share = check_number(test_share, "test_share", 0.0, MAX_TEST_SHARE)
    k = _classes(dataset, classes)
    rng = np.random.default_rng(_check_seed(seed))
    # a dataset written for two classes is called as it always was
    X, Y = dataset.generate(n, noise, rng, classes=k) if dataset.classes > 2 else dataset.generate(n, noise, rng)
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or not (dataset.fixed or len(X) == n):
        raise ValueError(f"dataset {name!r} returned X {X.shape} and Y {Y.shape}; "
                         f"expected 2-D arrays with {n} rows")
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError(f"dataset {name!r} returned non-finite values (nan or inf)")
    names = names_of(Y, dataset.task)
    if k > 2 and len(names) != k:
        raise ValueError(f"dataset {name!r} was asked for {k} classes but returned Y {Y.shape}; "
                         f"expected {k} one-hot columns")
    if dataset.fixed:
        parts = (X, Y, X[:0], Y[:0])
    else:
        parts = split(X, Y, test_share, rng)
    return DataSplit(*parts, task=dataset.task, name=name, feature_names=_names("x", X.shape[1]),
                     target_names=names if k > 2 else _names("y", Y.shape[1]), class_names=names)


def _names(stem, k):
    return (stem,) if k == 1 else tuple(f"{stem}{i}" for i in range(1, k + 1))
