"""Where a command writes its table (``--out``), checked before any work so that nothing
finished is lost: a missing folder, a folder given as a file, no permission or a full disk are
found before the first epoch or run, not after hours of them."""
from __future__ import annotations

import sys


class OutputError(ValueError):
    """``--out`` names a place the table cannot be written to."""


def open_output(path: str | None, columns=None, example: str = "results.csv"):
    """``path`` opened for writing, with the table's CSV header written (and flushed) when its
    ``columns`` are known now (None: standard output). Raises OutputError naming the problem;
    ``example`` is a file name to suggest when ``path`` is a folder."""
    if path is None:
        return None
    try:
        handle = open(path, "w", newline="", encoding="utf-8")
    except IsADirectoryError:
        raise OutputError(f"--out {path} is a folder: name a file in it, e.g. {path.rstrip('/')}/{example}") \
            from None
    except FileNotFoundError:
        raise OutputError(f"--out {path}: its folder does not exist; create it first") from None
    except OSError as exc:
        raise OutputError(f"--out {path}: cannot write there ({exc.strerror or exc})") from None
    if columns is None:
        return handle
    try:
        handle.write(",".join(columns) + "\n")
        handle.flush()
    except OSError as exc:
        try:
            handle.close()
        except OSError:  # closing flushes the same header again
            pass
        raise OutputError(f"--out {path}: cannot write there ({exc.strerror or exc})") from None
    return handle


def write_csv(table, handle, path: str | None, what: str, header: bool = False) -> bool:
    """``table`` (a DataFrame) into ``handle`` (with its header when ``header``: else
    ``open_output`` wrote it), or the whole CSV to standard output when there is no handle or
    writing fails; False when it had to fall back. ``what`` names the table in the message."""
    if handle is not None:
        try:
            with handle:
                table.to_csv(handle, index=False, header=header)
            return True
        except OSError as exc:
            print(f"bpdash: could not write {path} ({exc.strerror or exc}); "
                  f"{what} follows on standard output instead", file=sys.stderr)
    sys.stdout.write(table.to_csv(index=False))
    sys.stdout.flush()
    return handle is None
