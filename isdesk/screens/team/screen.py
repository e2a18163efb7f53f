"""The team screen: a tab per visible team, refreshed while on screen, and the lead's actions."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane, Tabs

from isdesk.i18n import tr
from isdesk.screens.actions import BackgroundActions
from isdesk.screens.team.move_leads import MoveLeadsScreen
from isdesk.screens.team.panel import TeamPanel
from isdesk.screens.team.rebalance_dialog import RebalanceDialog
from isdesk.services.assignment import Move, apply_moves, propose_rebalance
from isdesk.services.context import WorkContext
from isdesk.services.team import TeamOverview, team_overview, visible_teams
from isdesk.store.db import utcnow
from isdesk.widgets.labels import team_label

REFRESH_SECONDS = 10.0


class TeamScreen(BackgroundActions):
    HELP_KIND = "team"
    BINDINGS = [
        Binding("b", "rebalance", "team.rebalance", id="team.rebalance"),
        Binding("enter", "open_operator", "team.open", id="team.open"),
        Binding("r", "refresh", "kpi.refresh", id="team.refresh"),
        Binding("escape,T", "back", "kpi.back", id="team.back"),
        Binding("right,l", "next_tab", "reports.next_tab", show=False, id="team.next_tab"),
        Binding("left,h", "previous_tab", "reports.prev_tab", show=False, id="team.prev_tab"),
    ]

    @dataclass
    class TeamsKnown(Message):
        teams: list[str]

    @dataclass
    class Loaded(Message):
        overview: TeamOverview

    @dataclass
    class Proposed(Message):
        moves: list[Move]

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__(ctx)
        self.panels: dict[str, TeamPanel] = {}

    def compose(self) -> ComposeResult:
        yield Static(tr("team.title"), id="queue-title")
        yield TabbedContent(id="team-tabs")
        yield Footer()

    def on_mount(self) -> None:
        self._find_teams()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    @work(thread=True, exit_on_error=False)
    def _find_teams(self) -> None:
        self.post_message(self.TeamsKnown(visible_teams(self.ctx.actor)))

    async def on_team_screen_teams_known(self, message: TeamsKnown) -> None:
        tabs = self.query_one(TabbedContent)
        for team in message.teams:
            panel = TeamPanel(team, self.ctx.rules)
            self.panels[team] = panel
            await tabs.add_pane(TabPane(team_label(team), panel, id=f"tab-{panel.id}"))
        self.action_refresh()

    @property
    def current_panel(self) -> TeamPanel | None:
        pane = self.query_one(TabbedContent).active_pane
        return pane.query_one(TeamPanel) if pane is not None else None

    @on(TabbedContent.TabActivated)
    def action_refresh(self) -> None:
        panel = self.current_panel
        if panel is not None:
            self._load(panel.team)

    @work(thread=True, exclusive=True, group="team-load", exit_on_error=False)
    def _load(self, team: str) -> None:
        ctx = self.ctx
        self.post_message(
            self.Loaded(team_overview(ctx.actor, team, ctx.rules, ctx.today(), utcnow()))
        )

    def on_team_screen_loaded(self, message: Loaded) -> None:
        panel = self.panels.get(message.overview.team)
        if panel is not None:
            panel.show(message.overview)

    def action_rebalance(self) -> None:
        panel = self.current_panel
        if panel is None or panel.team != self.ctx.actor.team:
            self.notify(tr("team.own_only"), severity="warning")
            return
        self._propose(panel.team)

    @work(thread=True, exit_on_error=False)
    def _propose(self, team: str) -> None:
        self.post_message(self.Proposed(propose_rebalance(self.ctx.rules, team, now=utcnow())))

    def on_team_screen_proposed(self, message: Proposed) -> None:
        if not message.moves:
            self.notify(tr("team.balanced"))
            return

        def decided(apply: bool | None) -> None:
            if apply:
                self._apply(message.moves)

        panel = self.panels.get(self.ctx.actor.team)
        names = panel.display_names if panel is not None else {}
        self.app.push_screen(RebalanceDialog(message.moves, names), decided)

    def _apply(self, moves: list[Move]) -> None:
        actor = self.ctx.actor
        self.run_in_background(
            lambda: apply_moves(actor, moves, now=utcnow()),
            lambda done: tr("team.rebalanced", count=len(done)),
        )

    def after_action(self) -> None:
        self.action_refresh()

    def action_open_operator(self) -> None:
        panel = self.current_panel
        if panel is None or panel.overview is None or panel.team != self.ctx.actor.team:
            self.notify(tr("team.own_only"), severity="warning")
            return
        name = panel.selected_operator
        if name is None:
            return
        mates = [(r.load.name, r.load.display_name) for r in panel.overview.rows if r.load.active]
        self.app.push_screen(MoveLeadsScreen(self.ctx, name, mates))

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_open_operator()

    def action_back(self) -> None:
        self.dismiss()

    def action_next_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_next_tab()

    def action_previous_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_previous_tab()
