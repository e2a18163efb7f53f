"""Files only their user can read (0600), written all or nothing: every export lands this way."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)  # exactly 0600 whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_new_private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` (mode 0600) to ``path``, or to ``stem-2.csv``, ``stem-3.csv`` … if it exists.

    For exports made from the workstation: a second export the same day (say, in the other
    language) is kept beside the first instead of silently replacing it. The name is taken
    with a hard link, so two writers never end up with the same file. Returns the path used.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    write_private_file(temp, data)
    try:
        for n in range(1, 1000):
            candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
            try:
                os.link(temp, candidate)
            except FileExistsError:
                continue
            return candidate
        raise FileExistsError(f"{path}: 999 exports of the same name already exist")
    finally:
        temp.unlink(missing_ok=True)
