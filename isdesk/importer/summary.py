"""What an import did: the counts ``isdesk import --json`` prints and the details behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImportSummary"]


@dataclass
class ImportSummary:
    """What this import run did: read = created + merged + unchanged + rejected (blank rows are
    not read). ``merged``: rows that matched a lead and brought something new (a campaign it was
    never in, a newer date): a return, touched and routed. ``unchanged``: rows that matched a
    lead and repeated what isdesk has (a weekly re-export): no touch, no routing. A file
    imported before is all unchanged (and its rejects rejected again)."""

    file: str
    read: int = 0
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    encoding: str = ""
    delimiter: str = ","
    mapping: str = ""
    mapping_detected: bool = False
    columns: dict[str, list[str]] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    blank: int = 0
    dry_run: bool = False
    already_imported: bool = False
    resumed_after: int = 0  # data rows committed by an earlier, interrupted run
    matched_by: dict[str, int] = field(default_factory=dict)  # external | email | phone | …
    unchanged_by: dict[str, int] = field(default_factory=dict)  # the same keys, unchanged rows
    phones_invalid: dict[str, Any] = field(default_factory=dict)  # rows, samples (row, values)
    do_not_call: int = 0  # leads this run marked do-not-call (new, or flagged by the source)
    campaigns_created: list[str] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)
    assigned: int = 0  # new leads handed out by the assignment pass after the import
    left_unassigned: dict[str, Any] = field(default_factory=dict)  # count, reasons, messages
    assignment: dict[str, Any] = field(default_factory=dict)  # ran, note, by_operator
    import_run: int | None = None
    seconds: float = 0.0
    reject_samples: list[dict[str, Any]] = field(default_factory=list)

    def count_bad_phones(self, row: int, values: tuple[str, ...]) -> None:
        """Count (and sample) a row's numbers that are no phone number: never a match key."""
        if not values:
            return
        junk = self.phones_invalid
        junk["rows"] = junk.get("rows", 0) + 1
        samples = junk.setdefault("samples", [])
        if len(samples) < 10:
            samples.append({"row": row, "values": list(values)})

    def to_json(self) -> dict[str, Any]:
        """Exactly read, created, merged, unchanged, rejected and rejects_file; the rest under
        details."""
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon"}.get(self.delimiter)
        return {
            "read": self.read,
            "created": self.created,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "details": {
                "file": self.file,
                "encoding": self.encoding,
                "delimiter": delimiter or self.delimiter,
                "mapping": self.mapping,
                "mapping_detected": self.mapping_detected,
                "columns": self.columns,
                "extra_columns": self.extra_columns,
                "blank_rows": self.blank,
                "dry_run": self.dry_run,
                "already_imported": self.already_imported,
                "resumed_after_rows": self.resumed_after,
                "matched_by": self.matched_by,
                "unchanged_by": self.unchanged_by,
                "phones_invalid": self.phones_invalid,
                "do_not_call": self.do_not_call,
                "campaigns_created": self.campaigns_created,
                "routing": self.routing,
                "assigned": self.assigned,
                "left_unassigned": self.left_unassigned,
                "assignment": self.assignment,
                "import_run": self.import_run,
                "seconds": round(self.seconds, 3),
                "reject_samples": self.reject_samples,
            },
        }
