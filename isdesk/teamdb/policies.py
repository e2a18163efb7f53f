"""Team mode's row-level security policies, as SQL expressions and statements (pure).

Who may read and write what, table by table, is listed in isdesk.teamdb's module docstring;
:func:`policy_definitions` is that list written in SQL, and :func:`policy_statements` drops
isdesk's old policies and creates these.
"""

from __future__ import annotations

from collections.abc import Sequence

from isdesk.teamdb.sql import (
    EVENT_KINDS_BY_ROLE,
    HANDOFF_EVENT_FIELDS,
    INSIDE_ROLES,
    RLS_TABLES,
    USER_ROLE,
    Statement,
    ident,
    literal,
)

# Policy expressions. ME/MY_ROLE/MY_TEAM/TEAM_IDS are sub-selects (one InitPlan per statement).
ME = "(SELECT m.id FROM isdesk_me() m)"
MY_ROLE = "(SELECT m.role FROM isdesk_me() m)"
MY_TEAM = "(SELECT m.team FROM isdesk_me() m)"
# My team's operator ids when I am a lead, else {}. The cast makes "= ANY" take the array.
TEAM_IDS = "(SELECT isdesk_team_ids())::integer[]"
_ACTIVE = "EXISTS (SELECT 1 FROM isdesk_me())"
_INSIDE = "(" + ", ".join(literal(r) for r in INSIDE_ROLES) + ")"


def lead_readable(t: str) -> str:
    """A lead row ``t`` the caller may read."""
    return (
        f"({t}.owner_id = {ME} "
        f"OR ({t}.owner_id IS NULL AND {MY_ROLE} IN {_INSIDE}) "
        f"OR {t}.owner_id = ANY ({TEAM_IDS}) "
        f"OR {t}.id IN (SELECT h FROM isdesk_handed_leads() h))"
    )


def lead_changeable(t: str) -> str:
    """A lead row ``t`` inside sales may change: ``can_change`` of isdesk.services.leads."""
    return (
        f"({MY_ROLE} IN {_INSIDE} AND ({t}.owner_id = {ME} OR {t}.owner_id IS NULL "
        f"OR {t}.owner_id = ANY ({TEAM_IDS})))"
    )


def _handed_to_owner(t: str) -> str:
    """The hand-off transition: ``t`` goes to the field user I have just handed it to."""
    return (
        f"({t}.status = 'handed_off' AND EXISTS (SELECT 1 FROM handoff h "
        f"WHERE h.lead_id = {t}.id AND h.to_user_id = {t}.owner_id "
        f"AND h.from_operator_id = {ME} AND h.status = 'pending'))"
    )


def _field_owns(t: str) -> str:
    """A field user's own lead (handed to them and moved to them): the only leads they change."""
    return f"({MY_ROLE} = 'field' AND {t}.owner_id = {ME})"


def _given_back(t: str) -> str:
    """A field user gives ``t`` back: to the sender of a hand-off of it they rejected (or to
    nobody, when the sender has left). Only as the new row: once it is back, it is not theirs."""
    return (
        f"({MY_ROLE} = 'field' AND EXISTS (SELECT 1 FROM handoff h "
        f"WHERE h.lead_id = {t}.id AND h.to_user_id = {ME} AND h.status = 'rejected' "
        f"AND ({t}.owner_id IS NULL OR {t}.owner_id = h.from_operator_id)))"
    )


def _event_allowed(t: str) -> str:
    """A history row ``t`` the caller's own actions would write: in their name, of a kind
    their role writes, on a lead they may change right now."""
    cases = []
    for role, kinds in EVENT_KINDS_BY_ROLE.items():
        fields = ", ".join(literal(f) for f in HANDOFF_EVENT_FIELDS[role])
        cases.append(
            f"({MY_ROLE} = {literal(role)} AND {t}.kind IN "
            f"({', '.join(literal(k) for k in kinds)}) "
            f"AND ({t}.kind <> 'handoff' OR {t}.field IN ({fields})))"
        )
    changeable = f"({lead_changeable('l')} OR {_field_owns('l')})"
    return f"{t}.actor_id = {ME} AND ({' OR '.join(cases)}) AND " + _lead_exists(
        "lead_id", t, changeable
    )


