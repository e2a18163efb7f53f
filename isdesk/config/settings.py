"""Start-up settings: command-line flags first, then ISDESK_* environment variables, then
defaults (the embedded SQLite file, the packaged rules, the OS user, the locale's language)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from isdesk.config.locations import default_db_path
from isdesk.i18n import LANGUAGES, detect_language


@dataclass(frozen=True)
class Settings:
    db_url: str
    rules_path: Path | None  # None: the rules shipped with isdesk
    operator: str
    language: str
    db_given: bool = False  # --db or ISDESK_DB named it (not the default file)
    create: bool = False  # --create: a new SQLite database may be made in a new folder


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
) -> Settings:
    """Combine flags, environment and defaults; ``default_db`` replaces the usual file."""
    db_url = db or os.environ.get("ISDESK_DB") or f"sqlite:///{default_db or default_db_path()}"
    rules_value = rules or os.environ.get("ISDESK_RULES")
    lang = language or os.environ.get("ISDESK_LANG") or detect_language()
    if lang not in LANGUAGES:
        lang = "en"
    return Settings(
        db_url=db_url,
        rules_path=Path(rules_value).expanduser() if rules_value else None,
        operator=operator or os.environ.get("ISDESK_OPERATOR") or login_of(db_url) or os_user(),
        language=lang,
        db_given=bool(db or os.environ.get("ISDESK_DB")),
        create=create,
    )
