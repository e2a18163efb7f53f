"""Running a team lead's or field user's action off the UI thread, the same way everywhere.

The service call runs in a thread worker; its success text or its refusal (a ValueError or
PermissionError from the service: a user-facing message) comes back as one message, is
shown as a notification, and the screen reloads what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message

from isdesk.screens.base import BaseScreen


class BackgroundActions(BaseScreen):
    """The base of a screen that runs such actions and defines ``after_action()`` (usually:
    reload). A BaseScreen itself, so every call it makes is typed.

    (Not ``run_action``: that is Textual's own method for running an action string.)
    """

    @dataclass
    class ActionDone(Message):
        text: str
        error: BaseException | None

    def run_in_background(
        self, fn: Callable[[], Any], describe: str | Callable[[Any], str]
    ) -> None:
        """Call ``fn`` in a worker; ``describe`` (or ``describe(result)``) is the success note."""
        self._run_in_worker(fn, describe)

    @work(thread=True, group="actions", exit_on_error=False)
    def _run_in_worker(self, fn: Callable[[], Any], describe: str | Callable[[Any], str]) -> None:
        try:
            result = fn()
        except (ValueError, PermissionError) as error:  # the service's word to the user
            self.post_message(self.ActionDone("", error))
            return
        text = describe if isinstance(describe, str) else describe(result)
        self.post_message(self.ActionDone(text, None))

    def on_background_actions_action_done(self, message: ActionDone) -> None:
        if message.error is not None:
            self.notify(str(message.error), severity="error", timeout=8)
        else:
            self.notify(message.text)
        self.after_action()

    def after_action(self) -> None:
        """What to refresh once an action is done."""
