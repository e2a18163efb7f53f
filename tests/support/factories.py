"""Small helpers that put known rows in a test database."""

from __future__ import annotations

import datetime as dt

from isdesk.domain.text import lead_search_key
from isdesk.services.operators import Actor, add_operator
from isdesk.store.db import current_database
from isdesk.store.models import Lead

BASE = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)


def operator(
    name: str = "sato", team: str = "inbound", role: str = "operator", display: str | None = None
) -> Actor:
    return add_operator(name, team=team, role=role, display_name=display or name)


def lead(
    owner: Actor | None = None,
    *,
    company: str = "株式会社テスト",
    contact: str = "田中 一郎",
    acquired_days: float = 0,
    last_touch_days: float | None = None,
    next_action_days: float | None = None,
    source: str = "資料請求",
    status: str = "open",
    **fields: object,
) -> int:
    """Create a lead; *_days are offsets from BASE (negative = before)."""

    def at(days: float | None) -> dt.datetime | None:
        return None if days is None else BASE + dt.timedelta(days=days)

    with current_database().connection_context():
        row = Lead.create(
            company=company,
            contact=contact,
            source=source,
            status=status,
            owner=owner.id if owner else None,
            acquired_at=at(acquired_days),
            last_touch_at=at(last_touch_days),
            next_action_at=at(next_action_days),
            search_text=lead_search_key(
                company,
                contact,
                str(fields.get("email", "")),
                source,
                [str(fields["phone"])] if fields.get("phone") else [],
            ),
            **fields,
        )
        return row.id
