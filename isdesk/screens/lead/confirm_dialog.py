"""A yes/no question whose safe answer is the default: Enter or Esc keeps things as they are."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from isdesk.i18n import tr
from isdesk.widgets.bindings import localize_bindings


class ConfirmDialog(ModalScreen[bool]):
    """``question`` with "no" focused: only a deliberate move to "yes" and Enter says yes."""

    BINDINGS = [
        Binding("escape", "answer(False)", "confirm.no", id="confirm.no"),
        Binding("left,right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.question = question
        self.yes_label = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(tr("confirm.no"), id="confirm-no", variant="primary")
                yield Button(self.yes_label, id="confirm-yes", variant="error")
            yield Static(tr("confirm.keys"), id="confirm-keys")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
