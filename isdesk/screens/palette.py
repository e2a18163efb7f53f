"""The command palette (ctrl+p) in the UI language, one provider per screen.

``ScreenCommands`` offers every action the keys of the screen underneath run now (from the
live bindings, so the palette, the footer and the help never disagree), each with a help line
of its own. ``AppCommands`` replaces Textual's English system commands with ours. Both match
the English title too, so "rep" finds レポート in the Japanese UI.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from isdesk.i18n import tr, tr_in
from isdesk.widgets.bindings import CURSOR_MOVES, live_actions


class _Commands(Provider):
    """A provider over (title, help, English title, callback) rows."""

    @abstractmethod
    def rows(self) -> Iterator[tuple[str, str, str, Callable[[], object]]]:
        """(title, help, English title, callback) for each command."""

    async def discover(self) -> Hits:
        for title, help_text, _english, callback in self.rows():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, english, callback in self.rows():
            score = max(matcher.match(title), matcher.match(english) if english else 0)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)


class ScreenCommands(_Commands):
    """Every action of the screen the palette was opened on."""

    def rows(self) -> Iterator[tuple[str, str, str, Callable[[], object]]]:
        for action in live_actions(self.screen, self.app.get_key_display):
            if action.everywhere or action.binding_id in CURSOR_MOVES:
                continue  # AppCommands has the app's; moving a cursor is not a command
            title = f"{action.description}  ({action.keys})"
            run = partial(self.app.run_action, action.action, action.node)
            yield title, action.help_line, action.english, run


class AppCommands(_Commands):
    """What works on every screen: help, theme, quit (Textual's own, translated)."""

    def rows(self) -> Iterator[tuple[str, str, str, Callable[[], object]]]:
        app = self.app
        for key, callback in (
            ("app.help", partial(app.run_action, "help")),
            ("app.theme", app.action_change_theme),
            ("app.quit", app.action_quit),
        ):
            yield tr(key), tr(f"{key}.help"), tr_in("en", key), callback


class IsdeskCommandPalette(CommandPalette):
    """Textual's palette with its placeholder and its "No matches found" translated."""

    def __init__(self) -> None:
        super().__init__(placeholder=tr("palette.placeholder"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(tr("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
