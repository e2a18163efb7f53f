"""`isdesk log call …` and `isdesk log calls FILE`: calls made outside the workstation.

A dialer or phone system records a call with ``isdesk log call --lead ID|--phone N --outcome …
--duration … [--recording URL]``; a phone system's call log (MiiTel-style CSV: time, number,
duration, direction, recording URL, user) is attached to leads by phone number with
``isdesk log calls FILE``. Both record ordinary calls, counted in the KPIs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from isdesk.cli.common import UserError, acting_operator, open_store
from isdesk.i18n import duration as said_duration

if TYPE_CHECKING:
    from isdesk.config.settings import Settings
    from isdesk.rules import Rules

OUTCOMES = ("connected", "no_answer", "voicemail", "wrong_number", "refused")  # domain.kpi's


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``log call`` and ``log calls`` to the sub-commands."""
    parser = subparsers.add_parser(
        "log",
        parents=[common],
        help="record calls made outside isdesk (a dialer, a phone system's call log)",
        description="Record calls made outside the workstation; they count in the KPIs.",
    )
    sub = parser.add_subparsers(dest="log_command", metavar="WHAT", required=True)
    call = sub.add_parser(
        "call",
        parents=[common],
        help="record one call on a lead",
        description=(
            "Record one call on a lead, found by id or by one of its phone numbers (digits "
            "compared, so 03-1234-5678 and 0312345678 are the same)."
        ),
    )
    target = call.add_mutually_exclusive_group(required=True)
    target.add_argument("--lead", type=int, metavar="ID", help="the lead's id")
    target.add_argument("--phone", metavar="N", help="a phone number of the lead")
    call.add_argument("--outcome", required=True, choices=OUTCOMES, help="how the call went")
    call.add_argument(
        "--duration", default="0", metavar="S", help="seconds, or M:SS / H:MM:SS (default 0)"
    )
    call.add_argument("--recording", metavar="URL", default="", help="the call's recording")
    call.add_argument("--note", default="", metavar="TEXT", help="what was said")
    call.add_argument("--format", choices=("table", "json"), default="table")
    calls = sub.add_parser(
        "calls",
        parents=[common],
        help="attach a phone system's call log (CSV) to leads by number",
        description=(
            "Read a call log (MiiTel-style CSV: 通話開始日時/time, 相手先電話番号/number, "
            "通話時間/duration, 発着信/direction, 録音URL/recording, ユーザー/user) and record "
            "each call on the lead with that number. UTF-8 or Shift_JIS. Importing the same log "
            "again records nothing twice. Calls by other operators need a team lead."
        ),
    )
    calls.add_argument("file", metavar="FILE", help="the call log CSV")
    calls.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk log …``; user mistakes raise ``UserError``."""
    from isdesk.services.activities import ActivityError
    from isdesk.services.calls import CallLogError, import_call_log, log_call, parse_duration
    from isdesk.services.leads import LeadAccessError, LeadNotFoundError

    if args.log_command == "calls":
        from isdesk.importer.reader import ReadError

        path = Path(args.file).expanduser()
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        db = open_store(settings)
        with db.connection_context():
            actor = acting_operator(settings)
        try:
            summary = import_call_log(path, actor, zone=rules.calendar.zone)
        except (ReadError, CallLogError) as error:
            raise UserError(str(error)) from None
        if args.format == "json":
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        else:
            s = summary
            print(
                f"{s.file}: read {s.read:,} = recorded {s.recorded:,} + already recorded "
                f"{s.already:,} + no lead with the number {s.unmatched:,} + rejected {s.rejected:,}"
            )
            for sample in s.samples:
                print(f"  {sample}")
        return 0
    try:
        duration = parse_duration(args.duration)
    except ValueError:
        raise UserError(f"--duration {args.duration!r}: give seconds, M:SS or H:MM:SS") from None
    db = open_store(settings)
    with db.connection_context():
        actor = acting_operator(settings)
    try:
        logged = log_call(
            actor,
            lead_id=args.lead,
            phone=args.phone,
            outcome=args.outcome,
            duration_s=duration,
            recording_url=args.recording.strip(),
            note=args.note,
        )
    except (CallLogError, ActivityError, LeadNotFoundError, LeadAccessError) as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        print(json.dumps({"activity": logged.id, "lead": logged.lead_id,
                          "outcome": logged.outcome, "duration_s": logged.duration_s},
                         ensure_ascii=False))  # fmt: skip
    else:
        print(
            f"call on lead {logged.lead_id} recorded: {logged.outcome}, "
            f"{said_duration(logged.duration_s)}"
        )
    return 0
