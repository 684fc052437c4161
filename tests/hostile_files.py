"""Building hostile files for real: .npy members with any header, zip archives whose members are
deflate streams made without ever holding their unpacked bytes (a gigabyte of zeros in a
megabyte), so a test can hand bpdash a genuine decompression bomb cheaply."""
from __future__ import annotations

import struct
import zlib

import numpy as np

BLOCK = 2**20  # zeros are deflated a mebibyte at a time


def npy_header(shape, dtype="<f8") -> bytes:
    """An .npy (version 1.0) header declaring ``shape`` and ``dtype``, as numpy writes it."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    return buffer.getvalue()


def npy(array) -> bytes:
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


class Deflated:
    """A raw deflate stream of ``head`` followed by ``zeros`` zero bytes, with its CRC-32 and
    unpacked size. A fully flushed block of a mebibyte of zeros deflates to the same ~1 KB every
    time, so the stream is that block repeated."""

    def __init__(self, head: bytes, zeros: int = 0):
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        zero_block = bytes(BLOCK)
        first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
        whole, rest = divmod(zeros, BLOCK)
        block = packer.compress(zero_block) + packer.flush(zlib.Z_FULL_FLUSH) if whole else b""
        tail = packer.compress(bytes(rest)) + packer.flush(zlib.Z_FINISH)
        self.data = first + block * whole + tail
        self.size = len(head) + zeros
        crc = zlib.crc32(head)
        for _ in range(whole):
            crc = zlib.crc32(zero_block, crc)
        self.crc = zlib.crc32(bytes(rest), crc)


def stored(data: bytes):
    """A member stored as is: (method 0, data, size, CRC)."""
    return 0, data, len(data), zlib.crc32(data)


def deflated(stream: Deflated, declared_size: int | None = None):
    """A deflated member, its unpacked size declared as ``declared_size`` (default: the truth)."""
    return 8, stream.data, stream.size if declared_size is None else declared_size, stream.crc


def zip_archive(members: list) -> bytes:
    """A zip archive of (name, (method, data, declared size, CRC)) members, written byte by byte
    after the zip format (APPNOTE 4.3), so the directory says whatever the test wants it to."""
    local, central = b"", b""
    for name, (method, data, size, crc) in members:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<I", 0x04034B50) + fields + encoded + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    return local + central + end
