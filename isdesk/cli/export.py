"""`isdesk export daily`: the day's activity log as CSV for Excel or as JSONL;
`isdesk export appointments`: the appointments of a date range as an iCalendar file.

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
from isdesk.export.writer import ENCODINGS, FORMATS
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
    daily.add_argument("--format", choices=FORMATS, default="csv", help="default csv")
    daily.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout"
    )
    daily.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default=None,
        help="CSV encoding: utf-8 with BOM (default) or cp932 for old Excel",
    )
    appts = what.add_parser(
        "appointments",
        parents=[common],
        help="appointments of a date range as an iCalendar (.ics) file",
        description=(
            "Every appointment the acting operator may read (set by them, attended by them, "
            "or, for a team lead, set by their team) that starts on a local day from --from "
            "to --to inclusive, as one .ics file Outlook and Google Calendar open."
        ),
    )
    appts.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    appts.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    appts.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout"
    )


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk export daily``; user mistakes raise ``UserError``."""

    if args.export_command == "appointments":
        return _appointments(args, settings, rules)
    if args.export_command != "daily":
        raise UserError(f"export {args.export_command}: unknown export")
    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise UserError(f"--date: {args.date!r} is not a date; write YYYY-MM-DD") from None
    if args.format == "jsonl" and args.encoding not in (None, "utf-8"):
        raise UserError("--encoding: JSONL is always UTF-8; drop --encoding or use --format csv")
    encoding = args.encoding or "utf-8"
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UserError(f"-o: the folder {output.parent} does not exist")

    from isdesk.export.daily import ExportError, daily_export
    from isdesk.export.writer import render

    open_store(settings)
    actor = acting_operator(settings)
    try:
        export = daily_export(
            actor, day, rules, operator=args.export_operator, team=args.export_team
        )
        data = render(export, args.format, encoding=encoding, lang=settings.language)
    except ExportError as error:
        raise UserError(str(error)) from None
    if not emit(data, output):
        return 0
    print(
        f"isdesk: wrote {len(export.rows)} activities and {len(export.summaries)} "
        f"operator summaries for {day.isoformat()} to {output}",
        file=sys.stderr,
    )
    return 0


def _day(flag: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{flag}: {text!r} is not a date; write YYYY-MM-DD") from None


def _appointments(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """``isdesk export appointments --from D --to D``: an .ics of the range's appointments."""
    first, last = _day("--from", args.date_from), _day("--to", args.date_to)
    if last < first:
        raise UserError("--to: the range ends before it starts; give --to on or after --from")
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UserError(f"-o: the folder {output.parent} does not exist")

    from isdesk.domain.kpi import day_bounds_utc
    from isdesk.export.ical import appointments_ics
    from isdesk.services.appointments import appointments_between

    open_store(settings)
    acting_operator(settings)  # who runs it: team mode's policies decide what they may read
    start, _ = day_bounds_utc(first, rules.calendar)
    _, end = day_bounds_utc(last, rules.calendar)
    found = appointments_between(start, end)
    if not emit(appointments_ics(found), output):
        return 0
    print(
        f"isdesk: wrote {len(found)} appointments from {first} to {last} to {output}",
        file=sys.stderr,
    )
    return 0
