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
    UPDATE the application performs, on the columns it writes (see :data:`TABLE_PRIVILEGES`
    and :data:`COLUMN_PRIVILEGES`: never ``id``, never a lead's customer data, never a
    hand-off's lead, sender or addressee), USAGE on the sequences of the tables it inserts
    into. Never DELETE or TRUNCATE, never UPDATE on ``lead_event`` or ``activity`` (history is
    appended, not edited), no CREATE on the schema and no TEMP on the database (revoked from
    PUBLIC: operators create no tables, views or functions at all).
one LOGIN role per operator
    named exactly like the operator (``sato.misaki``), member of ``isdesk_user``; created by
    ``isdesk teamdb grant NAME``. A login that is not an active operator sees no leads.

Policies (all ``TO isdesk_user``; "me" is the active operator whose name is ``current_user``)
--------
- ``operator``: everyone reads (names are shown everywhere); only a lead inserts, and only
  into their own team (a lead of another team would read that team's leads); a lead updates
  operators of their own team (an operator cannot make themselves a lead; nobody changes a
  team: the column is not granted).
- ``lead``, read: my leads; unassigned leads (operators and leads); a lead also reads every
  lead owned by their team; everyone reads the leads of the hand-offs they may read.
  Write: an operator changes their own and unassigned leads, a lead their team's as well
  (``can_change`` of isdesk.services.leads). WITH CHECK keeps the new owner within those, or
  allows the hand-off transition: status ``handed_off`` and the owner a field user to whom I
  have a *pending hand-off of this lead*. A field user changes only the leads they own; the
  new row may give the lead back to the sender of a hand-off of it they rejected (or to
  nobody, if the sender left) — after which it is no longer theirs to change.
  Nobody inserts leads except the owner (imports).
- ``answer``, ``activity``, ``touch``: readable when their lead is readable; activities are
  also readable by their author and, for a lead, by their team's authors (the team view
  counts them). Answers and activities are written only on leads I may change and in my own
  name.
- ``lead_event``: read like activities. Appended only in my own name, of a kind my role's
  actions write (:data:`EVENT_KINDS_BY_ROLE`; a hand-off event's ``field`` is ``sent`` for
  inside sales, ``accepted``/``rejected`` for field sales), on a lead I may change right now
  (a field user: one they own). A BEFORE INSERT trigger stamps ``at`` with the server's now
  (UTC) for every login the policies apply to, so history cannot be back-dated, and fills a
  missing ``actor_id`` with the login's operator.
- ``handoff``: read by its sender, its addressee and the sender's team lead; inserted by the
  sender (me) for a lead I may change, addressed to an active field user; decided only by its
  addressee, on the decision columns only: a pending one accepted or rejected, an accepted one
  rejected later (timing, lost: what isdesk.services.handoff allows); a rejected one is final.
- ``phone_call``: read by its operator and their team lead; started by me, in my name, on a
  lead I may change; updated (heartbeat, hang-up, logged, cancelled) only by me, on my calls.
- ``appointment``: read by who set it, its attendee and the setter's team lead; inserted in my
  name on a lead I may change (with my own activity); never updated or deleted.
- ``campaign``, ``import_run``: read by active operators; written by the owner (imports).
- ``lead_gram`` (the queue filter's bigram index): a row is readable when its lead is, so the
  filter's plan and postings reveal nothing about other leads; nobody but its triggers writes
  it (SECURITY DEFINER functions owned by isdesk_owner keep it in step with any lead edit).
- Columns added by migration 0009 (a lead's ``phones``, ``department``, ``external_key``,
  ``do_not_call``, ``do_not_call_note``; an activity's ``recording_url``;
  ``import_run.unchanged``): inside sales may UPDATE a lead's do-not-call columns (the lead
  screen's F8) and INSERT an activity with its recording (``isdesk log call``); the others are
  written by the owner (imports). ``do_not_call`` is an event kind of inside sales. A call log
  naming other operators' calls is imported by the owner login.
- ``schema_migration``: readable (the app checks the schema version on start; an operator
  login never migrates: :func:`isdesk.store.schema.upgrade` reads and returns when up to date,
  and an out-of-date database fails with "permission denied" until the owner upgrades it).

The README's "Cell by cell" table is this list for every table, verb and column, and
tests/db/test_teamdb_matrix.py proves it as each role's own login.

Take-next (isdesk.services.assignment.take) holds ``pg_advisory_xact_lock(0x7A4E, operator
id)`` while it claims, so two sessions of one operator cannot both pass the holding cap.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from isdesk.teamdb.policies import (
    ME,
    MY_ROLE,
    MY_TEAM,
    TEAM_IDS,
    lead_changeable,
    lead_readable,
    policy_definitions,
    policy_statements,
)
from isdesk.teamdb.sql import (
    COLUMN_PRIVILEGES,
    EVENT_KINDS_BY_ROLE,
    INSIDE_ROLES,
    OWNER_ROLE,
    RLS_TABLES,
    ROLES,
    TABLE_PRIVILEGES,
    USER_ROLE,
    Statement,
    TeamDbError,
    check_login_name,
    database_statements,
    function_statements,
    ident,
    isdesk_tables,
    literal,
    login_statements,
    ownership_statements,
    privilege_statements,
    role_statements,
    trigger_statements,
)

if TYPE_CHECKING:  # psycopg2 loads when a command connects
    from psycopg2.extensions import connection

# The statements are built in isdesk.teamdb.sql and isdesk.teamdb.policies (pure); this
# module runs them. Their names are imported from here too (isdesk.cli.teamdb, tests).
__all__ = [
    "COLUMN_PRIVILEGES",
    "EVENT_KINDS_BY_ROLE",
    "INSIDE_ROLES",
    "ME",
    "MY_ROLE",
    "MY_TEAM",
    "OWNER_ROLE",
    "RLS_TABLES",
    "ROLES",
    "TABLE_PRIVILEGES",
    "TEAM_IDS",
    "USER_ROLE",
    "GrantReport",
    "SetupReport",
    "Statement",
    "TeamDbError",
    "check_login_name",
    "database_statements",
    "execute",
    "function_statements",
    "grant",
    "ident",
    "isdesk_tables",
    "lead_changeable",
    "lead_readable",
    "literal",
    "login_exists",
    "login_statements",
    "ownership_statements",
    "policy_definitions",
    "policy_statements",
    "privilege_statements",
    "role_statements",
    "setup",
    "trigger_statements",
]

# Serialises concurrent `teamdb setup` runs (policies are dropped and recreated).
_SETUP_LOCK = 0x15DE5D


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
def _connect(dsn: dict[str, object], *, autocommit: bool) -> Iterator[connection]:
    import psycopg2

    params: dict[str, Any] = dict(dsn)  # psycopg2's keywords: host, port, user, …
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


def execute(conn: connection, statements: Sequence[Statement]) -> None:
    """Run ``statements`` in order on a psycopg2 connection."""
    import psycopg2

    with conn.cursor() as cur:
        for st in statements:
            try:
                cur.execute(st.sql, st.params)
            except psycopg2.errors.InsufficientPrivilege as error:
                raise TeamDbError(
                    f"not allowed: {error.pgerror.strip() if error.pgerror else error} — "
                    "run `isdesk teamdb` with an administrator's --db (a superuser, or the "
                    "database owner with CREATEROLE)"
                ) from None


def _one(conn: connection, sql: str, params: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _tables(conn: connection, schema: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        )
        return [r[0] for r in cur.fetchall()]


def _verifier(conn: connection, login: str, password: str) -> str:
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
        database, schema, superuser = _one(  # type: ignore[misc]  # a SELECT without FROM: one row
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
    params: dict[str, Any] = dict(owner_dsn)
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
        execute(owner, trigger_statements(schema, present))
        execute(owner, policy_statements(schema, present))
    return SetupReport(
        database=database,
        schema=schema,
        migrations=applied,
        protected=tuple(t for t in RLS_TABLES if t in present),
        unknown=tuple(t for t in present if t not in TABLE_PRIVILEGES),
    )


def _role_exists(conn: connection, name: str) -> bool:
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
        if _one(admin, "SELECT to_regclass('operator')")[0] is None:  # type: ignore[index]  # one row
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
            with admin.cursor() as cur:
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
