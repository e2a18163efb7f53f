"""Start-up settings: command-line flags first, then ISDESK_* environment variables, then the
user's settings file (``settings.yaml`` in the platformdirs config folder, see
settings_file.py), then defaults (the embedded SQLite file, the packaged rules, the OS user,
the locale's language)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlparse

from isdesk.config.locations import default_db_path
from isdesk.config.settings_file import (
    FileSettings,
    SettingsError,
    env_path,
    load_settings_file,
)
from isdesk.i18n import LANGUAGES, detect_language

__all__ = ["Settings", "SettingsError", "login_of", "os_user", "resolve_settings"]


@dataclass(frozen=True)
class Settings:
    db_url: str
    rules_path: Path | None  # None: the rules shipped with isdesk
    operator: str
    language: str
    db_given: bool = False  # --db, ISDESK_DB or settings.yaml named it (not the default file)
    create: bool = False  # --create: a new SQLite database may be made in a new folder
    theme: str = ""  # "" : Textual's default
    dial_command: str = ""  # "" : no dialer (the number can still be copied)
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    file: FileSettings = field(default_factory=FileSettings)  # where theme/keymap came from


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def login_of(db_url: str) -> str | None:
    """Team mode: each operator connects with their own login, named like their operator."""
    try:
        parsed = urlparse(db_url)
    except ValueError:  # malformed: opening the database says what is wrong
        return None
    if parsed.scheme.lower() in ("postgresql", "postgres") and parsed.username:
        return unquote(parsed.username)
    return None


def resolve_settings(
    *,
    db: str | None = None,
    rules: str | None = None,
    operator: str | None = None,
    language: str | None = None,
    default_db: Path | None = None,
    create: bool = False,
    settings_file: Path | None = None,
) -> Settings:
    """Combine flags, environment, the settings file and defaults; ``default_db`` replaces the
    usual file (the demo's database: the settings file's ``database`` does not apply then).
    Raises SettingsError for a mistake in the settings file."""
    saved = load_settings_file(settings_file or env_path())
    db_url = (
        db
        or os.environ.get("ISDESK_DB")
        or (None if default_db else saved.database)
        or f"sqlite:///{default_db or default_db_path()}"
    )
    rules_value = rules or os.environ.get("ISDESK_RULES")
    lang = language or os.environ.get("ISDESK_LANG") or saved.language or detect_language()
    if lang not in LANGUAGES:
        lang = "en"
    return Settings(
        db_url=db_url,
        rules_path=Path(rules_value).expanduser() if rules_value else None,
        operator=operator or os.environ.get("ISDESK_OPERATOR") or login_of(db_url) or os_user(),
        language=lang,
        db_given=bool(db or os.environ.get("ISDESK_DB") or (saved.database and not default_db)),
        create=create,
        theme=os.environ.get("ISDESK_THEME") or saved.theme or "",
        dial_command=os.environ.get("ISDESK_DIAL") or saved.dial_command or "",
        keymap=saved.keymap,
        file=saved,
    )
