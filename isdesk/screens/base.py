"""The one pattern every isdesk screen and dialog follows.

``BaseScreen`` carries the work context, shows its bindings in the UI language, reports a
failed worker through the app's single handler, names its help section (``HELP_KIND``) and
offers its actions in the command palette. ``BaseDialog`` is the same for modal dialogs, with
the shared box styles (``.dialog``, ``.dialog-box``, ``.dialog-title``, ``.dialog-keys`` in
app.tcss) and a title and a key-hint line built the same way everywhere.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from isdesk.screens.palette import ScreenCommands
from isdesk.services.context import WorkContext
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.worker_errors import ReportsWorkerErrors

ResultType = TypeVar("ResultType")
FOOTER_ROOMY = 120
FOOTER_WITH_PALETTE = 100


class BaseScreen(ReportsWorkerErrors, Screen[None]):
    """A full screen of the workstation."""

    HELP_KIND: ClassVar[str] = "queue"
    """The help section (``help.<kind>`` in the catalogue) this screen's own keys go under."""
    COMMANDS = {ScreenCommands}

    ctx: WorkContext

    def __init__(self, ctx: WorkContext | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        if ctx is not None:  # a subclass that sets ctx itself may pass none
            self.ctx = ctx

    def on_resize(self, event: events.Resize) -> None:
        # Below 120 columns the footer packs its keys; below 100 the palette's entry gives
        # way to the screen's own keys (ctrl+p still works, and the help lists it).
        for footer in self.query(Footer):
            footer.compact = event.size.width < FOOTER_ROOMY
            footer.show_command_palette = event.size.width >= FOOTER_WITH_PALETTE


class BaseDialog(ReportsWorkerErrors, ModalScreen[ResultType], Generic[ResultType]):
    """A typed modal dialog: centred box, bold title, muted key hints, localised bindings."""

    HELP_KIND: ClassVar[str] = "dialog"
    COMMANDS = {ScreenCommands}
    DEFAULT_CLASSES = "dialog"
    # A modal screen cuts the app's bindings off: F1 is bound here too (? may be typed).
    BINDINGS = [Binding("f1", "app.help", "app.help", show=False, id="dialog.help")]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @staticmethod
    def title_line(text: str, *, id: str | None = None) -> Static:
        """The dialog's title, bold, on its own line."""
        return Static(Text(text), id=id, classes="dialog-title")

    @staticmethod
    def key_hints(text: str, *, id: str | None = None) -> Static:
        """The keys the dialog answers to, muted, at its foot."""
        return Static(Text(text), id=id, classes="dialog-keys")
