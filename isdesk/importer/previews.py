"""A look at a file before importing it, for the TUI's import screen (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from isdesk.i18n import tr
from isdesk.importer.convert import Options, Record, Reject, convert_row
from isdesk.importer.mappings import MappingError, detect_mapping, resolve_mapping
from isdesk.importer.reader import read_table
from isdesk.rules import Rules

__all__ = ["Preview", "preview"]


@dataclass(frozen=True)
class Preview:
    """What ``isdesk import`` would make of the first rows of a file.

    ``rows``: one dict per data row, lead field → cleaned value (as it would be stored), plus
    ``_row`` (the row number as Excel shows it) and, for a row that would be rejected,
    ``_problem``. ``problems`` lists file-level problems and each rejected row's reason.
    """

    encoding: str
    delimiter: str
    mapping_name: str  # "" when no mapping fits the header (see problems)
    columns: list[str]  # the file's headers, in order
    field_map: dict[str, list[str]]  # lead field → the columns feeding it
    rows: list[dict[str, object]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # kept with the lead as extra
    problems: list[str] = field(default_factory=list)
    mapping_detected: bool = False


def preview(
    path: Path | str,
    mapping: str | None = None,
    encoding: str | None = None,
    rows: int = 10,
    rules: Rules | None = None,
) -> Preview:
    """Read the header and the first ``rows`` data rows of ``path`` and map them.

    Raises ReadError (missing file, unknown or wrong encoding) and MappingError (an unknown
    ``mapping`` name); a header no mapping fits is reported in ``problems`` instead.
    """
    custom = getattr(rules, "mappings", None) if rules is not None else None
    chosen = resolve_mapping(mapping, custom) if mapping else None
    table = read_table(Path(path), encoding, limit=rows)
    problems: list[str] = []
    try:
        if chosen is None:
            chosen, fields = detect_mapping(table.columns, custom)
        else:
            fields = chosen.bind(table.columns)
    except MappingError as error:
        return Preview(table.encoding, table.delimiter, "", list(table.columns), {},
                       problems=[str(error)])  # fmt: skip
    if not fields.reachable:
        problems.append(tr("import.no_contact_column", mapping=chosen.name))
    options = Options(zone=rules.calendar.zone) if rules is not None else Options()
    shown: list[dict[str, object]] = []
    for number, cells in table.rows:
        item = convert_row(chosen, fields, number, cells, options)
        if isinstance(item, Record):
            values: dict[str, object] = {"_row": number, **item.as_fields()}
        else:
            assert isinstance(item, Reject)
            values = {"_row": number, "_problem": item.reason}
            for name, positions in fields.fields.items():
                values[name] = next((cells[i].strip() for i in positions if cells[i].strip()), "")
            problems.append(tr("import.row_problem", row=number, problem=item.reason))
        shown.append(values)
    return Preview(
        table.encoding,
        table.delimiter,
        chosen.name,
        list(table.columns),
        fields.describe(),
        shown,
        fields.extra_columns,
        problems,
        mapping_detected=mapping is None,
    )
