"""`isdesk export daily` (the day's activity log) and `isdesk export leads` (for a CRM).

``register`` adds the sub-commands to isdesk's parser; ``run`` does the work once the caller
has resolved the settings and loaded the rules. Arguments are checked before the database is
opened, so a typo in --date touches no data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from isdesk.cli.common import UserError, acting_operator, emit, open_store
from isdesk.config.settings import Settings
from isdesk.export.writer import ENCODINGS, FORMATS, Replacement
from isdesk.rules import Rules


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``export daily …`` to the sub-commands; ``common`` has --db/--rules/--as/--lang."""
    export = subparsers.add_parser(
        "export", parents=[common], help="export data for Excel and other tools"
    )
    what = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    daily = what.add_parser(
        "daily",
        parents=[common],
        help="one day's activity log with a summary per operator",
        description=(
            "One row per activity of the local day, then one summary row per operator "
            "(counts, weighted volume, daily lines, tier). An operator exports their own day; "
            "a team lead a team member's or the whole team's (the default for a lead). "
            "--lang picks the CSV headers and labels."
        ),
    )
    daily.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day to export")
    who = daily.add_mutually_exclusive_group()
    # dest differs from --as (dest "operator"), which names who runs the export.
    who.add_argument("--operator", dest="export_operator", metavar="NAME", help="one operator")
    who.add_argument("--team", dest="export_team", metavar="NAME", help="a whole team")
    daily.add_argument(
        "--format", choices=FORMATS, default="csv",
        help="csv (default), xlsx (a workbook: activities and summary sheets; needs -o) or jsonl",
    )  # fmt: skip
    daily.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout"
    )
    daily.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default=None,
        help="CSV encoding: utf-8 with BOM (default) or cp932 for old Excel",
    )


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk export daily``; user mistakes raise ``UserError``."""

    if args.export_command != "daily":
        raise UserError(f"export {args.export_command}: unknown export")
    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise UserError(f"--date: {args.date!r} is not a date; write YYYY-MM-DD") from None
    if args.format in ("jsonl", "xlsx") and args.encoding not in (None, "utf-8"):
        raise UserError(
            f"--encoding: {args.format.upper()} is always UTF-8; drop --encoding "
            "or use --format csv"
        )
    if args.format == "xlsx" and not args.output:
        raise UserError("--format xlsx: give -o FILE.xlsx (a workbook is not for a terminal)")
    encoding = args.encoding or "utf-8"
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UserError(f"-o: the folder {output.parent} does not exist")

    from isdesk.export.daily import ExportError, daily_export
    from isdesk.export.writer import render

    open_store(settings)
    actor = acting_operator(settings)
    replaced: list[Replacement] = []
    try:
        export = daily_export(
            actor, day, rules, operator=args.export_operator, team=args.export_team
        )
        data = render(
            export, args.format, encoding=encoding, lang=settings.language, replaced=replaced
        )
    except ExportError as error:
        raise UserError(str(error)) from None
    report_replacements(replaced, encoding)
    if not emit(data, output):
        return 0
    print(
        f"isdesk: wrote {len(export.rows)} activities and {len(export.summaries)} "
        f"operator summaries for {day.isoformat()} to {output}",
        file=sys.stderr,
    )
    return 0


def report_replacements(replaced: list[Replacement], encoding: str) -> None:
    """Say on stderr which characters the CSV's encoding could not store, and where."""
    if not replaced:
        return
    shown = "; ".join(
        f"row {r.row} column {r.column}: {r.char!r} → {r.written!r}" for r in replaced[:5]
    )
    more = f" and {len(replaced) - 5} more" if len(replaced) > 5 else ""
    print(
        f"isdesk: {encoding} cannot store {len(replaced)} character(s), replaced: {shown}{more}; "
        "export with --encoding utf-8 (Excel 2016 and later) to keep them",
        file=sys.stderr,
    )
