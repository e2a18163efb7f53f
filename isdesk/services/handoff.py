"""Hand-off to field sales (トスアップ) and what field sales decides.

An operator hands an SQL lead to a field user with a note pre-filled from the hearing answers
(a BANT summary). The field user accepts it (the lead becomes an opportunity) or rejects it:

- ``not_qualified``: the appointment was pushed on an unready lead. It goes back to the
  operator and counts against them (the KPI screen's "rejected" line reads this event);
- ``timing``: not now. It goes back to the operator as nurturing, due again on a date;
- ``lost``: lost after meetings. It is recycled to inside sales (its operator, if still active).

Accepted leads move on through the pipeline stages of rules.yaml (quote, order …). Every step
is in the lead's event log: ``kind='handoff'`` with ``field`` = sent | accepted | rejected,
and the stage, status and owner changes it causes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.i18n import pick, tr
from isdesk.rules import Rules
from isdesk.services.leads import LeadAccessError, LeadNotFoundError, can_change, owner_team
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres, utcnow
from isdesk.store.models import Answer, Lead, LeadEvent, Operator
from isdesk.store.pipeline import Handoff

REJECT_REASONS = ("not_qualified", "timing", "lost")


class HandoffError(ValueError):
    """A hand-off step that cannot be taken as asked; the message says why."""


@dataclass(frozen=True)
class HandoffView:
    id: int
    lead_id: int
    company: str
    contact: str
    phone: str
    email: str
    rank: str
    stage: str
    from_operator: str
    from_name: str
    to_user: str
    note: str
    status: str
    reason: str
    comment: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


def bant_summary(rules: Rules, answers: dict[str, str]) -> str:
    """The note a hand-off starts with: BANT items first, then the rest that was heard."""
    order = {"B": 0, "A": 1, "N": 2, "T": 3}
    bant = sorted((i for i in rules.hearing if i.bant), key=lambda i: order.get(i.bant or "", 9))
    lines = ["【BANT】"]
    for item in bant:
        value = answers.get(item.key, "").strip() or "—"
        lines.append(f"{item.bant} {pick(item.label)}: {value}")
    others = [i for i in rules.hearing if not i.bant and answers.get(i.key, "").strip()]
    if others:
        lines.append(tr("handoff.other_items"))
        lines += [f"{pick(i.label)}: {answers[i.key].strip()}" for i in others]
    return "\n".join(lines)


def field_users() -> list[Actor]:
    """Active field users a lead can be handed to."""
    from isdesk.services.operators import list_operators

    return [a for a in list_operators() if a.role == "field" and a.active]


def _locked_lead(db, lead_id: int) -> Lead:
    query = Lead.select().where(Lead.id == lead_id)
    if is_postgres(db):
        query = query.for_update()
    lead = query.get_or_none()
    if lead is None:
        raise LeadNotFoundError(f"lead {lead_id} does not exist")
    return lead


def _event(
    lead_id: int,
    actor: Actor,
    at: dt.datetime,
    kind: str,
    field: str = "",
    old: str = "",
    new: str = "",
    note: str = "",
) -> None:
    LeadEvent.create(
        lead=lead_id,
        actor=actor.id,
        at=at,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
        note=note,
    )


def _move(lead: Lead, actor: Actor, at: dt.datetime, **changes: object) -> None:
    """Apply lead changes and log each one (stage, status, owner as login names)."""
    names: dict[object, str] = {}  # operator id -> login, looked up by the changed values
    for key in ("owner",):
        if key in changes:
            ids = [i for i in (lead.owner_id, changes[key]) if i]
            names = {o.id: o.name for o in Operator.select().where(Operator.id.in_(ids))}
    for key in ("stage", "status", "owner"):
        if key not in changes:
            continue
        old = getattr(lead, f"{key}_id" if key == "owner" else key)
        new = changes[key]
        if old == new:
            continue
        if key == "owner":
            _event(lead.id, actor, at, "owner", old=names.get(old, ""), new=names.get(new, ""))
        else:
            _event(lead.id, actor, at, key, old=str(old), new=str(new))
    values = {getattr(Lead, k): v for k, v in changes.items()}
    values[Lead.version] = Lead.version + 1
    values[Lead.updated_at] = at
    Lead.update(values).where(Lead.id == lead.id).execute()


def hand_off(
    actor: Actor,
    lead_id: int,
    to_user: str,
    note: str,
    rules: Rules,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Hand an SQL lead to field user ``to_user``; returns the hand-off id."""
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        lead = _locked_lead(db, lead_id)
        if not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        if not lead.is_sql:
            raise HandoffError("only an SQL lead can be handed to field sales: keep hearing")
        if lead.status != "open":
            raise HandoffError(f"lead {lead_id} is {lead.status}, not open")
        field = Operator.get_or_none(
            (Operator.name == to_user) & (Operator.role == "field") & Operator.active
        )
        if field is None:
            raise HandoffError(f"{to_user!r} is not an active field sales user")
        if not note.strip():
            raise HandoffError("write a note for field sales (the BANT summary is a start)")
        handoff = Handoff.create(
            lead=lead_id, from_operator=actor.id, to_user=field.id, note=note, created_at=at
        )
        _event(lead_id, actor, at, "handoff", field="sent", new=field.name, note=note)
        stages = rules.stages.keys
        next_stage = stages[1] if len(stages) > 1 and lead.stage == stages[0] else lead.stage
        _move(lead, actor, at, status="handed_off", stage=next_stage, owner=field.id)
        return handoff.id


