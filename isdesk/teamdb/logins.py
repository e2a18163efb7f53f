"""An operator's own database login (``isdesk teamdb grant``), and their operator row if new."""

from __future__ import annotations

from dataclasses import dataclass, field

from isdesk.teamdb.connect import _connect, _dsn, _one, _role_exists, _verifier, execute
from isdesk.teamdb.sql import ROLES, USER_ROLE, TeamDbError, check_login_name, login_statements


@dataclass(frozen=True)
class GrantReport:
    login: str
    created: bool
    password_set: bool
    operator: str = ""  # "" when no isdesk operator has this name yet
    registered: bool = False  # the operator row was added by this run
    notes: tuple[str, ...] = field(default_factory=tuple)


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
