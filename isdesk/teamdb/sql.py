"""The SQL that sets team mode up, as statements (pure: nothing here connects).

The roles, who may connect to the database and create in its schema, the tables' owner, the
helper functions the policies call, isdesk_user's table privileges and an operator's login;
quoting, and the names of isdesk's roles and tables. Why each exists: isdesk.teamdb's module
docstring; the row-level security policies: isdesk.teamdb.policies; running them:
isdesk.teamdb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

OWNER_ROLE = "isdesk_owner"
USER_ROLE = "isdesk_user"
ROLES = ("operator", "lead", "field")
INSIDE_ROLES = ("operator", "lead")  # inside sales: the roles that work leads
# Operator names are login names (isdesk.services.operators); PostgreSQL cuts names at 63 bytes.
_LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")

# What isdesk_user may do, table by table: exactly what the application does, nothing more.
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "operator": ("SELECT", "INSERT", "UPDATE"),
    # A team lead records what a campaign cost (isdesk campaign set-cost): that column only.
    "campaign": ("SELECT", "UPDATE"),
    "lead": ("SELECT", "UPDATE"),
    "answer": ("SELECT", "INSERT", "UPDATE"),
    "lead_event": ("SELECT", "INSERT"),
    "activity": ("SELECT", "INSERT"),
    "handoff": ("SELECT", "INSERT", "UPDATE"),
    "phone_call": ("SELECT", "INSERT", "UPDATE"),
    "appointment": ("SELECT", "INSERT"),
    "touch": ("SELECT",),
    "import_run": ("SELECT",),
    "schema_migration": ("SELECT",),
    # The filter's bigram index: read through a policy; written only by its triggers
    # (SECURITY DEFINER, owned by isdesk_owner), so an operator's edit keeps it in step.
    "lead_gram": ("SELECT",),
}
# INSERT and UPDATE are granted on these columns only (column-level privileges); a verb not
# listed here for a table in TABLE_PRIVILEGES is granted on the whole table. Never ``id``: a
# client-chosen id would collide with the sequence for everyone else. UPDATE lists what the
# services change: a lead's customer data (company, phone, …), a hand-off's lead, sender and
# addressee, an operator's name and team are never rewritten by an operator login.
COLUMN_PRIVILEGES: dict[str, dict[str, tuple[str, ...]]] = {
    "campaign": {"UPDATE": ("cost",)},
    "operator": {
        "INSERT": ("name", "display_name", "team", "role", "active", "created_at"),
        "UPDATE": ("display_name", "role", "active"),
    },
    "lead": {
        "UPDATE": (
            "owner_id", "status", "stage", "rank", "is_sql", "heard", "last_touch_at",
            "next_action_at", "next_action", "version", "updated_at",
            # migration 0009: the lead screen's F8 (isdesk.services.contact.set_do_not_call)
            "do_not_call", "do_not_call_note",
        ),
    },
    "answer": {
        "INSERT": ("lead_id", "item", "value", "version", "updated_at", "updated_by_id"),
        "UPDATE": ("value", "version", "updated_at", "updated_by_id"),
    },
    "lead_event": {
        "INSERT": (
            "lead_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "note"
        ),
    },
    "activity": {
        "INSERT": (
            "lead_id", "operator_id", "at", "kind", "outcome", "duration_s", "note",
            "customer_voice", "rank_after", "sql_after",
            "recording_url",  # migration 0009: isdesk log call --recording
        ),
    },
    "handoff": {
        "INSERT": (
            "lead_id", "from_operator_id", "to_user_id", "note", "status", "reason", "comment",
            "follow_up_at", "created_at", "decided_at",
        ),
        # The decision, and only the decision: never lead_id, from_operator_id, to_user_id.
        "UPDATE": ("status", "reason", "comment", "follow_up_at", "decided_at"),
    },
    "phone_call": {
        "INSERT": (
            "lead_id", "operator_id", "started_at", "last_seen_at", "ended_at", "status",
            "activity_id", "duration_s",
        ),
        # Its course, never whose call it is, on which lead, or when it started.
        "UPDATE": ("last_seen_at", "ended_at", "status", "activity_id", "duration_s"),
    },
    "appointment": {
        "INSERT": (
            "lead_id", "operator_id", "attendee_id", "starts_at", "minutes", "place", "note",
            "activity_id", "created_at",
        ),
    },
}  # fmt: skip
# The lead_event kinds each role's own actions write (isdesk.services.leads, .activities,
# .assignment, .handoff); "created" and "touch" come from imports, run as the owner.
EVENT_KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "operator": (
        "answer",
        "rank",
        "sql",
        "owner",
        "stage",
        "status",
        "next_action",
        "handoff",
        "do_not_call",
    ),
    "lead": (
        "answer",
        "rank",
        "sql",
        "owner",
        "stage",
        "status",
        "next_action",
        "handoff",
        "do_not_call",
    ),
    "field": ("owner", "stage", "status", "next_action", "handoff"),
}
# A hand-off event's ``field``: inside sales sends, field sales decides.
HANDOFF_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "operator": ("sent",),
    "lead": ("sent",),
    "field": ("accepted", "rejected"),
}
# Every table with rows worth protecting; schema_migration only lists migration names.
RLS_TABLES = tuple(t for t in TABLE_PRIVILEGES if t != "schema_migration")


class TeamDbError(RuntimeError):
    """Team mode cannot be set up as asked; the message says what to do."""


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[object, ...] | None = None  # None: sent as is (no %-interpolation)


# --- quoting -------------------------------------------------------------------------------


def ident(name: str) -> str:
    """A double-quoted SQL identifier (role, table, schema)."""
    if "\x00" in name:
        raise TeamDbError("a name cannot contain NUL")
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A single-quoted SQL string literal (standard_conforming_strings, the default)."""
    if "\x00" in text:
        raise TeamDbError("a string cannot contain NUL")
    return "'" + text.replace("'", "''") + "'"


