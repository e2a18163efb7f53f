"""`isdesk team show [--team T] --format table|json`: the team view's numbers on the CLI."""

from __future__ import annotations

import argparse
import json

from isdesk.cli.common import UserError, open_store
from isdesk.config.settings import Settings
from isdesk.domain.text import cell_width, printable_field
from isdesk.rules import Rules


def register(subparsers, common: argparse.ArgumentParser) -> None:
    team = subparsers.add_parser("team", parents=[common], help="team leads: load and results")
    team_sub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    show = team_sub.add_parser("show", parents=[common], help="print the team view")
    show.add_argument("--team", dest="team_name", help="team (default: your own)")
    show.add_argument("--format", dest="team_format", choices=("table", "json"), default="table")


def _pad(text: str, width: int) -> str:
    text = printable_field(text)
    return text + " " * max(width - cell_width(text), 0)


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    from isdesk.domain.kpi import local_day
    from isdesk.i18n import to_local
    from isdesk.services.operators import resolve_actor
    from isdesk.services.team import TeamAccessError, team_overview, visible_teams
    from isdesk.store.db import utcnow

    open_store(settings)
    actor = resolve_actor(settings.operator)
    now = utcnow()
    try:
        teams = [args.team_name] if args.team_name else visible_teams(actor)[:1]
        overviews = [
            team_overview(actor, t, rules, local_day(now, rules.calendar), now) for t in teams
        ]
    except TeamAccessError as error:
        raise UserError(str(error)) from None
    if args.team_format == "json":
        print(json.dumps([o.to_json() for o in overviews], ensure_ascii=False, indent=2))
        return 0
    header = (
        "operator",
        "open/cap",
        "A/B/C/D",
        "today",
        "tier",
        "SQL(Q)",
        "rank-ups",
        "rejected",
        "last activity",
    )
    widths = (22, 10, 14, 12, 10, 7, 9, 9, 17)
    for overview in overviews:
        print(f"# team {overview.team}")
        print("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)))
        for row in overview.rows:
            load = row.load
            ranks = "/".join(str(load.open_by_rank.get(r, 0)) for r in rules.rank_names)
            cells = (
                f"{load.display_name} ({load.name})"[:40],
                f"{load.open_leads}/{load.cap}{' !' if load.over_cap else ''}",
                ranks,
                f"{row.today_volume}/{row.daily_lines.expected}",
                row.today_tier,
                str(row.sql_quarter),
                str(row.rank_ups),
                str(row.rejected),
                to_local(row.last_activity_at).strftime("%Y-%m-%d %H:%M")
                if row.last_activity_at
                else "-",
            )
            print("  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)))
        for group in overview.groups:
            oldest = f", oldest {group.oldest_wait_days} days" if group.depth else ""
            print(f"unassigned {group.name}: {group.depth}{oldest}")
    return 0
