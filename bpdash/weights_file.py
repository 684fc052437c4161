"""Every layer's parameters as an .npz archive: Θ^(l) as ``theta_l``, b^(l) as ``b_l``, and any
other parameter of layer l by its declared name, ``<name>_l`` (a layer norm's ``gamma_2``,
``beta_2``); l is the article's layer numbering (layer 1 is the input), so a layer without
parameters (dropout) has no member. A layer with a weight and no bias (bias off) has a ``b_l``
of zeros, as such archives always had.

A file from outside is checked against the network it is for before any array data is read:
its members must be exactly the network's, stored or deflated; each member's uncompressed size,
as the zip directory declares it, and the shape and dtype its .npy header declares must fit the
network's array. Only then are the arrays read, and Python's zip reader never inflates a member
past its declared size, so a decompression bomb or a header claiming 10¹² values costs
kilobytes, not gigabytes. Pickled (object) arrays are never loaded.
"""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from .export import MAX_BYTES, ExportError
from .json_checks import show

MEMBER = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,63})_([1-9][0-9]{0,2})\.npy")
HEADER_BYTES = 4096  # an .npy header is 128 bytes for arrays like these; more is not an honest file
NPY_MAGIC = b"\x93NUMPY"


ROLE_NAMES = {"weight": "theta", "bias": "b"}


def member_names(net) -> dict:
    """Member name (without .npy) → (layer index, parameter index or None for a zero bias),
    in the network's order: every layer's parameters, then its zero ``b_l`` when bias is off."""
    found = {}
    for l, op in enumerate(net.layers):
        for i, p in enumerate(op.parameters):
            found[f"{ROLE_NAMES.get(p.role, p.name)}_{l + 1}"] = (l, i)
        if net.layout.zero_biases[l] is not None:
            found[f"b_{l + 1}"] = (l, None)
    return found


def weights_npz(net) -> bytes:
    """Every parameter of ``net`` (see the module docstring) in an .npz archive."""
    buffer = io.BytesIO()
    biases = net.biases
    np.savez(buffer, **{name: biases[l] if i is None else net.params[l][i] for name, (l, i) in member_names(net).items()})
    return buffer.getvalue()


def expected_shapes(net) -> dict:
    """Member name → the shape this network needs (``theta_1.npy`` → Θ^(1)'s, …)."""
    return {f"{name}.npy": (net.layout.zero_biases[l].shape if i is None else tuple(net.layout.shapes[l][i]))
            for name, (l, i) in member_names(net).items()}


def load_params_npz(data: bytes, net) -> tuple:
    """The parameters per layer (as ``net.params``, in ``net``'s dtype) from an .npz made by
    ``weights_npz`` for a network shaped like ``net``; ExportError naming the problem, having read
    no array data, when it does not fit."""
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
    params = [[None] * len(shapes) for shapes in net.layout.shapes]
    for name, (l, i) in member_names(net).items():
        array = arrays[f"{name}.npy"]
        if i is None:
            if array.any():
                raise ExportError("this network has no bias b^(l), but the file's biases are not all zero")
        else:
            params[l][i] = array.astype(net.dtype)
    return tuple(tuple(layer) for layer in params)


def _members(archive: zipfile.ZipFile, net) -> list:
    """[(ZipInfo, expected shape)] once the archive's directory fits the network: the right
    names, each once, stored or deflated, declaring no more bytes than its array needs."""
    infos, want = archive.infolist(), expected_shapes(net)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ExportError("the archive holds a member twice")
    if any(MEMBER.fullmatch(name) is None for name in names) or set(names) != set(want):
        found = ", ".join(name.removesuffix(".npy") for name in sorted(names, key=_order)[:12]) or "nothing"
        needed = ", ".join(f"{name[:-4]} {want[name]}" for name in want)
        raise ExportError(f"this network ({net.describe()}) needs {needed}; the file holds {show(found, 200)}")
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
    return (0, int(found[2]), found[1] != "theta", found[1]) if found else (1, 0, False, name)


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
    """The member's array (checked by ``_check_header``), its values finite."""
    with archive.open(info) as stream:
        array = np.lib.format.read_array(stream, allow_pickle=False, max_header_size=HEADER_BYTES)
    if not np.isfinite(array).all():
        raise ExportError(f"{info.filename[:-4]} holds values that are not finite (inf or NaN)")
    return array
