"""`isdesk import FILE`: leads from a CSV exported by an MA tool or CRM.

``register`` adds the command to isdesk's parser (cheap: nothing heavy is imported);
``run`` does the work. The file is read, mapped and checked before the database is opened,
so a missing file, an unknown mapping or an unreadable encoding writes nothing (exit 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isdesk.cli.common import UserError, open_store
from isdesk.domain.text import printable

if TYPE_CHECKING:
    from isdesk.config.settings import Settings
    from isdesk.importer.run import ImportSummary
    from isdesk.rules import Rules

FORMATS = ("table", "json")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``import FILE …`` to the sub-commands; ``common`` has --db/--rules/--as/--lang."""
    parser = subparsers.add_parser(
        "import",
        parents=[common],
        help="import leads from a CSV (Salesforce, HubSpot, Sansan, Eight, isdesk or your own)",
        description=(
            "Import leads from a CSV or TSV file as MA tools, CRMs and Excel write it (UTF-8, "
            "UTF-8 with BOM or Shift_JIS/CP932). A row matching a lead already in isdesk "
            "(same record id, else e-mail, else phone, else company + name) becomes a new touch "
            "on that lead instead of a duplicate when it brings something new (a campaign the "
            "lead was never in, a newer date); a row repeating what isdesk has is counted "
            "unchanged and neither touched nor routed. Rows that cannot be imported go to "
            "NAME.rejects.csv beside the file, with the reason. The same file run again "
            "imports nothing twice; an interrupted import continues where it stopped. New "
            "leads are then handed out by the assignment rules (rules.yaml `assignment:`), "
            "unless --no-assign."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the CSV/TSV file to import")
    parser.add_argument(
        "--mapping",
        metavar="NAME",
        help="salesforce, hubspot, sansan, eight, isdesk or a mapping from rules.yaml "
        "(default: chosen from the header)",
    )
    parser.add_argument("--source", metavar="S", help="the lead source of every row (流入元)")
    parser.add_argument("--campaign", metavar="C", help="the campaign of every row")
    parser.add_argument(
        "--campaign-type",
        metavar="T",
        help="type of a campaign created by this import: seminar, trade_show, download, …",
    )
    parser.add_argument(
        "--campaign-date", metavar="YYYY-MM-DD", help="the day of a campaign created by it"
    )
    parser.add_argument(
        "--encoding", metavar="E", help="the file's encoding (default: detected; e.g. cp932)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read and match, report, write nothing"
    )
    parser.add_argument(
        "--no-assign",
        action="store_true",
        help="leave the new leads unassigned (for teams that assign by hand or take next)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="default table")


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk import``; user mistakes raise ``UserError``."""
    from isdesk.importer.convert import Options
    from isdesk.importer.mappings import MappingError
    from isdesk.importer.reader import ReadError, check_encoding
    from isdesk.importer.run import ImportConflictError, execute_plan, plan_import

    path = Path(args.file).expanduser()
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise UserError(f"{path}: {what}")
    day = None
    if args.campaign_date:
        try:
            day = dt.date.fromisoformat(args.campaign_date)
            if not 1900 <= day.year <= 2999:  # as for dates in the file (convert.parse_when)
                raise ValueError(args.campaign_date)
        except ValueError:
            raise UserError(
                f"--campaign-date: {args.campaign_date!r} is not a date; write YYYY-MM-DD"
            ) from None
    for flag, value in (("--source", args.source), ("--campaign", args.campaign)):
        if value is not None and not value.strip():
            raise UserError(f"{flag}: give a name, or leave {flag} out")
    options = Options(
        source=args.source.strip() if args.source else None,
        campaign=args.campaign.strip() if args.campaign else None,
        campaign_type=args.campaign_type.strip() if args.campaign_type else None,
        campaign_date=day,
        zone=rules.calendar.zone,
    )
    try:
        if args.encoding:
            check_encoding(args.encoding)
        plan = plan_import(
            path, rules=rules, mapping=args.mapping, encoding=args.encoding, options=options
        )
    except (ReadError, MappingError) as error:
        raise UserError(str(error)) from None

    from isdesk.services.operators import find_operator

    db = open_store(settings)
    with db.connection_context():
        actor = find_operator(settings.operator)
    progress = _Progress(path.name) if sys.stderr.isatty() else None
    try:
        summary = execute_plan(
            plan,
            rules=rules,
            dry_run=args.dry_run,
            actor_id=actor.id if actor else None,
            progress=progress,
            assign=not args.no_assign,
        )
    except ImportConflictError as error:
        raise UserError(str(error)) from None
    finally:
        if progress is not None:
            progress.finish()
    if args.format == "json":
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(printable(render_table(summary)))  # file names, cells: customer text
    return 0


class _Progress:
    """``isdesk: importing leads.csv 12,000/100,000 rows (12%)`` redrawn on stderr."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        sys.stderr.write(f"\risdesk: importing {self.name} {done:,}/{total:,} rows ({percent}%)")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


_ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp932": "Shift_JIS (CP932)",
              "utf-16": "UTF-16", "iso2022_jp": "ISO-2022-JP (JIS)"}  # fmt: skip
_DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}
_MATCHED = {"external": "record id", "email": "e-mail", "phone": "phone",
            "company": "company + name", "file": "earlier row of this file"}  # fmt: skip


def render_table(summary: ImportSummary) -> str:
    """The summary for people, one fact a line."""
    s = summary
    how = "detected from the header" if s.mapping_detected else "as asked"
    encoding = _ENCODINGS.get(s.encoding, s.encoding)
    lines = [
        f"{s.file}: {encoding}, {_DELIMITERS.get(s.delimiter, repr(s.delimiter))}-separated; "
        f"mapping {s.mapping} ({how})",
    ]
    if s.dry_run:
        lines.append("dry run: nothing was written")
    if s.already_imported:
        lines.append(f"this file was imported before (import #{s.import_run}): nothing was written")
    elif s.resumed_after:
        lines.append(f"resumed an interrupted import after row {s.resumed_after:,}")
    lines.append(
        f"read {s.read:,} = created {s.created:,} + merged {s.merged:,} + unchanged "
        f"{s.unchanged:,} + rejected {s.rejected:,}"
    )
    if s.matched_by:
        parts = [f"{_MATCHED.get(k, k)} {v:,}" for k, v in sorted(s.matched_by.items())]
        lines.append("merged (something new: a touch) by: " + ", ".join(parts))
    if s.unchanged and not s.already_imported:
        lines.append(
            f"unchanged: {s.unchanged:,} row(s) matched a lead and brought nothing new "
            "(same campaign, no newer date): not touched, not routed"
        )
    junk = s.phones_invalid
    if junk.get("rows"):
        lines.append(
            f"not a phone number (kept in extra, never matched on): {junk['rows']:,} row(s)"
        )
        for sample in junk.get("samples", [])[:3]:
            lines.append(f"  row {sample['row']}: {', '.join(sample['values'])}")
    if s.do_not_call:
        lines.append(f"do-not-call: {s.do_not_call:,} lead(s) marked (never handed out)")
    if s.campaigns_created:
        lines.append("campaigns created: " + ", ".join(s.campaigns_created))
    lines.extend(_routing_lines(s.routing))
    lines.extend(_assignment_lines(s))
    if s.extra_columns:
        lines.append("kept with the lead (extra): " + ", ".join(s.extra_columns))
    if s.blank:
        lines.append(f"blank rows skipped: {s.blank:,}")
    if s.rejects_file:
        lines.append(f"rejected rows and reasons: {s.rejects_file}")
    elif s.rejected and s.dry_run:
        for sample in s.reject_samples:
            lines.append(f"  row {sample['row']}: {sample['reason']}")
    return "\n".join(lines)


def _routing_lines(routing: dict[str, Any]) -> list[str]:
    if not routing:
        return []
    if not routing.get("available"):
        return [f"returning leads: {routing.get('note', 'not routed')}"]
    actions = routing.get("actions") or {}
    if not routing.get("routed"):
        return []
    parts = ", ".join(f"{k} {v:,}" for k, v in sorted(actions.items()))
    return [f"returning leads routed by the assignment rules: {routing['routed']:,} ({parts})"]


def _assignment_lines(s: ImportSummary) -> list[str]:
    done = s.assignment
    if not done.get("ran"):
        note = done.get("note", "")
        return [f"new leads not assigned: {note}"] if s.created and note else []
    lines = []
    if s.assigned:
        parts = ", ".join(f"{k} {v:,}" for k, v in (done.get("by_operator") or {}).items())
        lines.append(f"assigned {s.assigned:,} new lead(s) by the assignment rules ({parts})")
    left = s.left_unassigned
    if left.get("count"):
        lines.append(f"left unassigned: {left['count']:,} new lead(s)")
        lines.extend(f"  {message}" for message in left.get("messages", []))
    return lines
