"""The personal KPI screen (K): today and the quarter against the team's three lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Sparkline, Static

from isdesk.config.locations import data_dir, make_private_dir
from isdesk.domain.kpi import ACTIVITY_KINDS
from isdesk.export.daily import daily_export
from isdesk.export.writer import render, write_new_private_file
from isdesk.i18n import current_language, short_day, tr
from isdesk.screens.base import BaseScreen
from isdesk.services.context import WorkContext
from isdesk.services.scorecard import Scorecard, operator_scorecard
from isdesk.widgets.labels import team_label
from isdesk.widgets.target_bar import TargetBar
from isdesk.widgets.toast_text import path_lines

REFRESH_SECONDS = 15.0


class KpiScreen(BaseScreen):
    HELP_KIND = "kpi"
    BINDINGS = [
        Binding("escape,K", "back", "kpi.back", id="kpi.back"),
        Binding("r", "refresh", "kpi.refresh", id="kpi.refresh"),
        Binding("x", "export", "kpi.export", id="kpi.export"),
        Binding("X", "export_crm", "kpi.export_crm", id="kpi.export_crm"),
    ]

    @dataclass
    class Exported(Message):
        path: Path

    @dataclass
    class CrmExported(Message):
        count: int
        paths: tuple[Path, ...]

    @dataclass
    class Loaded(Message):
        card: Scorecard

    def __init__(self, ctx: WorkContext, operator: str | None = None) -> None:
        super().__init__(ctx)
        self.operator = operator or ctx.actor.name
        self.card: Scorecard | None = None

    def compose(self) -> ComposeResult:
        yield Static(tr("kpi.loading"), id="kpi-title")
        with VerticalScroll(id="kpi-body"):
            yield Static(tr("kpi.today"), classes="section-title")
            yield Static(id="kpi-today-counts")
            yield TargetBar(id="kpi-today-bar")
            yield Static(tr("kpi.quarter"), classes="section-title", id="kpi-quarter-title")
            yield TargetBar(id="kpi-quarter-bar")
            yield Static(id="kpi-quarter-pace")
            yield Static(tr("kpi.sql"), classes="section-title")
            yield Static(id="kpi-sql")
            yield TargetBar(id="kpi-sql-bar")
            yield Static(tr("kpi.marker"), id="kpi-marker")
            yield Static(tr("kpi.contribution"), classes="section-title")
            yield Static(id="kpi-contribution")
            yield Static(tr("kpi.rank_ups"), classes="section-title")
            yield Static(id="kpi-rank-ups")
            yield Static(tr("kpi.rejected"), classes="section-title")
            yield Static(id="kpi-rejected")
            yield Static(tr("kpi.trend"), classes="section-title")
            yield Sparkline([], id="kpi-trend")
            yield Static(id="kpi-trend-range")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def on_screen_resume(self) -> None:
        # Also fires when the screen is first shown: one load, then on every return.
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss()

    def action_export(self) -> None:
        self._export()

    @work(thread=True, group="kpi-export", exit_on_error=False)
    def _export(self) -> None:
        """Today's daily log as Excel CSV (a lead gets the team's), like `isdesk export daily`."""
        ctx = self.ctx
        ctx.saver.flush(timeout=2)
        day = ctx.today()
        export = daily_export(ctx.actor, day, ctx.rules)
        folder = data_dir() / "exports"
        make_private_dir(folder)
        language = current_language()
        path = folder / f"isdesk-daily-{day.isoformat()}-{ctx.actor.name}-{language}.csv"
        # A second export keeps the first (…-2.csv): nothing is replaced without asking.
        path = write_new_private_file(path, render(export, "csv", lang=language))
        self.post_message(self.Exported(path))

    def on_kpi_screen_exported(self, message: Exported) -> None:
        self.notify(tr("kpi.exported", path="\n" + path_lines(message.path)), timeout=10)

    def action_export_crm(self) -> None:
        self._export_crm()

    @work(thread=True, group="kpi-export", exit_on_error=False)
    def _export_crm(self) -> None:
        """The live hand-offs as Salesforce and HubSpot import files, like
        `isdesk export leads --handed-off --mapping …` (a lead gets the team's)."""
        from isdesk.export.crm import render_leads
        from isdesk.export.leads import lead_export

        ctx = self.ctx
        ctx.saver.flush(timeout=2)
        export = lead_export(ctx.actor, ctx.rules, handed_off=True)
        folder = data_dir() / "exports"
        make_private_dir(folder)
        stem = f"isdesk-handoffs-{ctx.today().isoformat()}-{ctx.actor.name}"
        paths = []
        for mapping in ("salesforce", "hubspot"):
            path = folder / f"{stem}-{mapping}.csv"
            data = render_leads(export, mapping, "csv", current_language())
            paths.append(write_new_private_file(path, data))  # never over an earlier one
        self.post_message(self.CrmExported(len(export.leads), tuple(paths)))

    def on_kpi_screen_crm_exported(self, message: CrmExported) -> None:
        shown = "\n".join(p.name for p in message.paths)
        folder = path_lines(message.paths[0]).split("\n", 1)[1] if message.paths else ""
        paths = f"\n{shown}\n{folder}"
        self.notify(tr("kpi.crm_exported", count=message.count, paths=paths), timeout=10)

    @work(thread=True, exclusive=True, group="kpi-load", exit_on_error=False)
    def _load(self) -> None:
        ctx = self.ctx
        ctx.saver.flush(timeout=2)  # count what was just logged
        card = operator_scorecard(ctx.actor, self.operator, ctx.today(), ctx.rules)
        self.post_message(self.Loaded(card))

    def on_kpi_screen_loaded(self, message: Loaded) -> None:
        card = self.card = message.card
        quarter = card.quarter
        self.query_one("#kpi-title", Static).update(
            Text(
                f"{tr('kpi.title')}  {card.display_name} ({team_label(card.team)})  "
                f"{short_day(card.today)}  "
                f"{tr('kpi.fiscal', year=quarter.fiscal_year, number=quarter.number)} "
                f"({quarter.start:%m/%d}–{quarter.end:%m/%d})"
            )
        )
        counts = Text()
        for kind in ACTIVITY_KINDS:
            counts.append(f"{tr(f'kind.{kind}')} ", style="bold")
            counts.append(f"{card.today_counts.get(kind, 0)}")
            if kind == "call":
                counts.append(f" ({tr('outcome.connected')} {card.today_connected})")
            counts.append("   ")
        self.query_one("#kpi-today-counts", Static).update(counts)
        self.query_one("#kpi-today-bar", TargetBar).show(
            card.today_volume, card.daily_lines, card.today_tier
        )
        pace = card.quarter_projection
        self.query_one("#kpi-quarter-bar", TargetBar).show(
            card.quarter_volume, card.quarter_lines, card.quarter_tier, projected=pace.projected
        )
        pace_text = tr(
            "kpi.pace",
            rate=pace.run_rate,
            projected=pace.projected,
            tier=tr(f"tier.{pace.projected_tier}"),
            elapsed=pace.elapsed_working_days,
            total=pace.total_working_days,
        )
        needed = pace.needed_per_day_for.get("expected", 0.0)
        if needed > 0:
            pace_text += "  ·  " + tr("kpi.needed", per_day=needed)
        self.query_one("#kpi-quarter-pace", Static).update(Text(pace_text))
        self.query_one("#kpi-sql", Static).update(
            Text(
                tr(
                    "kpi.sql_counts",
                    today=card.sql_today,
                    week=card.sql_week,
                    quarter=card.sql_quarter,
                )
            )
        )
        self.query_one("#kpi-sql-bar", TargetBar).show(
            card.sql_quarter,
            card.sql_lines,
            card.sql_tier,
            projected=card.sql_projection.projected,
        )
        self.query_one("#kpi-contribution", Static).update(
            Text(
                tr(
                    "kpi.contribution_line",
                    orders=card.orders_quarter,
                    value=card.order_value_quarter,
                )
            )
        )
        detail = "  ".join(f"{k} {v}" for k, v in card.rank_up_detail.items())
        self.query_one("#kpi-rank-ups", Static).update(
            Text(
                tr(
                    "kpi.rank_ups_line",
                    leads=card.rank_up_leads,
                    steps=card.rank_up_steps,
                    detail=detail,
                )
            )
        )
        rejected = self.query_one("#kpi-rejected", Static)
        rejected.update(Text(f"−{card.rejected}" if card.rejected else "0"))
        rejected.set_class(card.rejected > 0, "-negative")
        values = [float(v) for _, v in card.trend]
        self.query_one("#kpi-trend", Sparkline).data = values
        if card.trend:
            first, last = card.trend[0][0], card.trend[-1][0]
            self.query_one("#kpi-trend-range", Static).update(
                Text(
                    tr(
                        "kpi.range",
                        first=f"{first:%m/%d}",
                        last=f"{last:%m/%d}",
                        low=f"{min(values):.0f}",
                        high=f"{max(values):.0f}",
                    )
                )
            )
