"""Keys typed while the lead is still loading (F2 and talking at once) are kept, and typed
into the answers once the checklist is there: never lost."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from isdesk.widgets.hearing import HearingChecklist


class TypeAhead(Screen[None]):
    """The lead screen's keys before its checklist exists."""

    _typed_early: list[str] | None = None  # None: nothing is held (the checklist is there)

    def hold_keys(self) -> None:
        """From now until :meth:`type_held_keys`, printable keys and Enter/Tab are kept."""
        self._typed_early = []

    def type_held_keys(self, checklist: HearingChecklist) -> None:
        typed, self._typed_early = self._typed_early, None
        if typed:
            checklist.type_ahead("".join(typed))

    def on_key(self, event: events.Key) -> None:
        if self._typed_early is None:
            return
        if event.is_printable and event.character:
            self._typed_early.append(event.character)
        elif event.key in ("enter", "tab"):
            self._typed_early.append("\n")
        else:
            return  # F-keys and ctrl keys are bindings: they work while the lead loads
        event.stop()
        event.prevent_default()
