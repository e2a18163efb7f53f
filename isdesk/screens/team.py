"""Team tabs (T, team leads): load, caps and results per operator, the queue waiting.

Each team is a tab whose numbers refresh by themselves while operators work (only the tab on
screen polls). In their own team a lead can rebalance (b: see the moves first, then apply them
in one transaction) and move chosen leads between operators (Enter on an operator).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from isdesk.i18n import to_local, tr
from isdesk.screens.actions import BackgroundActions
from isdesk.services.assignment import Move, apply_moves, propose_rebalance, reassign_leads
from isdesk.services.context import WorkContext
from isdesk.services.team import (
    HeldLead,
    TeamOverview,
    leads_held_by,
    team_overview,
    visible_teams,
)
from isdesk.store.db import utcnow
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.worker_errors import ReportsWorkerErrors

REFRESH_SECONDS = 10.0
COLUMNS = (
    "team.col.operator",
    "team.col.holding",
    "team.col.ranks",
    "team.col.today",
    "team.col.sql",
    "team.col.rank_ups",
    "team.col.rejected",
    "team.col.last",
)


class TeamPanel(Vertical):
    """One team's table and unassigned queue."""

    def __init__(self, team: str) -> None:
        super().__init__(id=f"team-{abs(hash(team))}")
        self.team = team
        self.overview: TeamOverview | None = None

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*[tr(c) for c in COLUMNS])
        yield table
        yield Static(classes="team-groups")

    def show(self, overview: TeamOverview, rank_names: tuple[str, ...]) -> None:
        self.overview = overview
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for r in overview.rows:
            load = r.load
            holding = Text(f"{load.open_leads}/{load.cap}")
            if load.over_cap:
                holding.append(" ⚠", style="bold red")
            today = Text(f"{r.today_volume}/{r.daily_lines.expected} ")
            today.append(
                tr(f"tier.{r.today_tier}"),
                style="green"
                if r.today_tier in ("expected", "stretch")
                else "yellow"
                if r.today_tier == "minimum"
                else "red",
            )
            last = (
                to_local(r.last_activity_at).strftime("%m/%d %H:%M") if r.last_activity_at else "—"
            )
            name = Text(load.display_name + ("" if load.active else " (inactive)"))
            table.add_row(
                name,
                holding,
                Text(" ".join(f"{k}{load.open_by_rank.get(k, 0)}" for k in rank_names)),
                today,
                Text(str(r.sql_quarter)),
                Text(str(r.rank_ups)),
                Text(f"−{r.rejected}" if r.rejected else "0", style="red" if r.rejected else ""),
                Text(last),
                key=load.name,
            )
        if overview.rows:
            table.move_cursor(row=min(row, len(overview.rows) - 1))
        groups = Text(tr("team.unassigned") + "  ", style="bold")
        for g in overview.groups:
            groups.append(f"{g.name}: {g.depth}")
            if g.depth and g.oldest_wait_days is not None:
                groups.append(f" ({tr('team.oldest', days=g.oldest_wait_days)})")
            groups.append("   ")
        self.query_one(".team-groups", Static).update(groups)

    @property
    def selected_operator(self) -> str | None:
        table = self.query_one(DataTable)
        if self.overview is None or not self.overview.rows:
            return None
        return self.overview.rows[table.cursor_row].name


