"""The isdesk Textual app: a thin shell over the headless core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen

from isdesk.i18n import set_display_zone, to_local, tr
from isdesk.screens.help import HelpScreen, sections_for
from isdesk.screens.navigation import FollowUpsChanged, Navigate
from isdesk.screens.palette import AppCommands, IsdeskCommandPalette
from isdesk.screens.queue import QueueScreen
from isdesk.services.context import WorkContext
from isdesk.services.retry import run_with_retry
from isdesk.store.db import utcnow
from isdesk.widgets.bindings import localize_bindings
from isdesk.widgets.workstation import Workstation

T = TypeVar("T")
DUE_CHECK_SECONDS = 30.0  # how soon a follow-up that falls due is announced
CALENDAR_NOTICE_DAYS = 92  # a quarter ahead: what the KPI pace and follow-ups look into


def binding_ids() -> set[str]:
    """Every binding id a keymap in settings.yaml may name: the app's and every screen's and
    widget's (imports them all: called once, when a keymap is given)."""
    import importlib
    import pkgutil

    import isdesk.screens
    import isdesk.widgets

    for package in (isdesk.screens, isdesk.widgets):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    from textual.dom import DOMNode

    found: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("isdesk."):
            continue
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.add(binding.id)
    return found


def check_appearance(theme: str, keymap: Iterable[str]) -> tuple[str, str] | None:
    """(setting, message) for a theme Textual lacks or a binding id nobody has; None: fine."""
    from textual.theme import BUILTIN_THEMES

    if theme and theme not in BUILTIN_THEMES:
        return "theme", f"{theme!r} is not a theme: use one of {', '.join(sorted(BUILTIN_THEMES))}"
    names = list(keymap)
    if names:
        known = binding_ids()
        for name in names:
            if name not in known:
                import difflib

                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f": did you mean {close[0]}?" if close else ""
                return f"keymap.{name}", f"no binding has that id{hint} (F1 help lists them)"
    return None


