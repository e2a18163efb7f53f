"""The lead screen: profile, hearing checklist with live rank and SQL, history.

Rank and SQL are recomputed with the pure qualification function on every change, in the
same frame; the answer is then saved by the app's background writer. Nothing is saved from
this thread, and no save button exists. ✓ is shown only when the text on screen is the text
the database now holds.

Keys: an operator types here with a customer on the line, so no action sits on a bare letter
or digit (a word resumed after leaving a field would fire it). Actions are F-keys, which
terminals send unchanged and a Japanese IME passes through, or ctrl/alt combinations that
neither the IME nor the terminal takes (alt+1…9 jump; ctrl+z undoes; ctrl+n next lead).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, LoadingIndicator, Static

from isdesk.domain.qualification import Qualification, evaluate
from isdesk.i18n import pick, to_local, tr
from isdesk.screens.base import BaseScreen
from isdesk.screens.lead.actions import LeadActions
from isdesk.screens.lead.calling import CallFlow
from isdesk.screens.lead.phone_actions import PhoneActions
from isdesk.screens.lead.type_ahead import TypeAhead
from isdesk.services.call_sessions import CallState, open_calls
from isdesk.services.context import WorkContext
from isdesk.services.leads import (
    AnswerState,
    LeadDetail,
    SaveOutcome,
    lead_version,
    load_lead,
    save_answer,
)
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.call_timer import CallTimer
from isdesk.widgets.hearing import HearingChecklist, HearingField, stored_form
from isdesk.widgets.lead_info import HistoryTimeline, ProfileCard
from isdesk.widgets.printable import printable
from isdesk.widgets.qualification import QualificationPanel
from isdesk.widgets.workstation import workstation

POLL_SECONDS = 3.0


class LeadScreen(CallFlow, LeadActions, PhoneActions, TypeAhead, BaseScreen):
    """One lead, worked during a call."""

    HELP_KIND = "lead"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-normal"), (160, "-wide")]
    # The app's bare "q" does nothing here: a letter typed after leaving a field is not a quit.
    ALLOWS_BARE_KEYS = False
    # Enter and the jumps are priority bindings: they run in the app's own key loop, so the
    # focus has moved before the next key is delivered, and words typed right after them land
    # in the item they were meant for, however fast they come.
    BINDINGS = [
        Binding("escape", "back", "lead.back", id="lead.back"),
        Binding("enter", "next_item", show=False, priority=True, id="lead.next_item"),
        *[
            Binding(
                f"alt+{n}",
                f"jump({n})",
                "lead.jump",
                show=n == 1,
                key_display="alt+1-9",
                priority=True,
                id=f"lead.jump.{n}",
            )
            for n in range(1, 10)
        ],
        # F-keys and ctrl/alt only (see the module docstring); the ids stay for a keymap.
        Binding("f2", "call", "lead.call", id="lead.call"),
        Binding("f3", "log('email')", "lead.email", id="lead.email"),
        Binding("f4", "log('appointment')", "lead.appointment", id="lead.appointment"),
        Binding("f5", "log('meeting')", "lead.meeting", id="lead.meeting"),
        Binding("f6", "log('note')", "lead.note", id="lead.note"),
        Binding("f7", "hand_off", "lead.handoff", id="lead.handoff"),
        Binding("ctrl+b", "previous_lead", "lead.previous", id="lead.previous"),
        Binding("ctrl+n", "next_lead", "lead.next", id="lead.next"),
        Binding("ctrl+o", "keep_mine", "lead.keep_mine", id="lead.keep_mine"),
        Binding("ctrl+t", "take_theirs", "lead.take_theirs", id="lead.take_theirs"),
        # The phone (phone_actions.py): F-keys only, they work while typing in a field.
        Binding("f8", "do_not_call", "lead.do_not_call", id="lead.do_not_call"),
        Binding("f9", "copy_phone", "lead.copy_phone", id="lead.copy_phone"),
        Binding("f10", "dial", "lead.dial", id="lead.dial"),
    ]

    class Loaded(Message):
        def __init__(self, detail: LeadDetail, open_call: CallState | None = None) -> None:
            self.detail = detail
            self.open_call = open_call
            super().__init__()

    class LoadFailed(Message):
        def __init__(self, error: Exception) -> None:
            self.error = error
            super().__init__()

    class Saved(Message):
        def __init__(
            self, outcome: SaveOutcome | None, error: BaseException | None, item: str
        ) -> None:
            self.outcome = outcome
            self.error = error
            self.item = item
            super().__init__()

    class VersionSeen(Message):
        def __init__(self, version: int) -> None:
            self.version = version
            super().__init__()

    def __init__(self, ctx: WorkContext, lead_id: int) -> None:
        super().__init__()
        localize_bindings(self)
        self.ctx = ctx
        self.lead_id = lead_id
        self.detail: LeadDetail | None = None
        self.qualification: Qualification | None = None
        # Answer versions, read and advanced by the writer thread: each save names the version
        # it edits, so a change made meanwhile by someone else is caught, never overwritten.
        self._versions: dict[str, int] = {}
        self._conflicts: dict[str, AnswerState] = {}
        self._known_version = 0
        self._call: CallState | None = None
        self._call_dialog_open = False
        self.hold_keys()  # until the answers are ready (isdesk.screens.lead.type_ahead)

    def compose(self) -> ComposeResult:
        yield Static(id="lead-title")
        yield CallTimer(id="call-timer")
        yield QualificationPanel(id="qualification")
        # A grid whose shape follows the width (app.tcss): profile | hearing | history side by
        # side from 160 columns; profile over history beside the hearing in between; below
        # 100 columns the hearing alone on top, one line per item, and the history under it.
        with Grid(id="lead-body"):
            with VerticalScroll(id="lead-side"):
                yield ProfileCard(id="profile")
            with Vertical(id="hearing-pane"):
                yield Static(tr("lead.hearing"), classes="section-title")
                yield LoadingIndicator()
            with VerticalScroll(id="lead-history"):
                yield Static(tr("lead.history"), classes="section-title")
                yield HistoryTimeline(id="history")
        yield Static(id="save-status")
        yield Footer()

    def on_mount(self) -> None:
        self._load()
        self.set_interval(POLL_SECONDS, self._poll)
        self._start_heartbeat()

    # -- loading ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="lead-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            detail = load_lead(self.ctx.actor, self.lead_id)
            calls = open_calls(self.ctx.actor, self.lead_id)
            self.post_message(self.Loaded(detail, calls[0] if calls else None))
        except (LookupError, PermissionError) as error:
            self.post_message(self.LoadFailed(error))

    def on_lead_screen_load_failed(self, message: LoadFailed) -> None:
        key = "lead.forbidden" if isinstance(message.error, PermissionError) else "lead.not_found"
        self.notify(tr(key), severity="error")
        self.dismiss()

    async def on_lead_screen_loaded(self, message: Loaded) -> None:
        detail = message.detail
        first_load = self.detail is None
        self.detail = detail
        self._known_version = detail.profile.version
        profile = detail.profile
        # The phone number in the title: below 100 columns the profile is not shown, and the
        # number is what an operator on the call needs first.
        phone = f"  ☎ {profile.phone}" if profile.phone else ""
        title = f"{profile.company}  {profile.contact}  {profile.title}{phone}".strip()
        # Text, not str: a str would be parsed as markup, and "[/b]" in a company name crashed.
        self.query_one("#lead-title", Static).update(Text(printable(title)))
        self.query_one(ProfileCard).show(profile, self.ctx.rules)
        self.query_one(HistoryTimeline).show(detail.history, self.ctx.rules)
        if first_load:
            self._versions = {k: a.version for k, a in detail.answers.items()}
            values = {k: a.value for k, a in detail.answers.items()}
            pane = self.query_one("#hearing-pane")
            await pane.query(LoadingIndicator).remove()
            checklist = HearingChecklist(self.ctx.rules, values, self.ctx.today(), id="checklist")
            await pane.mount(checklist)
            self.answers_ready(checklist)  # focus and held keys once the keys typed are here
            if message.open_call is not None and self._call is None:
                self.resume_call(message.open_call)  # left open by a run that did not finish
        else:
            self._merge_changes_from_others(detail)
        self._requalify()

    def _merge_changes_from_others(self, detail: LeadDetail) -> None:
        checklist = self.query_one(HearingChecklist)
        changed = False
        for key, answer in detail.answers.items():
            # Only a newer answer than the one this screen saved: a read that started before
            # this screen's own save would otherwise put the older text back over it.
            if answer.version <= self._versions.get(key, 0) or key in self._conflicts:
                continue
            field = checklist.field(key)
            if field.has_focus_within or field.has_class("-saving"):
                continue  # typed here and not saved yet: the save reports the conflict
            field.set_value(answer.value)
            field.remember_saved(answer.value)
            self._versions[key] = answer.version
            changed = True
        if changed:
            self.notify(tr("lead.changed_elsewhere"))

    def _poll(self) -> None:
        if self.detail is not None and self.ctx.saver.idle():
            self._check_version()

    @work(thread=True, exclusive=True, group="lead-poll", exit_on_error=False)
    def _check_version(self) -> None:
        self.post_message(self.VersionSeen(lead_version(self.lead_id)))

    def on_lead_screen_version_seen(self, message: VersionSeen) -> None:
        if message.version != self._known_version and self.ctx.saver.idle():
            self._load()

    # -- answering --------------------------------------------------------------------------
    def _requalify(self) -> Qualification:
        values = self.query_one(HearingChecklist).values()
        qual = evaluate(self.ctx.rules, values, self.ctx.today())
        self.query_one(QualificationPanel).show(qual, self.ctx.rules)
        self.qualification = qual
        return qual

    @on(HearingField.Edited)
    def _answer_edited(self, event: HearingField.Edited) -> None:
        before = self.qualification
        after = self._requalify()
        if before is not None and before.rank != after.rank:
            self.notify(tr("lead.rank_changed", old=before.rank, new=after.rank), timeout=3)
        if event.key in self._conflicts:
            return  # nothing is written until the operator chooses keep-mine or take-theirs
        self._submit_save(event.key, event.value, record=event.settled)
        event.field.show_mark("saving")

    def _submit_save(self, item: str, value: str, *, record: bool, force: bool = False) -> None:
        ctx = self.ctx

        def save() -> SaveOutcome:
            return save_answer(
                ctx.actor,
                self.lead_id,
                item,
                value,
                base_version=self._versions.get(item, 0),
                rules=ctx.rules,
                today=ctx.today(),
                record=record,
                force=force,
            )

        def run() -> SaveOutcome:
            outcome = workstation(self).with_retry(save)
            if outcome.saved:
                self._versions[item] = outcome.answer.version
            return outcome

        def done(outcome: SaveOutcome | None, error: BaseException | None) -> None:
            self.post_message(self.Saved(outcome, error, item))

        ctx.saver.submit(run, done, key=(self.lead_id, item), replaceable=not record)

    def on_lead_screen_saved(self, message: Saved) -> None:
        if not self.is_mounted or not self.query(HearingChecklist):
            return
        field = self.query_one(HearingChecklist).field(message.item)
        status = self.query_one("#save-status", Static)
        if message.error is not None or message.outcome is None:
            field.show_mark("conflict")
            status.update(tr("lead.save_failed", error=message.error))
            status.set_class(True, "-error")
            return
        outcome = message.outcome
        self._known_version = max(self._known_version, outcome.lead_version)
        if not outcome.saved and outcome.theirs is not None:
            self._conflicts[message.item] = outcome.theirs
            field.show_mark("conflict")
            label = pick(self.ctx.rules.item(message.item).label)
            self.notify(
                tr(
                    "lead.conflict",
                    who=outcome.theirs.updated_by or "?",
                    item=label,
                    value=outcome.theirs.value,
                ),
                severity="warning",
                timeout=30,
            )
            return
        on_screen = field.value
        if outcome.answer.value not in (on_screen, stored_form(field.item, on_screen, field.today)):
            return  # a newer text is still on its way to the database: "…" stays until it lands
        field.show_mark("saved")
        status.set_class(False, "-error")
        moment = outcome.answer.updated_at
        stamp = to_local(moment).strftime("%H:%M:%S") if moment else ""
        status.update(tr("lead.saved", time=stamp))
        if outcome.sql_changed:
            self.notify(tr("lead.became_sql" if outcome.is_sql else "lead.lost_sql"))

    # -- conflicts --------------------------------------------------------------------------
    def _conflict_in_focus(self) -> str | None:
        focused = self.focused
        for key in self._conflicts:
            field = self.query_one(HearingChecklist).field(key)
            if focused is not None and focused in field.walk_children():
                return key
        return next(iter(self._conflicts), None)

    def action_keep_mine(self) -> None:
        key = self._conflict_in_focus()
        if key is None:
            return
        theirs = self._conflicts.pop(key)
        self._versions[key] = theirs.version
        field = self.query_one(HearingChecklist).field(key)
        self._submit_save(key, field.value, record=True, force=True)
        field.show_mark("saving")

    def action_take_theirs(self) -> None:
        key = self._conflict_in_focus()
        if key is None:
            return
        theirs = self._conflicts.pop(key)
        self._versions[key] = theirs.version
        field = self.query_one(HearingChecklist).field(key)
        field.set_value(theirs.value)
        field.remember_saved(theirs.value)
        field.show_mark("saved")
        self._requalify()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("keep_mine", "take_theirs"):
            return bool(self._conflicts)
        if action == "next_item":  # only from an answer box; elsewhere Enter is Enter
            return self._focused_field() is not None
        return True

    def settle_answers(self) -> None:
        """Record every answer typed so far before a dialog opens (it takes the keys, and the
        history must show the answers before the call that heard them)."""
        for checklist in self.query(HearingChecklist):
            checklist.settle_all()

    def settle_before_leaving(self) -> None:
        """Leaving the lead is leaving the field: unsettled answers are saved and recorded now,
        straight to the writer (this screen is gone before a message could reach it)."""
        for checklist in self.query(HearingChecklist):
            for key, value in checklist.take_unsettled():
                if key not in self._conflicts:
                    self._submit_save(key, value, record=True)

    def _focused_field(self) -> HearingField | None:
        focused = self.focused
        if isinstance(focused, Input) and isinstance(focused.parent, HearingField):
            return focused.parent
        return None

    def action_next_item(self) -> None:
        """Enter in an answer: settle it and go to the next item at once."""
        field = self._focused_field()
        if field is None:
            return
        fields = list(self.query_one(HearingChecklist).query(HearingField))
        index = fields.index(field)
        if index + 1 < len(fields):
            fields[index + 1].focus_editor()  # the blur settles (saves and records) this one
            fields[index + 1].scroll_visible()
        else:
            field.settle()

    # -- navigation -------------------------------------------------------------------------
    def action_jump(self, number: int) -> None:
        if self.query(HearingChecklist):
            self.query_one(HearingChecklist).jump(number)

    def action_back(self) -> None:
        """Escape in a field leaves the field; Escape again goes back, never during a call."""
        if self._focused_field() is not None:
            self.query_one(HearingChecklist).focus()  # blurring settles (records) the answer
            return
        if self.refuse_while_calling():
            return
        self.settle_before_leaving()
        self.dismiss()