class RebalanceDialog(ModalScreen[bool]):
    """The moves a rebalance would make, shown before anything changes."""

    BINDINGS = [
        # priority: the table of moves would otherwise take Enter as "select row"
        Binding("enter,y", "apply", "team.apply", priority=True),
        Binding("escape,n", "cancel", "log.cancel"),
    ]

    def __init__(self, moves: list[Move]) -> None:
        super().__init__()
        localize_bindings(self)
        self.moves = moves

    def compose(self) -> ComposeResult:
        with Vertical(id="rebalance-box"):
            yield Static(tr("team.rebalance_title", count=len(self.moves)), id="log-title")
            table: DataTable[Text] = DataTable(cursor_type="row")
            table.add_columns(tr("team.col.lead"), tr("team.col.from"), tr("team.col.to"))
            for m in self.moves:
                table.add_row(Text(str(m.lead_id)), Text(m.from_op), Text(m.to_op))
            yield table
            yield Static(tr("team.rebalance_keys"), id="log-keys")

    def action_apply(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class MoveLeadsScreen(BackgroundActions, ReportsWorkerErrors, Screen[None]):
    """One operator's open leads: space marks, m moves the marked ones to someone else."""

    BINDINGS = [
        Binding("space", "mark", "team.mark"),
        Binding("m", "move", "team.move"),
        Binding("escape", "back", "lead.back"),
    ]

    class Loaded(Message):
        def __init__(self, leads: list[HeldLead]) -> None:
            self.leads = leads
            super().__init__()

    def __init__(self, ctx: WorkContext, operator: str, teammates: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
        self.ctx = ctx
        self.operator = operator
        self.teammates = [t for t in teammates if t[0] != operator]
        self.marked: set[int] = set()
        self.leads: list[HeldLead] = []

    def compose(self) -> ComposeResult:
        yield Static(tr("team.held_title", name=self.operator), id="queue-title")
        table: DataTable[Text] = DataTable(cursor_type="row")
        table.add_columns(
            "✓",
            tr("queue.col.rank"),
            tr("queue.col.company"),
            tr("queue.col.contact"),
            tr("lead.acquired"),
        )
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(leads_held_by(self.ctx.actor, self.operator)))

    def on_move_leads_screen_loaded(self, message: Loaded) -> None:
        self.leads = message.leads
        self.marked &= {lead.id for lead in self.leads}
        table = self.query_one(DataTable)
        table.clear()
        for lead in self.leads:
            table.add_row(
                Text("✓" if lead.id in self.marked else ""),
                Text(lead.rank),
                Text(lead.company),
                Text(lead.contact),
                Text(to_local(lead.acquired_at).strftime("%Y-%m-%d")),
                key=str(lead.id),
            )
        table.focus()

    def action_mark(self) -> None:
        table = self.query_one(DataTable)
        if not self.leads:
            return
        lead = self.leads[table.cursor_row]
        self.marked ^= {lead.id}
        table.update_cell(
            str(lead.id), table.ordered_columns[0].key, Text("✓" if lead.id in self.marked else "")
        )
        table.move_cursor(row=table.cursor_row + 1)

    def action_move(self) -> None:
        if not self.marked:
            self.notify(tr("team.mark_first"))
            return
        ids = sorted(self.marked)

        def chosen(to: str | None) -> None:
            if to:
                self._reassign(ids, to)

        self.app.push_screen(PickOperatorDialog(self.teammates), chosen)

    def _reassign(self, ids: list[int], to: str) -> None:
        ctx = self.ctx
        self.run_in_worker(
            lambda: reassign_leads(ctx.actor, ids, to, now=utcnow(), rules=ctx.rules),
            lambda result: tr("team.moved", count=len(result.moved), to=to),
        )

    def after_action(self) -> None:
        self.marked.clear()
        self._load()

    def action_back(self) -> None:
        self.dismiss()


class PickOperatorDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "log.cancel")]

    def __init__(self, operators: list[tuple[str, str]]) -> None:
        super().__init__()
        self.operators = operators

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-box"):
            yield Static(tr("team.move_to"), id="log-title")
            yield OptionList(
                *[Option(f"{display} ({name})", id=name) for name, display in self.operators]
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TeamScreen(BackgroundActions, ReportsWorkerErrors, Screen[None]):
    HELP_KIND = "team"
    BINDINGS = [
        Binding("b", "rebalance", "team.rebalance", id="team.rebalance"),
        Binding("enter", "open_operator", "team.open", id="team.open"),
        Binding("r", "refresh", "kpi.refresh", id="team.refresh"),
        Binding("escape,T", "back", "kpi.back", id="team.back"),
    ]

    class TeamsKnown(Message):
        def __init__(self, teams: list[str]) -> None:
            self.teams = teams
            super().__init__()

    class Loaded(Message):
        def __init__(self, overview: TeamOverview) -> None:
            self.overview = overview
            super().__init__()

    class Proposed(Message):
        def __init__(self, moves: list[Move]) -> None:
            self.moves = moves
            super().__init__()

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__()
        localize_bindings(self)
        self.ctx = ctx
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
            panel = TeamPanel(team)
            self.panels[team] = panel
            await tabs.add_pane(TabPane(team, panel, id=f"tab-{panel.id}"))
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
            panel.show(message.overview, self.ctx.rules.rank_names)

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

        self.app.push_screen(RebalanceDialog(message.moves), decided)

    def _apply(self, moves: list[Move]) -> None:
        actor = self.ctx.actor
        self.run_in_worker(
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