def _addressed_to(
    actor: Actor, handoff_id: int, statuses: tuple[str, ...] = ("pending",)
) -> Handoff:
    if actor.role != "field":
        raise LeadAccessError("only field sales decide on hand-offs")
    handoff = Handoff.get_or_none(Handoff.id == handoff_id)
    if handoff is None or handoff.to_user_id != actor.id:
        raise LeadAccessError(f"hand-off {handoff_id} is not addressed to {actor.name}")
    if handoff.status not in statuses:
        raise HandoffError(f"hand-off {handoff_id} was already {handoff.status}")
    return handoff


def accept_handoff(
    actor: Actor, handoff_id: int, rules: Rules, *, now: dt.datetime | None = None
) -> None:
    """Field sales takes the lead on: it becomes an opportunity (the third stage)."""
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        handoff = _addressed_to(actor, handoff_id)
        lead = _locked_lead(db, handoff.lead_id)
        Handoff.update(status="accepted", decided_at=at).where(Handoff.id == handoff_id).execute()
        _event(lead.id, actor, at, "handoff", field="accepted", new=actor.name)
        stages = rules.stages.keys
        target = stages[min(2, len(stages) - 1)]
        if lead.stage not in stages or stages.index(lead.stage) < stages.index(target):
            _move(lead, actor, at, stage=target)


def reject_handoff(
    actor: Actor,
    handoff_id: int,
    reason: str,
    rules: Rules,
    *,
    comment: str = "",
    follow_up_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Send the lead back to inside sales for ``reason`` (see the module docstring)."""
    if reason not in REJECT_REASONS:
        raise HandoffError(f"reason {reason!r}: one of {', '.join(REJECT_REASONS)}")
    if reason == "timing" and follow_up_at is None:
        raise HandoffError("timing: give the date to follow up again")
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        # Not qualified is a verdict on the appointment itself; timing and lost may also come
        # after meetings on an accepted lead.
        allowed = ("pending",) if reason == "not_qualified" else ("pending", "accepted")
        handoff = _addressed_to(actor, handoff_id, allowed)
        lead = _locked_lead(db, handoff.lead_id)
        operator = Operator.get_by_id(handoff.from_operator_id)
        Handoff.update(
            status="rejected",
            reason=reason,
            comment=comment,
            decided_at=at,
            follow_up_at=follow_up_at,
        ).where(Handoff.id == handoff_id).execute()
        # old_value names the operator, so their scorecard can count it against them.
        _event(
            lead.id,
            actor,
            at,
            "handoff",
            field="rejected",
            old=operator.name,
            new=reason,
            note=comment,
        )
        # Back to its operator, unless they left or moved to field sales themselves.
        back_to = operator.id if operator.active and operator.role != "field" else None
        first = rules.stages.keys[0]
        if reason == "timing":
            assert follow_up_at is not None  # checked before anything was written
            # The follow-up is written with the move, while the lead is still theirs: in team
            # mode a field user may not touch it once it is back with its operator.
            _event(lead.id, actor, at, "next_action", new=follow_up_at.isoformat(), note=comment)
            _move(
                lead,
                actor,
                at,
                status="nurturing",
                owner=back_to,
                next_action_at=follow_up_at,
                next_action=comment or "時期の再確認",
            )
        else:
            _move(lead, actor, at, status="open", stage=first, owner=back_to)


def move_stage(
    actor: Actor, lead_id: int, stage: str, rules: Rules, *, now: dt.datetime | None = None
) -> None:
    """Field sales moves an accepted lead on (quote, order); the last stage means won."""
    stages = rules.stages.keys
    if stage not in stages:
        raise HandoffError(f"stage {stage!r}: one of {', '.join(stages)}")
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        lead = _locked_lead(db, lead_id)
        if actor.role != "field" or lead.owner_id != actor.id:
            raise LeadAccessError(f"lead {lead_id} is not in {actor.name}'s pipeline")
        if lead.stage in stages and stages.index(stage) <= stages.index(lead.stage):
            raise HandoffError(f"lead {lead_id} is already at {lead.stage}")
        status = "won" if stage == stages[-1] else lead.status
        _move(lead, actor, at, stage=stage, status=status)


def inbox(actor: Actor, *, include_decided: bool = False) -> list[HandoffView]:
    """Hand-offs addressed to a field user (pending first, newest first)."""
    if actor.role != "field":
        raise LeadAccessError("only field sales have a hand-off inbox")
    with current_database().connection_context():
        From = Operator.alias()
        query = (
            Handoff.select(Handoff, Lead, From)
            .join(Lead, on=(Handoff.lead == Lead.id))
            .switch(Handoff)
            .join(From, on=(Handoff.from_operator == From.id))
            .where(Handoff.to_user == actor.id)
        )
        if not include_decided:
            query = query.where(Handoff.status == "pending")
        rows = query.order_by(Handoff.created_at.desc(), Handoff.id.desc())
        return [
            HandoffView(
                id=h.id,
                lead_id=h.lead.id,
                company=h.lead.company,
                contact=h.lead.contact,
                phone=h.lead.phone,
                email=h.lead.email,
                rank=h.lead.rank,
                stage=h.lead.stage,
                from_operator=h.from_operator.name,
                from_name=h.from_operator.display_name,
                to_user=actor.name,
                note=h.note,
                status=h.status,
                reason=h.reason,
                comment=h.comment,
                created_at=h.created_at,
                decided_at=h.decided_at,
            )
            for h in rows
        ]


def lead_answers(lead_id: int) -> dict[str, str]:
    with current_database().connection_context():
        return {a.item: a.value for a in Answer.select().where(Answer.lead == lead_id)}
