"""The hand-off dialog (F7 on an SQL lead): pick the field user, edit the BANT note, send."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from isdesk.i18n import tr
from isdesk.services.handoff import field_users
from isdesk.services.operators import Actor
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.worker_errors import ReportsWorkerErrors


class HandoffDialog(ReportsWorkerErrors, ModalScreen[tuple[str, str] | None]):
    """Returns (field user login, note), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "send", "handoff.send", priority=True, id="handoff.send"),
        Binding("escape", "cancel", "log.cancel", id="handoff.cancel"),
    ]

    class UsersLoaded(Message):
        def __init__(self, users: list[Actor]) -> None:
            self.users = users
            super().__init__()

    def __init__(self, company: str, note: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.company = company
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="handoff-box"):
            yield Static(tr("handoff.title", company=self.company), id="handoff-title")
            yield Static(tr("handoff.to"), classes="log-caption")
            yield OptionList(id="handoff-users")
            yield Static(tr("handoff.note"), classes="log-caption")
            yield TextArea(self.note, id="handoff-note", soft_wrap=True)
            yield Static(tr("handoff.keys"), id="handoff-keys")
            yield Static("", id="handoff-error")

    def on_mount(self) -> None:
        self._load_users()

    @work(thread=True, exit_on_error=False)
    def _load_users(self) -> None:
        self.post_message(self.UsersLoaded(field_users()))

    def on_handoff_dialog_users_loaded(self, message: UsersLoaded) -> None:
        users = self.query_one("#handoff-users", OptionList)
        users.add_options(
            [Option(f"{u.display_name}  ({u.name})", id=u.name) for u in message.users]
        )
        if message.users:
            users.highlighted = 0
            users.focus()
        else:
            self.query_one("#handoff-error", Static).update(tr("handoff.no_field_users"))

    def on_option_list_option_selected(self) -> None:
        self.query_one("#handoff-note", TextArea).focus()

    def action_send(self) -> None:
        users = self.query_one("#handoff-users", OptionList)
        note = self.query_one("#handoff-note", TextArea).text
        if users.highlighted is None:
            self.query_one("#handoff-error", Static).update(tr("handoff.no_field_users"))
            return
        if not note.strip():
            self.query_one("#handoff-error", Static).update(tr("handoff.need_note"))
            return
        option = users.get_option_at_index(users.highlighted)
        self.dismiss((option.id or "", note))

    def action_cancel(self) -> None:
        self.dismiss(None)
