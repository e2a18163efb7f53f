"""The dialog that records a call, e-mail, appointment, meeting or note in a few keys.

Calls pick an outcome (1…5), every kind picks the next follow-up (t / 3 / w / d for a date /
n for none), a note can be tagged as the customer's voice (顧客の声) for marketing, and
ctrl+s or Enter in the note records it.

No single key throws a call away: for a call, Esc only steps back out of a text box; the call
is closed by recording it or by ctrl+d, a cancel that asks first and is recorded as cancelled.
Other kinds close on Esc only while nothing has been typed into them.
"""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from isdesk.domain.followup import (
    FollowUpChoice,
    follow_up_at,
    follow_up_choices,
    parse_follow_up,
)
from isdesk.domain.kpi import CALL_OUTCOMES
from isdesk.i18n import duration, next_action_code, short_day, tr
from isdesk.rules import CalendarRules
from isdesk.screens.lead.confirm_dialog import ConfirmDialog
from isdesk.services.activities import ActivityInput
from isdesk.widgets.bindings import localize_bindings

# What the dialog returns when the operator confirmed that the call is not to be recorded.
CANCEL_CALL = "cancel-call"


class LogActivityDialog(ModalScreen[ActivityInput | str | None]):
    VERTICAL_BREAKPOINTS = [(0, "-short"), (33, "-tall")]
    BINDINGS = [
        Binding("ctrl+s", "record", "log.record", priority=True, id="log.record"),
        Binding("escape", "cancel", "log.cancel", id="log.cancel"),
        # priority: the note and next-action boxes are Inputs, whose own ctrl+d deletes a character.
        Binding("ctrl+d", "cancel_call", "log.cancel_call", id="log.cancel_call", priority=True),
    ]

    def __init__(
        self, kind: str, today: dt.date, calendar: CalendarRules, duration_s: int = 0
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.kind = kind
        self.today = today
        self.calendar = calendar
        self.duration_s = duration_s
        self.choices = follow_up_choices(today, calendar)
        self._outcome_chosen = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="log-box"):
            title = tr(f"kind.{self.kind}")
            if self.kind == "call":
                title += f"  {duration(self.duration_s)}"
            yield Static(title, id="log-title")
            if self.kind == "call":
                yield Static(tr("log.outcome"), classes="log-caption")
                yield OptionList(
                    *[
                        Option(f"{n}  {tr(f'outcome.{o}')}", id=o)
                        for n, o in enumerate(CALL_OUTCOMES, start=1)
                    ],
                    id="log-outcome",
                )
            yield Static(tr("log.follow_up"), classes="log-caption")
            yield OptionList(
                *[self._follow_up_option(c) for c in self.choices],
                Option(f"d  {tr('follow.date')}", id="date"),
                id="log-follow-up",
            )
            yield Input(placeholder=tr("log.date_placeholder"), id="log-date")
            yield Input(placeholder=tr("log.next_action_placeholder"), id="log-next-action")
            yield Input(placeholder=tr("log.note_placeholder"), id="log-note")
            with Horizontal(id="log-flags"):
                yield Checkbox(tr("log.customer_voice"), id="log-voice")
            keys = "log.keys_call" if self.kind == "call" else "log.keys"
            yield Static(tr(keys), id="log-keys")
            yield Static("", id="log-error")

    def _follow_up_option(self, choice: FollowUpChoice) -> Option:
        keys = {"tomorrow": "t", "plus3": "3", "next_week": "w", "none": "n"}
        when = f"  {short_day(choice.day)}" if choice.day else ""
        return Option(f"{keys[choice.key]}  {tr(f'follow.{choice.key}')}{when}", id=choice.key)

    def on_mount(self) -> None:
        # The breakpoint class comes with the first resize; the first frame needs it already.
        self.set_class(self.app.size.height < 33, "-short")
        self.query_one("#log-date").display = False
        follow = self.query_one("#log-follow-up", OptionList)
        follow.highlighted = 0  # tomorrow: the usual case
        if self.kind == "call":
            outcome = self.query_one("#log-outcome", OptionList)
            outcome.highlighted = 0
            outcome.focus()
        else:
            follow.focus()

    def on_key(self, event) -> None:
        """Number and letter shortcuts for the two lists, whenever no text box has focus.

        Judged by the dialog's stage, not by which list has focus: keys typed the moment the
        dialog appears (before its first focus lands) count like any other.
        """
        if isinstance(self.focused, Input) or not event.character:
            return
        char = event.character
        if self.kind == "call" and not self._outcome_chosen and char.isdigit():
            index = int(char) - 1
            if 0 <= index < len(CALL_OUTCOMES):
                self.query_one("#log-outcome", OptionList).highlighted = index
                self._outcome_done()
                event.stop()
            return
        keys = {"t": "tomorrow", "3": "plus3", "w": "next_week", "n": "none", "d": "date"}
        target = keys.get(char)
        if target:
            follow = self.query_one("#log-follow-up", OptionList)
            follow.highlighted = follow.get_option_index(target)
            self._outcome_chosen = True  # a follow-up chosen first keeps the highlighted outcome
            self._follow_up_chosen(target)
            event.stop()

    def _outcome_done(self) -> None:
        self._outcome_chosen = True
        self.query_one("#log-follow-up").focus()

    @on(OptionList.OptionSelected, "#log-outcome")
    def _outcome_selected(self) -> None:
        self._outcome_done()

    @on(OptionList.OptionSelected, "#log-follow-up")
    def _follow_selected(self, event: OptionList.OptionSelected) -> None:
        self._follow_up_chosen(event.option.id or "none")

    def _follow_up_chosen(self, key: str) -> None:
        date_box = self.query_one("#log-date", Input)
        date_box.display = key == "date"
        (date_box if key == "date" else self.query_one("#log-note", Input)).focus()

    @on(Input.Submitted, "#log-date")
    def _date_done(self) -> None:
        self.query_one("#log-note").focus()

    @on(Input.Submitted, "#log-note")
    def _note_done(self) -> None:
        self.action_record()

    def _selected_id(self, selector: str) -> str:
        lists = self.query(selector)
        if not lists:
            return ""
        option_list = lists.first(OptionList)
        index = option_list.highlighted
        if index is None:
            return ""
        return option_list.get_option_at_index(index).id or ""

    def action_record(self) -> None:
        follow = self._selected_id("#log-follow-up")
        next_at: dt.datetime | None = None
        if follow == "date":
            raw = self.query_one("#log-date", Input).value
            next_at = parse_follow_up(raw, self.today, self.calendar)
            if next_at is None:
                self.query_one("#log-error", Static).update(tr("log.when_invalid"))
                self.query_one("#log-date").focus()
                return
        else:
            choice = next((c for c in self.choices if c.key == follow), None)
            if choice is not None and choice.day is not None:
                next_at = follow_up_at(choice.day, self.calendar)
        next_action = self.query_one("#log-next-action", Input).value.strip()
        if next_at is not None and not next_action:
            next_action = next_action_code(self.kind)  # shown in each reader's language
        self.dismiss(
            ActivityInput(
                kind=self.kind,
                outcome=self._selected_id("#log-outcome") if self.kind == "call" else "",
                duration_s=self.duration_s,
                note=self.query_one("#log-note", Input).value,
                customer_voice=self.query_one("#log-voice", Checkbox).value,
                next_action_at=next_at,
                next_action=next_action,
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_call":
            return self.kind == "call"
        return True

    def _typed_something(self) -> bool:
        return any(
            self.query_one(f"#{box}", Input).value.strip()
            for box in ("log-date", "log-next-action", "log-note")
        )

    def action_cancel(self) -> None:
        """Esc: out of a text box first; closes only a dialog that would lose nothing."""
        focused = self.focused
        if isinstance(focused, Input):
            first = "#log-outcome" if self.kind == "call" else "#log-follow-up"
            self.query_one(first).focus()
            return
        if self.kind == "call":
            self.query_one("#log-error", Static).update(tr("log.call_needs_outcome"))
            return
        if self._typed_something():
            self.query_one("#log-error", Static).update(tr("log.typed_keep"))
            return
        self.dismiss(None)

    def action_cancel_call(self) -> None:
        """ctrl+d: record no call, once the operator confirms it."""

        def decided(yes: bool | None) -> None:
            if yes:
                self.dismiss(CANCEL_CALL)

        self.app.push_screen(
            ConfirmDialog(tr("log.cancel_call_question"), tr("log.cancel_call_yes")), decided
        )
