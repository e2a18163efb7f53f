"""`isdesk operator`: who works here, and moving a leaver's leads to others."""

from __future__ import annotations

import argparse
import json

from isdesk.cli.common import UserError, open_store
from isdesk.config.settings import Settings
from isdesk.domain.text import printable_field
from isdesk.rules import Rules


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``operator add|list|deactivate``."""
    operator = subparsers.add_parser("operator", parents=[common], help="manage operators")
    op_sub = operator.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    add = op_sub.add_parser("add", parents=[common], help="register an operator")
    add.add_argument("name", help="login name, e.g. sato.misaki")
    add.add_argument("--team", required=True)
    add.add_argument("--role", choices=("operator", "lead", "field"), default="operator")
    add.add_argument("--display-name", help="name shown in the UI, e.g. 佐藤 美咲")
    op_sub.add_parser("list", parents=[common], help="list operators")
    deactivate = op_sub.add_parser(
        "deactivate",
        parents=[common],
        help="an operator left or moved to field sales: hand their open leads to others",
    )
    deactivate.add_argument("name")


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Register, list or deactivate operators (changes need a team lead, once one exists)."""
    open_store(settings)
    from isdesk.services.operators import (
        OperatorError,
        add_operator,
        find_operator,
        list_operators,
    )

    if args.operator_command != "list" and list_operators():
        # Only a team lead changes who works here; a brand-new database takes its first user.
        acting = find_operator(settings.operator)
        if acting is None or not acting.is_lead or not acting.active:
            raise UserError(
                f"only a team lead may {args.operator_command} operators; run it with --as LEAD"
            )
        if args.operator_command == "add" and args.team.strip() != acting.team:
            # A lead of another team would read all of that team's leads (the team database
            # refuses it too).
            raise UserError(
                f"{acting.name} leads team {acting.team}: they may add operators to "
                f"{acting.team} only, not to {args.team.strip()}"
            )
        if args.operator_command == "deactivate":
            from isdesk.services.assignment import AssignmentPermissionError, deactivate_operator
            from isdesk.store.db import utcnow

            try:
                report = deactivate_operator(acting, args.name, rules, now=utcnow())
            except (AssignmentPermissionError, LookupError, ValueError) as error:
                raise UserError(str(error)) from None
            moved = report.report.to_json()
            print(json.dumps(moved, ensure_ascii=False, indent=2, default=str))
            return 0
    if args.operator_command == "add":
        try:
            actor = add_operator(
                args.name, team=args.team, role=args.role, display_name=args.display_name
            )
        except OperatorError as error:
            raise UserError(str(error)) from None
        print(f"added {actor.name} ({actor.display_name}) to team {actor.team} as {actor.role}")
        return 0
    for actor in list_operators():
        state = "" if actor.active else " (inactive)"
        fields = (actor.name, actor.display_name, actor.team, f"{actor.role}{state}")
        print("\t".join(printable_field(f) for f in fields))
    return 0