def check_login_name(name: str) -> str:
    """``name`` if it can be both an isdesk operator and a PostgreSQL login, else TeamDbError."""
    if not _LOGIN_RE.match(name) or len(name.encode()) > 63:
        raise TeamDbError(
            f"login {name!r}: use letters, digits, '.', '_', '-' or '@' (at most 63), "
            "the same name as the isdesk operator, e.g. sato.misaki"
        )
    if name in (OWNER_ROLE, USER_ROLE) or name.lower().startswith("pg_"):
        raise TeamDbError(f"{name!r} is reserved: an operator needs a login of their own")
    return name


# --- statements (pure) ---------------------------------------------------------------------


def role_statements(owner: str = OWNER_ROLE, users: str = USER_ROLE) -> list[Statement]:
    """Create the owner (LOGIN) and the operators' group role (NOLOGIN) when missing."""
    return [
        Statement(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {literal(owner)}) "
            f"THEN CREATE ROLE {ident(owner)} LOGIN; END IF; "
            f"IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {literal(users)}) "
            f"THEN CREATE ROLE {ident(users)} NOLOGIN; END IF; "
            "END $$"
        )
    ]


def database_statements(
    database: str, schema: str, owner: str = OWNER_ROLE, users: str = USER_ROLE
) -> list[Statement]:
    """Who may connect and create: isdesk's roles connect; only the owner creates objects."""
    db, sch = ident(database), ident(schema)
    return [
        Statement(f"REVOKE CONNECT ON DATABASE {db} FROM PUBLIC"),
        Statement(f"GRANT CONNECT ON DATABASE {db} TO {ident(owner)}, {ident(users)}"),
        Statement(f"GRANT CONNECT ON DATABASE {db} TO CURRENT_USER"),
        # Every role may create TEMP tables, views and functions by default: operators create
        # nothing at all (isdesk never needs a temporary table, the owner included).
        Statement(f"REVOKE TEMPORARY ON DATABASE {db} FROM PUBLIC"),
        Statement(f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC"),
        Statement(f"GRANT USAGE, CREATE ON SCHEMA {sch} TO {ident(owner)}"),
        Statement(f"GRANT USAGE ON SCHEMA {sch} TO {ident(users)}"),
    ]


def ownership_statements(
    schema: str, tables: Sequence[str], owner: str = OWNER_ROLE
) -> list[Statement]:
    """Hand isdesk's existing tables (with their sequences, indexes, triggers) and functions
    to the owner, e.g. when the schema was first created by an administrator or a solo login."""
    names = ", ".join(literal(t) for t in tables)
    return [
        Statement(
            "DO $$ DECLARE r record; BEGIN "
            "FOR r IN SELECT c.relname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname = {literal(schema)} AND c.relkind IN ('r', 'p') "
            f"AND c.relname IN ({names}) "
            f"AND pg_catalog.pg_get_userbyid(c.relowner) <> {literal(owner)} LOOP "
            f"EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', {literal(schema)}, r.relname, "
            f"{literal(owner)}); END LOOP; "
            "FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            f"WHERE n.nspname = {literal(schema)} AND p.proname LIKE 'isdesk\\_%' "
            f"AND pg_catalog.pg_get_userbyid(p.proowner) <> {literal(owner)} LOOP "
            f"EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.sig, {literal(owner)}); "
            "END LOOP; END $$"
        )
    ]


def function_statements(schema: str, users: str = USER_ROLE) -> list[Statement]:
    """The helpers the policies call (SECURITY INVOKER: see isdesk.teamdb's docstring)."""
    s = ident(schema)
    me = (
        f"CREATE OR REPLACE FUNCTION {s}.isdesk_me() "
        "RETURNS TABLE (id integer, team varchar, role varchar) "
        "LANGUAGE sql STABLE PARALLEL SAFE AS $$ "
        f"SELECT o.id, o.team::varchar, o.role::varchar FROM {s}.operator o "
        "WHERE o.name = CURRENT_USER AND o.active $$"
    )
    team_ids = (
        f"CREATE OR REPLACE FUNCTION {s}.isdesk_team_ids() RETURNS integer[] "
        "LANGUAGE sql STABLE PARALLEL SAFE AS $$ "
        "SELECT COALESCE(pg_catalog.array_agg(o.id), '{}'::integer[]) "
        f"FROM {s}.operator o JOIN {s}.isdesk_me() m ON o.team = m.team "
        "WHERE m.role = 'lead' $$"
    )
    # The hand-off table's own policy decides which rows this sees.
    handed = (
        f"CREATE OR REPLACE FUNCTION {s}.isdesk_handed_leads() RETURNS SETOF integer "
        "LANGUAGE sql STABLE PARALLEL SAFE AS $$ "
        f"SELECT DISTINCT h.lead_id FROM {s}.handoff h $$"
    )
    statements = [Statement(me), Statement(team_ids), Statement(handed)]
    for fn in ("isdesk_me()", "isdesk_team_ids()", "isdesk_handed_leads()"):
        statements.append(Statement(f"REVOKE ALL ON FUNCTION {s}.{fn} FROM PUBLIC"))
        statements.append(Statement(f"GRANT EXECUTE ON FUNCTION {s}.{fn} TO {ident(users)}"))
    return statements


def privilege_statements(
    schema: str, tables: Sequence[str], users: str = USER_ROLE
) -> list[Statement]:
    """Reset isdesk_user's table and sequence privileges to :data:`TABLE_PRIVILEGES`, INSERT
    and UPDATE on the columns of :data:`COLUMN_PRIVILEGES` only.

    ``tables`` are the tables that exist; unknown ones get nothing (and are revoked from).
    REVOKE ALL on a table also revokes its column privileges, so an older setup's grants go.
    """
    s, u = ident(schema), ident(users)
    out = []
    for table in tables:
        t = f"{s}.{ident(table)}"
        out.append(Statement(f"REVOKE ALL ON TABLE {t} FROM PUBLIC, {u}"))
        privileges = TABLE_PRIVILEGES.get(table)
        if not privileges:
            continue
        columns = COLUMN_PRIVILEGES.get(table, {})
        whole = [p for p in privileges if p not in columns]
        if whole:
            out.append(Statement(f"GRANT {', '.join(whole)} ON TABLE {t} TO {u}"))
        for verb, names in columns.items():
            listed = ", ".join(ident(c) for c in names)
            out.append(Statement(f"GRANT {verb} ({listed}) ON TABLE {t} TO {u}"))
        sequence = f"pg_catalog.pg_get_serial_sequence({literal(f'{schema}.{table}')}, 'id')"
        verb = "GRANT USAGE" if "INSERT" in privileges else "REVOKE ALL"
        to_from = "TO" if "INSERT" in privileges else "FROM"
        out.append(
            Statement(
                "DO $$ DECLARE q text; BEGIN "
                # A table without an id column (lead_gram) has no sequence to grant.
                "IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = "
                f"{literal(f'{schema}.{table}')}::regclass AND attname = 'id' "
                f"AND NOT attisdropped) THEN q := {sequence}; END IF; "
                f"IF q IS NOT NULL THEN EXECUTE format('{verb} ON SEQUENCE %s {to_from} %I', "
                f"q, {literal(users)}); END IF; END $$"
            )
        )
    return out


def trigger_statements(
    schema: str, tables: Sequence[str], owner: str = OWNER_ROLE, users: str = USER_ROLE
) -> list[Statement]:
    """The database stamps the history operators append: ``lead_event.at`` is the server's
    now (UTC, like every isdesk timestamp) and a missing ``actor_id`` the login's operator.

    Only for logins the policies apply to (not the owner, its members, superusers or
    BYPASSRLS roles: imports and tests write history with their own times). The policy then
    checks the actor, the kind and the lead (isdesk.teamdb.policies).
    """
    if "lead_event" not in set(tables):
        return []
    s = ident(schema)
    fn = f"{s}.isdesk_stamp_event()"
    body = (
        f"CREATE OR REPLACE FUNCTION {fn} RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NOT pg_catalog.pg_has_role(CURRENT_USER, {literal(owner)}, 'USAGE') "
        "AND NOT COALESCE((SELECT r.rolbypassrls FROM pg_catalog.pg_roles r "
        "WHERE r.rolname = CURRENT_USER), false) THEN "
        "NEW.at := pg_catalog.now() AT TIME ZONE 'UTC'; "
        f"IF NEW.actor_id IS NULL THEN NEW.actor_id := (SELECT m.id FROM {s}.isdesk_me() m); "
        "END IF; END IF; RETURN NEW; END $$"
    )
    table = f"{s}.{ident('lead_event')}"
    return [
        Statement(body),
        Statement(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC"),
        Statement(f"DROP TRIGGER IF EXISTS isdesk_stamp_event ON {table}"),
        Statement(
            f"CREATE TRIGGER isdesk_stamp_event BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {fn}"
        ),
    ]


def login_statements(
    name: str, *, exists: bool, can_login: bool, verifier: str | None, users: str = USER_ROLE
) -> list[Statement]:
    """Create (or enable) ``name``'s login and make it a member of isdesk_user.

    ``verifier`` is a password hash (SCRAM) computed on the client, so the password itself
    never reaches the server's statement log.
    """
    check_login_name(name)
    n = ident(name)
    out = []
    if not exists:
        out.append(Statement(f"CREATE ROLE {n} LOGIN"))
    elif not can_login:
        out.append(Statement(f"ALTER ROLE {n} LOGIN"))
    if verifier is not None:
        out.append(Statement(f"ALTER ROLE {n} PASSWORD %s", (verifier,)))
    # The planner overestimates the policies' sub-plans (hashed, a few ms in fact) enough to
    # cross jit_above_cost; compiling then costs 20-180 ms on queries that run in 5.
    out.append(Statement(f"ALTER ROLE {n} SET jit = off"))
    out.append(Statement(f"GRANT {ident(users)} TO {n}"))
    return out


def isdesk_tables() -> list[str]:
    """Every table isdesk's current models and migrations know of."""
    from isdesk.store.calls import Appointment, PhoneCall
    from isdesk.store.models import ALL_MODELS
    from isdesk.store.pipeline import Handoff
    from isdesk.store.schema import HISTORY_TABLE

    names = [m._meta.table_name for m in (*ALL_MODELS, Handoff, PhoneCall, Appointment)] + [
        HISTORY_TABLE
    ]
    return list(dict.fromkeys([*TABLE_PRIVILEGES, *names]))
