"""A virtual table of leads: renders only the visible lines, fetches pages on demand.

DataTable costs ~0.4 ms a row to load (38 s for 100k, docs/design-figures.md), so the queue uses
the Line API instead: the table knows only the row count and asks a loader for the pages it
is about to show, in a thread worker. Rows the loader has not delivered yet show as "…".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from isdesk.i18n import next_action_text, to_local, tr
from isdesk.services.queue import PAGE_SIZE, QueueRow
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.printable import printable
from isdesk.widgets.worker_errors import ReportsWorkerErrors

PageLoader = Callable[[int, int], list[QueueRow]]


@dataclass(frozen=True)
class Column:
    key: str
    title_key: str  # i18n catalogue key
    width: int  # cells; 0 = take the remaining width
    minimum: int = 8  # the company's least width; what the next action may shrink to


COLUMNS = (
    Column("rank", "queue.col.rank", 6),
    Column("sql", "queue.col.sql", 4),
    Column("company", "queue.col.company", 0, 16),
    Column("contact", "queue.col.contact", 14),
    Column("source", "queue.col.source", 14),
    Column("owner", "queue.col.owner", 12),
    Column("last_touch", "queue.col.last_touch", 11),
    Column("next_action", "queue.col.next_action", 30, 20),
)

# What gives way when the terminal is narrow, in order: the next action shrinks to its
# minimum first (its date and a short text still fit), then whole columns go, the ones an
# operator needs least to pick the next call first. Rank, SQL, company and the next action
# always stay: they are what the queue is for. At 80 columns: rank, SQL, company, contact,
# last touch and the next action (the owner, in team views, replaces the source first).
DROP_ORDER = ("shrink:next_action", "source", "last_touch", "owner", "contact")


def format_day(moment: dt.datetime | None, today: dt.date) -> str:
    """A compact local date: today's time, this year's month/day, else the full date."""
    if moment is None:
        return ""
    local = to_local(moment)
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.month}/{local.day}"
    return local.strftime("%Y/%m/%d")


def column_widths(total_width: int, *, show_owner: bool) -> list[tuple[Column, int]]:
    """The columns that fit ``total_width`` cells and each one's width (see DROP_ORDER)."""
    columns = [c for c in COLUMNS if c.key != "owner" or show_owner]
    widths = {c.key: c.width for c in columns}

    def needed() -> int:  # one space after each column; the company at its minimum
        return sum(widths.values()) + len(widths) + COLUMNS[2].minimum

    for step in DROP_ORDER:
        if needed() <= total_width:
            break
        if step.startswith("shrink:"):
            key = step.removeprefix("shrink:")
            column = next(c for c in columns if c.key == key)
            widths[key] = max(column.minimum, widths[key] - (needed() - total_width))
        else:
            widths.pop(step, None)
    rest = max(total_width - (sum(widths.values()) + len(widths)), 0)
    return [
        (c, widths[c.key] if c.width else max(c.minimum, rest)) for c in columns if c.key in widths
    ]


