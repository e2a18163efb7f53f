"""Team tabs (T, team leads): load, caps and results per operator, the queue waiting.

Each team is a tab whose numbers refresh by themselves while operators work (only the tab on
screen polls). In their own team a lead can rebalance (b: see the moves first, then apply them
in one transaction) and move chosen leads between operators (Enter on an operator).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, OptionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from isdesk.i18n import to_local, tr
from isdesk.rules import Rules
from isdesk.screens.actions import BackgroundActions
from isdesk.screens.base import BaseDialog
from isdesk.services.assignment import Move, apply_moves, propose_rebalance, reassign_leads
from isdesk.services.context import WorkContext
from isdesk.services.team import (
    HeldLead,
    TeamOverview,
    TeamRow,
    leads_held_by,
    team_overview,
    visible_teams,
)
from isdesk.store.db import utcnow
from isdesk.widgets.labels import group_label, team_label

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
# Below this many columns the per-rank split and the last activity give way, so the numbers a
# lead compares (load, today against the line, SQLs, rank-ups, rejections) fit 80 columns.
WIDE_FROM = 110
NARROW_DROPS = frozenset({"team.col.ranks", "team.col.last"})
TIER_STYLE = {"below": "red", "minimum": "yellow", "expected": "green", "stretch": "green"}


class TeamPanel(Vertical):
    """One team's table and unassigned queue."""

    def __init__(self, team: str, rules: Rules) -> None:
        super().__init__(id=f"team-{abs(hash(team))}")
        self.team = team
        self.rules = rules
        self.overview: TeamOverview | None = None
        self._columns: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static(classes="team-groups")

    def on_resize(self) -> None:
        if self.overview is not None:
            self.show(self.overview)

    def show(self, overview: TeamOverview) -> None:
        self.overview = overview
        table: DataTable[Text] = self.query_one(DataTable)
        wide = (self.size.width or self.app.size.width) >= WIDE_FROM
        columns = tuple(c for c in COLUMNS if wide or c not in NARROW_DROPS)
        row = table.cursor_row
        if columns != self._columns:
            table.clear(columns=True)
            table.add_columns(*[tr(c) for c in columns])
            self._columns = columns
        else:
            table.clear()
        for r in overview.rows:
            cells = self._cells(r)
            table.add_row(*[cells[c] for c in columns], key=r.load.name)
        if overview.rows:
            table.move_cursor(row=min(row, len(overview.rows) - 1))
        groups = Text(tr("team.unassigned") + "  ", style="bold")
        for g in overview.groups:
            groups.append(f"{group_label(self.rules, g.name)}: {g.depth}")
            if g.depth and g.oldest_wait_days is not None:
                groups.append(f" ({tr('team.oldest', days=g.oldest_wait_days)})")
            groups.append("   ")
        self.query_one(".team-groups", Static).update(groups)

    def _cells(self, r: TeamRow) -> dict[str, Text]:
        load = r.load
        holding = Text(f"{load.open_leads}/{load.cap}")
        if load.over_cap:
            holding.append(" ⚠", style="bold red")
        today = Text(f"{r.today_volume}/{r.daily_lines.expected} ")
        today.append(tr(f"tier.short.{r.today_tier}"), style=TIER_STYLE.get(r.today_tier, ""))
        last = to_local(r.last_activity_at).strftime("%m/%d %H:%M") if r.last_activity_at else "—"
        name = load.display_name + ("" if load.active else " " + tr("team.inactive"))
        ranks = " ".join(f"{k}{load.open_by_rank.get(k, 0)}" for k in self.rules.rank_names)
        return {
            "team.col.operator": Text(name),
            "team.col.holding": holding,
            "team.col.ranks": Text(ranks),
            "team.col.today": today,
            "team.col.sql": Text(str(r.sql_quarter), justify="right"),
            "team.col.rank_ups": Text(str(r.rank_ups), justify="right"),
            "team.col.rejected": Text(
                f"−{r.rejected}" if r.rejected else "0",
                style="red" if r.rejected else "",
                justify="right",
            ),
            "team.col.last": Text(last),
        }

    @property
    def display_names(self) -> dict[str, str]:
        """Login name → display name of this team's operators."""
        rows = self.overview.rows if self.overview else ()
        return {r.load.name: r.load.display_name for r in rows}

    @property
    def selected_operator(self) -> str | None:
        table = self.query_one(DataTable)
        if self.overview is None or not self.overview.rows:
            return None
        return self.overview.rows[table.cursor_row].name


class RebalanceDialog(BaseDialog[bool]):
    """The moves a rebalance would make, shown before anything changes."""

    BINDINGS = [
        # priority: the table of moves would otherwise take Enter as "select row"
        Binding("enter,y", "apply", "team.apply", priority=True, id="team.apply"),
        Binding("escape,n", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, moves: list[Move], names: dict[str, str]) -> None:
        super().__init__()
        self.moves = moves
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="rebalance-box", classes="dialog-box"):
            yield self.title_line(tr("team.rebalance_title", count=len(self.moves)))
            table: DataTable[Text] = DataTable(cursor_type="row")
            table.add_columns(tr("team.col.lead"), tr("team.col.from"), tr("team.col.to"))
            for m in self.moves:
                table.add_row(
                    Text(str(m.lead_id)),
                    Text(self.names.get(m.from_op, m.from_op)),
                    Text(self.names.get(m.to_op, m.to_op)),
                )
            yield table
            yield self.key_hints(tr("team.rebalance_keys"))

    def action_apply(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class MoveLeadsScreen(BackgroundActions):
    """One operator's open leads: space marks, m moves the marked ones to someone else."""

    HELP_KIND = "move_leads"
    BINDINGS = [
        Binding("space", "mark", "team.mark", id="team.mark"),
        Binding("m", "move", "team.move", id="team.move"),
        Binding("escape", "back", "team.held_back", id="team.held_back"),
    ]

    @dataclass
    class Loaded(Message):
        leads: list[HeldLead]

    def __init__(self, ctx: WorkContext, operator: str, teammates: list[tuple[str, str]]) -> None:
        super().__init__(ctx)
        self.operator = operator
        self.names = dict(teammates)
        self.teammates = [t for t in teammates if t[0] != operator]
        self.marked: set[int] = set()
        self.leads: list[HeldLead] = []

    def compose(self) -> ComposeResult:
        name = self.names.get(self.operator, self.operator)
        yield Static(tr("team.held_title", name=name), id="queue-title")
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
        self.run_in_background(
            lambda: reassign_leads(ctx.actor, ids, to, now=utcnow(), rules=ctx.rules),
            lambda result: tr("team.moved", count=len(result.moved), to=self.names.get(to, to)),
        )

    def after_action(self) -> None:
        self.marked.clear()
        self._load()

    def action_back(self) -> None:
        self.dismiss()


class PickOperatorDialog(BaseDialog[str | None]):
    """Whom the marked leads go to, by display name."""

    BINDINGS = [Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel")]

    def __init__(self, operators: list[tuple[str, str]]) -> None:
        super().__init__()
        self.operators = operators

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box", classes="dialog-box"):
            yield self.title_line(tr("team.move_to"))
            yield OptionList(*[Option(display, id=name) for name, display in self.operators])
            yield self.key_hints(tr("team.pick"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
