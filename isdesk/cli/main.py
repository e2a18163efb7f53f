"""The `isdesk` command: parse, run one command module, map user mistakes to exit code 2.

Start-up order matters: the rules are validated before any database is opened, so a broken
rules file stops everything with a clear message and touches no data. Textual is imported only
when the workstation opens, keeping the other commands fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from isdesk.cli.common import (
    EXIT_USAGE,
    UserError,
    add_common_options,
    cli_settings,
    load_rules_for,
    open_workstation,
    refusal_message,
)
from isdesk.domain.text import printable
from isdesk.rules import RulesError

# Each command lives in a module with register(subparsers, common) and
# run(args, settings, rules) -> exit code; it imports what it needs only when run.
COMMAND_MODULES = {
    "demo": "isdesk.cli.demo",
    "rules": "isdesk.cli.rules",
    "operator": "isdesk.cli.operator",
    "export": "isdesk.cli.export",
    "import": "isdesk.cli.importer",
    "assign": "isdesk.cli.assign",
    "next": "isdesk.cli.assign",
    "team": "isdesk.cli.team",
    "teamdb": "isdesk.cli.teamdb",
    "report": "isdesk.cli.report",
    "log": "isdesk.cli.log",
    "campaign": "isdesk.cli.campaign",
}


# The common options that take a value (``--db URL``): skipped when looking for the command.
_VALUE_OPTIONS = ("--db", "--rules", "--as", "--lang")


def requested_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, or None (no command, ``--help``, or one isdesk lacks)."""
    tokens = iter(argv)
    for token in tokens:
        if token in _VALUE_OPTIONS:
            next(tokens, None)
        elif token in ("-h", "--help"):
            return None
        elif not token.startswith("-"):
            return token if token in COMMAND_MODULES or token == "open" else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line: common options, ``open`` and the command modules' parsers.

    Given ``argv`` that names a command, only that command's module is imported and
    registered: ``isdesk next`` does not pay for importing the exporters and the reports.
    Without one (``--help``, a typo), every module is, so the help lists them all.
    """
    parser = argparse.ArgumentParser(
        prog="isdesk", description="Keyboard-first inside-sales workstation (インサイドセールス)."
    )
    add_common_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, suppress=True)

    sub.add_parser("open", parents=[common], help="open the workstation (the default)")
    command = requested_command(argv) if argv is not None else None
    if command == "open":
        modules: list[str] = []
    elif command is not None:
        modules = [COMMAND_MODULES[command]]
    else:
        modules = list(dict.fromkeys(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``isdesk`` with ``argv`` (the process's arguments by default); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    from isdesk.store.url import DatabaseUrlError  # not store.db: peewee loads with the store

    warnings.showwarning = _show_warning
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe could no longer be quiet
        return code
    except BrokenPipeError:
        # `isdesk … | head`: the reader has what it wanted; nothing more to say, anywhere.
        _quiet_stdout()
        return 0
    except DatabaseUrlError as error:
        print(f"isdesk: --db {error}", file=sys.stderr)
        return EXIT_USAGE
    except RulesError as error:
        print(f"isdesk: rules error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        print(f"isdesk: {printable(str(error))}", file=sys.stderr)  # may quote a file's cell
        return EXIT_USAGE
    except Exception as error:
        # A database that refuses a write (read-only file, full disk, lost server) is the
        # machine's problem, not a bug: say what the database said and what to check.
        from peewee import DatabaseError

        if not isinstance(error, DatabaseError):
            raise
        import os

        refusal = refusal_message(error, getattr(args, "db", None) or os.environ.get("ISDESK_DB"))
        if refusal is not None:
            print(f"isdesk: {refusal}", file=sys.stderr)
            return EXIT_USAGE
        print(
            f"isdesk: the database refused: {str(error).strip() or type(error).__name__} — "
            "check the file's permissions and free disk space, or that the server is up",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """isdesk's own warnings (e.g. a calendar that runs out) as one plain line on stderr."""
    from isdesk.rules import CalendarHorizonWarning

    if issubclass(category, CalendarHorizonWarning):
        print(f"isdesk: warning: {message}", file=file or sys.stderr)
        return
    _default_show_warning(message, category, filename, lineno, file, line)


_default_show_warning = warnings.showwarning


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "open"
    if command not in COMMAND_MODULES:
        return open_workstation(cli_settings(args))
    module = importlib.import_module(COMMAND_MODULES[command])
    default_db = getattr(module, "default_db", None)
    settings = cli_settings(args, default_db=default_db() if default_db else None)
    rules = load_rules_for(settings) if getattr(module, "NEEDS_RULES", True) else None
    return int(module.run(args, settings, rules))
