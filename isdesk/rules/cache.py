"""Validated rules kept between starts, so a command that starts often (`isdesk next` from a
dialer) neither imports PyYAML nor parses and checks the file each time.

A rules file is validated by :func:`isdesk.rules.load_rules`; what it returned is pickled into
``folder`` (one file per rules path, 0600) with the key it was built from: the file's resolved
path, size, mtime_ns and SHA-256, and the code that validated it (the Python version and every
module of this package: name, size, mtime_ns). A start whose key matches loads the pickle; any
other (a changed file, an upgraded isdesk, a cache that cannot be read, is not the user's own or
is writable by others) validates the file again, so a broken file still stops the start with
its file:line message, and nothing invalid is ever cached.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from isdesk.rules import DEFAULT_RULES, Rules, load_rules

_PACKAGE = Path(__file__).resolve().parent
_FORMAT = 1  # bump when what is stored changes shape


def cached_rules(path: Path | None, folder: Path) -> Rules:
    """The validated rules of ``path`` (None: the shipped rules), from the cache in ``folder``
    when it holds them for exactly this file and this code; else :func:`load_rules`, whose
    result is then stored. Raises RulesError as load_rules does."""
    file = DEFAULT_RULES if path is None else Path(path)
    try:
        data = file.read_bytes()
        stat = file.stat()
    except OSError:
        return load_rules(path)  # says what is wrong with the file
    resolved = file.resolve()
    key = (
        _FORMAT,
        str(resolved),
        stat.st_size,
        stat.st_mtime_ns,
        hashlib.sha256(data).hexdigest(),
        sys.version,
        _code_fingerprint(),
    )
    store = folder / f"rules-{hashlib.sha256(str(resolved).encode()).hexdigest()[:24]}.pickle"
    found = _read(store, key)
    if found is not None:
        return found
    rules = load_rules(path)
    _write(store, key, rules)
    return rules


def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    entries = []
    for entry in os.scandir(_PACKAGE):
        if entry.name.endswith((".py", ".yaml")):
            st = entry.stat()
            entries.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


def _read(store: Path, key: tuple[object, ...]) -> Rules | None:
    try:
        fd = os.open(store, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_mode & 0o022 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None  # not the user's own private file: never unpickled
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            stored_key, rules = pickle.load(handle)
    except Exception:  # unreadable, truncated, from another layout: rebuilt
        return None
    finally:
        if fd >= 0:
            os.close(fd)
    if stored_key != key or not isinstance(rules, Rules):
        return None
    return rules


def _mapping_proxy(items: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(items)


class _Pickler(pickle.Pickler):
    """The rules keep their mappings read-only (MappingProxyType), which pickle refuses: they
    are stored as dicts and wrapped again on loading."""

    dispatch_table = {
        **copyreg.dispatch_table,
        MappingProxyType: lambda proxy: (_mapping_proxy, (dict(proxy),)),
    }


def _write(store: Path, key: tuple[object, ...], rules: Rules) -> None:
    """Store the rules (all or nothing, 0600); a cache that cannot be written is skipped."""
    temp = store.with_name(f".{store.name}.{os.getpid()}.tmp")
    try:
        store.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as handle:
            _Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump((key, rules))
        os.replace(temp, store)
    except Exception:
        temp.unlink(missing_ok=True)
