"""Every role × table × verb of team mode, as each role's own database login, on real rows.

The expected cells are not written here: they are read from the README's "What each login can
do, cell by cell" table (tests/support/role_matrix.py parses it), so the documentation and the
database cannot drift apart. One database, set up once by `isdesk teamdb setup`; each login runs
all its checks in one transaction, each check inside a savepoint that is rolled back, so every
check sees the same rows.

A check is *allowed* when the statement succeeds and (SELECT, UPDATE, DELETE) touches the row;
*refused* when PostgreSQL answers "permission denied" / "violates row-level security" or the row
is invisible to the statement. Any other error fails the test: a check must not pass by accident.
"""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest

from tests.support.role_matrix import (
    LOGINS,
    Cell,
    expected_cells,
    readme_matrix,
)
from tests.support.team_world import CALL_TABLES, CHILD_TABLES, LEADS, PEOPLE, World

# --- the checks --------------------------------------------------------------------------------

ME = "(SELECT id FROM operator WHERE name = CURRENT_USER)"


def _targets(world: World, table: str) -> dict[str, tuple[str, object] | None]:
    """The rows a check of ``table`` is run on: label -> (WHERE clause, parameter)."""
    if table == "lead":
        return {label: ("id = %s", i) for label, i in world.leads.items()}
    if table == "lead_gram":  # the filter's bigrams: keyed by lead, no id of their own
        return {label: ("lead_id = %s", i) for label, i in world.leads.items()}
    if table in CHILD_TABLES or table in CALL_TABLES:
        return {label: ("id = %s", world.children[(table, label)]) for label in LEADS}
    if table == "handoff":
        return {label: ("id = %s", i) for label, i in world.handoffs.items()}
    if table == "operator":
        return {name: ("id = %s", i) for name, i in world.operators.items()}
    return {"all": None}


def _insert(world: World, table: str, login: str) -> dict[str, tuple[str, tuple]]:
    """Inserts as the app would write them: label -> (statement, parameters)."""
    if table in ("answer", "activity", "lead_event", "handoff", *CALL_TABLES):
        sql = {
            "phone_call": "INSERT INTO phone_call (lead_id, operator_id, started_at, "
            f"last_seen_at, status, duration_s) VALUES (%s, {ME}, now(), now(), 'running', 0)",
            "appointment": "INSERT INTO appointment (lead_id, operator_id, starts_at, minutes, "
            f"place, note, created_at) VALUES (%s, {ME}, now(), 60, '', '', now())",
            "answer": "INSERT INTO answer (lead_id, item, value, version, updated_at, "
            f"updated_by_id) VALUES (%s, 'matrix', 'v', 1, now(), {ME})",
            "activity": "INSERT INTO activity (lead_id, operator_id, at, kind, outcome, "
            "duration_s, note, customer_voice, rank_after, sql_after) "
            f"VALUES (%s, {ME}, now(), 'call', '', 0, '', false, '', false)",
            "lead_event": "INSERT INTO lead_event (lead_id, actor_id, at, kind, field, "
            f"old_value, new_value, note) VALUES (%s, {ME}, now(), 'stage', '', 'a', 'b', '')",
            "handoff": "INSERT INTO handoff (lead_id, from_operator_id, to_user_id, note, status,"
            f" reason, comment, created_at) VALUES (%s, {ME}, %s, 'n', 'pending', '', '', now())",
        }[table]
        extra = (world.operators["field2"],) if table == "handoff" else ()
        return {label: (sql, (i, *extra)) for label, i in world.leads.items()}
    if table == "operator":
        own = PEOPLE[login][0]
        other = "outbound" if own != "outbound" else "inbound"
        sql = (
            "INSERT INTO operator (name, display_name, team, role, active, created_at) "
            "VALUES ('newbie', 'newbie', %s, 'operator', true, now())"
        )
        return {"own team": (sql, (own,)), "other team": (sql, (other,))}
    if table == "lead":
        return {"all": ("INSERT INTO lead (company, acquired_at) VALUES ('m', now())", ())}
    return {"all": (f'INSERT INTO "{table}" DEFAULT VALUES', ())}


def _stamp(table: str, column: str) -> str:
    """What the app always writes along with a change (the policy checks it)."""
    if table == "answer" and column != "updated_by_id":
        return f", updated_by_id = {ME}"
    if table == "handoff" and column != "status":
        return ", status = 'accepted'"
    return ""


