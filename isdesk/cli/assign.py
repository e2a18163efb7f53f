"""`isdesk assign` (a team lead hands out the unassigned leads) and `isdesk next` (an operator
takes the next lead to work).

``register`` adds both sub-commands to isdesk's parser; ``run`` does the work once the caller
has resolved the settings and loaded the rules. Exit codes: 0 done, 2 a user mistake (printed
without a traceback), 3 for `next` when there is no lead to give.
"""

from __future__ import annotations

import argparse
import json
import sys

from isdesk.cli.common import UserError, acting_operator, open_store
from isdesk.config.settings import Settings
from isdesk.domain.text import printable_field
from isdesk.rules import Rules

EXIT_NOTHING = 3
COMMANDS = ("assign", "next")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``assign`` and ``next``; ``common`` has --db/--rules/--as/--lang."""
    assign = subparsers.add_parser(
        "assign",
        parents=[common],
        help="hand out unassigned leads by the rules (team leads)",
        description=(
            "Hand out every unassigned open lead in arrival order, group by group "
            "(rules.yaml assignment:), to the least loaded operator of your team under the "
            "holding cap. Prints the plan; --dry-run prints it and changes nothing."
        ),
    )
    assign.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    assign.add_argument("--format", choices=("table", "json"), default="table")
    take = subparsers.add_parser(
        "next",
        parents=[common],
        help="take the next lead to work (exit code 3: none)",
        description=(
            "Your most urgent lead (an overdue follow-up or an untouched lead of yours), else "
            "the oldest unassigned lead your group rules allow, taken for you atomically. "
            "Exit code 3 when there is none."
        ),
    )
    take.add_argument("--format", choices=("table", "json"), default="table")
    take.add_argument(
        "--serve",
        action="store_true",
        help="dialer mode: read one request a line (next | quit), answer one JSON line each",
    )


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk assign`` or ``isdesk next``; user mistakes raise UserError."""
    open_store(settings)  # first: it decides how peewee loads (no PostgreSQL driver for SQLite)
    from isdesk.services.assignment import AssignmentError, AssignmentPermissionError
    from isdesk.store.db import utcnow

    actor = acting_operator(settings)
    try:
        if args.command == "assign":
            return _assign(args, actor, rules, utcnow())
        if args.serve:
            return _serve(settings, rules)
        return _next(args, actor, rules, utcnow())
    except (AssignmentPermissionError, AssignmentError) as error:
        raise UserError(str(error)) from None


def _assign(args, actor, rules: Rules, now) -> int:
    from isdesk.services.assignment import assign_unassigned

    report = assign_unassigned(rules, now=now, dry_run=args.dry_run, actor=actor)
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    verb = "would assign" if report.dry_run else "assigned"
    print(
        f"{verb} {len(report.rows)} lead(s) in team {report.team} "
        f"(policy {report.policy}, cap {report.cap}); {len(report.unassigned)} left unassigned"
    )
    for r in report.rows:
        print(
            f"  {r.lead_id:>7}  {r.acquired_at:%Y-%m-%d %H:%M}  {r.group:<10} "
            f"{printable_field(r.source):<12} "
            f"→ {r.operator} (held {r.load_before})  {printable_field(r.company)}"
        )
    if report.loads:
        print("loads (open leads before → after):")
        for x in report.loads:
            print(f"  {x.name:<20} {x.team:<10} {x.before:>5} → {x.after:<5} cap {x.cap}")
    if report.unassigned:
        print("left unassigned:")
        for u in report.unassigned:
            print(f"  {u.lead_id:>7}  {printable_field(u.source):<12} {printable_field(u.message)}")
    return 0


def _serve(settings: Settings, rules: Rules, lines=None, out=None) -> int:
    """``isdesk next --serve``: a dialer starts isdesk once and asks for lead after lead.

    Each line read is a request: ``next`` (or an empty line) takes the next lead and answers
    ``{"lead": {…}}``, or ``{"lead": null}`` when there is none; ``quit`` or the end of input
    ends the process (exit 0). Anything else, or a take the database refuses, answers
    ``{"error": "…"}`` and the process goes on. The operator is looked up again for every
    request, so one deactivated meanwhile is refused at once.
    """
    from peewee import DatabaseError

    from isdesk.services.assignment import (
        AssignmentError,
        AssignmentPermissionError,
        TakeNextRefused,
        take_next_lead,
    )
    from isdesk.store.db import utcnow

    lines = sys.stdin if lines is None else lines
    out = sys.stdout if out is None else out
    for line in lines:
        request = line.strip()
        if request == "quit":
            break
        answer: dict[str, object]
        if request not in ("", "next"):
            answer = {"error": f"unknown request {request[:40]!r}: send next or quit"}
        else:
            try:
                taken = take_next_lead(acting_operator(settings), rules, now=utcnow())
                answer = {"lead": None if taken is None else taken.to_json()}
            except (UserError, TakeNextRefused, AssignmentError, AssignmentPermissionError) as e:
                answer = {"error": str(e)}
            except DatabaseError as e:
                answer = {"error": f"the database refused: {str(e).strip()}"}
        try:
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
            out.flush()
        except BrokenPipeError:  # the dialer went away
            return 0
    return 0


def _next(args, actor, rules: Rules, now) -> int:
    from isdesk.services.assignment import take_next_lead

    taken = take_next_lead(actor, rules, now=now)
    if taken is None:
        print("isdesk: no lead to take right now", file=sys.stderr)
        return EXIT_NOTHING
    if args.format == "json":
        print(json.dumps(taken.to_json(), ensure_ascii=False))
        return 0
    how = "taken" if taken.claimed else "yours"
    fields = (taken.id, taken.company, taken.contact, taken.phone, taken.rank, taken.group, how)
    print("\t".join(printable_field(f) for f in fields))
    return 0
