"""Planning an import: read a file, map its columns, clean and check every row (no database);
and the ``<name>.rejects.csv`` file listing the rows that cannot be imported.

``plan_import`` gives an ImportPlan; ``execute_plan`` (run.py, the writer in write.py) writes it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isdesk.importer.convert import Options, Record, Reject, convert_row
from isdesk.importer.mappings import (
    FieldMap,
    LeadMapping,
    MappingError,
    detect_mapping,
    resolve_mapping,
)
from isdesk.importer.reader import REJECT_COLUMNS, Table, read_table
from isdesk.rules import Rules

__all__ = ["ImportPlan", "plan_import", "rejects_path", "write_rejects"]


@dataclass
class ImportPlan:
    """A file read, mapped and checked, ready to write (nothing touched the database yet)."""

    table: Table
    mapping: LeadMapping
    detected: bool
    fields: FieldMap
    items: list[Record | Reject]  # every data row in file order
    options: Options

    @property
    def rejects(self) -> list[Reject]:
        return [item for item in self.items if isinstance(item, Reject)]

    @property
    def run_options(self) -> dict[str, Any]:
        return {"mapping": self.mapping.name, **self.options.key()}


def rejects_path(path: Path) -> Path:
    """``leads.csv`` → ``leads.rejects.csv`` in the same folder."""
    return path.with_name(f"{path.stem}.rejects.csv")


def plan_import(
    path: Path,
    *,
    rules: Rules | None = None,
    mapping: str | None = None,
    encoding: str | None = None,
    options: Options | None = None,
) -> ImportPlan:
    """Read, map and check every row of ``path``; raises ReadError / MappingError."""
    custom = getattr(rules, "mappings", None) if rules is not None else None
    chosen = resolve_mapping(mapping, custom) if mapping else None
    table = read_table(Path(path), encoding)
    if chosen is None:
        chosen, fields = detect_mapping(table.columns, custom)
    else:
        fields = chosen.bind(table.columns)
        if not fields.reachable:
            raise MappingError(
                f"mapping {chosen.name} finds no e-mail or phone column among "
                f"{', '.join(table.columns[:8])}: choose another --mapping or leave it out"
            )
    if options is None:
        options = Options(zone=rules.calendar.zone) if rules is not None else Options()
    items = [convert_row(chosen, fields, row, cells, options) for row, cells in table.rows]
    return ImportPlan(table, chosen, mapping is None, fields, items, options)


def write_rejects(plan: ImportPlan) -> str | None:
    """``<name>.rejects.csv`` beside the input (UTF-8 with BOM, 0600): original columns, then
    isdesk_row and isdesk_reason. Removed when a new run of the file rejects nothing."""
    import csv
    import io

    target = rejects_path(plan.table.path)
    rejects = plan.rejects
    if not rejects:
        target.unlink(missing_ok=True)
        return None
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    columns = [c for c in plan.table.columns]
    keep = [i for i, c in enumerate(columns) if c not in REJECT_COLUMNS]
    out.writerow([columns[i] for i in keep] + list(REJECT_COLUMNS))
    for reject in rejects:
        out.writerow([reject.cells[i] for i in keep] + [reject.row, reject.reason])
    data = buffer.getvalue().encode("utf-8-sig")
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return str(target)
