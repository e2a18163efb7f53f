"""What the operator does to a lead besides answering: log activities and hand it off.

The base of :class:`isdesk.screens.lead.LeadScreen` (a Screen itself, so every call it makes
is typed); kept apart so each file stays one thing.
Both go through the app's ordered writer after every answer typed so far, so an activity's
``rank_after`` and a hand-off's SQL check see the answers the operator just gave.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.screen import Screen

from isdesk.config.locations import data_dir, make_private_dir
from isdesk.export.ical import appointments_ics
from isdesk.export.writer import write_private_file
from isdesk.i18n import tr
from isdesk.screens.lead.appointment_dialog import AppointmentDialog
from isdesk.screens.lead.handoff_dialog import HandoffDialog
from isdesk.screens.lead.log_activity import LogActivityDialog
from isdesk.services.activities import ActivityInput, LoggedActivity, log_activity
from isdesk.services.appointments import AppointmentInput, book_appointment
from isdesk.services.handoff import bant_summary, hand_off
from isdesk.widgets.hearing import HearingChecklist
from isdesk.widgets.workstation import workstation

if TYPE_CHECKING:
    from isdesk.domain.qualification import Qualification
    from isdesk.services.context import WorkContext
    from isdesk.services.leads import LeadDetail


class LeadActions(Screen[None]):
    """Logging activities and handing off; the lead screen provides what is declared here."""

    ctx: WorkContext
    lead_id: int
    detail: LeadDetail | None
    qualification: Qualification | None
    _call_closed: Callable[[], None]
    refuse_while_calling: Callable[[], bool]
    settle_answers: Callable[[], None]
    # (Re)load the lead (history, next action): the lead screen's worker.
    _load: Callable[[], object]

    class ActivityLogged(Message):
        def __init__(self, logged: LoggedActivity | None, error: BaseException | None) -> None:
            self.logged = logged
            self.error = error
            super().__init__()

    class AppointmentBooked(Message):
        def __init__(self, path: Path | None, error: BaseException | None) -> None:
            self.path = path
            self.error = error
            super().__init__()

    class HandedOff(Message):
        def __init__(self, to_user: str, error: BaseException | None) -> None:
            self.to_user = to_user
            self.error = error
            super().__init__()

    # -- activity logging -------------------------------------------------------------------
    def action_log(self, kind: str) -> None:
        self.settle_answers()
        if kind == "appointment":
            self._ask_appointment()
            return

        def logged(entry: ActivityInput | str | None) -> None:
            if isinstance(entry, ActivityInput):
                self._submit_activity(entry)

        dialog = LogActivityDialog(kind, self.ctx.today(), self.ctx.rules.calendar, 0)
        self.app.push_screen(dialog, logged)

    def _submit_activity(self, entry: ActivityInput | Callable[[], ActivityInput]) -> None:
        """Log ``entry`` (or what ``entry()`` builds in the writer, after the jobs before it)."""
        ctx = self.ctx

        def run() -> LoggedActivity:
            built = entry() if callable(entry) else entry
            return workstation(self).with_retry(
                lambda: log_activity(ctx.actor, self.lead_id, built)
            )

        def done(logged: LoggedActivity | None, error: BaseException | None) -> None:
            self.post_message(self.ActivityLogged(logged, error))

        # Through the same ordered writer as the answers: rank_after sees every answer typed.
        ctx.saver.submit(run, done)

    def on_lead_actions_activity_logged(self, message: ActivityLogged) -> None:
        if message.error is not None or message.logged is None:
            self.notify(tr("log.failed", error=message.error), severity="error", timeout=10)
            return  # a call stays open: F2 asks again
        if message.logged.kind == "call":
            self._call_closed()
        self.notify(tr("log.logged", kind=tr(f"kind.{message.logged.kind}")), timeout=3)
        self._load()  # history and next action

    # -- appointments -----------------------------------------------------------------------
    def _ask_appointment(self) -> None:
        def chosen(entry: AppointmentInput | None) -> None:
            if entry is not None:
                self._submit_appointment(entry)

        self.app.push_screen(AppointmentDialog(self.ctx.today(), self.ctx.rules.calendar), chosen)

    def _submit_appointment(self, entry: AppointmentInput) -> None:
        ctx = self.ctx

        def run() -> Path:
            record = workstation(self).with_retry(
                lambda: book_appointment(ctx.actor, self.lead_id, entry)
            )
            folder = data_dir() / "exports"
            make_private_dir(folder)
            path = folder / f"isdesk-appointment-{record.id}.ics"
            write_private_file(path, appointments_ics([record]))
            return path

        def done(path: Path | None, error: BaseException | None) -> None:
            self.post_message(self.AppointmentBooked(path, error))

        ctx.saver.submit(run, done)

    def on_lead_actions_appointment_booked(self, message: AppointmentBooked) -> None:
        if message.error is not None or message.path is None:
            self.notify(tr("log.failed", error=message.error), severity="error", timeout=10)
            return
        self.notify(tr("appt.booked", path=str(message.path)), timeout=15)
        self._load()

    # -- hand-off ---------------------------------------------------------------------------
    def action_hand_off(self) -> None:
        if self.detail is None or self.refuse_while_calling():
            return
        if self.qualification is None or not self.qualification.sql:
            self.notify(tr("handoff.not_sql"), severity="warning")
            return
        self.settle_answers()
        values = self.query_one(HearingChecklist).values()
        note = bant_summary(self.ctx.rules, values)

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._submit_handoff(*result)

        self.app.push_screen(HandoffDialog(self.detail.profile.company, note), chosen)

    def _submit_handoff(self, to_user: str, note: str) -> None:
        ctx = self.ctx

        def run() -> int:
            return workstation(self).with_retry(
                lambda: hand_off(ctx.actor, self.lead_id, to_user, note, ctx.rules)
            )

        def done(_: object, error: BaseException | None) -> None:
            self.post_message(self.HandedOff(to_user, error))

        ctx.saver.submit(run, done)  # after every answer typed so far

    def on_lead_actions_handed_off(self, message: HandedOff) -> None:
        if message.error is not None:
            self.notify(tr("handoff.failed", error=message.error), severity="error", timeout=10)
            return
        company = self.detail.profile.company if self.detail else ""
        self.notify(tr("handoff.sent", company=company, to=message.to_user))
        self.dismiss()  # the lead has left this operator's queue
