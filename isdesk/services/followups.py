"""Follow-ups falling due: what the open workstation tells the operator about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Lead


@dataclass(frozen=True)
class DueFollowUp:
    lead_id: int
    company: str
    due_at: dt.datetime
    next_action: str


def follow_ups_due(
    actor: Actor, after: dt.datetime, until: dt.datetime, limit: int = 20
) -> tuple[DueFollowUp, ...]:
    """``actor``'s open leads whose follow-up time falls in (after, until], earliest first."""
    db = current_database()
    with db.connection_context():
        rows = (
            Lead.select(Lead.id, Lead.company, Lead.next_action_at, Lead.next_action)
            .where(
                (Lead.owner == actor.id)
                & (Lead.status == "open")
                & (Lead.next_action_at > after)
                & (Lead.next_action_at <= until)
            )
            .order_by(Lead.next_action_at)
            .limit(limit)
        )
        return tuple(DueFollowUp(r.id, r.company, r.next_action_at, r.next_action) for r in rows)
