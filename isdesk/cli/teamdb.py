"""`isdesk teamdb setup` and `isdesk teamdb grant NAME`: team mode with the roles enforced by
PostgreSQL (row-level security). Both run with an administrator's --db; see isdesk.teamdb."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from isdesk.cli.common import UserError
from isdesk.config.settings import Settings
from isdesk.rules import Rules


def register(subparsers, common: argparse.ArgumentParser) -> None:
    teamdb = subparsers.add_parser(
        "teamdb",
        parents=[common],
        help="PostgreSQL team mode: database roles and row-level security (administrators)",
        description=(
            "Run with an administrator's --db (a superuser, or the database owner with "
            "CREATEROLE). `setup` creates the roles isdesk_owner (owns the tables, migrates) "
            "and isdesk_user (the operators' rights), migrates as the owner and protects every "
            "table with row-level security; run it again after upgrading isdesk. `grant NAME` "
            "gives an operator a database login of the same name."
        ),
    )
    sub = teamdb.add_subparsers(dest="teamdb_command", metavar="ACTION", required=True)
    setup = sub.add_parser(
        "setup", parents=[common], help="create the roles, migrate, apply grants and policies"
    )
    setup.add_argument(
        "--owner-password-file",
        metavar="FILE",
        help="set isdesk_owner's password from the first line of FILE (default: leave it)",
    )
    grant = sub.add_parser(
        "grant", parents=[common], help="give operator NAME a database login (created if missing)"
    )
    grant.add_argument("name", help="the isdesk operator name, e.g. sato.misaki")
    secret = grant.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-file", metavar="FILE", help="the login's password: the first line of FILE"
    )
    secret.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the server authenticates otherwise: peer, cert, …)",
    )
    grant.add_argument("--team", help="also register the isdesk operator in TEAM if missing")
    grant.add_argument(
        "--role",
        dest="operator_role",
        choices=("operator", "lead", "field"),
        help="with --team: the operator's role (default operator)",
    )
    grant.add_argument("--display-name", help="with --team: the name shown in the UI")


def _read_password(path: str) -> str:

    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"--password-file: {error.strerror or error}: {path}") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise UserError(f"--password-file: {path} is empty; its first line is the password")
    return password


def _prompt_password(name: str) -> str:

    if not sys.stdin.isatty():
        raise UserError(
            f"{name} is a new login: give --password-file FILE, or --no-password when the "
            "server authenticates without one (no terminal to ask on)"
        )
    first = getpass.getpass(f"password for the new login {name}: ")
    if not first:
        raise UserError("no password given; use --no-password to create the login without one")
    if getpass.getpass("again: ") != first:
        raise UserError("the passwords differ; nothing was changed")
    return first


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    from isdesk.teamdb import TeamDbError, grant, login_exists, setup

    try:
        if args.teamdb_command == "setup":
            password = (
                _read_password(args.owner_password_file) if args.owner_password_file else None
            )
            report = setup(settings.db_url, owner_password=password)
            applied = ", ".join(report.migrations) or "none (up to date)"
            print(f"database {report.database}, schema {report.schema}")
            print(f"migrations applied as isdesk_owner: {applied}")
            print("row-level security on: " + ", ".join(report.protected))
            if report.unknown:
                print(
                    "no grants (isdesk does not know these tables): " + ", ".join(report.unknown),
                    file=sys.stderr,
                )
            print("next: isdesk teamdb grant NAME for every operator (--team T for the first lead)")
            return 0
        if args.operator_role and not args.team:
            raise UserError("--role registers an operator together with --team TEAM")
        password = None
        if args.password_file:
            password = _read_password(args.password_file)
        elif not args.no_password and not login_exists(settings.db_url, args.name):
            password = _prompt_password(args.name)
        result = grant(
            settings.db_url,
            args.name,
            password=password,
            team=args.team,
            role=args.operator_role,
            display_name=args.display_name,
        )
    except TeamDbError as error:
        raise UserError(str(error)) from None
    state = "created" if result.created else "exists"
    secret = ", password set" if result.password_set else ""
    print(f"login {result.login}: {state}{secret}, member of isdesk_user")
    if result.registered:
        print(f"operator {result.operator}: registered in team {args.team}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
