"""The long view (R, team leads): periods, cohorts, campaigns, funnel, stage times, forecast.

Each report is a tab built on first view from the append-only history (isdesk.analytics), in
a worker; the history is loaded once per screen and shared by the tabs. Tables show what
`isdesk report` prints; `x` writes the current tab's main table as an Excel CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, Static, TabbedContent, TabPane, Tabs

from isdesk.i18n import tr
from isdesk.screens.base import BaseScreen
from isdesk.services.context import WorkContext
from isdesk.widgets.labels import campaign_type_label, stage_label, status_label, team_label
from isdesk.widgets.toast_text import path_lines

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


# Columns whose cells are ids: how each is shown (raw stage keys are left out when the
# report also carries their label).
_LABELLED_ELSEWHERE = "label"


class ReportsScreen(BaseScreen):
    HELP_KIND = "reports"
    BINDINGS = [
        Binding("x", "export", "reports.export", id="reports.export"),
        # From the voice tab's filter box too, where x is a letter of the filter.
        Binding("ctrl+s", "export", "reports.export", priority=True, show=False),
        Binding("r", "refresh", "kpi.refresh", id="reports.refresh"),
        Binding("escape,R", "back", "kpi.back", id="reports.back"),
        Binding("right,l", "next_tab", "reports.next_tab", show=False, id="reports.next_tab"),
        Binding("left,h", "previous_tab", "reports.prev_tab", show=False, id="reports.prev_tab"),
    ]

    @dataclass
    class Built(Message):
        kind: str
        report: Any

    @dataclass
    class Exported(Message):
        path: Path

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__(ctx)
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
            keys = [c.key for c in table.columns]
            shown = [
                i
                for i, c in enumerate(table.columns)
                if not (c.key == "stage" and _LABELLED_ELSEWHERE in keys)
            ]
            grid.add_columns(*[table.columns[i].label for i in shown])
            # DataTable costs ~0.4 ms a row: a long list (stale leads) shows its head here and
            # in full through `isdesk report … --format csv`.
            # A cohort's shares are a heat map: the cells shaded by the share behind the number.
            heat = message.kind == "cohorts" and table.key.endswith("_pct")
            shares = [v for r in table.rows for v in r if isinstance(v, float)] if heat else []
            top = max(shares, default=0.0)
            for row in table.rows[:MAX_ROWS]:
                cells = []
                for i in shown:
                    column, value = table.columns[i], row[i]
                    text = self._label(column.key, value) or format_cell(value, column.kind)
                    left = column.kind in (TEXT, BAR)
                    heated = heat and column.kind == PCT
                    style = heat_style(value, top) if heated else ""
                    cells.append(Text(text, justify="left" if left else "right", style=style))
                grid.add_row(*cells)
            grid.styles.height = min(len(table.rows) + 2, 24)
            widgets.append(grid)
            if len(table.rows) > MAX_ROWS:
                more = tr("reports.more", count=len(table.rows) - MAX_ROWS, kind=message.kind)
                widgets.append(Static(Text(more, style="italic"), classes="report-note"))
            if table.note:
                widgets.append(Static(Text(table.note, style="italic"), classes="report-note"))
        for label, series in message.report.sparklines():
            widgets.append(TrendLine(self._label("group", label) or label, series))
        await body.mount_all(widgets)

    def _label(self, column: str, value: object) -> str:
        """The label of an id cell (stage, status, campaign type, team, operator), else ''."""
        if not isinstance(value, str) or not value:
            return ""
        rules = self.ctx.rules
        if column in ("stage", "from", "state"):
            key, dot, age = value.partition("·")  # the forecast's states: "proposal·2+"
            if key in rules.stages.keys:
                return stage_label(rules, key) + dot + age
        if column == "status":
            return status_label(value)
        if column == "kind":
            return campaign_type_label(value)
        if column in ("group", "segment", "owner"):
            operators = getattr(self._history, "operators", None)
            if operators is not None and value in operators.by_name:
                return str(operators.display.get(operators.by_name[value]) or value)
            text = team_label(value)
            if text != value:
                return text
            key = f"report.group.{value}"
            return tr(key) if tr(key) != key else ""
        return ""

    def action_export(self) -> None:
        report = self.reports.get(self.current_kind)
        if report is not None:
            self._export(self.current_kind, report)

    @work(thread=True, exit_on_error=False)
    def _export(self, kind: str, report: Any) -> None:
        from isdesk.analytics.render import render_csv
        from isdesk.config.locations import data_dir, make_private_dir
        from isdesk.export.writer import write_new_private_file

        folder = data_dir() / "exports"
        make_private_dir(folder)
        path = folder / f"isdesk-report-{kind}-{self.ctx.today().isoformat()}.csv"
        # A second export (the other language, a recount) is kept beside the first.
        path = write_new_private_file(path, render_csv(report))
        self.post_message(self.Exported(path))

    def on_reports_screen_exported(self, message: Exported) -> None:
        self.notify(tr("reports.exported", path="\n" + path_lines(message.path)), timeout=10)

    def action_back(self) -> None:
        self.dismiss()

    def action_next_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_next_tab()

    def action_previous_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_previous_tab()
