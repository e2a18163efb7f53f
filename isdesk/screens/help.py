"""The key help (`?`, F1): generated from the live bindings of the screen underneath.

Two sections: the screen's own keys (titled by its ``HELP_KIND``) and 画面共通 / Everywhere,
the app's keys. Every key that runs the same action is listed on one line ("↓/j 下へ"), and
each line carries the same help sentence as the command palette.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from isdesk.i18n import tr
from isdesk.screens.base import BaseDialog
from isdesk.widgets.bindings import live_actions

Section = tuple[str, list[tuple[str, str, str]]]  # title, rows of (keys, what, help line)

# Keys a screen handles itself, without a binding of their own to describe them.
_UNBOUND = {
    "lead": [
        ("Enter / Tab", "lead.next_item", ""),
        ("ctrl+z", "lead.undo_help", ""),
        ("F2-F9 ctrl alt", "lead.keys_why", ""),
    ],
}


class HelpScreen(BaseDialog[None]):
    HELP_KIND = "help"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "help.close", id="help.close")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog-box"):
            yield self.title_line(tr("help.title"), id="help-title")
            for title, rows in self.sections:
                # Three columns that wrap within themselves, so a long help line at 80
                # columns stays under its own heading instead of running under the keys.
                table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
                table.add_column(no_wrap=True, style="bold")
                table.add_column(no_wrap=True)
                table.add_column(style="dim", ratio=1, overflow="fold")
                for key, description, help_line in rows:
                    table.add_row(Text(key), Text(description), Text(help_line))
                yield Static(Text(title, style="underline"), classes="help-section")
                yield Static(table, classes="help-rows")
            yield self.key_hints(tr("help.keys"))


def sections_for(screen: Screen, key_display: Callable[[Binding], str]) -> list[Section]:
    """The screen's keys and the app's, as the help shows them."""
    kind = getattr(screen, "HELP_KIND", "dialog" if screen.is_modal else "queue")
    own: list[tuple[str, str, str]] = []
    everywhere: list[tuple[str, str, str]] = []
    for action in live_actions(screen, key_display):
        row = (action.keys, action.description, _help_line(action.binding_id))
        (everywhere if action.everywhere else own).append(row)
    own.extend((keys, tr(what), help_line) for keys, what, help_line in _UNBOUND.get(kind, []))
    everywhere.append(("Tab", tr("app.focus_next"), tr("app.focus_next.help")))
    return [(tr(f"help.{kind}"), own), (tr("help.global"), everywhere)]


def _help_line(binding_id: str) -> str:
    key = f"{binding_id}.help"
    text = tr(key)
    return "" if text == key else text
