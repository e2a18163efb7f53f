"""The hearing checklist: one typed field per item of rules.yaml, numbered for 1…9 jumps.

Fields post ``HearingField.Edited`` on every change (``settled=False``) and once the answer
is settled (Enter, leaving the field, a choice made: ``settled=True``). They never save:
the lead screen owns saving.

Nothing typed is lost by a key: focusing an answer puts the cursor after its text (never
selects it for replacement), and ``ctrl+z`` steps the focused answer back through the values
it had on this screen, each step settled (saved and recorded) like any change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Select, Static
from textual.widgets.select import NoSelection

from isdesk.domain.answers import parse_answer
from isdesk.i18n import current_language, pick, tr
from isdesk.rules import HearingItem, Rules
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.printable import PrintableHighlighter

_PLACEHOLDERS = {
    "date": ("2026-12-01 / 12/1 / +30", "2026-12-01 / 12/1 / +30"),
    "amount": ("300万 / 1,500,000", "3,000,000 / 300万"),
}
# A pause this long in typing settles the answer (records it in the history), so the timeline
# follows the call even when the operator never presses Enter or leaves the field.
SETTLE_AFTER_PAUSE_S = 2.0
_YESNO = (("yes", "はい", "Yes"), ("no", "いいえ", "No"))


def stored_form(item: HearingItem, raw: str, today: dt.date) -> str:
    """What is saved for ``raw``: a date as its ISO day, so "+30" means the same tomorrow."""
    if item.type in ("date", "yesno", "choice"):
        parsed = parse_answer(item, raw, today)
        if parsed.canonical is not None:
            return parsed.canonical
    return raw


class HearingField(Horizontal):
    """One hearing item: number, label, BANT letter, editor and a save mark."""

    BINDINGS = [Binding("ctrl+z", "undo", "lead.undo", id="lead.undo")]

    class Edited(Message):
        def __init__(self, field: HearingField, key: str, value: str, settled: bool) -> None:
            self.field = field
            self.key = key
            self.value = value
            self.settled = settled
            super().__init__()

    def __init__(self, item: HearingItem, number: int, value: str, today: dt.date) -> None:
        super().__init__(id=f"item-{item.key}", classes="hearing-field")
        localize_bindings(self)
        self.item = item
        self.number = number
        self.today = today
        self._initial = value
        self._dirty = False  # typed since the answer was last settled
        self._shown = value  # what the editor holds; Input reports its initial value as a change
        # The settled values this answer had on this screen, oldest first: ctrl+z walks back.
        self._undo: list[str] = [value]
        self._pause: Timer | None = None
        self._mark = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.number}" if self.number <= 9 else " "), classes="number")
        yield Static(Text(pick(self.item.label)), classes="label")
        yield Static(Text(self.item.bant or ""), classes="bant")
        yield self._editor()
        yield Static("", classes="mark")
        yield Static("", classes="preview")

    def _editor(self) -> Input | Select[str]:
        editor_id = f"answer-{self.item.key}"
        if self.item.type == "yesno":
            ja = current_language() == "ja"
            options = [(ja_label if ja else en, value) for value, ja_label, en in _YESNO]
            return Select(
                options, id=editor_id, value=self._select_value(self._initial), prompt="—"
            )
        if self.item.type == "choice":
            options = [(c, c) for c in self.item.choices]
            return Select(
                options, id=editor_id, value=self._select_value(self._initial), prompt="—"
            )
        pair = _PLACEHOLDERS.get(self.item.type)
        placeholder = (pair[0] if current_language() == "ja" else pair[1]) if pair else ""
        if self.item.hint is not None and not placeholder:
            placeholder = pick(self.item.hint)
        # select_on_focus=False: a selected answer is replaced by the first key typed, and an
        # operator who opens a lead and starts talking must never lose what was heard before.
        editor = Input(
            self._initial,
            id=editor_id,
            placeholder=placeholder,
            highlighter=PrintableHighlighter(),
            select_on_focus=False,
        )
        editor.cursor_position = len(self._initial)
        return editor

    def _select_value(self, raw: str) -> str | NoSelection:
        parsed = parse_answer(self.item, raw, self.today)
        return parsed.canonical if parsed.canonical is not None else Select.NULL

    def on_mount(self) -> None:
        self._show_preview(self._initial)

    @property
    def editor(self) -> Input | Select[str]:
        return self.query_one(f"#answer-{self.item.key}")  # type: ignore[return-value]  # _editor() made it

    @property
    def value(self) -> str:
        editor = self.editor
        if isinstance(editor, Input):
            return editor.value
        return "" if editor.value is Select.NULL else str(editor.value)

    def set_value(self, value: str) -> None:
        """Show ``value`` (loaded or taken from another operator) without saving it again."""
        editor = self.editor
        self._shown = value
        if isinstance(editor, Input):
            with editor.prevent(Input.Changed):
                editor.value = value
        else:
            with editor.prevent(Select.Changed):
                editor.value = self._select_value(value)
        self._show_preview(value)

    def focus_editor(self) -> None:
        """Focus the answer with the cursor after its text, ready to add to it."""
        editor = self.editor
        # set_focus, not focus(): focus() waits for the next turn of the loop, and keys typed
        # meanwhile would still land in the field being left.
        self.screen.set_focus(editor)
        if isinstance(editor, Input):
            editor.cursor_position = len(editor.value)

    def remember_saved(self, value: str) -> None:
        """A value loaded from elsewhere becomes the point ctrl+z returns to."""
        if not self._undo or self._undo[-1] != value:
            self._undo.append(value)

    def action_undo(self) -> None:
        """Back to the answer's previous value on this screen; saved like any change."""
        current = stored_form(self.item, self.value, self.today)
        history = self._undo
        if history and history[-1] != current:
            target = history[-1]  # unsettled typing: back to the last settled text
        elif len(history) > 1:
            history.pop()
            target = history[-1]
        else:
            self.app.bell()
            return
        self.set_value(target)
        self._dirty = False  # the undo is settled here; leaving the field adds nothing
        editor = self.editor
        if isinstance(editor, Input):
            editor.cursor_position = len(target)
        self.post_message(self.Edited(self, self.item.key, target, settled=True))

    def show_mark(self, state: str) -> None:
        """'' | 'saving' | 'saved' | 'conflict'."""
        if self._mark == state:
            return  # every key asks for "saving": restyle only when it changes
        self._mark = state
        marks = {"saving": "…", "saved": "✓", "conflict": "!"}
        mark = self.query_one(".mark", Static)
        mark.update(marks.get(state, ""))
        for name in ("saving", "saved", "conflict"):
            self.set_class(state == name, f"-{name}")

    def _show_preview(self, raw: str) -> None:
        parsed = parse_answer(self.item, raw, self.today)
        preview = self.query_one(".preview", Static)
        self.set_class(parsed.known, "-known")
        self.set_class(parsed.error is not None, "-invalid")
        if parsed.error:
            choices = ", ".join(self.item.choices)
            preview.update(Text(tr(f"answer.{parsed.error}", choices=choices)))
        elif self.item.type == "date" and isinstance(parsed.value, dt.date):
            days = (parsed.value - self.today).days
            when = (
                tr("answer.days_from_today", days=days)
                if days >= 0
                else tr("answer.days_ago", days=-days)
            )
            preview.update(Text(f"{parsed.value.isoformat()} ({when})"))
        elif self.item.type == "amount" and isinstance(parsed.value, int):
            upper = f"～{parsed.upper:,}円" if isinstance(parsed.upper, int) else ""
            preview.update(Text(f"{parsed.value:,}円{upper}"))
        else:
            preview.update("")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self._shown:
            return  # not an edit: the initial value, or one set by set_value()
        self._shown = event.value
        self._show_preview(event.value)
        self._dirty = True
        if self._pause is not None:
            self._pause.stop()
        self._pause = self.set_timer(SETTLE_AFTER_PAUSE_S, self.settle)
        self.post_message(self.Edited(self, self.item.key, event.value, settled=False))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.settle()
        self.screen.focus_next()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        event.stop()
        self.settle()

    def settle(self) -> None:
        """The answer is given (Enter, leaving it, a pause): save and record it, once per change."""
        if self._pause is not None:
            self._pause.stop()
            self._pause = None
        if not self._dirty:
            return  # passing through a field with Tab or Enter is not an answer
        self._dirty = False
        # Show a date the way it was saved (ISO), so "+30" reads as the day it means.
        raw = self.value
        stored = stored_form(self.item, raw, self.today)
        if stored != raw:
            self.set_value(stored)
        self.remember_saved(stored)
        self.post_message(self.Edited(self, self.item.key, stored, settled=True))

    def take_unsettled(self) -> str | None:
        """The answer typed here and not settled yet, in stored form, now settled: for a
        screen that is leaving and will not be there to handle an Edited message."""
        if self._pause is not None:
            self._pause.stop()
            self._pause = None
        if not self._dirty:
            return None
        self._dirty = False
        stored = stored_form(self.item, self.value, self.today)
        self.remember_saved(stored)
        return stored

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        value = "" if event.value is Select.NULL else str(event.value)
        if value == stored_form(self.item, self._shown, self.today):
            return  # the initial choice being reported, not a new one
        self._shown = value
        self._show_preview(value)
        self.remember_saved(value)
        self.post_message(self.Edited(self, self.item.key, value, settled=True))


