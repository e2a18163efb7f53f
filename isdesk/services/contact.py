"""Reaching a lead by phone: the do-not-call flag (架電禁止) and finding leads by a number.

A do-not-call lead stays in its owner's list (the history matters) but is never handed out,
claimed or given by take-next (isdesk.services.assignment), and the lead screen says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.i18n import to_local
from isdesk.services.leads import LeadAccessError, LeadNotFoundError, can_change, owner_team
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead, LeadEvent

__all__ = ["DoNotCallChange", "PhoneMatch", "find_leads_by_phone", "set_do_not_call"]


@dataclass(frozen=True)
class DoNotCallChange:
    lead_id: int
    do_not_call: bool
    note: str
    version: int  # the lead's change counter after the change


@dataclass(frozen=True)
class PhoneMatch:
    lead_id: int
    company: str
    contact: str
    owner_id: int | None


def set_do_not_call(
    actor: Actor, lead_id: int, flag: bool, *, now: dt.datetime, reason: str = ""
) -> DoNotCallChange:
    """Mark the lead do-not-call (or lift it), with who and when as the shown reason, in one
    transaction that also appends a ``do_not_call`` event. Inside sales only, on leads they
    may change."""
    db = current_database()
    with db.connection_context(), db.atomic():
        query = Lead.select().where(Lead.id == lead_id)
        if is_postgres(db):
            query = query.for_update()
        lead = query.get_or_none()
        if lead is None:
            raise LeadNotFoundError(f"lead {lead_id} does not exist")
        if actor.role == "field" or not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        when = to_local(now).strftime("%Y-%m-%d")
        note = f"{actor.display_name or actor.name} {when}" + (f": {reason}" if reason else "")
        if not flag:
            note = ""
        if bool(lead.do_not_call) == flag:
            return DoNotCallChange(lead_id, flag, lead.do_not_call_note, lead.version)
        Lead.update(
            do_not_call=flag,
            do_not_call_note=note,
            version=Lead.version + 1,
            updated_at=now,
        ).where(Lead.id == lead_id).execute()
        LeadEvent.create(
            lead=lead_id,
            at=now,
            actor=actor.id,
            kind="do_not_call",
            old_value="yes" if lead.do_not_call else "",
            new_value="yes" if flag else "",
            note=reason,
        )
        return DoNotCallChange(lead_id, flag, note, lead.version + 1)


def find_leads_by_phone(key: str) -> list[PhoneMatch]:
    """The leads one of whose numbers has the digits ``key`` (normalize.phone_key), oldest
    first. Read through the search key, which holds every number's digits between ``|``."""
    if not key:
        return []
    with current_database().connection_context():
        rows = (
            Lead.select(Lead.id, Lead.company, Lead.contact, Lead.owner, Lead.search_text)
            .where(Lead.search_text.contains(f"|{key}"))
            .order_by(Lead.id)
        )
        return [
            PhoneMatch(r.id, r.company, r.contact, r.owner_id)
            for r in rows
            if key in r.search_text.split("|")[1:]
        ]
