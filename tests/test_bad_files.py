"""Hostile weight and experiment files: each is refused with a message naming what is wrong,
having changed nothing, within bounded memory (tracemalloc, never a time).

The .npz files are built for real (tests/hostile_files.py): small on disk, declaring or
inflating to gigabytes. Experiment files are a real export with one field made hostile; the
command line reading them gives the same message, never a traceback.
"""
import io
import json
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from bpdash import cli
from bpdash.config import MAX_EPOCHS, ExperimentConfig
from bpdash.experiment import build
from bpdash.export import ExportError, export_json, import_json
from bpdash.weights_file import load_params_npz, weights_npz
from hostile_files import Deflated, deflated, npy, npy_header, stored, zip_archive

GIB = 2**30
MEMORY_BOUND = 32 * 2**20  # what refusing (or reading) any file here may allocate at its peak


@pytest.fixture(scope="module")
def net():
    return build(ExperimentConfig(hidden=(4,), activations=("tanh",), n_samples=40)).net  # 2-4-1


def members(net, **replaced):
    """The network's own .npz members (theta_1.npy …, b_1.npy …, stored), some ``replaced``."""
    arrays = {f"theta_{l}.npy": W for l, W in enumerate(net.weights, 1)} | {
        f"b_{l}.npy": b for l, b in enumerate(net.biases, 1)}
    return [(name, replaced.get(name.removesuffix(".npy"), None) or stored(npy(a))) for name, a in arrays.items()]


def refused(data, net, match):
    """Load ``data``; assert the refusal names ``match`` and the peak allocation stays bounded."""
    tracemalloc.start()
    try:
        with pytest.raises(ExportError, match=match):
            load_params_npz(data, net)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"refusing it allocated {peak / 2**20:.0f} MiB"


def test_the_hostile_archives_are_genuine():
    """The deflate streams of hostile_files.py inflate to exactly what they declare (zipfile checks the CRC)."""
    stream = Deflated(npy_header((3 * 2**17 + 2,)), 3 * 2**20 + 16)
    with zipfile.ZipFile(io.BytesIO(zip_archive([("theta_1.npy", deflated(stream))]))) as archive:
        array = np.load(io.BytesIO(archive.read("theta_1.npy")))
    assert array.shape == (3 * 2**17 + 2,) and not array.any()


