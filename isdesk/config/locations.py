"""Where isdesk keeps its files: platformdirs paths, created lazily and private to the user."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "isdesk"


def data_dir() -> Path:
    """The per-user data directory (created on first use, mode 0700).

    ``ISDESK_DATA_DIR`` overrides it, which keeps tests away from the developer's real files.
    """
    override = os.environ.get("ISDESK_DATA_DIR")
    path = Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))
    make_private_dir(path)
    return path


def config_dir() -> Path:
    """The per-user config directory, where ``settings.yaml`` lives (not created: isdesk
    only reads it). ``ISDESK_CONFIG_DIR`` overrides it, which keeps tests off the real one."""
    override = os.environ.get("ISDESK_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The embedded SQLite database a single operator starts with."""
    return data_dir() / "isdesk.sqlite3"


def demo_db_path() -> Path:
    """The demo database lives apart from real data so `isdesk demo` never mixes them."""
    return data_dir() / "demo.sqlite3"


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) readable only by the user.

    Every folder this creates is 0700: ``mkdir(parents=True)`` would make the missing parents
    with the default mode (0755 under the usual umask).
    """
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def touch_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist yet.

    Creating the file ourselves, before SQLite or an exporter opens it, means it is never
    world-readable even for a moment, whatever the umask.
    """
    make_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
