"""Lead routing as pure functions: who gets which lead, from plain data (no database).

The services (isdesk.services.assignment) read the leads and operators, call these functions and
write the outcome; the tests can exercise every rule here without a database.

Balanced policy: a lead goes to the eligible operator holding the fewest open leads; ties go
round-robin, to whoever received a lead least recently (never beats ever), then by login name.
Only active operators of role operator or lead are eligible, and only while under the cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from isdesk.rules.routing import AssignmentGroup, AssignmentRules, ReturningRules

__all__ = [
    "RECEIVING_ROLES",
    "CandidateLead",
    "Decision",
    "OperatorState",
    "PendingLead",
    "Plan",
    "PlanRow",
    "PlannedMove",
    "Unplaced",
    "contact_days",
    "eligible",
    "pick",
    "plan_balanced",
    "plan_rebalance",
    "returning_decision",
]

RECEIVING_ROLES = frozenset({"operator", "lead"})  # field sales never receive new leads

# Why a lead was left unassigned.
NO_ELIGIBLE = "no_eligible_operator"
ALL_AT_CAP = "all_at_cap"


@dataclass(frozen=True, slots=True)
class OperatorState:
    """One operator as routing sees them: who, and how loaded right now."""

    id: int
    name: str  # login
    team: str
    role: str
    active: bool
    open_leads: int
    last_received: int = 0  # order of the last lead received (0: never); round-robin key
    display_name: str = ""

    @property
    def receives(self) -> bool:
        return self.active and self.role in RECEIVING_ROLES


@dataclass(frozen=True, slots=True)
class PendingLead:
    id: int
    source: str
    acquired_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One lead handed out: to whom, by which group, and the receiver's load at that moment."""

    lead_id: int
    source: str
    group: str
    operator: str  # login
    load_before: int
    acquired_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A lead left unassigned, and why (``reason`` is NO_ELIGIBLE or ALL_AT_CAP)."""

    lead_id: int
    source: str
    group: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Plan:
    rows: tuple[PlanRow, ...]
    unplaced: tuple[Unplaced, ...]
    operators: tuple[OperatorState, ...]  # the loads after the plan


def eligible(
    group: AssignmentGroup, operators: Iterable[OperatorState], team: str | None = None
) -> list[OperatorState]:
    """Who may receive the group's leads (ignoring the cap); ``team`` narrows it further."""
    return [
        op
        for op in operators
        if op.receives
        and group.operators.admits(op.name, op.team)
        and (team is None or op.team == team)
    ]


def pick(candidates: Sequence[OperatorState], cap: int) -> OperatorState | None:
    """The balanced choice: fewest open leads, then least recently received, then name."""
    under = [op for op in candidates if op.open_leads < cap]
    if not under:
        return None
    return min(under, key=lambda op: (op.open_leads, op.last_received, op.name))


def _why_not(
    group: AssignmentGroup,
    candidates: Sequence[OperatorState],
    cap: int,
    team: str | None,
    excluded: Sequence[str] = (),
):
    if not candidates and excluded:
        return NO_ELIGIBLE, (
            f"group {group.name}: nobody eligible but {', '.join(excluded)}, who may not "
            "receive it here"
        )
    if not candidates:
        wanted = group.operators.team
        if team is not None and wanted is not None and wanted != team:
            return NO_ELIGIBLE, (
                f"group {group.name} goes to team {wanted}; only team {team} receives here"
            )
        where = group.operators.describe() + (f" in team {team}" if team else "")
        return NO_ELIGIBLE, f"group {group.name}: no active operator ({where})"
    names = ", ".join(op.name for op in candidates)
    return (
        ALL_AT_CAP,
        f"group {group.name}: every eligible operator ({names}) is at the cap of {cap}",
    )