def test_a_decompression_bomb_is_refused_unread(net):
    bomb = Deflated(npy_header((GIB // 8,)), GIB)  # 1 MiB on disk, a GiB of float64 zeros inside
    data = zip_archive(members(net, theta_1=deflated(bomb)))
    assert len(data) < 2**21
    refused(data, net, r"theta_1.npy declares 1,073,741,952 bytes unpacked.*refused unread")


def test_a_bomb_whose_directory_lies_about_its_size_inflates_no_further_than_declared(net):
    honest = npy(net.weights[0])
    lying = Deflated(honest, GIB)  # the right array, then a GiB of zeros the directory does not declare
    data = zip_archive(members(net, theta_1=(8, lying.data, len(honest), zlib.crc32(honest))))
    tracemalloc.start()
    try:
        params = load_params_npz(data, net)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(params[0][0], net.weights[0])  # read up to its declared size, and no further
    assert peak < MEMORY_BOUND


def test_uint8_that_float_conversion_would_blow_up_is_refused_unread(net):
    small = Deflated(npy_header((GIB,), "|u1"), GIB)  # a GiB of uint8: eight as float64
    refused(zip_archive(members(net, theta_1=deflated(small))), net, "declares")


def test_a_header_claiming_a_trillion_values_is_refused_unread(net):
    claim = stored(npy_header((10**12,)) + bytes(64))
    refused(zip_archive(members(net, theta_1=claim)), net, r"the shapes differ: the file's theta_1 is \(1000000000000,\)")


@pytest.mark.parametrize("member, match", [
    (stored(npy(np.zeros((4, 2), dtype=complex))), "complex128 values"),
    (stored(npy(np.zeros((4, 2), dtype=bool))), "bool values"),
    (stored(npy(np.array([["a", "b"]] * 4))), "values"),
    (stored(npy(np.full((4, 2), np.inf))), "not finite"),
    (stored(npy(np.zeros((2, 4)))), "the shapes differ"),
    (stored(npy_header((4, 2)) + bytes(8)), "header and its size in the archive disagree"),
    (stored(b"\x93NUMPY\x03\x00" + bytes(60)), "version"),
])
def test_a_member_that_does_not_fit_is_refused(net, member, match):
    refused(zip_archive(members(net, theta_1=member)), net, match)


def test_the_archive_must_hold_exactly_the_networks_arrays(net):
    own = members(net)
    for wrong in (own[1:], own + [("theta_9.npy", own[0][1])], own + [own[0]], own + [("../evil.npy", own[0][1])]):
        refused(zip_archive(wrong), net, r"needs theta_1 \(4, 2\), b_1 \(4,\), theta_2 \(1, 4\), b_2 \(1,\)|twice")
    bzip = [(name, (12, data, size, crc)) for name, (_, data, size, crc) in own]
    refused(zip_archive(bzip), net, "method 12")


def test_a_npy_renamed_npz_is_refused_by_name(net):
    refused(npy(net.weights[0]), net, "a single .npy array, not an .npz archive")


def test_the_networks_own_file_still_loads_exactly(net):
    params = load_params_npz(weights_npz(net), net)
    assert all(np.array_equal(a, b) for got, want in zip(params, net.params) for a, b in zip(got, want))
    as_uint8 = zip_archive(members(net, theta_1=stored(npy(np.arange(8, dtype=np.uint8).reshape(4, 2)))))
    loaded = load_params_npz(as_uint8, net)[0][0]
    assert loaded.dtype == net.dtype and loaded.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]


def test_a_bomb_uploaded_to_the_page_is_refused_and_the_weights_stay():
    from apptest import experiment, run, start, texts
    from bpdash.ui import files

    at = start()
    exp = experiment(at)
    before = [W.copy() for W in exp.net.weights]
    bomb = zip_archive(members(exp.net, theta_1=deflated(Deflated(npy_header((GIB // 8,)), GIB))))
    at.file_uploader(key=files.WEIGHTS_FILE).set_value(("bomb.npz", bomb, "application/octet-stream"))
    run(at)
    assert "refused unread" in texts(at.error) and "Nothing was changed" in texts(at.error)
    assert all(np.array_equal(a, b) for a, b in zip(experiment(at).net.weights, before))


# ================================================================ experiment files

CONFIG = ExperimentConfig(dataset="xor", n_samples=60, hidden=(3,), activations=("tanh",), batch_size=8,
                          optimizer="adam", epochs=4)


@pytest.fixture(scope="module")
def export():
    exp = build(CONFIG)
    exp.trainer.fit(CONFIG.epochs)
    return export_json(CONFIG, exp.trainer)


def edited(text, change) -> str:
    doc = json.loads(text)
    change(doc)
    return json.dumps(doc)


def set_row(doc, i, column, value):
    doc["history"]["rows"][i][doc["history"]["columns"].index(column)] = value


HOSTILE_EXPORTS = {  # name → (edit of a real export's text, a word the message must contain)
    "rng state of 2**200": (lambda t: edited(t, lambda d: d["rng_state"]["state"].update(state=2**200)),
                            "rng_state state.state"),
    "rng inc of -1": (lambda t: edited(t, lambda d: d["rng_state"]["state"].update(inc=-1)), "rng_state state.inc"),
    "has_uint32 of 2**70": (lambda t: edited(t, lambda d: d["rng_state"].update(has_uint32=2**70)),
                            "rng_state has_uint32"),
    "a 400-digit weight": (lambda t: edited(t, lambda d: d["params"][0][0][0].__setitem__(0, 10**400)),
                           r"params\[0\]\[0\] \(weights\[0\] \(Θ\^\(1\)\)\)\[0\]\[0\] is 1000"),
    "a weight as a string": (lambda t: edited(t, lambda d: d["params"][0][0][0].__setitem__(0, "0.5")),
                             r"params\[0\]\[0\] .*\[0\]\[0\] is '0.5'"),
    "a weight as true": (lambda t: edited(t, lambda d: d["params"][1][0][0].__setitem__(0, True)),
                         r"params\[1\]\[0\] .*\[0\]\[0\] is True"),
    "a bias of another width": (lambda t: edited(t, lambda d: d["params"][0][1].append(0.5)),
                                r"params\[0\]\[1\] \(biases\[0\] \(b\^\(1\)\)\) must be a list of 3 entries"),
    "widths of another network": (lambda t: edited(t, lambda d: d.update(sizes=[2, 300, 1])),
                                  r"sizes\[1\] is 300, but layer 2 \(dense\) of the config's stack has 3 units"),
    "a layer spec that is not a dict": (lambda t: edited(t, lambda d: d["config"].update(layers=["dense:3:tanh"])),
                                        r"config: .*layers: layer 1: a layer spec is a mapping"),
    "an unknown layer type": (lambda t: edited(t, lambda d: d["config"].update(layers=[{"layer": "conv"}])),
                              r"config: .*layers: layer 1 \(conv\): unknown layer type 'conv'; choose one of dense, dropout"),
    "a dropout rate out of range": (
        lambda t: edited(t, lambda d: d["config"].update(layers=[{"layer": "dropout", "rate": 1.5}])),
        r"layers: layer 1 \(dropout\): rate must be ≥ 0 and < 1, got 1.5"),
    "10,000 layers": (lambda t: edited(t, lambda d: d["config"].update(layers=[{"layer": "dropout"}] * 10_000)),
                      "layers: must have at most 16 layers, got 10,000"),
    "epoch 2**64": (lambda t: edited(t, lambda d: d.update(epoch=2**64)), f"epoch must be .* to {MAX_EPOCHS:,}"),
    "epoch 10**4000": (lambda t: edited(t, lambda d: d.update(epoch=10**4000)), "epoch must be"),
    "epoch of 5000 digits": (lambda t: t.replace('"epoch": 4', '"epoch": ' + "9" * 5000), "not valid JSON"),
    "a history epoch of -5": (lambda t: edited(t, lambda d: set_row(d, 1, "epoch", -5)), "history row 1 epoch"),
    "a history epoch of 1e300": (lambda t: edited(t, lambda d: set_row(d, 0, "epoch", 1e300)),
                                 "history row 0 epoch"),
    "a cost of Infinity": (lambda t: edited(t, lambda d: set_row(d, 2, "cost", float("inf"))),
                           "history row 2 cost is 'Infinity'"),
    "a cost of NaN": (lambda t: edited(t, lambda d: set_row(d, 0, "cost", float("nan"))),
                      "history row 0 cost is 'NaN'"),
    "a missing cost": (lambda t: edited(t, lambda d: set_row(d, 0, "cost", None)), "history row 0 cost is missing"),
    "biases with bias off": (lambda t: edited(t, lambda d: d["config"].update(bias=False)),
                             r"params\[0\] must hold the 1 arrays of layer 2"),
    "version true": (lambda t: edited(t, lambda d: d.update(version=True)), "unsupported version True"),
    "a duplicate key": (lambda t: t.replace('"version": 2,', '"version": 2, "version": 2,'),
                        "the key 'version' appears twice"),
    "an unknown field": (lambda t: edited(t, lambda d: d.update(payload="x")), "unknown field 'payload'"),
    "an optimizer step count of 10**30": (lambda t: edited(t, lambda d: d["optimizer_state"].update(t=10**30)),
                                          "optimizer_state t"),
    "an optimizer state of strings": (
        lambda t: edited(t, lambda d: d["optimizer_state"]["state"]["m"][0][0].__setitem__(0, "x")),
        r"optimizer_state\['m'\]\[0\]\[0\]\[0\]"),
    "history columns of another network": (
        lambda t: edited(t, lambda d: d["history"]["columns"].__setitem__(-1, "weight_norm_9")), "history columns"),
}


FILES = Path(__file__).resolve().parent / "files"
VERSION_1 = (FILES / "experiment-v1-adam.json").read_text()  # written by bpdash before layer stacks

HOSTILE_VERSION_1 = {  # the same refusals of the fields only version 1 files have
    "a 400-digit weight": (lambda d: d["weights"][0][0].__setitem__(0, 10**400), r"weights\[0\]\[0\]\[0\]"),
    "a weight as a string": (lambda d: d["weights"][0][0].__setitem__(0, "0.5"), r"weights\[0\]\[0\]\[0\] is '0.5'"),
    "a weight as true": (lambda d: d["weights"][1][0].__setitem__(0, True), r"weights\[1\]\[0\]\[0\] is True"),
    "biases with bias off": (lambda d: d["config"].update(bias=False), "biases: the config has bias off"),
    "a hidden layer of another width": (lambda d: d["weights"][0].append([1.0, 2.0]),
                                        r"weights\[0\] \(Θ\^\(1\)\) has 4 rows but hidden layer 1 has 3"),
    "a missing bias": (lambda d: d["biases"].pop(), "so biases must be a list of 2 arrays"),
    "a layer stack in a version 1 file": (
        lambda d: d["config"].update(layers=[{"layer": "dense", "units": 3}, {"layer": "dropout"}]),
        "a version 1 file holds dense layers only"),
    "a version 2 field": (lambda d: d.update(params=[]), "unknown field 'params'"),
}


def test_the_export_itself_loads(export):
    assert import_json(export).epoch == CONFIG.epochs
    assert import_json(VERSION_1).epoch == CONFIG.epochs and import_json(VERSION_1).config == CONFIG


@pytest.mark.parametrize("case", HOSTILE_VERSION_1)
def test_a_hostile_version_1_file_is_refused_as_it_always_was(case):
    edit, match = HOSTILE_VERSION_1[case]
    with pytest.raises(ExportError, match=match):
        import_json(edited(VERSION_1, edit))


@pytest.mark.parametrize("case", HOSTILE_EXPORTS)
def test_a_hostile_experiment_file_is_refused_naming_the_field(case, export):
    edit, match = HOSTILE_EXPORTS[case]
    text = edit(export)
    if "history columns" in match:  # the columns are checked against the network the config builds
        from bpdash.export import restore

        with pytest.raises(ExportError, match=match):
            restore(build(CONFIG), import_json(text))
        return
    with pytest.raises(ExportError, match=match):
        import_json(text)


@pytest.mark.parametrize("case", [c for c in HOSTILE_EXPORTS if c != "history columns of another network"])
def test_the_command_line_gives_the_same_message_and_no_traceback(case, export, tmp_path, capsys):
    edit, match = HOSTILE_EXPORTS[case]
    path = tmp_path / "exp.json"
    path.write_text(edit(export))
    assert cli.main(["train", "--config", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bpdash: ") and "Traceback" not in err
    with pytest.raises(ExportError) as refusal:
        import_json(path.read_text())
    assert str(refusal.value) in err


def test_a_huge_epoch_uploaded_to_the_page_is_refused_and_every_view_keeps_working(export):
    from apptest import experiment, run, start, texts
    from bpdash.ui import files

    at = start()
    hostile = edited(export, lambda d: d.update(epoch=2**64))
    at.file_uploader(key=files.EXPERIMENT_FILE).set_value(("big.json", hostile.encode(), "application/json"))
    run(at)
    assert "epoch must be a whole number" in texts(at.error)
    assert experiment(at).config == ExperimentConfig() and experiment(at).trainer.epoch == 0
    at.segmented_control(key="view").set_value("Weights")
    run(at)  # the epoch slider of the Weights view
