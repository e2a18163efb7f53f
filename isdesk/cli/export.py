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
from isdesk.export.crm import FORMATS as CRM_FORMATS
from isdesk.export.crm import MAPPINGS as CRM_MAPPINGS
from isdesk.export.writer import ENCODINGS, FORMATS, Replacement
from isdesk.rules import Rules


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``export daily|leads …`` to the sub-commands; ``common`` has --db/--rules/--as/--lang."""
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
    _register_leads(what, common)


def _register_leads(what: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    leads = what.add_parser(
        "leads",
        parents=[common],
        help="leads for field sales' CRM: Salesforce, HubSpot or isdesk's own columns",
        description=(
            "The leads you may export (a team lead: the team's; an operator: their own; field "
            "sales: those handed to them) in the columns a CRM's importer takes, with the BANT "
            "note and hearing answers in the description and the isdesk id as an external id. "
            "Filters combine. `isdesk import` reads the file back into the same leads."
        ),
    )
    leads.add_argument("--mapping", choices=CRM_MAPPINGS, default="isdesk",
                       help="whose columns: salesforce (Lead import), hubspot (contacts import) "
                       "or isdesk (default)")  # fmt: skip
    leads.add_argument("--handed-off", action="store_true",
                       help="only leads handed to field sales (not those sent back)")  # fmt: skip
    leads.add_argument("--sql", action="store_true", help="only SQLs")
    leads.add_argument(
        "--from",
        dest="start",
        metavar="YYYY-MM-DD",
        help="first local day (of hand-off with --handed-off, else acquired)",
    )
    leads.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last local day")
    leads.add_argument("--team", dest="export_team", metavar="NAME", help="team leads: the team")
    leads.add_argument("--format", choices=CRM_FORMATS, default="csv",
                       help="csv (default; UTF-8 with BOM) or xlsx (needs -o)")  # fmt: skip
    leads.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout"
    )


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: {text!r} is not a date; write YYYY-MM-DD") from None


def _output(args: argparse.Namespace) -> Path | None:
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UserError(f"-o: the folder {output.parent} does not exist")
    return output


def run_leads(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk export leads``; user mistakes raise ``UserError``."""
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if start and end and end < start:
        raise UserError(f"--to {end} is before --from {start}")
    if args.format == "xlsx" and not args.output:
        raise UserError("--format xlsx: give -o FILE.xlsx (a workbook is not for a terminal)")
    output = _output(args)

    from isdesk.export.crm import render_leads
    from isdesk.export.daily import ExportError
    from isdesk.export.leads import lead_export

    open_store(settings)
    actor = acting_operator(settings)
    try:
        export = lead_export(
            actor, rules, handed_off=args.handed_off, sql=args.sql, start=start, end=end,
            team=args.export_team,
        )  # fmt: skip
    except ExportError as error:
        raise UserError(str(error)) from None
    data = render_leads(export, args.mapping, args.format, settings.language)
    if not emit(data, output):
        return 0
    print(
        f"isdesk: wrote {len(export.leads)} leads for {args.mapping} to {output}", file=sys.stderr
    )
    return 0


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk export daily|leads``; user mistakes raise ``UserError``."""

    if args.export_command == "leads":
        return run_leads(args, settings, rules)
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
    output = _output(args)

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
