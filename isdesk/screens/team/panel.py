"""One team's tab: the operators' load, caps and results, and the unassigned queue waiting."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from isdesk.i18n import to_local, tr
from isdesk.rules import Rules
from isdesk.services.team import TeamOverview, TeamRow
from isdesk.widgets.labels import group_label

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
