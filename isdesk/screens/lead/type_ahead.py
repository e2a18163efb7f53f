"""Keys typed while the lead is still loading (F2 and talking at once) are kept, and typed
into the answers once the checklist is there: never lost."""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Input

from isdesk.widgets.hearing import HearingChecklist


class TypeAhead(Screen[None]):
    """The lead screen's keys before its checklist exists."""

    # Nothing is focused until the answers are ready (then item 1 is): every key typed before
    # comes to the screen itself, in the order typed. A focused scroll pane would pass keys
    # on later than the ones the screen got directly, and the answers would get them mixed.
    AUTO_FOCUS = ""  # not None: None means "the app's AUTO_FOCUS"
    _typed_early: list[str] | None = None  # None: nothing is held (the checklist is there)

    def hold_keys(self) -> None:
        """From now until :meth:`answers_ready`, printable keys and Enter/Tab are kept."""
        self._typed_early = []

    def answers_ready(self, checklist: HearingChecklist) -> None:
        """The checklist is mounted: once every key typed so far has reached this screen
        (after the app's queue, then this screen's), focus item 1, type the held keys in, and
        let the answer boxes take the keys from then on."""
        self.app.call_later(self.call_later, self._answers_ready, checklist)

    def _answers_ready(self, checklist: HearingChecklist) -> None:
        checklist.jump(1)
        typed, self._typed_early = self._typed_early, None
        if typed:
            checklist.type_ahead("".join(typed))
            if self.app.screen is not self:
                # The operator already hung up or opened a dialog: these answers were given
                # before it, so they are recorded now (the history follows the call).
                checklist.settle_all()

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            typed = event.character
        elif event.key in ("enter", "tab"):
            typed = "\n"
        else:
            return  # F-keys and ctrl keys are bindings: they work while the lead loads
        if self._typed_early is not None:
            self._typed_early.append(typed)
        elif isinstance(self.focused, Input) and self.query(HearingChecklist):
            # An answer box has focus, yet the key came here: the app passed it on before the
            # box had focus, and it waited in this screen's queue. It goes where it was meant.
            self.query_one(HearingChecklist).type_ahead(typed)
        else:
            return
        event.stop()
        event.prevent_default()
