"""The README's cell-by-cell role table, parsed: what each team-mode login may do to which rows.

The table sits between ``<!-- role-matrix -->`` and ``<!-- /role-matrix -->`` in README.md:

    | table | verb | operator | team lead | field user | deactivated |
    | lead | UPDATE owner_id, status | sato, free | … | … | — |

A verb is SELECT, INSERT, DELETE, TRUNCATE (several, comma-separated, share a row), or
``UPDATE col, col`` or ``UPDATE other columns`` (every column the table's other UPDATE rows do
not name). A cell lists the rows (labels explained in the README) or ``all`` or ``—``.
"""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
LOGINS = {"operator": "sato", "lead": "yamada", "field": "field1", "deactivated": "gone"}
_HEADER = ("table", "verb", "operator", "team lead", "field user", "deactivated")
_PLAIN_VERBS = ("SELECT", "INSERT", "DELETE", "TRUNCATE")

Cell = dict[str, frozenset[str]]  # role -> row labels


def readme_matrix(path: Path = README) -> list[tuple[list[str], str, list[str]]]:
    """The table's rows: (tables, verb text, the four cells in LOGINS order)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index("<!-- role-matrix -->"), text.index("<!-- /role-matrix -->")
    rows = [line.strip() for line in text[start:end].splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    if tuple(header) != _HEADER:
        raise ValueError(f"README role matrix: header {header}, expected {list(_HEADER)}")
    out = []
    for line in rows[2:]:
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if len(cells) != len(_HEADER):
            raise ValueError(f"README role matrix: {len(cells)} cells in {line!r}")
        tables = [t.strip().strip("`") for t in cells[0].split(",")]
        out.append((tables, cells[1], cells[2:]))
    return out


def _labels(cell: str, every: set[str]) -> frozenset[str]:
    cell = cell.replace("`", "").strip()
    if cell in ("—", "-", ""):
        return frozenset()
    if cell == "all":
        return frozenset(every)
    return frozenset(x.strip() for x in cell.split(","))


def expected_cells(
    rows: list[tuple[list[str], str, list[str]]],
    columns: dict[str, list[str]],
    labels: dict[str, set[str]] | None = None,
) -> dict[tuple[str, str], Cell]:
    """(table, verb) -> role -> labels, where verb is SELECT, INSERT, DELETE, TRUNCATE or
    ``UPDATE column`` for every column of the table. ``labels``: what ``all`` means per table
    (default: ``{"all"}``)."""
    out: dict[tuple[str, str], Cell] = {}
    pending_other: list[tuple[str, list[str]]] = []
    for tables, verb, cells in rows:
        for table in tables:
            if table not in columns:
                raise ValueError(f"README role matrix: no table {table!r} in the database")
            every = (labels or {}).get(table, {"all"})
            cell = {role: _labels(text, every) for role, text in zip(LOGINS, cells, strict=True)}
            if verb.startswith("UPDATE"):
                names = verb.removeprefix("UPDATE").strip()
                if names == "other columns":
                    pending_other.append((table, cells))
                    continue
                for column in (c.strip().strip("`") for c in names.split(",")):
                    if column not in columns[table]:
                        raise ValueError(f"README role matrix: no column {table}.{column}")
                    out[(table, f"UPDATE {column}")] = cell
                continue
            for plain in (v.strip() for v in verb.split(",")):
                if plain not in _PLAIN_VERBS:
                    raise ValueError(f"README role matrix: verb {plain!r}")
                out[(table, plain)] = cell
    for table, cells in pending_other:
        every = (labels or {}).get(table, {"all"})
        cell = {role: _labels(text, every) for role, text in zip(LOGINS, cells, strict=True)}
        for column in columns[table]:
            out.setdefault((table, f"UPDATE {column}"), cell)
    return out