def _value(table: str, column: str) -> str:
    if table == "handoff" and column == "status":
        return "'accepted'"
    if table == "answer" and column == "updated_by_id":
        return ME
    return f'"{column}"'


_REFUSED = (psycopg2.errors.InsufficientPrivilege,)


def _run(cur, sql: str, params: tuple, *, counts: bool) -> bool:
    cur.execute("SAVEPOINT c")
    try:
        cur.execute(sql, params)
        if sql.lstrip().upper().startswith("SELECT"):
            return cur.fetchone()[0] > 0
        return cur.rowcount > 0 if counts else True
    except _REFUSED:
        return False
    finally:
        cur.execute("ROLLBACK TO SAVEPOINT c")


def observe(world: World, role: str) -> dict[tuple[str, str], frozenset[str]]:
    """(table, verb) -> the row labels the role's login may act on; verb is SELECT, INSERT,
    DELETE, TRUNCATE or "UPDATE column"."""
    login = LOGINS[role]
    out: dict[tuple[str, str], frozenset[str]] = {}
    with world.connect(login) as conn, conn.cursor() as cur:
        for table in world.columns:
            targets = _targets(world, table)

            def where(target: tuple[str, object] | None) -> tuple[str, tuple]:
                return ("", ()) if target is None else (f" WHERE {target[0]}", (target[1],))

            cells: dict[str, set[str]] = {}
            for label, target in targets.items():
                w, p = where(target)
                checks = {
                    "SELECT": (f'SELECT count(*) FROM "{table}"{w}', p, True),
                    "DELETE": (f'DELETE FROM "{table}"{w}', p, True),
                }
                for column in world.columns[table]:
                    sql = (
                        f'UPDATE "{table}" SET "{column}" = {_value(table, column)}'
                        f"{_stamp(table, column)}{w}"
                    )
                    checks[f"UPDATE {column}"] = (sql, p, True)
                for verb, (sql, params, counts) in checks.items():
                    cells.setdefault(verb, set())
                    if _run(cur, sql, params, counts=counts):
                        cells[verb].add(label)
            cells["TRUNCATE"] = set()
            if _run(cur, f'TRUNCATE "{table}" CASCADE', (), counts=False):
                cells["TRUNCATE"].add("all")
            cells["INSERT"] = {
                label
                for label, (sql, params) in _insert(world, table, login).items()
                if _run(cur, sql, params, counts=False)
            }
            for verb, labels in cells.items():
                out[(table, verb)] = frozenset(labels)
    return out


def _every(world: World) -> dict[str, set[str]]:
    return {table: set(_targets(world, table)) for table in world.columns}


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def observed(world: World) -> dict[str, dict[tuple[str, str], frozenset[str]]]:
    return {role: observe(world, role) for role in LOGINS}


def test_the_readme_table_covers_every_table_verb_and_column(world: World) -> None:
    cells: dict[tuple[str, str], Cell] = expected_cells(
        readme_matrix(), world.columns, _every(world)
    )
    verbs = {"SELECT", "INSERT", "DELETE", "TRUNCATE"}
    wanted = {(t, v) for t in world.columns for v in verbs} | {
        (t, f"UPDATE {c}") for t, cols in world.columns.items() for c in cols
    }
    assert set(cells) == wanted  # one cell per table × verb (× column), none unknown
    for (table, _verb), cell in cells.items():
        known = set(_targets(world, table)) | set(_insert(world, table, "sato"))
        for role, labels in cell.items():
            assert labels <= known, f"{table}: README names rows {labels - known} for {role}"


@pytest.mark.parametrize("role", list(LOGINS))
def test_each_login_may_do_exactly_what_the_readme_says(
    world: World, observed: dict, role: str
) -> None:
    cells = expected_cells(readme_matrix(), world.columns, _every(world))
    wrong = []
    for key, cell in sorted(cells.items()):
        want, got = cell[role], observed[role][key]
        if want != got:
            wrong.append(f"{key[0]} {key[1]}: README {sorted(want)}, database {sorted(got)}")
    assert not wrong, f"{role} ({LOGINS[role]}):\n" + "\n".join(wrong)


def test_the_matrix_can_fail(world: World, observed: dict) -> None:
    """The checks tell allowed from refused: the operator reads their own lead and not
    tanaka's, and nobody deletes anything."""
    op = observed["operator"]
    assert "sato" in op[("lead", "SELECT")] and "tanaka" not in op[("lead", "SELECT")]
    assert all(not observed[r][(t, "DELETE")] for r in LOGINS for t in world.columns)