def _lead_exists(t: str, child: str, condition: str | None = None) -> str:
    """``child``'s lead is readable (through the lead policy) and meets ``condition``."""
    extra = f" AND {condition}" if condition else ""
    return f"EXISTS (SELECT 1 FROM lead l WHERE l.id = {child}.{t}{extra})"


def policy_definitions() -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """Per table: (policy name, command, USING, WITH CHECK) — names all start with isdesk_."""
    return {
        "operator": [
            ("isdesk_operator_read", "SELECT", "true", None),
            # A lead registers operators of their own team only: a lead of another team
            # would read all of that team's leads.
            ("isdesk_operator_add", "INSERT", None, f"{MY_ROLE} = 'lead' AND team = {MY_TEAM}"),
            (
                "isdesk_operator_change",
                "UPDATE",
                f"{MY_ROLE} = 'lead' AND team = {MY_TEAM}",
                f"{MY_ROLE} = 'lead' AND team = {MY_TEAM}",
            ),
        ],
        "lead": [
            ("isdesk_lead_read", "SELECT", lead_readable("lead"), None),
            (
                "isdesk_lead_change",
                "UPDATE",
                f"{lead_changeable('lead')} OR {_field_owns('lead')}",
                f"{lead_changeable('lead')} OR {_handed_to_owner('lead')} "
                f"OR {_field_owns('lead')} OR {_given_back('lead')}",
            ),
        ],
        "answer": [
            ("isdesk_answer_read", "SELECT", _lead_exists("lead_id", "answer"), None),
            (
                "isdesk_answer_add",
                "INSERT",
                None,
                f"updated_by_id = {ME} AND "
                + _lead_exists("lead_id", "answer", lead_changeable("l")),
            ),
            (
                "isdesk_answer_change",
                "UPDATE",
                _lead_exists("lead_id", "answer", lead_changeable("l")),
                f"updated_by_id = {ME} AND "
                + _lead_exists("lead_id", "answer", lead_changeable("l")),
            ),
        ],
        "lead_event": [
            (
                "isdesk_lead_event_read",
                "SELECT",
                f"actor_id = {ME} OR actor_id = ANY ({TEAM_IDS}) OR "
                + _lead_exists("lead_id", "lead_event"),
                None,
            ),
            ("isdesk_lead_event_add", "INSERT", None, _event_allowed("lead_event")),
        ],
        "activity": [
            (
                "isdesk_activity_read",
                "SELECT",
                f"operator_id = {ME} OR operator_id = ANY ({TEAM_IDS}) OR "
                + _lead_exists("lead_id", "activity"),
                None,
            ),
            (
                "isdesk_activity_add",
                "INSERT",
                None,
                f"operator_id = {ME} AND "
                + _lead_exists("lead_id", "activity", lead_changeable("l")),
            ),
        ],
        "handoff": [
            (
                "isdesk_handoff_read",
                "SELECT",
                f"from_operator_id = {ME} OR to_user_id = {ME} "
                f"OR from_operator_id = ANY ({TEAM_IDS})",
                None,
            ),
            (
                "isdesk_handoff_add",
                "INSERT",
                None,
                f"from_operator_id = {ME} AND status = 'pending' AND "
                "to_user_id IN (SELECT o.id FROM operator o WHERE o.role = 'field' AND o.active) "
                "AND " + _lead_exists("lead_id", "handoff", lead_changeable("l")),
            ),
            # The addressee decides (the columns are limited by the grants): accepts or rejects
            # a pending one, or rejects an accepted one later (timing, lost); a rejected one
            # is final.
            (
                "isdesk_handoff_decide",
                "UPDATE",
                f"to_user_id = {ME} AND {MY_ROLE} = 'field' AND status IN ('pending', 'accepted')",
                f"to_user_id = {ME} AND status IN ('accepted', 'rejected')",
            ),
        ],
        # A call is its operator's: read by them and their team lead, started only on a lead
        # the operator may change, updated (heartbeat, logged, cancelled) only by its operator.
        "phone_call": [
            (
                "isdesk_phone_call_read",
                "SELECT",
                f"operator_id = {ME} OR operator_id = ANY ({TEAM_IDS})",
                None,
            ),
            (
                "isdesk_phone_call_add",
                "INSERT",
                None,
                f"operator_id = {ME} AND "
                + _lead_exists("lead_id", "phone_call", lead_changeable("l")),
            ),
            (
                "isdesk_phone_call_change",
                "UPDATE",
                f"operator_id = {ME}",
                # Closed by one of my own activities only (or none: heartbeat, cancel).
                f"operator_id = {ME} AND (activity_id IS NULL OR EXISTS (SELECT 1 FROM "
                f"activity a WHERE a.id = phone_call.activity_id AND a.operator_id = {ME}))",
            ),
        ],
        # An appointment: read by who set it, who attends it and the setter's team lead; set
        # only in my name, on a lead I may change, with my own activity; never rewritten.
        "appointment": [
            (
                "isdesk_appointment_read",
                "SELECT",
                f"operator_id = {ME} OR attendee_id = {ME} OR operator_id = ANY ({TEAM_IDS})",
                None,
            ),
            (
                "isdesk_appointment_add",
                "INSERT",
                None,
                f"operator_id = {ME} AND "
                + _lead_exists("lead_id", "appointment", lead_changeable("l"))
                + " AND (activity_id IS NULL OR EXISTS (SELECT 1 FROM activity a WHERE "
                f"a.id = appointment.activity_id AND a.operator_id = {ME}))",
            ),
        ],
        "touch": [("isdesk_touch_read", "SELECT", _lead_exists("lead_id", "touch"), None)],
        # Only the bigrams of leads one may read: the filter's counts and postings say nothing
        # about any other lead (not even that some lead holds a phone number's digits).
        "lead_gram": [
            ("isdesk_lead_gram_read", "SELECT", _lead_exists("lead_id", "lead_gram"), None)
        ],
        # Active operators only: a deactivated login reads operator names and nothing else.
        "campaign": [
            ("isdesk_campaign_read", "SELECT", _ACTIVE, None),
            # The cost, for ROI: team leads only (the column grant allows nothing else).
            ("isdesk_campaign_cost", "UPDATE", f"{MY_ROLE} = 'lead'", f"{MY_ROLE} = 'lead'"),
        ],
        "import_run": [("isdesk_import_run_read", "SELECT", _ACTIVE, None)],
    }


def policy_statements(
    schema: str, tables: Sequence[str], users: str = USER_ROLE
) -> list[Statement]:
    """ENABLE row-level security on every protected table that exists, drop isdesk's old
    policies (whatever their names were) and create the current ones. Run in one transaction."""
    s, u = ident(schema), ident(users)
    present = [t for t in RLS_TABLES if t in set(tables)]
    out = [
        Statement(
            "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename, policyname "
            f"FROM pg_catalog.pg_policies WHERE schemaname = {literal(schema)} "
            "AND policyname LIKE 'isdesk\\_%' LOOP "
            f"EXECUTE format('DROP POLICY %I ON %I.%I', r.policyname, {literal(schema)}, "
            "r.tablename); END LOOP; END $$"
        )
    ]
    definitions = policy_definitions()
    for table in present:
        t = f"{s}.{ident(table)}"
        out.append(Statement(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        out.append(Statement(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY"))
        for name, command, using, check in definitions[table]:
            sql = f"CREATE POLICY {ident(name)} ON {t} FOR {command} TO {u}"
            if using is not None:
                sql += f" USING ({using})"
            if check is not None:
                sql += f" WITH CHECK ({check})"
            out.append(Statement(sql))
    return out