class IsdeskApp(App[None]):
    CSS_PATH = "app.tcss"
    # Screens get -narrow / -medium / -wide by terminal width; app.tcss lays them out by it.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (160, "-wide")]
    # Textual's system commands are English; ours are translated (and the screens add theirs).
    COMMANDS = {AppCommands}
    BINDINGS = [
        # F1 also works while typing in a field, where ? is just a character.
        Binding("question_mark,f1", "help", "app.help", key_display="?", id="app.help"),
        # Bare q quits only where nobody types (see quit_key); ctrl+q (Textual's) everywhere.
        Binding("q", "quit_key", "app.quit", id="app.quit"),
        # Declared here (not added by Textual) so it has a translated description and an id.
        Binding(
            "ctrl+p", "command_palette", "app.palette", show=False, priority=True, id="app.palette"
        ),
    ]

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__()
        localize_bindings(self)
        self.ctx = ctx
        self._database_down = False
        self.lead_trail: list[int] = []  # leads worked this session, for "previous lead"
        self.title = tr("app.title")
        set_display_zone(ctx.rules.calendar.zone)

    def on_mount(self) -> None:
        # The user's settings.yaml (checked before the app started: see check_appearance).
        if self.ctx.theme:
            self.theme = self.ctx.theme
        if self.ctx.keymap:
            self.set_keymap(dict(self.ctx.keymap))
        self._warn_about_the_calendar()
        # Field sales work from the hand-offs they receive; everyone else from the queue.
        if self.ctx.actor.role == "field":
            from isdesk.screens.inbox import InboxScreen

            self.push_screen(InboxScreen(self.ctx))
        else:
            self.push_screen(QueueScreen(self.ctx))
            self._find_open_calls()
            self._due_checked_at = utcnow()
            self.set_interval(DUE_CHECK_SECONDS, self._check_due_follow_ups)

    def _warn_about_the_calendar(self) -> None:
        """Say so on screen when the working calendar ends within the quarter ahead: past it,
        KPI paces, follow-ups and SLAs count weekends only (rules.calendar.check warns only
        in logs, which an operator never reads)."""
        horizon = self.ctx.rules.calendar.horizon
        if horizon is None or horizon > self.ctx.today() + dt.timedelta(days=CALENDAR_NOTICE_DAYS):
            return
        last = horizon - dt.timedelta(days=1)
        self.notify(tr("app.calendar_ends", last=last.isoformat()), severity="warning", timeout=30)

    def _check_due_follow_ups(self) -> None:
        self._find_due_follow_ups(self._due_checked_at, utcnow())

    @work(thread=True, exclusive=True, group="due-follow-ups", exit_on_error=False)
    def _find_due_follow_ups(self, after: dt.datetime, until: dt.datetime) -> None:
        """A follow-up whose time comes while isdesk is open is announced (services.followups)."""
        from isdesk.services.followups import follow_ups_due

        due = follow_ups_due(self.ctx.actor, after, until)
        self.post_message(self.FollowUpsDue(due, until))

    class FollowUpsDue(Message):
        def __init__(self, due: tuple, until: dt.datetime) -> None:
            self.due = due
            self.until = until
            super().__init__()

    def on_isdesk_app_follow_ups_due(self, message: FollowUpsDue) -> None:
        self._due_checked_at = message.until
        for item in message.due:
            when = to_local(item.due_at).strftime("%H:%M")
            self.notify(tr("app.follow_up_due", company=item.company, time=when), timeout=60)
        if message.due:
            self.screen.post_message(FollowUpsChanged())

    @work(thread=True, exclusive=True, group="open-calls", exit_on_error=False)
    def _find_open_calls(self) -> None:
        """A call a killed or closed run left open is offered at once: its lead opens and the
        lead screen asks for the outcome (services.call_sessions)."""
        from isdesk.services.call_sessions import open_calls

        calls = open_calls(self.ctx.actor)
        if calls:
            self.post_message(Navigate("lead", calls[0].lead_id))

    def on_unmount(self) -> None:
        # Every answer typed before quitting is written before the process goes.
        self.ctx.saver.close()

    async def action_quit_key(self) -> None:
        """q: quit, but not on a screen where the operator types (the lead screen)."""
        if getattr(self.screen, "ALLOWS_BARE_KEYS", True):
            await self.action_quit()

    async def action_quit(self) -> None:
        """Quit; while a call is open, ask first (it stays open and is offered at next start)."""
        if not any(getattr(s, "call_open", False) for s in self.screen_stack):
            self.exit()
            return
        from isdesk.screens.lead.confirm_dialog import ConfirmDialog

        def decided(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmDialog(tr("call.quit_question"), tr("call.quit_yes")), decided)

    def with_retry(self, fn: Callable[[], T]) -> T:
        """Run a write from a worker thread, riding out a lost database (see services.retry).

        While it waits, a banner says so; when the database answers again it says that too.
        """

        waited = False

        def waiting(error: BaseException, attempt: int) -> None:
            nonlocal waited
            if not waited:  # post_message: thread-safe and never blocks this writer
                waited = True
                self.post_message(self.DatabaseStatus(str(error)))

        result = run_with_retry(fn, on_wait=waiting)
        if waited:
            self.post_message(self.DatabaseStatus(None))
        return result

    @dataclass
    class DatabaseStatus(Message):
        """The database stopped answering (``error``) or answers again (None)."""

        error: str | None

    def on_isdesk_app_database_status(self, message: DatabaseStatus) -> None:
        if message.error is not None:
            self._database_down = True
            self.clear_notifications()
            lines = message.error.strip().splitlines()
            self.notify(
                tr("app.db_down", error=lines[0] if lines else ""), severity="error", timeout=3600
            )
        elif self._database_down:
            self._database_down = False
            self.clear_notifications()
            self.notify(tr("app.db_back"), timeout=5)

    def on_navigate(self, message: Navigate) -> None:
        """Open the screen a screen asked for; screens never import each other."""
        self.push_screen(self._screen_for(message))

    def _screen_for(self, message: Navigate) -> Screen:
        # Imported here: each screen's code loads the first time it is opened.
        if message.destination == "lead":
            from isdesk.screens.lead import LeadScreen

            assert message.lead_id is not None
            return LeadScreen(self.ctx, message.lead_id)
        if message.destination == "kpi":
            from isdesk.screens.kpi import KpiScreen

            return KpiScreen(self.ctx)
        if message.destination == "team":
            from isdesk.screens.team import TeamScreen

            return TeamScreen(self.ctx)
        if message.destination == "reports":
            from isdesk.screens.reports import ReportsScreen

            return ReportsScreen(self.ctx)
        from isdesk.screens.import_screen import ImportScreen

        return ImportScreen(self.ctx)

    def report_error(self, error: BaseException) -> None:
        """The one place a failed background call becomes a message to the operator."""
        self.notify(tr("app.lost_db", error=error), severity="error", timeout=10)

    def action_help(self) -> None:
        """The keys of the screen on top, generated from its live bindings."""
        screen = self.screen
        if isinstance(screen, HelpScreen | CommandPalette):
            return
        self.push_screen(HelpScreen(sections_for(screen, self.get_key_display)))

    def action_command_palette(self) -> None:
        """Textual's palette, with our placeholder and providers."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(IsdeskCommandPalette())


# The screens reach the app through the Workstation protocol; this holds the app to it.
_WORKSTATION: type[Workstation] = IsdeskApp
