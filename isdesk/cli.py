"""The `isdesk` command: the workstation, the demo, rules checks, operators.

Start-up order matters: the rules are validated before any database is opened, so a broken
rules file stops everything with a clear message and touches no data. Textual is imported only
when the workstation opens, keeping the other commands fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from isdesk.i18n import set_language
from isdesk.rules import Rules, RulesError, load_rules
from isdesk.settings import Settings, resolve_settings

EXIT_USAGE = 2

# Commands that live in a module of their own: each has register(subparsers, common) and
# run(args, settings, rules) -> exit code, and imports what it needs only when run.
COMMAND_MODULES = {
    "export": "isdesk.export.command",
    "import": "isdesk.importer.command",
    "assign": "isdesk.assign_command",
    "next": "isdesk.assign_command",
    "team": "isdesk.team_command",
    "teamdb": "isdesk.teamdb_command",
    "report": "isdesk.analytics.command",
}


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback, exit code 2."""


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        default=default,
        metavar="URL",
        help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB (env ISDESK_DB)",
    )
    parser.add_argument(
        "--rules",
        default=default,
        metavar="FILE",
        help="rules.yaml to use (env ISDESK_RULES; default: the shipped rules)",
    )
    parser.add_argument(
        "--as",
        dest="operator",
        default=default,
        metavar="NAME",
        help="work as this operator (env ISDESK_OPERATOR; default: OS user)",
    )
    parser.add_argument(
        "--lang",
        choices=("ja", "en"),
        default=default,
        help="UI language (env ISDESK_LANG; default: from the locale)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isdesk", description="Keyboard-first inside-sales workstation (インサイドセールス)."
    )
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    _common(common, suppress=True)

    sub.add_parser("open", parents=[common], help="open the workstation (the default)")

    demo = sub.add_parser(
        "demo", parents=[common], help="build a demo database of realistic leads and open it"
    )
    demo.add_argument("--leads", type=int, default=2000, help="how many leads (default 2000)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--rebuild", action="store_true", help="throw away and rebuild the demo")
    demo.add_argument("--no-open", action="store_true", help="build only, do not open the UI")

    rules = sub.add_parser("rules", parents=[common], help="check or try out a rules file")
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

    operator = sub.add_parser("operator", parents=[common], help="manage operators")
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

    for module in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except RulesError as error:
        print(f"isdesk: rules error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        print(f"isdesk: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        # A database that refuses a write (read-only file, full disk, lost server) is the
        # machine's problem, not a bug: say what the database said and what to check.
        from peewee import DatabaseError

        if not isinstance(error, DatabaseError):
            raise
        print(
            f"isdesk: the database refused: {str(error).strip() or type(error).__name__} — "
            "check the file's permissions and free disk space, or that the server is up",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _settings(args: argparse.Namespace, default_db: Path | None = None) -> Settings:
    settings = resolve_settings(
        db=args.db,
        rules=args.rules,
        operator=args.operator,
        language=args.lang,
        default_db=default_db,
    )
    set_language(settings.language)
    return settings


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "open"
    if command == "rules":
        return _rules_command(args)
    if command == "demo":
        from isdesk.locations import demo_db_path

        settings = _settings(args, default_db=demo_db_path())
        return _demo_command(args, settings)
    settings = _settings(args)
    if command in COMMAND_MODULES:
        module = importlib.import_module(COMMAND_MODULES[command])
        return module.run(args, settings, _load_rules(settings))
    if command == "operator":
        rules = _load_rules(settings)
        _open_store(settings)
        return _operator_command(args, settings, rules)
    return _open_workstation(settings)


def _load_rules(settings: Settings) -> Rules:
    return load_rules(settings.rules_path)


def _open_store(settings: Settings):
    """Open and upgrade the database; a user mistake becomes a UserError."""
    from peewee import OperationalError, ProgrammingError

    from isdesk.store.db import DatabaseUrlError, open_database
    from isdesk.store.schema import SchemaTooNewError, upgrade

    try:
        db = open_database(settings.db_url)
        upgrade(db)
    except (DatabaseUrlError, SchemaTooNewError) as error:
        raise UserError(str(error)) from None
    except ProgrammingError as error:
        # Team mode: an operator's login may not change the schema (row-level security).
        raise UserError(
            f"the database at {settings.db_url} needs a schema upgrade this login may not make "
            f"({str(error).strip().splitlines()[0]}): ask the database owner to run "
            "`isdesk teamdb setup`"
        ) from None
    except (OperationalError, OSError) as error:
        raise UserError(f"cannot open the database {settings.db_url}: {error}") from None
    return db


def _open_workstation(settings: Settings, rules: Rules | None = None) -> int:
    rules = rules or _load_rules(settings)
    db = _open_store(settings)
    from isdesk.services.operators import OperatorError, resolve_actor

    try:
        actor = resolve_actor(settings.operator, first_team=_first_team(rules))
    except OperatorError as error:
        raise UserError(str(error)) from None
    from isdesk.app import IsdeskApp
    from isdesk.context import WorkContext

    IsdeskApp(WorkContext(db=db, rules=rules, actor=actor)).run()
    return 0


def acting_operator(settings: Settings):
    """The registered operator a command runs as (--as / ISDESK_OPERATOR / login / OS user)."""
    from isdesk.services.operators import find_operator

    actor = find_operator(settings.operator)
    if actor is None:
        raise UserError(
            f"operator {settings.operator!r} is not registered in this database: "
            "run as a registered operator with --as NAME (`isdesk operator list` shows them)"
        )
    return actor


def emit(data: bytes, output: Path | None) -> bool:
    """Write a command's result to ``output`` (private, all or nothing) or to stdout.

    Returns True when a file was written, for the caller's "wrote …" line.
    """
    from isdesk.export.writer import write_private_file

    if output is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    try:
        write_private_file(output, data)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from None
    return True


def _first_team(rules: Rules) -> str:
    """The team a brand-new database's first user joins: the first one the rules route to."""
    for group in rules.assignment.groups:
        team = getattr(group.operators, "team", None)
        if team:
            return team
    return "default"


def _demo_command(args: argparse.Namespace, settings: Settings) -> int:
    from isdesk.demo import DemoError, build_demo
    from isdesk.locations import demo_db_path
    from isdesk.store.models import Lead

    rules = _load_rules(settings)
    if args.leads < 1:
        raise UserError("--leads: give a positive number of leads")
    if args.rebuild:
        if args.db:
            raise UserError("--rebuild only replaces the default demo file; drop your --db first")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{demo_db_path()}{suffix}").unlink(missing_ok=True)
    db = _open_store(settings)
    with db.connection_context():
        empty = not Lead.select().exists()
    if empty:
        print(f"isdesk: building {args.leads:,} demo leads in {settings.db_url} …", file=sys.stderr)
        try:
            summary = build_demo(
                db, leads=args.leads, seed=args.seed, me=settings.operator, rules=rules
            )
        except DemoError as error:
            raise UserError(
                f"{error}; start again with `isdesk demo --rebuild` for a fresh demo file"
            ) from None
        print(
            f"isdesk: demo ready: {summary.leads:,} leads, {summary.activities:,} activities",
            file=sys.stderr,
        )
    if args.no_open:
        return 0
    return _open_workstation(settings, rules)


def _rules_command(args: argparse.Namespace) -> int:
    settings = resolve_settings(rules=args.rules)
    path = Path(args.file) if args.file else settings.rules_path
    if path is not None and not path.exists():
        raise UserError(f"{path}: no such rules file")
    rules = load_rules(path)
    if args.rules_command == "check":
        print(
            f"{rules.source}: ok ({len(rules.hearing)} hearing items, "
            f"{len(rules.ranks)} ranks, SQL at {rules.sql.heard_at_least})"
        )
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
    from isdesk.qualification import evaluate

    result = evaluate(rules, {k: "" if v is None else str(v) for k, v in answers.items()}, today)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


def _operator_command(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
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
        print(f"{actor.name}\t{actor.display_name}\t{actor.team}\t{actor.role}{state}")
    return 0
