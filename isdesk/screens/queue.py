"""The work queue, the operator's home: their leads in the order to work them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from isdesk.i18n import tr
from isdesk.screens.base import BaseScreen
from isdesk.screens.navigation import FollowUpsChanged, Navigate
from isdesk.services.context import WorkContext
from isdesk.services.queue import (
    QueueQuery,
    QueueRow,
    QueueScope,
    count_queue,
    next_lead_to_work,
    queue_page,
)
from isdesk.store.db import utcnow
from isdesk.widgets.labels import team_label
from isdesk.widgets.lead_table import LeadTable

FILTER_DEBOUNCE_S = 0.12


# Other screens are imported when first opened: they stay off the path to the first frame.


class QueueScreen(BaseScreen):
    HELP_KIND = "queue"
    BINDINGS = [
        Binding("slash", "filter", "queue.filter", id="queue.filter"),
        Binding("n", "next_lead", "queue.next", id="queue.next"),
        Binding("s", "switch_scope", "queue.scope", id="queue.scope"),
        Binding("K", "kpi", "queue.kpi", id="queue.kpi"),
        Binding("T", "team", "queue.team", id="queue.team"),
        Binding("I", "import_leads", "queue.import", id="queue.import"),
        Binding("R", "reports", "queue.reports", id="queue.reports"),
        Binding("r", "refresh", "queue.refresh", show=False, id="queue.refresh"),
        Binding(
            "escape", "close_filter", "queue.close_filter", show=False, id="queue.close_filter"
        ),
    ]

    @dataclass
    class Loaded(Message):
        query: QueueQuery
        total: int
        first_page: list[QueueRow]

    @dataclass
    class OpenLead(Message):
        lead_id: int | None
        claimed: bool = False

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__(ctx)
        self.scope = QueueScope.MINE
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield Input(placeholder=tr("queue.filter.placeholder"), id="queue-filter")
        yield LeadTable(id="queue-table")
        yield Static(id="queue-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#queue-filter").display = False
        self.query_one(LeadTable).focus()
        self._show_title(None)

    def on_screen_resume(self) -> None:
        # Shown (first, or back from a lead whose rank or next action may have moved it):
        # one load either way.
        self.reload()

    # -- loading ----------------------------------------------------------------------------
    def current_query(self) -> QueueQuery:
        text = self.query_one("#queue-filter", Input).value
        return QueueQuery(actor=self.ctx.actor, scope=self.scope, text=text)

    def reload(self) -> None:
        self._load(self.current_query())

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def _load(self, query: QueueQuery) -> None:
        # Let saves made on the lead screen land first, so the queue shows their effect.
        self.ctx.saver.flush(timeout=2)
        total = count_queue(query)
        first = queue_page(query, 0)
        self.post_message(self.Loaded(query, total, first))

    def on_queue_screen_loaded(self, message: Loaded) -> None:
        if message.query != self.current_query():
            return  # the filter moved on while this ran
        table = self.query_one(LeadTable)
        table.show_owner = self.scope is not QueueScope.MINE
        table.reset(
            message.total, message.first_page, partial(queue_page, message.query), self.ctx.today()
        )
        self._show_title(message.total)
        empty = self.query_one("#queue-empty", Static)
        empty.display = message.total == 0
        empty.update(Text(tr("queue.empty")))

    def _show_title(self, total: int | None) -> None:
        actor = self.ctx.actor
        count = tr("queue.count", count=total) if total is not None else tr("queue.loading")
        scope = tr(f"queue.scope.{self.scope.value}")
        title = Text()
        title.append(tr("queue.title"), style="bold")
        title.append(f"  {scope}  ·  {count}  ·  {actor.display_name} ({team_label(actor.team)})")
        self.query_one("#queue-title", Static).update(title)

    # -- filter -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.display = True
        box.focus()
        self.refresh_bindings()

    def action_close_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        if box.display:
            if box.value:
                box.value = ""
            box.display = False
            self.query_one(LeadTable).focus()
            self.refresh_bindings()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE_S, self.reload)

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        self.query_one(LeadTable).focus()

    # -- actions ----------------------------------------------------------------------------
    def action_switch_scope(self) -> None:
        order = [QueueScope.MINE, QueueScope.UNASSIGNED]
        if self.ctx.actor.is_lead:
            order.append(QueueScope.TEAM)
        self.scope = order[(order.index(self.scope) + 1) % len(order)]
        self._show_title(None)
        self.reload()

    def on_follow_ups_changed(self, message: FollowUpsChanged) -> None:
        """A follow-up fell due while the queue is shown: it moves up without a key."""
        self.action_refresh()

    def action_refresh(self) -> None:
        self.reload()

    def action_next_lead(self) -> None:
        self._find_next()

    @work(thread=True, exclusive=True, group="queue-next", exit_on_error=False)
    def _find_next(self) -> None:
        """Own lead due now, else claim the next unassigned one the rules allow (atomic);
        with neither, the top of the own queue."""
        from isdesk.services.assignment import take_next_lead  # off the first frame's path

        ctx = self.ctx
        ctx.saver.flush(timeout=2)
        try:
            taken = take_next_lead(ctx.actor, ctx.rules, now=utcnow())
        except PermissionError:
            taken = None  # field users and deactivated operators take nothing
        if taken is not None:
            self.post_message(self.OpenLead(taken.id, claimed=taken.claimed))
        else:
            self.post_message(self.OpenLead(next_lead_to_work(ctx.actor)))

    def on_queue_screen_open_lead(self, message: OpenLead) -> None:
        if message.lead_id is None:
            self.notify(tr("queue.no_next"))
            return
        if message.claimed:
            self.notify(tr("queue.claimed"))
        self.open_lead(message.lead_id)

    @on(LeadTable.Selected)
    def _selected(self, message: LeadTable.Selected) -> None:
        self.open_lead(message.lead_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("team", "import_leads", "reports"):
            return self.ctx.actor.is_lead  # team tabs and imports are the team lead's
        if action == "close_filter":  # Escape means something only while the filter is open
            return self.is_mounted and self.query_one("#queue-filter").display
        return True

    def action_reports(self) -> None:
        self.post_message(Navigate("reports"))

    def action_import_leads(self) -> None:
        self.post_message(Navigate("import"))

    def action_team(self) -> None:
        self.post_message(Navigate("team"))

    def action_kpi(self) -> None:
        self.post_message(Navigate("kpi"))

    def open_lead(self, lead_id: int) -> None:
        self.post_message(Navigate("lead", lead_id))
