"""`isdesk report KIND`: the long view — periods, cohorts, campaigns, funnel, stages, forecast,
and the customers' voice (顧客の声).

``register`` adds the sub-commands; ``run`` opens the database and prints or writes the
report. Arguments are checked before the database is opened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from isdesk.cli.common import UserError, emit, open_store
from isdesk.config.settings import Settings
from isdesk.rules import Rules

KINDS = ("periods", "cohorts", "campaigns", "funnel", "stages", "forecast", "voice")
FORMATS = ("table", "csv", "xlsx", "json")


def _output_options() -> argparse.ArgumentParser:
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument(
        "--format", choices=FORMATS, default="table",
        help="table (default), csv (one table), xlsx (every table, a sheet each; needs -o), json",
    )  # fmt: skip
    out.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600)")
    out.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="run on the history before this local day (a past view; forecast: a backtest)",
    )
    out.add_argument(
        "--table", metavar="NAME", help="csv: which of the report's tables (default the first)"
    )
    out.add_argument(
        "--limit", type=int, default=30, help="table: rows per list (default 30, 0 = all)"
    )
    return out


def _period_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help=f"first day {what}")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help=f"last day {what}")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from isdesk.analytics.cohorts import MILESTONES
    from isdesk.analytics.periods import BY_CHOICES, PER_CHOICES

    report = subparsers.add_parser(
        "report", parents=[common], help="long-view reports: periods, cohorts, funnel, forecast …"
    )
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    parents = [common, _output_options()]

    periods = kinds.add_parser(
        "periods",
        parents=parents,
        help="month / quarter / fiscal-year counts: leads, contacts, appointments, SQLs …",
    )
    periods.add_argument("--by", choices=BY_CHOICES, default="month")
    periods.add_argument("--per", choices=PER_CHOICES, default="none")
    _period_options(periods, "(events in the period)")

    cohorts = kinds.add_parser(
        "cohorts", parents=parents, help="acquisition-month cohorts, months since acquisition"
    )
    _period_options(cohorts, "(of the acquisition months; default the last 12)")
    cohorts.add_argument("--months", type=int, default=12, help="columns 0..N (default 12)")
    cohorts.add_argument(
        "--milestone", choices=MILESTONES, default="appointment", help="table: which triangle"
    )

    campaigns = kinds.add_parser(
        "campaigns", parents=parents, help="each campaign against its type's average"
    )
    _period_options(campaigns, "(lead acquisition)")
    campaigns.add_argument(
        "--kind",
        dest="campaign_kind",
        help="list only campaigns of this type (the (all) average is still every campaign)",
    )

    funnel = kinds.add_parser(
        "funnel", parents=parents, help="stage funnel, conversion rates and the weakest step"
    )
    _period_options(funnel, "(lead acquisition)")
    funnel.add_argument("--cohort", metavar="YYYY-MM", help="one acquisition month instead")

    stages = kinds.add_parser(
        "stages", parents=parents, help="time in each stage, stalled and stale leads"
    )
    stages.add_argument("--stalled-days", type=int, default=60, help="default 60")
    stages.add_argument("--stale-days", type=int, default=90, help="default 90")

    forecast = kinds.add_parser(
        "forecast", parents=parents, help="expected SQLs, orders and order value, with a range"
    )
    forecast.add_argument("--months", type=int, default=3, help="1–6 (default 3)")
    forecast.add_argument("--lookback", type=int, default=12, help="months of history (12)")
    forecast.add_argument("--seed", type=int, default=42, help="Monte Carlo seed (42)")
    forecast.add_argument("--runs", type=int, default=500, help="Monte Carlo runs (500)")
    forecast.add_argument(
        "--default-value",
        type=int,
        default=None,
        metavar="YEN",
        help="order value of a lead without amount or budget (default 1,000,000)",
    )
    forecast.add_argument(
        "--no-arrivals", action="store_true", help="only the leads already there at as_of"
    )
    forecast.add_argument(
        "--coverage",
        type=int,
        default=6,
        metavar="N",
        help="backtest the past N months to calibrate the range and report how often it held "
        "(default 6, 0 = the raw simulated range)",
    )

    voice = kinds.add_parser(
        "voice", parents=parents, help="顧客の声: the notes tagged as the customer's own words"
    )
    _period_options(voice, "(of the notes)")
    voice.add_argument("--campaign", dest="voice_campaign", metavar="NAME", help="one campaign")
    voice.add_argument("--product", metavar="TEXT", help="product of interest containing TEXT")
    voice.add_argument("--by", dest="voice_operator", metavar="LOGIN", help="one operator's notes")
    voice.add_argument("--search", metavar="TEXT", help="TEXT in the note, company or product")


def _date(text: str | None, option: str) -> dt.date | None:

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: {text!r} is not a date; write YYYY-MM-DD") from None


def _month(text: str | None, option: str) -> dt.date | None:

    if text is None:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise UserError(f"{option}: {text!r} is not a month; write YYYY-MM") from None


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """Run ``isdesk report KIND``; user mistakes raise ``UserError``."""

    kind = args.report_kind
    as_of_day = _date(args.as_of, "--as-of")
    today = dt.datetime.now(rules.calendar.zone).date()
    if as_of_day is not None and as_of_day > today:
        raise UserError(
            f"--as-of {as_of_day} is in the future (today is {today}): a report sees only what "
            "has happened; give a past day, or leave --as-of out for now"
        )
    start = _date(getattr(args, "start", None), "--from")
    end = _date(getattr(args, "end", None), "--to")
    if start and end and end < start:
        raise UserError(f"--to {end} is before --from {start}")
    cohort = _month(getattr(args, "cohort", None), "--cohort")
    if cohort and (start or end):
        raise UserError("--cohort replaces --from/--to: give one or the other")
    if kind == "forecast" and not 1 <= args.months <= 6:
        raise UserError("--months: forecast 1 to 6 months ahead")
    if kind == "cohorts" and not 0 <= args.months <= 60:
        raise UserError("--months: 0 to 60 columns")
    if kind == "forecast" and (args.runs < 1 or args.runs > 100_000 or args.lookback < 1):
        raise UserError("--runs: 1 to 100000; --lookback: at least 1 month")
    if kind == "forecast" and not 0 <= args.coverage <= 36:
        raise UserError("--coverage: 0 to 36 months of backtests")
    if kind == "stages" and (args.stalled_days < 0 or args.stale_days < 0):
        raise UserError("--stalled-days / --stale-days: zero or more days")
    if args.limit < 0:
        raise UserError("--limit: zero (all) or more rows")
    if args.format == "xlsx" and not args.output:
        raise UserError("--format xlsx: give -o FILE.xlsx (a workbook is not for a terminal)")
    if args.format == "xlsx" and args.table:
        raise UserError("--table: a workbook holds every table; drop --table or use --format csv")
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UserError(f"-o: the folder {output.parent} does not exist")

    from isdesk.analytics import build_report
    from isdesk.analytics.history import History, local_midnight
    from isdesk.analytics.render import render_csv, render_json, render_text, render_xlsx

    db = open_store(settings)
    from isdesk.services.operators import find_operator

    # The long view spans every operator's leads: it is the team lead's, as on the R screen.
    actor = find_operator(settings.operator)
    if actor is None or not actor.is_lead or not actor.active:
        raise UserError(
            f"reports are for team leads: {settings.operator!r} is not one here (use --as LEAD)"
        )
    as_of = local_midnight(as_of_day, rules) if as_of_day else None
    options: dict[str, object] = {}
    if kind == "periods":
        options = {"by": args.by, "per": args.per, "start": start, "end": end}
    elif kind == "cohorts":
        options = {"first": start, "last": end, "months": args.months}
    elif kind == "campaigns":
        options = {"start": start, "end": end, "kind": args.campaign_kind}
    elif kind == "funnel":
        options = {"start": start, "end": end, "cohort": cohort}
    elif kind == "stages":
        options = {"stalled_days": args.stalled_days, "stale_days": args.stale_days}
    elif kind == "voice":
        options = {
            "start": start,
            "end": end,
            "campaign": args.voice_campaign,
            "product": args.product,
            "operator": args.voice_operator,
            "search": args.search,
        }
    elif kind == "forecast":
        options = {
            "months": args.months,
            "lookback": args.lookback,
            "runs": args.runs,
            "seed": args.seed,
            "arrivals": not args.no_arrivals,
            "coverage": args.coverage,
        }
        if args.default_value is not None:
            if args.default_value < 0:
                raise UserError("--default-value: zero or more yen")
            options["default_value"] = args.default_value
    with db.connection_context():
        history = History(rules, as_of)
        if kind == "forecast" and as_of is not None:
            options["actual"] = History(rules, None)
        try:
            report = build_report(kind, history, **options)
        except ValueError as error:
            raise UserError(str(error)) from None
    if args.format == "json":
        data = render_json(report)
    elif args.format == "xlsx":
        data = render_xlsx(report)
    elif args.format == "csv":
        try:
            data = render_csv(report, args.table)
        except KeyError as error:
            raise UserError(f"--table {error.args[0]}") from None
    else:
        chosen = None
        if kind == "cohorts":
            chosen = ["summary", args.milestone, args.milestone + "_pct"]
        elif args.table:
            chosen = [args.table]
        try:
            data = render_text(report, chosen, args.limit or None).encode("utf-8")
        except KeyError as error:
            raise UserError(f"--table {error.args[0]}") from None
    if not emit(data, output):
        return 0
    print(f"isdesk: wrote the {kind} report to {output}", file=sys.stderr)
    return 0