class LeadTable(ReportsWorkerErrors, ScrollView, can_focus=True):
    """The work queue's rows, a page at a time."""

    BINDINGS = [
        Binding("enter", "select", "queue.open", id="queue.open"),
        Binding("down,j", "cursor_down", "queue.move_down", show=False, id="queue.down"),
        Binding("up,k", "cursor_up", "queue.move_up", show=False, id="queue.up"),
        Binding("pagedown", "page_down", "queue.page_down", show=False, id="queue.page_down"),
        Binding("pageup", "page_up", "queue.page_up", show=False, id="queue.page_up"),
        Binding("home,g", "first", "queue.first", show=False, id="queue.first"),
        Binding("end,G", "last", "queue.last", show=False, id="queue.last"),
    ]

    COMPONENT_CLASSES = {
        "lead-table--header",
        "lead-table--cursor",
        "lead-table--overdue",
        "lead-table--new",
        "lead-table--pending",
        "lead-table--rank-a",
        "lead-table--rank-b",
        "lead-table--rank-c",
        "lead-table--rank-d",
        "lead-table--sql",
    }

    DEFAULT_CSS = """
    LeadTable { height: 1fr; }
    LeadTable > .lead-table--header { text-style: bold; background: $panel; }
    LeadTable > .lead-table--cursor { background: $accent 40%; }
    LeadTable:focus > .lead-table--cursor { background: $accent; color: $text; }
    LeadTable > .lead-table--overdue { color: $error; }
    LeadTable > .lead-table--new { color: $success; }
    LeadTable > .lead-table--pending { color: $text-muted; }
    LeadTable > .lead-table--rank-a { color: $error; text-style: bold; }
    LeadTable > .lead-table--rank-b { color: $warning; text-style: bold; }
    LeadTable > .lead-table--rank-c { color: $primary; }
    LeadTable > .lead-table--rank-d { color: $text-muted; }
    LeadTable > .lead-table--sql { color: $success; text-style: bold; }
    """

    cursor_row: reactive[int] = reactive(0)

    @dataclass
    class Selected(Message):
        """The operator chose a lead (Enter)."""

        lead_id: int

    @dataclass
    class _PageLoaded(Message):
        generation: int
        page: int
        rows: list[QueueRow]

    def __init__(self, *, show_owner: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.total = 0
        self._pages: dict[int, list[QueueRow]] = {}
        self._requested: set[int] = set()
        self._loader: PageLoader | None = None
        self._generation = 0
        self.show_owner = show_owner
        self.today = dt.date.today()

    # -- data -------------------------------------------------------------------------------
    def reset(
        self, total: int, first_page: list[QueueRow], loader: PageLoader, today: dt.date
    ) -> None:
        """Show a new result: its row count, its first page and how to fetch the others."""
        self._generation += 1
        self.total = total
        self._pages = {0: first_page}
        self._requested = {0}
        self._loader = loader
        self.today = today
        self.virtual_size = Size(self.size.width, total + 1)  # +1: the header line
        self.cursor_row = min(self.cursor_row, max(total - 1, 0))
        self.refresh()

    def reload_pages(self) -> None:
        """Fetch the pages on screen again (after the operator changed a lead)."""
        self._generation += 1
        self._pages = {}
        self._requested = set()
        self.refresh()

    def row_at(self, index: int) -> QueueRow | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def current_lead_id(self) -> int | None:
        row = self.row_at(self.cursor_row)
        return row.id if row else None

    def _want_page(self, page: int) -> None:
        if page in self._requested or self._loader is None:
            return
        self._requested.add(page)
        self._load_page(self._generation, page, self._loader)

    @work(thread=True, group="lead-table-pages")
    def _load_page(self, generation: int, page: int, loader: PageLoader) -> None:
        rows = loader(page * PAGE_SIZE, PAGE_SIZE)
        self.post_message(self._PageLoaded(generation, page, rows))

    def on_lead_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # a newer filter replaced this result
        self._pages[message.page] = message.rows
        self.refresh()

    # -- cursor -----------------------------------------------------------------------------
    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_cursor_into_view()

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_offset.y) + 1
        if 0 < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        body = max(self.size.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False)

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_page_down(self) -> None:
        self.cursor_row += max(self.size.height - 2, 1)

    def action_page_up(self) -> None:
        self.cursor_row -= max(self.size.height - 2, 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.total - 1

    def action_select(self) -> None:
        lead_id = self.current_lead_id
        if lead_id is not None:
            self.post_message(self.Selected(lead_id))

    # -- rendering --------------------------------------------------------------------------
    def _widths(self, total_width: int) -> list[tuple[Column, int]]:
        return column_widths(total_width, show_owner=self.show_owner)

    def render_line(self, y: int) -> Strip:
        # Not self.size: the scrollbar takes the last two cells once the rows overflow.
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self._want_page(index // PAGE_SIZE)
            style = self.get_component_rich_style("lead-table--pending")
            return Strip([Segment(" …".ljust(width), style)], width)
        # Prefetch the next page just before the operator scrolls into it.
        if index % PAGE_SIZE > PAGE_SIZE - 40:
            self._want_page(index // PAGE_SIZE + 1)
        return self._row_strip(row, width, index == self.cursor_row)

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("lead-table--header")
        line = Text(style=style, end="")
        for column, cells in self._widths(width):
            line.append_text(self._cell(tr(column.title_key), cells))
            line.append(" ")
        line.truncate(width, pad=True)
        return Strip(line.render(self.app.console), width)

    @staticmethod
    def _cell(value: str, cells: int, style: Style | str = "") -> Text:
        # Text keeps customer data literal (no markup) and counts kanji as two cells;
        # printable() keeps control characters (\x1b[2J, NUL) from reaching the terminal.
        text = Text(printable(value).replace("\n", " "), style=style, end="", no_wrap=True)
        text.truncate(cells, overflow="ellipsis", pad=True)
        return text

    def _row_strip(self, row: QueueRow, width: int, is_cursor: bool) -> Strip:
        base = self.get_component_rich_style("lead-table--cursor") if is_cursor else Style()
        rank_style = self.get_component_rich_style(f"lead-table--rank-{row.rank.lower()}")
        line = Text(style=base, end="")
        for column, cells in self._widths(width):
            line.append_text(self._render_value(column.key, row, cells, rank_style))
            line.append(" ")
        line.truncate(width, pad=True)
        return Strip(line.render(self.app.console), width).simplify()

    def _render_value(self, key: str, row: QueueRow, cells: int, rank_style: Style) -> Text:
        if key == "rank":
            return self._cell(f" {row.rank}", cells, rank_style)
        if key == "sql":
            style = self.get_component_rich_style("lead-table--sql")
            return self._cell(" ✔" if row.is_sql else "", cells, style)
        if key == "last_touch":
            if row.new:
                style = self.get_component_rich_style("lead-table--new")
                return self._cell(tr("queue.new"), cells, style)
            return self._cell(format_day(row.last_touch_at, self.today), cells)
        if key == "next_action":
            if row.do_not_call:  # nobody should dial it: say so where the next step would be
                style = self.get_component_rich_style("lead-table--overdue")
                return self._cell(tr("lead.dnc"), cells, style)
            when = format_day(row.next_action_at, self.today)
            overdue = self.get_component_rich_style("lead-table--overdue")
            text = next_action_text(row.next_action)
            return self._cell(f"{when} {text}".strip(), cells, overdue if row.overdue else "")
        value: object = getattr(row, key)
        return self._cell(str(value), cells)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total + 1)


def visible_ids(table: LeadTable) -> Sequence[int]:
    """Ids of the loaded rows on screen, top to bottom (for tests and the help of a reader)."""
    top = int(table.scroll_offset.y)
    rows = (table.row_at(i) for i in range(top, min(top + table.size.height - 1, table.total)))
    return [r.id for r in rows if r is not None]
