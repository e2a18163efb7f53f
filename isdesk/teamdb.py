"""Team mode on one PostgreSQL server, with the roles enforced by the database itself.

isdesk's services already refuse what a role may not do, but an operator who connects with
their own database login could bypass the application (psql, a spreadsheet's ODBC link).
This module sets the database up so that the *server* refuses it too: row-level security
(RLS) maps the connected login to the isdesk operator of the same name.

Roles
-----
``isdesk_owner``
    Owns every isdesk table, sequence and function, and runs the migrations. As the tables'
    owner it is not subject to RLS (the tables are ENABLEd, not FORCEd): it sees everything,
    which is what migrations, ``isdesk import`` (matching a file against *every* lead) and
    whole-database reports need. ``isdesk teamdb setup`` creates it and migrates as it.
``isdesk_user``
    A NOLOGIN group role holding the operators' privileges: SELECT plus exactly the INSERT and
    UPDATE the application performs (see :data:`TABLE_PRIVILEGES`), USAGE on the sequences of
    the tables it inserts into. Never DELETE on anything, never UPDATE on ``lead_event`` or
    ``activity`` (history is appended, not edited), no CREATE on the schema.
one LOGIN role per operator
    named exactly like the operator (``sato.misaki``), member of ``isdesk_user``; created by
    ``isdesk teamdb grant NAME``. A login that is not an active operator sees no leads.

Policies (all ``TO isdesk_user``; "me" is the active operator whose name is ``current_user``)
--------
- ``operator``: everyone reads (names are shown everywhere); only a lead inserts, and a lead
  updates operators of their own team (an operator cannot make themselves a lead).
- ``lead``, read: my leads; unassigned leads (operators and leads); a lead also reads every
  lead owned by their team; everyone reads the leads of the hand-offs they may read.
  Write: an operator changes their own and unassigned leads, a lead their team's as well
  (``can_change`` of isdesk.services.leads). WITH CHECK keeps the new owner within those, or
  allows the hand-off transition: status ``handed_off`` and the owner a field user to whom I
  have a *pending hand-off of this lead*. A field user writes the leads they own, and after
  rejecting a hand-off may give the lead back to its sender (or to nobody, if the sender left).
  Nobody inserts leads except the owner (imports).
- ``answer``, ``activity``, ``lead_event``, ``touch``: readable when their lead is readable;
  activities and events are also readable by their author and, for a lead, by their team's
  authors (the team view counts them). Answers and activities are written only on leads I may
  change and in my own name; events are appended in my own name to leads I can read.
- ``handoff``: read by its sender, its addressee and the sender's team lead; inserted by the
  sender (me) for a lead I may change, addressed to an active field user; updated (accepted,
  rejected) only by its addressee.
- ``campaign``, ``import_run``: read by everyone; written by the owner (imports).
- ``schema_migration``: readable (the app checks the schema version on start; an operator
  login never migrates: :func:`isdesk.store.schema.upgrade` reads and returns when up to date,
  and an out-of-date database fails with "permission denied" until the owner upgrades it).

The helpers ``isdesk_me()``, ``isdesk_team_ids()`` and ``isdesk_handed_leads()`` are plain
(SECURITY INVOKER) SQL functions: inside a SECURITY DEFINER function ``current_user`` is the
function's owner, so a definer helper would need the login passed in, and anyone could ask
about anyone. These read only what the caller may read anyway (operator rows, the hand-offs
visible to them). Policies call them as ``(SELECT … FROM isdesk_me())``: an InitPlan, computed
once per statement, not once per row. Going through a function also keeps the rewriter from
seeing a lead ↔ handoff cycle between the two tables' policies (an "infinite recursion" error).

Why not FORCE: FORCE would subject the owner to the policies as well; the owner is the one role
meant to see and migrate everything, and no operator ever owns a table.

Everything here is idempotent (``CREATE … IF NOT EXISTS``, ``CREATE OR REPLACE``, policies
dropped and recreated in one transaction), so ``isdesk teamdb setup`` is also how a team
database is upgraded: it migrates as the owner, then applies the grants and policies to the
tables the new version brought. A table it does not know gets no grants at all: operators
are refused it until isdesk knows how to protect it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

OWNER_ROLE = "isdesk_owner"
USER_ROLE = "isdesk_user"
ROLES = ("operator", "lead", "field")
INSIDE_ROLES = ("operator", "lead")  # inside sales: the roles that work leads
# Operator names are login names (isdesk.services.operators); PostgreSQL cuts names at 63 bytes.
_LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")
# Serialises concurrent `teamdb setup` runs (policies are dropped and recreated).
_SETUP_LOCK = 0x15DE5D

# What isdesk_user may do, table by table: exactly what the application does, nothing more.
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "operator": ("SELECT", "INSERT", "UPDATE"),
    "campaign": ("SELECT",),
    "lead": ("SELECT", "UPDATE"),
    "answer": ("SELECT", "INSERT", "UPDATE"),
    "lead_event": ("SELECT", "INSERT"),
    "activity": ("SELECT", "INSERT"),
    "handoff": ("SELECT", "INSERT", "UPDATE"),
    "touch": ("SELECT",),
    "import_run": ("SELECT",),
    "schema_migration": ("SELECT",),
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
    """The helpers the policies call (SECURITY INVOKER: see the module docstring)."""
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
    """Reset isdesk_user's table and sequence privileges to :data:`TABLE_PRIVILEGES`.

    ``tables`` are the tables that exist; unknown ones get nothing (and are revoked from).
    """
    s, u = ident(schema), ident(users)
    out = []
    for table in tables:
        t = f"{s}.{ident(table)}"
        out.append(Statement(f"REVOKE ALL ON TABLE {t} FROM PUBLIC, {u}"))
        privileges = TABLE_PRIVILEGES.get(table)
        if not privileges:
            continue
        out.append(Statement(f"GRANT {', '.join(privileges)} ON TABLE {t} TO {u}"))
        sequence = f"pg_catalog.pg_get_serial_sequence({literal(f'{schema}.{table}')}, 'id')"
        verb = "GRANT USAGE" if "INSERT" in privileges else "REVOKE ALL"
        to_from = "TO" if "INSERT" in privileges else "FROM"
        out.append(
            Statement(
                "DO $$ DECLARE q text; BEGIN "
                f"q := {sequence}; "
                f"IF q IS NOT NULL THEN EXECUTE format('{verb} ON SEQUENCE %s {to_from} %I', "
                f"q, {literal(users)}); END IF; END $$"
            )
        )
    return out


# Policy expressions. ME/MY_ROLE/MY_TEAM/TEAM_IDS are sub-selects (one InitPlan per statement).
ME = "(SELECT m.id FROM isdesk_me() m)"
MY_ROLE = "(SELECT m.role FROM isdesk_me() m)"
MY_TEAM = "(SELECT m.team FROM isdesk_me() m)"
# My team's operator ids when I am a lead, else {}. The cast makes "= ANY" take the array.
TEAM_IDS = "(SELECT isdesk_team_ids())::integer[]"
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


def _field_owned(t: str) -> str:
    """A field user's lead: owned by them, or given back to the sender of a hand-off they
    rejected (or to nobody, when the sender has left)."""
    return (
        f"({MY_ROLE} = 'field' AND ({t}.owner_id = {ME} OR EXISTS (SELECT 1 FROM handoff h "
        f"WHERE h.lead_id = {t}.id AND h.to_user_id = {ME} AND h.status = 'rejected' "
        f"AND ({t}.owner_id IS NULL OR {t}.owner_id = h.from_operator_id))))"
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
            ("isdesk_operator_add", "INSERT", None, f"{MY_ROLE} = 'lead'"),
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
                f"{lead_changeable('lead')} OR {_field_owned('lead')}",
                f"{lead_changeable('lead')} OR {_handed_to_owner('lead')} "
                f"OR {_field_owned('lead')}",
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
            (
                "isdesk_lead_event_add",
                "INSERT",
                None,
                f"actor_id = {ME} AND " + _lead_exists("lead_id", "lead_event"),
            ),
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
            ("isdesk_handoff_decide", "UPDATE", f"to_user_id = {ME}", f"to_user_id = {ME}"),
        ],
        "touch": [("isdesk_touch_read", "SELECT", _lead_exists("lead_id", "touch"), None)],
        "campaign": [("isdesk_campaign_read", "SELECT", "true", None)],
        "import_run": [("isdesk_import_run_read", "SELECT", "true", None)],
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
    from isdesk.store.models import ALL_MODELS
    from isdesk.store.pipeline import Handoff
    from isdesk.store.schema import HISTORY_TABLE

    names = [m._meta.table_name for m in (*ALL_MODELS, Handoff)] + [HISTORY_TABLE]
    return list(dict.fromkeys([*TABLE_PRIVILEGES, *names]))


# --- the runner ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupReport:
    database: str
    schema: str
    migrations: tuple[str, ...]  # applied by this run
    protected: tuple[str, ...]  # tables with row-level security
    unknown: tuple[str, ...] = ()  # tables in the schema isdesk gave no grants on


@dataclass(frozen=True)
class GrantReport:
    login: str
    created: bool
    password_set: bool
    operator: str = ""  # "" when no isdesk operator has this name yet
    registered: bool = False  # the operator row was added by this run
    notes: tuple[str, ...] = field(default_factory=tuple)


def _dsn(url: str) -> dict[str, object]:
    from isdesk.store.db import parse_database_url

    target = parse_database_url(url)
    if target.is_sqlite:
        raise TeamDbError(
            "team mode needs PostgreSQL: give --db postgresql://ADMIN@HOST:5432/DBNAME "
            "(an administrator who may create roles)"
        )
    return dict(target.dsn or {})


def _as_role(dsn: dict[str, object], role: str) -> dict[str, object]:
    out = dict(dsn)
    out["options"] = f"{out.get('options', '')} -c role={role}".strip()
    return out


@contextlib.contextmanager
def _connect(dsn: dict[str, object], *, autocommit: bool) -> Iterator[object]:
    import psycopg2

    params = dict(dsn)
    params["dbname"] = params.pop("database")
    try:
        conn = psycopg2.connect(**params)
    except psycopg2.OperationalError as error:
        raise TeamDbError(f"cannot connect to {params['dbname']}: {error}".strip()) from None
    conn.autocommit = autocommit
    try:
        yield conn
        if not autocommit:
            conn.commit()
    except BaseException:
        if not autocommit:
            conn.rollback()
        raise
    finally:
        conn.close()


def execute(conn: object, statements: Sequence[Statement]) -> None:
    """Run ``statements`` in order on a psycopg2 connection."""
    import psycopg2

    with conn.cursor() as cur:  # type: ignore[attr-defined]
        for st in statements:
            try:
                cur.execute(st.sql, st.params)
            except psycopg2.errors.InsufficientPrivilege as error:
                raise TeamDbError(
                    f"not allowed: {error.pgerror.strip() if error.pgerror else error} — "
                    "run `isdesk teamdb` with an administrator's --db (a superuser, or the "
                    "database owner with CREATEROLE)"
                ) from None


def _one(conn: object, sql: str, params: tuple[object, ...] = ()) -> tuple | None:
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(sql, params)
        return cur.fetchone()


def _tables(conn: object, schema: str) -> list[str]:
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        )
        return [r[0] for r in cur.fetchall()]


def _verifier(conn: object, login: str, password: str) -> str:
    from psycopg2.extensions import encrypt_password

    # scope=conn: the server's password_encryption decides (scram-sha-256 by default).
    return encrypt_password(password, login, scope=conn)


def setup(url: str, *, owner_password: str | None = None) -> SetupReport:
    """Create the roles, migrate as the owner, then grant and protect every isdesk table.

    ``url`` is an administrator's: a superuser, or the database owner with CREATEROLE.
    Idempotent: run it again after installing a newer isdesk.
    """
    from peewee import PostgresqlDatabase

    from isdesk.store.schema import upgrade

    dsn = _dsn(url)
    known = isdesk_tables()
    with _connect(dsn, autocommit=True) as admin:
        database, schema, superuser = _one(  # type: ignore[misc]
            admin,
            "SELECT current_database(), current_schema(), "
            "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)",
        )
        if schema is None:
            raise TeamDbError("no schema to create isdesk's tables in (check search_path)")
        execute(admin, role_statements())
        if owner_password:
            verifier = _verifier(admin, OWNER_ROLE, owner_password)
            execute(admin, [Statement(f"ALTER ROLE {ident(OWNER_ROLE)} PASSWORD %s", (verifier,))])
        if not superuser:
            execute(admin, [Statement(f"GRANT {ident(OWNER_ROLE)} TO CURRENT_USER")])
        execute(admin, database_statements(database, schema))
        execute(admin, ownership_statements(schema, known))
    owner_dsn = _as_role(dsn, OWNER_ROLE)
    params = dict(owner_dsn)
    db = PostgresqlDatabase(str(params.pop("database")), **params)
    try:
        applied = tuple(upgrade(db))
    finally:
        db.close()
    with _connect(owner_dsn, autocommit=False) as owner:
        execute(owner, [Statement("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))])
        present = _tables(owner, schema)
        execute(owner, function_statements(schema))
        execute(owner, privilege_statements(schema, present))
        execute(owner, policy_statements(schema, present))
    return SetupReport(
        database=database,
        schema=schema,
        migrations=applied,
        protected=tuple(t for t in RLS_TABLES if t in present),
        unknown=tuple(t for t in present if t not in TABLE_PRIVILEGES),
    )


def _role_exists(conn: object, name: str) -> bool:
    return _one(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (name,)) is not None


def login_exists(url: str, name: str) -> bool:
    with _connect(_dsn(url), autocommit=True) as conn:
        return _role_exists(conn, name)


def grant(
    url: str,
    name: str,
    *,
    password: str | None = None,
    team: str | None = None,
    role: str | None = None,
    display_name: str | None = None,
) -> GrantReport:
    """Give operator ``name`` a database login that works through row-level security.

    Creates the LOGIN role when missing (with ``password``'s SCRAM hash when given), makes it
    a member of isdesk_user, and with ``team`` registers the isdesk operator when there is
    none yet (the way to add the very first team lead). Idempotent.
    """
    check_login_name(name)
    if role is not None and role not in ROLES:
        raise TeamDbError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    dsn = _dsn(url)
    notes: list[str] = []
    with _connect(dsn, autocommit=True) as admin:
        if not _role_exists(admin, USER_ROLE):
            raise TeamDbError(f"{USER_ROLE} does not exist: run `isdesk teamdb setup` first")
        row = _one(
            admin,
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_catalog.pg_roles "
            "WHERE rolname = %s",
            (name,),
        )
        if row is not None and (row[0] or row[1]):
            raise TeamDbError(
                f"{name} is a superuser or bypasses row-level security: operators need an "
                "ordinary login of their own"
            )
        if _one(admin, "SELECT to_regclass('operator')")[0] is None:  # type: ignore[index]
            raise TeamDbError("this database has no isdesk tables: run `isdesk teamdb setup` first")
        verifier = _verifier(admin, name, password) if password else None
        execute(
            admin,
            login_statements(
                name,
                exists=row is not None,
                can_login=bool(row and row[2]),
                verifier=verifier,
            ),
        )
        operator = _one(
            admin, "SELECT name, team, role, active FROM operator WHERE name = %s", (name,)
        )
        registered = False
        if operator is None and team:
            with admin.cursor() as cur:  # type: ignore[attr-defined]
                # The same row `isdesk operator add` writes (the admin bypasses the policies).
                cur.execute(
                    "INSERT INTO operator (name, display_name, team, role, active, created_at) "
                    "VALUES (%s, %s, %s, %s, true, (now() AT TIME ZONE 'UTC'))",
                    (name, display_name or name, team.strip(), role or "operator"),
                )
            registered = True
            operator = (name, team.strip(), role or "operator", True)
        if operator is None:
            notes.append(
                f"{name} is not an isdesk operator yet: a team lead adds them with "
                f"`isdesk operator add {name} --team TEAM` (until then the login sees no leads)"
            )
        elif not operator[3]:
            notes.append(f"operator {name} is deactivated: the login sees no leads")
        elif not registered and ((team and team != operator[1]) or (role and role != operator[2])):
            notes.append(
                f"{name} is already in team {operator[1]} as {operator[2]}: unchanged "
                "(a team lead changes that in isdesk)"
            )
    return GrantReport(
        login=name,
        created=row is None,
        password_set=verifier is not None,
        operator=operator[0] if operator else "",
        registered=registered,
        notes=tuple(notes),
    )
