"""`isdesk rules`: check a rules file, or try it on a set of answers."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from isdesk.cli.common import UserError
from isdesk.config.settings import Settings
from isdesk.rules import Rules, load_rules

# The rules command checks a rules file itself, so the start-up must not load one first.
NEEDS_RULES = False


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``rules check`` and ``rules eval``."""
    rules = subparsers.add_parser("rules", parents=[common], help="check or try out a rules file")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    check = rules_sub.add_parser("check", parents=[common], help="validate a rules file")
    check.add_argument("file", nargs="?", help="rules file (default: --rules or the shipped one)")
    evaluate = rules_sub.add_parser(
        "eval", parents=[common], help="rank and SQL status for a set of answers"
    )
    evaluate.add_argument("file", nargs="?")
    evaluate.add_argument(
        "--answers",
        required=True,
        metavar="JSON",
        help='answers by item key, e.g. \'{"timing": "2026-12-01"}\'',
    )
    evaluate.add_argument("--today", metavar="YYYY-MM-DD", help="judge as of this day")


def run(args: argparse.Namespace, settings: Settings, rules: Rules | None) -> int:
    """Validate a rules file, or rank a set of answers by it."""
    path = Path(args.file) if args.file else settings.rules_path
    if path is not None and not path.exists():
        raise UserError(f"{path}: no such rules file")
    rules = load_rules(path)
    if args.rules_command == "check":
        print(
            f"{rules.source}: ok ({len(rules.hearing)} hearing items, "
            f"{len(rules.ranks)} ranks, SQL at {rules.sql.heard_at_least})"
        )
        print(calendar_line(rules))
        return 0
    try:
        answers = json.loads(args.answers)
    except json.JSONDecodeError as error:
        raise UserError(f"--answers: not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(answers, dict):
        raise UserError('--answers: give an object, e.g. {"timing": "2026-12-01"}')
    unknown = sorted(set(answers) - set(rules.keys))
    if unknown:
        raise UserError(
            f"--answers: unknown item(s) {', '.join(unknown)}; "
            f"the rules have {', '.join(rules.keys)}"
        )
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        raise UserError(f"--today: {args.today!r} is not a YYYY-MM-DD date") from None
    from isdesk.domain.qualification import evaluate

    result = evaluate(rules, {k: "" if v is None else str(v) for k, v in answers.items()}, today)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


def calendar_line(rules: Rules) -> str:
    """What the working calendar is made of and the last day it can answer."""
    cal = rules.calendar
    if cal.non_working_days is not None:
        made = f"a list of {len(cal.non_working_days)} days off"
    else:
        parts = ["Japan's public holidays"] if cal.holidays == "japan" else []
        if cal.annual_days_off:
            parts.append(f"{len(cal.annual_days_off)} days off every year")
        if cal.add_days_off:
            parts.append(f"{len(cal.add_days_off)} company days off")
        if cal.remove_days_off:
            parts.append(f"{len(cal.remove_days_off)} holidays worked")
        made = " + ".join(parts) or "weekends only"
    horizon = cal.horizon
    if horizon is None:
        return f"calendar: {made}, every year"
    last = horizon - dt.timedelta(days=1)
    line = f"calendar: {made}, known until {last.isoformat()}"
    if horizon <= dt.date.today() + dt.timedelta(days=366):
        print(
            f"isdesk: warning: the calendar cannot answer from {horizon.isoformat()} on "
            "(only weekends are known there): extend calendar.non_working_days or use "
            "`holidays: japan` with add_days_off / remove_days_off",
            file=sys.stderr,
        )
    return line
