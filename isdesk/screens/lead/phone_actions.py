"""The phone from the lead screen: copy the number, dial it with the user's dial command, and
the do-not-call flag (架電禁止).

A base of :class:`isdesk.screens.lead.LeadScreen` beside LeadActions (a Screen itself, so every
call it makes is typed). The dial command comes
from settings.yaml (``dial_command: softphone --call {phone}``); it is split into words and run
without a shell, so a number can never become a command. Dialing starts the call timer, as F2.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.screen import Screen

from isdesk.i18n import tr
from isdesk.services.contact import DoNotCallChange, set_do_not_call
from isdesk.store.db import utcnow
from isdesk.widgets.call_timer import CallTimer
from isdesk.widgets.workstation import workstation

if TYPE_CHECKING:
    from isdesk.services.context import WorkContext
    from isdesk.services.leads import LeadDetail


def dial_words(command: str, number: str) -> list[str]:
    """The dial command's words with ``{phone}`` replaced by the number to dial (digits and a
    leading +; an extension is left out: it is dialled by hand once connected)."""
    head = number.split("内線")[0]
    digits = ("+" if head.strip().startswith("+") else "") + "".join(
        ch for ch in head if ch.isdigit()
    )
    return [word.replace("{phone}", digits) for word in shlex.split(command)]


class PhoneActions(Screen[None]):
    """Copying, dialing, do-not-call; the lead screen provides what is declared here."""

    ctx: WorkContext
    lead_id: int
    detail: LeadDetail | None
    action_call: Callable[[], None]

    _load: Callable[[], object]  # (re)load the lead: the lead screen's worker

    class DoNotCallSaved(Message):
        def __init__(self, change: DoNotCallChange | None, error: BaseException | None) -> None:
            self.change = change
            self.error = error
            super().__init__()

    class DialFailed(Message):
        def __init__(self, error: str) -> None:
            self.error = error
            super().__init__()

    def _number(self) -> str:
        if self.detail is None:
            return ""
        return self.detail.profile.phone

    def action_copy_phone(self) -> None:
        """Put the number on the terminal's clipboard (OSC 52), to paste into any phone."""
        number = self._number()
        if not number:
            self.notify(tr("phone.none"), severity="warning")
            return
        self.app.copy_to_clipboard(number)
        self.notify(tr("phone.copied", number=number), timeout=3)

    def action_dial(self) -> None:
        """Dial with the settings' dial command and start the call timer."""
        number = self._number()
        if not number:
            self.notify(tr("phone.none"), severity="warning")
            return
        if self.detail is not None and self.detail.profile.do_not_call:
            self.notify(tr("dnc.refused"), severity="error")
            return
        if not self.ctx.dial_command:
            self.notify(tr("phone.no_dialer"), severity="warning", timeout=8)
            return
        self._run_dialer(dial_words(self.ctx.dial_command, number))
        timer = self.query_one(CallTimer)
        if not timer.running:
            self.action_call()  # the call as F2 starts it: written at once (calling.py)
        self.notify(tr("phone.dialing", number=number), timeout=3)

    @work(thread=True, group="dial", exit_on_error=False)
    def _run_dialer(self, words: list[str]) -> None:
        try:  # the dialer runs on; isdesk does not wait for the call
            subprocess.Popen(
                words,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            self.post_message(self.DialFailed(f"{words[0]}: {error.strerror or error}"))

    def on_phone_actions_dial_failed(self, message: DialFailed) -> None:
        self.notify(tr("phone.dial_failed", error=message.error), severity="error", timeout=10)

    def action_do_not_call(self) -> None:
        """Mark the lead do-not-call, or lift the mark (F8)."""
        if self.detail is None:
            return
        flag = not self.detail.profile.do_not_call
        ctx = self.ctx

        def run() -> DoNotCallChange:
            return workstation(self).with_retry(
                lambda: set_do_not_call(ctx.actor, self.lead_id, flag, now=utcnow())
            )

        def done(change: DoNotCallChange | None, error: BaseException | None) -> None:
            self.post_message(self.DoNotCallSaved(change, error))

        ctx.saver.submit(run, done)

    def on_phone_actions_do_not_call_saved(self, message: DoNotCallSaved) -> None:
        if message.error is not None or message.change is None:
            self.notify(tr("dnc.failed", error=message.error), severity="error", timeout=10)
            return
        self.notify(tr("dnc.set" if message.change.do_not_call else "dnc.cleared"), timeout=4)
        self._load()
