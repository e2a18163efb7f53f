"""The long view (R, team leads): periods, cohorts, campaigns, funnel, stage times, forecast.

Each report is a tab built on first view from the append-only history (isdesk.analytics), in
a worker; the history is loaded once per screen and shared by the tabs. Tables show what
`isdesk report` prints; `x` writes the current tab's main table as an Excel CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, Static, TabbedContent, TabPane

from isdesk.i18n import tr
from isdesk.services.context import WorkContext
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.worker_errors import ReportsWorkerErrors

MAX_ROWS = 200
REPORT_KINDS = ("periods", "cohorts", "campaigns", "funnel", "stages", "forecast", "voice")
# What each tab shows by default; the CLI (`isdesk report KIND --help`) has every option.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "periods": {"by": "month", "per": "none"},
    "cohorts": {"months": 12},
    "funnel": {},
    "campaigns": {},
    "stages": {},
    "forecast": {"months": 6},
    "voice": {},  # every note, newest first; `isdesk report voice` filters
}


class ReportsScreen(ReportsWorkerErrors, Screen[None]):
    HELP_KIND = "reports"
    BINDINGS = [
        Binding("x", "export", "reports.export", id="reports.export"),
        Binding("r", "refresh", "kpi.refresh", id="reports.refresh"),
        Binding("escape,R", "back", "kpi.back", id="reports.back"),
    ]

    class Built(Message):
        def __init__(self, kind: str, report: Any) -> None:
            self.kind = kind
            self.report = report
            super().__init__()

    class Exported(Message):
        def __init__(self, path: Path) -> None:
            self.path = path
            super().__init__()

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__()
        localize_bindings(self)
        self.ctx = ctx
        self.reports: dict[str, Any] = {}
        self._history: Any = None

    def compose(self) -> ComposeResult:
        yield Static(tr("reports.title"), id="queue-title")
        with TabbedContent(id="report-tabs"):
            for kind in REPORT_KINDS:
                with TabPane(tr(f"reports.{kind}"), id=f"report-{kind}"):
                    if kind == "voice":  # marketing reads the voice by campaign, product, words
                        yield Input(placeholder=tr("reports.voice_filter"), id="voice-filter")
                    yield VerticalScroll(Static(tr("kpi.loading")), classes="report-body")
        yield Footer()

    @property
    def current_kind(self) -> str:
        active = self.query_one(TabbedContent).active or "report-periods"
        return active.removeprefix("report-")

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        if self.current_kind not in self.reports:
            self._build(self.current_kind)

    def on_mount(self) -> None:
        self._build(self.current_kind)

    def action_refresh(self) -> None:
        self._history = None  # read the history again
        self.reports.clear()
        self._build(self.current_kind)

    @on(Input.Changed, "#voice-filter")
    def _voice_filter(self, event: Input.Changed) -> None:
        self._build("voice", search=event.value.strip() or None)

    @work(thread=True, exclusive=True, group="reports-build", exit_on_error=False)
    def _build(self, kind: str, **options: Any) -> None:
        from isdesk.analytics import History, build_report

        db = self.ctx.db
        with db.connection_context():
            if self._history is None:
                self._history = History(self.ctx.rules)
            report = build_report(kind, self._history, **{**DEFAULT_OPTIONS[kind], **options})
        self.post_message(self.Built(kind, report))

    async def on_reports_screen_built(self, message: Built) -> None:
        from isdesk.analytics.render import format_cell
        from isdesk.analytics.report import BAR, PCT, TEXT
        from isdesk.widgets.report_charts import TrendLine, heat_style

        self.reports[message.kind] = message.report
        body = self.query_one(f"#report-{message.kind} .report-body", VerticalScroll)
        await body.remove_children()
        widgets: list[Widget] = []
        for table in message.report.tables():
            widgets.append(Static(Text(table.title, style="bold"), classes="section-title"))
            grid: DataTable[Text] = DataTable(zebra_stripes=True, cursor_type="row")
            grid.add_columns(*[c.label for c in table.columns])
            # DataTable costs ~0.4 ms a row: a long list (stale leads) shows its head here and
            # in full through `isdesk report … --format csv`.
            # A cohort's shares are a heat map: the cells shaded by the share behind the number.
            heat = message.kind == "cohorts" and table.key.endswith("_pct")
            shares = [v for r in table.rows for v in r if isinstance(v, float)] if heat else []
            top = max(shares, default=0.0)
            for row in table.rows[:MAX_ROWS]:
                grid.add_row(
                    *[
                        Text(
                            format_cell(v, c.kind),
                            justify="left" if c.kind in (TEXT, BAR) else "right",
                            style=heat_style(v, top) if heat and c.kind == PCT else "",
                        )
                        for v, c in zip(row, table.columns, strict=True)
                    ]
                )
            grid.styles.height = min(len(table.rows) + 2, 24)
            widgets.append(grid)
            if len(table.rows) > MAX_ROWS:
                more = tr("reports.more", count=len(table.rows) - MAX_ROWS, kind=message.kind)
                widgets.append(Static(Text(more, style="italic"), classes="report-note"))
            if table.note:
                widgets.append(Static(Text(table.note, style="italic"), classes="report-note"))
        for label, series in message.report.sparklines():
            widgets.append(TrendLine(label, series))
        await body.mount_all(widgets)

    def action_export(self) -> None:
        report = self.reports.get(self.current_kind)
        if report is not None:
            self._export(self.current_kind, report)

    @work(thread=True, exit_on_error=False)
    def _export(self, kind: str, report: Any) -> None:
        from isdesk.analytics.render import render_csv
        from isdesk.config.locations import data_dir, make_private_dir
        from isdesk.export.writer import write_private_file

        folder = data_dir() / "exports"
        make_private_dir(folder)
        path = folder / f"isdesk-report-{kind}-{self.ctx.today().isoformat()}.csv"
        write_private_file(path, render_csv(report))
        self.post_message(self.Exported(path))

    def on_reports_screen_exported(self, message: Exported) -> None:
        self.notify(tr("kpi.exported", path=str(message.path)), timeout=10)

    def action_back(self) -> None:
        self.dismiss()
