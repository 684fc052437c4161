"""Weights as an .npz archive: Θ^(l) as ``theta_l`` and b^(l) as ``b_l``, l = 1 … L−1.

A file from outside is checked against the network it is for before any array data is read:
its members must be exactly theta_1 … theta_n and b_1 … b_n (n the network's weight layers),
stored or deflated; each member's uncompressed size, as the zip directory declares it, and the
shape and dtype its .npy header declares must fit the network's Θ^(l) and b^(l). Only then are
the arrays read, and Python's zip reader never inflates a member past its declared size, so a
decompression bomb or a header claiming 10¹² values costs kilobytes, not gigabytes. Pickled
(object) arrays are never loaded.
"""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from .export import MAX_BYTES, ExportError
from .json_checks import show

MEMBER = re.compile(r"(theta|b)_([1-9][0-9]{0,2})\.npy")
HEADER_BYTES = 4096  # an .npy header is 128 bytes for arrays like these; more is not an honest file
NPY_MAGIC = b"\x93NUMPY"


def weights_npz(net) -> bytes:
    """Θ^(l) and b^(l) as ``theta_l`` and ``b_l`` (l = 1 … L−1) in an .npz archive."""
    buffer = io.BytesIO()
    arrays = {f"theta_{l}": W for l, W in enumerate(net.weights, start=1)}
    arrays.update({f"b_{l}": b for l, b in enumerate(net.biases, start=1)})
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def expected_shapes(net) -> dict:
    """Member name → the shape this network needs: ``theta_l.npy`` → Θ^(l)'s, ``b_l.npy`` → b^(l)'s."""
    shapes = {f"theta_{l}.npy": np.shape(W) for l, W in enumerate(net.weights, start=1)}
    shapes.update({f"b_{l}.npy": np.shape(b) for l, b in enumerate(net.biases, start=1)})
    return shapes


def load_weights_npz(data: bytes, net) -> tuple[list, list]:
    """(weights, biases) as float arrays from an .npz made by ``weights_npz`` for a network shaped
    like ``net``; ExportError naming the problem, having read no array data, when it does not fit."""
    if len(data) > MAX_BYTES:
        raise ExportError(f"the file is {len(data):,} bytes; weight files are at most {MAX_BYTES:,}")
    if data.startswith(NPY_MAGIC):
        raise ExportError("this is a single .npy array, not an .npz archive of theta_1 … and b_1 …: "
                          "save the weights with the Weights (.npz) button")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _members(archive, net)
            for info, shape in members:
                _check_header(archive, info, shape)
            arrays = {info.filename: _read(archive, info) for info, _ in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, ExportError):
            raise
        raise ExportError(f"not a readable .npz archive: {exc}") from None
    n = len(net.weights)
    weights = [arrays[f"theta_{l}.npy"] for l in range(1, n + 1)]
    biases = [arrays[f"b_{l}.npy"] for l in range(1, n + 1)]
    if not net.bias and any(b.any() for b in biases):
        raise ExportError("this network has no bias b^(l), but the file's biases are not all zero")
    return weights, biases


def _members(archive: zipfile.ZipFile, net) -> list:
    """[(ZipInfo, expected shape)] once the archive's directory fits the network: the right
    names, each once, stored or deflated, declaring no more bytes than its array needs."""
    infos, want = archive.infolist(), expected_shapes(net)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ExportError("the archive holds a member twice")
    if any(MEMBER.fullmatch(name) is None for name in names) or set(names) != set(want):
        found = ", ".join(name.removesuffix(".npy") for name in sorted(names, key=_order)[:12]) or "nothing"
        n = len(net.weights)
        raise ExportError(f"this network ({net.describe()}) needs theta_1 … theta_{n} and b_1 … b_{n} with shapes "
                          f"{[want[k] for k in sorted(want, key=_order)]}; the file holds {show(found, 200)}")
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ExportError(f"{info.filename} is compressed with method {info.compress_type}; "
                              "only stored or deflated members are read")
        most = HEADER_BYTES + 8 * int(np.prod(want[info.filename]))
        if info.file_size > most:
            raise ExportError(f"{info.filename} declares {info.file_size:,} bytes unpacked, but this network's "
                              f"array of shape {want[info.filename]} needs at most {most:,}: refused unread")
    return [(info, want[info.filename]) for info in infos]


def _order(name: str):
    found = MEMBER.fullmatch(name)
    return (0, found[1] != "theta", int(found[2])) if found else (1, False, 0)


def _check_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shape: tuple) -> None:
    """The member's .npy header, read alone: a numeric dtype and exactly ``shape``, and a
    declared size that holds exactly that many values."""
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ExportError(f"{info.filename}: .npy format version {version} is not read")
        found, _, dtype = read_header(stream, max_header_size=HEADER_BYTES)
        header_end = stream.tell()
    if dtype.hasobject:
        raise ExportError(f"{info.filename} holds pickled Python objects: refused (bpdash never loads a pickle)")
    if dtype.kind not in "fiu" or dtype.itemsize > 8:
        raise ExportError(f"{info.filename} holds {dtype} values; Θ and b must be real numbers")
    if found != shape:
        raise ExportError(f"the shapes differ: the file's {info.filename[:-4]} is {found}, this network's is {shape}")
    if info.file_size - header_end != int(np.prod(shape)) * dtype.itemsize:
        raise ExportError(f"{info.filename}: its header and its size in the archive disagree")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """The member's array (checked by ``_check_header``) as finite float64 values."""
    with archive.open(info) as stream:
        array = np.lib.format.read_array(stream, allow_pickle=False, max_header_size=HEADER_BYTES)
    if not np.isfinite(array).all():
        raise ExportError(f"{info.filename[:-4]} holds values that are not finite (inf or NaN)")
    return array.astype(float)
