"""The appointment dialog (F4): when, how long, which field user attends, where.

Returns an ``AppointmentInput``; the lead screen books it (activity + appointment in one
transaction) and writes the iCalendar file the field user opens in Outlook or Google Calendar.
Esc closes it only while nothing has been typed (nothing typed is lost by a key).
"""

from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from isdesk.domain.followup import parse_follow_up
from isdesk.i18n import tr
from isdesk.rules import CalendarRules
from isdesk.services.appointments import MAX_MINUTES, AppointmentInput
from isdesk.services.handoff import field_users
from isdesk.services.operators import Actor
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.worker_errors import ReportsWorkerErrors

_TEXT_BOXES = ("#appt-when", "#appt-minutes", "#appt-place", "#appt-note")


class AppointmentDialog(ReportsWorkerErrors, ModalScreen[AppointmentInput | None]):
    VERTICAL_BREAKPOINTS = [(0, "-short"), (33, "-tall")]
    BINDINGS = [
        Binding("ctrl+s", "record", "log.record", priority=True, id="appt.record"),
        Binding("escape", "cancel", "log.cancel", id="appt.cancel"),
    ]

    class UsersLoaded(Message):
        def __init__(self, users: list[Actor]) -> None:
            self.users = users
            super().__init__()

    def __init__(self, today: dt.date, calendar: CalendarRules) -> None:
        super().__init__()
        localize_bindings(self)
        self.today = today
        self.calendar = calendar

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="log-box"):
            yield Static(tr("appt.title"), id="log-title")
            yield Input(placeholder=tr("appt.when"), id="appt-when")
            yield Static("", id="appt-when-preview", classes="log-caption")
            yield Input("60", placeholder=tr("appt.minutes"), id="appt-minutes", type="integer")
            yield Static(tr("appt.attendee"), classes="log-caption")
            yield OptionList(id="appt-attendee")
            yield Input(placeholder=tr("appt.place"), id="appt-place")
            yield Input(placeholder=tr("log.note_placeholder"), id="appt-note")
            yield Static(tr("appt.keys"), id="log-keys")
            yield Static("", id="log-error")

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < 33, "-short")
        self.query_one("#appt-when", Input).focus()
        self._load_users()

    @work(thread=True, exit_on_error=False)
    def _load_users(self) -> None:
        self.post_message(self.UsersLoaded(field_users()))

    def on_appointment_dialog_users_loaded(self, message: UsersLoaded) -> None:
        users = self.query_one("#appt-attendee", OptionList)
        users.add_option(Option(tr("appt.no_attendee"), id="-"))
        users.add_options(
            [Option(f"{u.display_name}  ({u.name})", id=str(u.id)) for u in message.users]
        )
        users.highlighted = 1 if message.users else 0

    @on(Input.Changed, "#appt-when")
    def _when_typed(self, event: Input.Changed) -> None:
        when = parse_follow_up(event.value, self.today, self.calendar)
        shown = when.astimezone(self.calendar.zone).strftime("%Y-%m-%d %H:%M") if when else ""
        self.query_one("#appt-when-preview", Static).update(shown)

    @on(Input.Submitted)
    def _next_box(self, event: Input.Submitted) -> None:
        if event.input.id == "appt-note":
            self.action_record()
        else:
            self.focus_next()

    def action_record(self) -> None:
        error = self.query_one("#log-error", Static)
        when = parse_follow_up(self.query_one("#appt-when", Input).value, self.today, self.calendar)
        if when is None:
            error.update(tr("log.when_invalid"))
            self.query_one("#appt-when").focus()
            return
        try:
            minutes = int(self.query_one("#appt-minutes", Input).value or "60")
        except ValueError:
            minutes = -1
        if not 5 <= minutes <= MAX_MINUTES:
            error.update(tr("appt.minutes_invalid", max=MAX_MINUTES))
            self.query_one("#appt-minutes").focus()
            return
        users = self.query_one("#appt-attendee", OptionList)
        chosen = (
            users.get_option_at_index(users.highlighted).id
            if users.highlighted is not None and users.option_count
            else "-"
        )
        self.dismiss(
            AppointmentInput(
                starts_at=when,
                minutes=minutes,
                attendee_id=None if chosen in (None, "-") else int(chosen),
                place=self.query_one("#appt-place", Input).value.strip(),
                note=self.query_one("#appt-note", Input).value,
            )
        )

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input) and self.focused.id != "appt-when":
            self.query_one("#appt-when").focus()
            return
        typed = any(
            self.query_one(box, Input).value.strip()
            for box in _TEXT_BOXES
            if box != "#appt-minutes"
        )
        if typed:
            self.query_one("#log-error", Static).update(tr("log.typed_keep"))
            return
        self.dismiss(None)