class HearingChecklist(VerticalScroll):
    """All hearing items in the order they are asked."""

    def __init__(self, rules: Rules, answers: Mapping[str, str], today: dt.date, **kw) -> None:
        super().__init__(**kw)
        self.rules = rules
        self.answers = answers
        self.today = today

    def compose(self) -> ComposeResult:
        for number, item in enumerate(self.rules.hearing, start=1):
            yield HearingField(item, number, self.answers.get(item.key, ""), self.today)

    def field(self, key: str) -> HearingField:
        return self.query_one(f"#item-{key}", HearingField)

    def jump(self, number: int) -> None:
        """Focus item ``number`` (1-based), as the operator pressed that digit."""
        fields = list(self.query(HearingField))
        if 1 <= number <= len(fields):
            fields[number - 1].focus_editor()
            fields[number - 1].scroll_visible()

    def type_ahead(self, typed: str) -> None:
        """Type keys the answer boxes did not receive (typed while they were being built)
        into the answers: from the focused answer (else the first) on, after what each already
        holds, Enter (``"\\n"``) moving to the next one. Nothing is dropped: more lines than
        answers go into the last."""
        fields = [f for f in self.query(HearingField) if isinstance(f.editor, Input)]
        if not fields:
            return
        start = next((i for i, f in enumerate(fields) if f.has_focus_within), 0)
        fields = fields[start:]
        lines = typed.split("\n")
        if len(lines) > len(fields):
            lines[len(fields) - 1 :] = [" ".join(lines[len(fields) - 1 :])]
        for number, (field, line) in enumerate(zip(fields, lines, strict=False), start=1):
            field.focus_editor()
            editor = field.editor
            if line and isinstance(editor, Input):
                editor.insert_text_at_cursor(line)
            if number < len(lines):
                field.settle()

    def take_unsettled(self) -> list[tuple[str, str]]:
        """(item, stored value) of every answer typed and not settled, now settled."""
        taken = ((f.item.key, f.take_unsettled()) for f in self.query(HearingField))
        return [(key, value) for key, value in taken if value is not None]

    def settle_all(self) -> None:
        """Settle every answer typed and not yet settled (before a dialog takes the keys)."""
        for field in self.query(HearingField):
            field.settle()

    def values(self) -> dict[str, str]:
        """What the screen shows now, in stored form: the input of the live rank."""
        return {
            f.item.key: stored_form(f.item, f.value, self.today) for f in self.query(HearingField)
        }
