"""The call on the lead screen: a persisted object, and the power-dialer loop around it.

Mixed into :class:`isdesk.screens.lead.LeadScreen`. F2 writes the call at once
(:func:`isdesk.services.call_sessions.start_call`, through the ordered writer), a heartbeat
keeps its last-seen moment current, F2 again fixes its length and opens the end-of-call dialog. That
dialog cannot be dismissed by a stray key: the call is closed only by recording it or by a
confirmed cancel, which is written as cancelled. A call the previous process left open (a
crash, a kill) is offered again as soon as its lead opens.

Next/previous lead (ctrl+n / ctrl+b) run the session without the queue: next takes the lead
``n`` on the queue would take.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.message import Message
from textual.screen import Screen

from isdesk.i18n import tr
from isdesk.screens.lead.log_activity import CANCEL_CALL, LogActivityDialog
from isdesk.screens.navigation import Navigate
from isdesk.services.activities import ActivityInput
from isdesk.services.call_sessions import CallState, call_seen, cancel_call, end_call, start_call
from isdesk.store.db import utcnow
from isdesk.widgets.call_timer import CallTimer
from isdesk.widgets.workstation import workstation

if TYPE_CHECKING:
    from isdesk.screens.lead.screen import LeadScreen
    from isdesk.services.context import WorkContext

HEARTBEAT_SECONDS = 5.0


class CallFlow(Screen[None]):
    """The call on the lead screen: started, kept alive, ended, recovered or cancelled."""

    ctx: WorkContext
    lead_id: int
    _call: CallState | None
    _call_dialog_open: bool

    class CallWritten(Message):
        def __init__(self, call: CallState | None, error: BaseException | None) -> None:
            self.call = call
            self.error = error
            super().__init__()

    class NextLead(Message):
        def __init__(self, lead_id: int | None, claimed: bool) -> None:
            self.lead_id = lead_id
            self.claimed = claimed
            super().__init__()

    def _screen(self) -> LeadScreen:
        """The lead screen this flow is part of, for the parts of it the call drives."""
        return cast("LeadScreen", self)

    @property
    def call_open(self) -> bool:
        """A call is running or waiting for its outcome: leaving would drop it."""
        timers = self.query(CallTimer)
        return self._call is not None or any(t.running for t in timers)

    def _start_heartbeat(self) -> None:
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

    def _heartbeat(self) -> None:
        call = self._call
        if call is None or not self.query_one(CallTimer).running:
            return
        actor = self.ctx.actor

        def run() -> None:
            workstation(self).with_retry(lambda: call_seen(actor, call.id))

        self.ctx.saver.submit(run, lambda *_: None, key=("call-seen", call.id), replaceable=True)

    # -- F2 ---------------------------------------------------------------------------------
    def action_call(self) -> None:
        """F2 starts the call (written at once); F2 again ends it and asks how it went."""
        timer = self.query_one(CallTimer)
        if self._call_dialog_open:
            return
        self._screen().settle_answers()
        if not timer.running and self._call is None:
            timer.start()
            self._write_call(lambda: start_call(self.ctx.actor, self.lead_id))
            self.notify(tr("call.started"), timeout=2)
            return
        if timer.running:
            seconds = timer.stop()
            self._write_call(lambda: self._end_current())
            self._ask_call(seconds)
            return
        assert self._call is not None
        self._ask_call(self._call.duration_s)  # ended, outcome not yet recorded

    def _end_current(self) -> CallState | None:
        call = self._call  # set by start_call's job, which ran before this one
        return end_call(self.ctx.actor, call.id) if call is not None else None

    def _write_call(self, write: Any) -> None:
        def run() -> CallState | None:
            state = workstation(self).with_retry(write)
            if state is not None:
                self._call = state  # read by the next job on this writer: set here, in order
            return state

        def done(state: CallState | None, error: BaseException | None) -> None:
            self.post_message(self.CallWritten(state, error))

        self.ctx.saver.submit(run, done)

    def on_call_flow_call_written(self, message: CallWritten) -> None:
        if message.error is not None:
            self.notify(tr("call.write_failed", error=message.error), severity="error", timeout=10)

    def resume_call(self, call: CallState) -> None:
        """A call the last run left open: show it and ask for its outcome now."""
        self._call = call
        self.notify(tr("call.recovered"), severity="warning", timeout=10)
        self._ask_call(call.duration_s)

    def _ask_call(self, seconds: int) -> None:
        self._call_dialog_open = True

        def answered(entry: ActivityInput | str | None) -> None:
            self._call_dialog_open = False
            if entry == CANCEL_CALL:
                self._cancel_call()
            elif isinstance(entry, ActivityInput):
                self._submit_call_activity(entry)

        dialog = LogActivityDialog("call", self.ctx.today(), self.ctx.rules.calendar, seconds)
        self.app.push_screen(dialog, answered)

    def _submit_call_activity(self, entry: ActivityInput) -> None:
        def with_call() -> ActivityInput:
            call = self._call  # read in the writer, after start/end have run
            return dataclasses.replace(entry, call_id=call.id if call else None)

        self._screen()._submit_activity(with_call)

    def _call_closed(self) -> None:
        """The call's activity is written (or it was cancelled): the lead is free to leave."""
        self._call = None
        timer = self.query_one(CallTimer)
        if timer.running:
            timer.stop()

    def _cancel_call(self) -> None:
        actor = self.ctx.actor

        def run() -> CallState | None:
            call = self._call  # read in the writer: start/end ran before this job
            if call is None:
                return None
            state = workstation(self).with_retry(lambda: cancel_call(actor, call.id))
            self._call = None
            return state

        def done(state: CallState | None, error: BaseException | None) -> None:
            self.post_message(self.CallWritten(state, error))

        timer = self.query_one(CallTimer)
        if timer.running:
            timer.stop()
        self.ctx.saver.submit(run, done)
        self.notify(tr("call.cancelled"), severity="warning")

    def refuse_while_calling(self) -> bool:
        """True (and says why) when a call is open, so leaving the lead would drop it."""
        if self.call_open or self._call_dialog_open:
            self.notify(tr("call.still_open"), severity="warning")
            return True
        return False

    # -- the power-dialer loop --------------------------------------------------------------
    def action_next_lead(self) -> None:
        """The lead ``n`` on the queue would take, without going back to the queue."""
        if not self.refuse_while_calling():
            self._find_next()

    @work(thread=True, exclusive=True, group="lead-next", exit_on_error=False)
    def _find_next(self) -> None:
        from isdesk.services.assignment import take_next_lead
        from isdesk.services.queue import next_lead_to_work

        ctx = self.ctx
        ctx.saver.flush(timeout=5)  # the follow-up just logged moves this lead down first
        try:
            taken = take_next_lead(ctx.actor, ctx.rules, now=utcnow())
        except PermissionError:
            taken = None
        if taken is not None:
            self.post_message(self.NextLead(taken.id, taken.claimed))
        else:
            self.post_message(self.NextLead(next_lead_to_work(ctx.actor), False))

    def on_call_flow_next_lead(self, message: NextLead) -> None:
        if message.lead_id is None or message.lead_id == self.lead_id:
            self.notify(tr("queue.no_next"))
            return
        if message.claimed:
            self.notify(tr("queue.claimed"))
        workstation(self).lead_trail.append(self.lead_id)
        self._go_to(message.lead_id)

    def action_previous_lead(self) -> None:
        """Back to the lead worked before this one in the session."""
        if self.refuse_while_calling():
            return
        trail: list[int] = workstation(self).lead_trail
        if not trail:
            self.notify(tr("lead.no_previous"))
            return
        self._go_to(trail.pop())

    def _go_to(self, lead_id: int) -> None:
        app = self.app
        self._screen().settle_before_leaving()
        self.dismiss()
        app.post_message(Navigate("lead", lead_id))
