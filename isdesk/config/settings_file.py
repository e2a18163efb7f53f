"""The settings a person keeps: ``settings.yaml`` in the platformdirs config directory.

::

    # ~/.config/isdesk/settings.yaml on Linux (platformdirs' user config folder)
    language: ja                          # ja | en
    database: postgresql://sato.misaki@db.example:5432/isdesk
    theme: textual-dark                   # one of Textual's themes
    dial_command: softphone --call {phone}  # run to dial; {phone} is the number
    keymap:                               # binding id: keys (see the F1 help for the ids)
      lead.call: f2,ctrl+k
      lead.do_not_call: f8

Strict like rules.yaml: an unknown key, a duplicate key or a wrong value stops isdesk with
``file:line: key: what to do`` (exit 2). Flags and ``ISDESK_*`` environment variables override
the file. The file is optional and never written by isdesk; nothing is read at import time.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from isdesk.config.locations import config_dir

__all__ = ["FileSettings", "SettingsError", "load_settings_file", "settings_path"]

FILE_NAME = "settings.yaml"
KEYS = {
    "language": "the UI language: ja or en",
    "database": "the database URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
    "theme": "a Textual theme, e.g. textual-dark, textual-light, nord, gruvbox",
    "dial_command": "the command that dials a number, with {phone} where the number goes",
    "keymap": "binding id: keys, e.g. lead.call: f2,ctrl+k",
}
_BINDING_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
_KEYS = re.compile(r"[a-z0-9_+\-]+(,[a-z0-9_+\-]+)*")


class SettingsError(Exception):
    """A mistake in the settings file, with where it is and what to do."""

    def __init__(self, file: Path, line: int | None, key: str, message: str) -> None:
        self.file, self.line, self.key, self.message = file, line, key, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class FileSettings:
    """What the file says; None for what it leaves out."""

    path: Path | None = None
    language: str | None = None
    database: str | None = None
    theme: str | None = None
    dial_command: str | None = None
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # key: line


def settings_path() -> Path:
    """Where the settings file is (``ISDESK_CONFIG_DIR`` overrides the platform's folder)."""
    return config_dir() / FILE_NAME


def load_settings_file(path: Path | None = None) -> FileSettings:
    """Read the settings file strictly; an absent file is empty settings."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return FileSettings()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(path, None, "", f"cannot read it ({error})") from None
    import yaml  # only when there is a file

    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise SettingsError(path, line, "", f"not valid YAML ({problem})") from None
    if root is None:
        return FileSettings(path)
    if not isinstance(root, yaml.MappingNode):
        raise SettingsError(path, 1, "", "write `key: value` lines (language, database, …)")
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in values:
            raise SettingsError(path, line, key, "given twice: keep one")
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise SettingsError(path, line, key, f"unknown setting: use one of {known}")
        lines[key] = line
        if key == "keymap":
            values[key] = _keymap(path, value_node, lines)
        else:
            values[key] = _text(path, key, value_node)
    language = values.get("language")
    if language is not None and language not in ("ja", "en"):
        raise SettingsError(path, lines["language"], "language", f"{language!r}: write ja or en")
    database = values.get("database")
    if database is not None and not str(database).lower().startswith(
        ("sqlite:///", "postgresql://", "postgres://")
    ):
        raise SettingsError(
            path, lines["database"], "database", f"{database!r}: {KEYS['database']}"
        )
    dial = values.get("dial_command")
    if dial is not None:
        _check_dial(path, lines["dial_command"], str(dial))
    return FileSettings(
        path=path,
        language=language,  # checked above: str or None
        database=database,  # type: ignore[arg-type]
        theme=values.get("theme"),  # type: ignore[arg-type]
        dial_command=dial,  # type: ignore[arg-type]
        keymap=MappingProxyType(values.get("keymap") or {}),  # type: ignore[arg-type]
        lines=MappingProxyType(lines),
    )


def _text(path: Path, key: str, node: object) -> str:
    import yaml

    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":bool")):
        line = node.start_mark.line + 1 if isinstance(node, yaml.Node) else None
        raise SettingsError(path, line, key, f"write one value: {KEYS[key]}")
    value = str(node.value).strip()
    if not value:
        raise SettingsError(path, node.start_mark.line + 1, key, f"empty: {KEYS[key]}")
    return value


def _keymap(path: Path, node: object, lines: dict[str, int]) -> dict[str, str]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 1 if isinstance(node, yaml.Node) else None
        raise SettingsError(path, line, "keymap", KEYS["keymap"])
    keymap: dict[str, str] = {}
    for key_node, value_node in node.value:
        binding = str(key_node.value)
        line = key_node.start_mark.line + 1
        where = f"keymap.{binding}"
        if not _BINDING_ID.fullmatch(binding):
            raise SettingsError(path, line, where, "not a binding id (e.g. lead.call)")
        if binding in keymap:
            raise SettingsError(path, line, where, "given twice: keep one")
        if not isinstance(value_node, yaml.ScalarNode):
            raise SettingsError(path, line, where, "write the keys, e.g. f2,ctrl+k")
        keys = "".join(str(value_node.value).lower().split())
        if not _KEYS.fullmatch(keys):
            raise SettingsError(
                path, line, where, f"{value_node.value!r}: write keys like f2 or ctrl+k, "
                "several with commas"
            )  # fmt: skip
        keymap[binding] = keys
        lines[where] = line
    return keymap


def _check_dial(path: Path, line: int, command: str) -> None:
    try:
        words = shlex.split(command)
    except ValueError as error:
        message = f"cannot be split into words ({error})"
        raise SettingsError(path, line, "dial_command", message) from None
    if not any("{phone}" in word for word in words):
        raise SettingsError(
            path, line, "dial_command", "put {phone} where the number goes, e.g. "
            "`softphone --call {phone}`"
        )  # fmt: skip


def env_path() -> Path | None:
    """``ISDESK_SETTINGS``: another settings file (e.g. a team's shared one)."""
    value = os.environ.get("ISDESK_SETTINGS")
    return Path(value).expanduser() if value else None
