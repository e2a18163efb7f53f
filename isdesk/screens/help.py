"""The key help (`?`): every binding of the screen underneath, hidden ones included."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from isdesk.i18n import tr
from isdesk.widgets.bindings import localize_bindings

# Keys whose bindings carry no description of their own.
_EXTRA = {
    "queue": [("↑/↓ j/k", "queue.move_up"), ("PgUp/PgDn g/G", "queue.move_down")],
    "lead": [
        ("Enter / Tab", "lead.next_item"),
        ("ctrl+z", "lead.undo_help"),
        ("F2-F9 ctrl alt", "lead.keys_why"),
    ],
}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "help.close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        localize_bindings(self)
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text(tr("help.title"), style="bold"), id="help-title")
            for title, rows in self.sections:
                width = max((cell_len(key) for key, _ in rows), default=0) + 2
                lines = Text()
                for key, description in rows:
                    lines.append(key + " " * (width - cell_len(key)), style="bold")
                    lines.append(description + "\n")
                yield Static(Text(title, style="underline"), classes="help-section")
                yield Static(lines)


def sections_for(screen_kind: str, bindings: list[Binding], key_display) -> list:
    """Group the screen's bindings (deduplicated by action) into help sections."""
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        rows.append((key_display(binding), binding.description))
    sections = [(tr(f"help.{screen_kind}"), rows)]
    extra = [(k, tr(v)) for k, v in _EXTRA.get(screen_kind, [])]
    global_rows = [
        ("? / F1", tr("app.help")),
        ("ctrl+p", tr("help.palette")),
        ("ctrl+q", tr("app.quit")),
    ]
    return [*sections, (tr("help.global"), extra + global_rows)]