def plan_balanced(
    leads: Iterable[PendingLead],
    operators: Sequence[OperatorState],
    rules: AssignmentRules,
    *,
    team: str | None = None,
    exclude: frozenset[str] = frozenset(),
) -> Plan:
    """Hand out ``leads`` (already in arrival order), group by group, balanced.

    ``team`` limits the receivers to one team (a team lead assigns within their own team);
    ``exclude`` names operators who must not receive (e.g. the one being deactivated).
    """
    state = {op.name: op for op in operators}
    turn = max((op.last_received for op in operators), default=0)
    rows: list[PlanRow] = []
    unplaced: list[Unplaced] = []
    for lead in leads:
        group = rules.group_for(lead.source)
        pool = eligible(group, state.values(), team)
        candidates = [op for op in pool if op.name not in exclude]
        chosen = pick(candidates, rules.holding_cap)
        if chosen is None:
            excluded = [op.name for op in pool if op.name in exclude]
            reason, message = _why_not(group, candidates, rules.holding_cap, team, excluded)
            unplaced.append(Unplaced(lead.id, lead.source, group.name, reason, message))
            continue
        turn += 1
        state[chosen.name] = replace(chosen, open_leads=chosen.open_leads + 1, last_received=turn)
        rows.append(
            PlanRow(
                lead.id, lead.source, group.name, chosen.name, chosen.open_leads, lead.acquired_at
            )
        )
    return Plan(tuple(rows), tuple(unplaced), tuple(state.values()))


# --- returning leads -------------------------------------------------------------------------

KEEP = "keep"
REASSIGN = "reassign"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the returning-lead rules say: ``keep`` the owner or ``reassign``, and which rule."""

    action: str  # KEEP | REASSIGN
    rule: str  # the rules.yaml key that decided
    days: int | None  # local calendar days since the owner's last contact (None: never)


def contact_days(contact: dt.datetime, now: dt.datetime, zone: ZoneInfo) -> int:
    """Whole calendar days between two instants, counted in the team's time zone.

    Contacted on 10/3 (any hour) and asked on 11/2: 30 days, as a person counts them.
    """
    return (now.astimezone(zone).date() - contact.astimezone(zone).date()).days


def returning_decision(days: int | None, rules: ReturningRules) -> Decision:
    """``days`` since the owner's contact: <= keep window stays (day N included), >= reassign
    window is handed out anew, in between follows ``between``; never contacted counts as
    ``days`` since they received it (the caller passes that)."""
    if days is not None and days <= rules.keep_owner_within_days:
        return Decision(KEEP, "returning.keep_owner_within_days", days)
    if days is None or days >= rules.reassign_after_days:
        return Decision(REASSIGN, "returning.reassign_after_days", days)
    action = KEEP if rules.between == "keep_owner" else REASSIGN
    return Decision(action, "returning.between", days)


# --- rebalancing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateLead:
    """An open lead of an over-cap operator that may be moved (the caller filters out leads
    with a future next action or a recent contact)."""

    id: int
    owner: str
    source: str
    acquired_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PlannedMove:
    lead_id: int
    from_op: str
    to_op: str
    group: str
    reason: str


def plan_rebalance(
    operators: Sequence[OperatorState],
    movable: Iterable[CandidateLead],
    rules: AssignmentRules,
    *,
    team: str | None = None,
) -> tuple[PlannedMove, ...]:
    """Move leads off operators over the cap, newest arrivals first, to the least loaded
    eligible operator of the lead's group (same team), until nobody is over the cap or nothing
    more can move. A receiver never goes over the cap."""
    cap = rules.holding_cap
    state = {op.name: op for op in operators}
    turn = max((op.last_received for op in operators), default=0)
    by_owner: dict[str, list[CandidateLead]] = {}
    for lead in movable:
        by_owner.setdefault(lead.owner, []).append(lead)
    moves: list[PlannedMove] = []
    for owner in sorted(by_owner):
        start = state[owner].open_leads if owner in state else 0
        leads = sorted(by_owner[owner], key=lambda c: (c.acquired_at, c.id), reverse=True)
        for lead in leads:
            giver = state.get(owner)
            if giver is None or giver.open_leads <= cap:
                break
            group = rules.group_for(lead.source)
            candidates = [op for op in eligible(group, state.values(), team) if op.name != owner]
            chosen = pick(candidates, cap)
            if chosen is None:
                continue  # this group has no room; a lead of another group may still move
            turn += 1
            state[chosen.name] = replace(
                chosen, open_leads=chosen.open_leads + 1, last_received=turn
            )
            state[owner] = replace(giver, open_leads=giver.open_leads - 1)
            moves.append(
                PlannedMove(
                    lead.id,
                    owner,
                    chosen.name,
                    group.name,
                    f"{owner} over the cap ({start} > {cap}); {chosen.name} held "
                    f"{chosen.open_leads}",
                )
            )
    return tuple(moves)
