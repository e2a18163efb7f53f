"""One operator's open leads, marked and moved to a teammate (Enter on an operator)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from isdesk.i18n import to_local, tr
from isdesk.screens.actions import BackgroundActions
from isdesk.screens.base import BaseDialog
from isdesk.services.assignment import reassign_leads
from isdesk.services.context import WorkContext
from isdesk.services.team import HeldLead, leads_held_by
from isdesk.store.db import utcnow


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
