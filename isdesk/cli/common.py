"""What every `isdesk` command shares: the common options, user errors, opening the store,
finding the acting operator and writing output.

A command module (``isdesk.cli.<name>``) has ``register(subparsers, common)`` and
``run(args, settings, rules) -> int``; it raises ``UserError`` for a mistake the user can fix
and imports what it needs only when it runs, so ``isdesk --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from isdesk.config.settings import Settings, resolve_settings
from isdesk.i18n import set_language
from isdesk.rules import Rules

EXIT_USAGE = 2


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback, exit code 2."""


def add_common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--db, --rules, --as and --lang; ``suppress`` keeps unset ones out of a sub-command's args."""
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
        "--create",
        action="store_true",
        default=default if suppress else False,
        help="make a new SQLite database even where its folder does not exist yet",
    )
    parser.add_argument(
        "--lang",
        choices=("ja", "en"),
        default=default,
        help="UI language (env ISDESK_LANG; default: from the locale)",
    )


def cli_settings(args: argparse.Namespace, default_db: Path | None = None) -> Settings:
    """Settings from the flags, then the environment, then the settings file; sets the UI
    language for the process. A mistake in the settings file is a UserError (file:line)."""
    from isdesk.config.settings import SettingsError

    try:
        settings = resolve_settings(
            db=args.db,
            rules=args.rules,
            operator=args.operator,
            language=args.lang,
            default_db=default_db,
            create=bool(getattr(args, "create", False)),
        )
    except SettingsError as error:
        raise UserError(f"settings error: {error}") from None
    set_language(settings.language)
    return settings


def load_rules_for(settings: Settings) -> Rules:
    """The rules file the settings name (the shipped one by default), validated: by this start,
    or by an earlier one of the same file and the same isdesk (:mod:`isdesk.rules.cache`, in
    the data folder), which spares a frequent command PyYAML and the checks."""
    from isdesk.config.locations import data_dir
    from isdesk.rules.cache import cached_rules

    return cached_rules(settings.rules_path, data_dir() / "cache")


def open_store(settings: Settings, *, creates: bool = False):
    """Open and upgrade the database; a user mistake becomes a UserError.

    A SQLite file named by --db / ISDESK_DB in a folder that does not exist is a typo far more
    often than a wish for a new, empty database: refused unless the command makes databases
    (``creates``, e.g. ``demo``) or the user says so with ``--create``.
    """
    from isdesk.store.url import DatabaseUrlError, parse_database_url

    try:
        target = parse_database_url(settings.db_url)
    except DatabaseUrlError as error:
        raise UserError(f"--db {error}") from None
    if target.is_sqlite:
        _load_peewee_without_psycopg2()
    from peewee import OperationalError, ProgrammingError

    from isdesk.store.db import open_database
    from isdesk.store.schema import SchemaTooNewError, upgrade

    try:
        if (
            target.is_sqlite
            and settings.db_given
            and not (creates or settings.create)
            and target.path is not None
            and not target.path.parent.exists()  # (a file in its place: the open says so)
        ):
            raise UserError(
                f"{target.path.parent} does not exist: check the --db path "
                f"({settings.db_url}), or add --create to make a new database there"
            )
        db = open_database(settings.db_url)
        upgrade(db)
    except DatabaseUrlError as error:
        raise UserError(f"--db {error}") from None
    except SchemaTooNewError as error:
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


def _load_peewee_without_psycopg2() -> None:
    """Import peewee without the PostgreSQL driver, for a process that opens a SQLite file.

    peewee imports psycopg2 whenever it is installed: about 20 ms of every start, more than the
    claim of `isdesk next` takes, for a driver a SQLite command never uses. It is hidden only
    while peewee loads and stays importable afterwards (``isdesk teamdb`` uses it directly);
    a peewee PostgreSQL database in this same process would then be refused by
    :func:`isdesk.store.db.open_database`, with that reason. Each command opens one database.
    """
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return  # loaded already (a test, an earlier command in this process): nothing to spare
    sys.modules["psycopg2"] = None  # type: ignore[assignment]  # `import psycopg2` fails
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


def open_workstation(settings: Settings, rules: Rules | None = None) -> int:
    rules = rules or load_rules_for(settings)
    db = open_store(settings)
    from isdesk.services.operators import OperatorError, resolve_actor

    try:
        actor = resolve_actor(settings.operator, first_team=first_team(rules))
    except OperatorError as error:
        raise UserError(str(error)) from None
    from isdesk.app import IsdeskApp, check_appearance
    from isdesk.services.context import WorkContext

    wrong = check_appearance(settings.theme, settings.keymap)
    if wrong is not None:
        key, message = wrong
        saved = settings.file
        where = f"{saved.path}:{saved.lines.get(key, '')}" if saved.path else "ISDESK_THEME"
        raise UserError(f"settings error: {where.rstrip(':')}: {key}: {message}")
    ctx = WorkContext(
        db=db,
        rules=rules,
        actor=actor,
        dial_command=settings.dial_command,
        theme=settings.theme,
        keymap=dict(settings.keymap),
    )
    IsdeskApp(ctx).run()
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


def first_team(rules: Rules) -> str:
    """The team a brand-new database's first user joins: the first one the rules route to."""
    for group in rules.assignment.groups:
        team = getattr(group.operators, "team", None)
        if team:
            return team
    return "default"


def refusal_message(error: BaseException, db_url: str | None) -> str | None:
    """The one line for a database's refusal by its access rules (team mode's roles), naming
    the login, its isdesk role and what it may not do; None when ``error`` is not one."""
    import re

    # peewee re-raises the driver's error as its own; the driver's is the one with the code.
    candidates = (error, error.__cause__, error.__context__, *(error.args[:1]))
    orig = next((e for e in candidates if getattr(e, "pgcode", None)), None)
    if getattr(orig, "pgcode", None) != "42501":  # insufficient_privilege
        return None
    from isdesk.config.settings import login_of

    text = (getattr(orig, "pgerror", None) or str(orig)).strip().splitlines()[0]
    text = text.removeprefix("ERROR:").strip()
    query = getattr(getattr(orig, "cursor", None), "query", None) or b""
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    verb = (query.split() or ["change"])[0].upper()
    table = re.search(r'(?:table|relation) "?([\w.]+)"?', text)
    if "row-level security" in text and table:
        what = f"{verb} this row of {table.group(1)} (not one its role may write)"
    elif table:
        what = f"{verb} {table.group(1)}"
    else:
        what = text
    login = login_of(db_url or "") or "this login"
    role = _role_of(login)
    who = f"login {login}" + (f" ({role})" if role else "")
    return (
        f"the team database refuses {who}: it may not {what} ({text}) — the README's role "
        "table lists what each role may do; imports and other owner's work need the "
        "isdesk_owner login"
    )


def _role_of(login: str) -> str:
    """The isdesk role of ``login``'s operator, or "" (inactive, unknown, or unreadable)."""
    try:
        from isdesk.services.operators import find_operator

        actor = find_operator(login)
    except Exception:  # the refusal is what matters; the role is a courtesy
        return ""
    if actor is None:
        return "not an isdesk operator"
    return actor.role if actor.active else f"{actor.role}, deactivated"
