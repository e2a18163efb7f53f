"""UI text in Japanese and English.

One catalogue, keyed by a short English id; ``tr(key, **fields)`` picks the language chosen at
start-up (``--lang`` / ``ISDESK_LANG`` / the locale). Labels of hearing items are not here:
they come from rules.yaml.
"""

from __future__ import annotations

import datetime as dt
import locale
import os

from isdesk.i18n.catalogue import CATALOGUE as _CATALOGUE

LANGUAGES = ("ja", "en")


class _State:
    language = "en"
    zone: dt.tzinfo | None = None  # the team's zone for showing times; None: the system's


def set_display_zone(zone: dt.tzinfo | None) -> None:
    """Show times in the team's zone (rules.yaml calendar.timezone)."""
    _State.zone = zone


def short_day(day: dt.date) -> str:
    """``11/24 (火)`` / ``11/24 (Tue)``."""
    names = "月火水木金土日" if _State.language == "ja" else None
    weekday = names[day.weekday()] if names else day.strftime("%a")
    return f"{day.month}/{day.day} ({weekday})"


def to_local(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the display zone."""
    return moment.astimezone(_State.zone)


def detect_language() -> str:
    """``ja`` when the environment's locale is Japanese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    code = locale.getlocale()[0] or ""
    return "ja" if code.lower().startswith("ja") else "en"


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: choose ja or en")
    _State.language = language


def current_language() -> str:
    return _State.language


def tr(key: str, **fields: object) -> str:
    """The text for ``key`` in the current language (the key itself if it is missing)."""
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[0] if _State.language == "ja" else pair[1]
    return text.format(**fields) if fields else text


def tr_in(language: str, key: str, **fields: object) -> str:
    """The text for ``key`` in ``language`` whatever the UI language is."""
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[0] if language == "ja" else pair[1]
    return text.format(**fields) if fields else text


def duration(seconds: int) -> str:
    """A call's length as people say it: ``14分36秒`` / ``14m36s`` (``1時間5分`` / ``1h05m``).

    ``14:36`` reads as a time of day; a duration is never shown that way.
    """
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    ja = _State.language == "ja"
    if hours:
        return f"{hours}時間{minutes}分" if ja else f"{hours}h{minutes:02d}m"
    if minutes and not secs:
        return f"{minutes}分" if ja else f"{minutes}m"
    if minutes:
        return f"{minutes}分{secs}秒" if ja else f"{minutes}m{secs:02d}s"
    return f"{secs}秒" if ja else f"{secs}s"


def pick(label: object) -> str:
    """The current language's text of a ``{ja, en}`` label from rules.yaml."""
    if isinstance(label, dict):
        return str(label.get(_State.language) or label.get("en") or label.get("ja") or "")
    for attr in (_State.language, "en", "ja"):
        value = getattr(label, attr, None)
        if value:
            return str(value)
    return str(label)


# Next actions isdesk writes itself are stored as a code ("next:call"), so each reader sees
# them in their own language; what an operator typed is stored and shown as typed.
NEXT_ACTION_PREFIX = "next:"


def next_action_code(kind: str) -> str:
    """The stored form of isdesk's default next action after an activity of ``kind``."""
    return f"{NEXT_ACTION_PREFIX}{kind}"


def next_action_text(stored: str) -> str:
    """A stored next action as the reader reads it: a code translated, typed text as is."""
    if stored.startswith(NEXT_ACTION_PREFIX):
        return tr(f"next.{stored[len(NEXT_ACTION_PREFIX) :]}")
    return stored
