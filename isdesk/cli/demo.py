"""`isdesk demo`: a realistic demo database, built once and opened."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from isdesk.cli.common import UserError, load_rules_for, open_store, open_workstation
from isdesk.config.settings import Settings
from isdesk.rules import Rules


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``demo``."""
    demo = subparsers.add_parser(
        "demo", parents=[common], help="build a demo database of realistic leads and open it"
    )
    demo.add_argument("--leads", type=int, default=4000, help="how many leads (default 4000)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--rebuild", action="store_true", help="throw away and rebuild the demo")
    demo.add_argument("--no-open", action="store_true", help="build only, do not open the UI")


def default_db() -> Path:
    """The demo lives in its own file, apart from real data."""
    from isdesk.config.locations import demo_db_path

    return demo_db_path()


def run(args: argparse.Namespace, settings: Settings, rules: Rules | None) -> int:
    """Build the demo into an empty database (or rebuild it), then open the workstation."""
    from isdesk.config.locations import demo_db_path
    from isdesk.demo import DemoError, build_demo
    from isdesk.store.models import Lead

    rules = rules or load_rules_for(settings)
    if args.leads < 1:
        raise UserError("--leads: give a positive number of leads")
    if args.rebuild:
        if args.db:
            raise UserError("--rebuild only replaces the default demo file; drop your --db first")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{demo_db_path()}{suffix}").unlink(missing_ok=True)
    db = open_store(settings, creates=True)
    with db.connection_context():
        empty = not Lead.select().exists()
    if empty:
        print(f"isdesk: building {args.leads:,} demo leads in {settings.db_url} …", file=sys.stderr)
        try:
            summary = build_demo(
                leads=args.leads, seed=args.seed, me=settings.operator, rules=rules
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
    return open_workstation(settings, rules)
