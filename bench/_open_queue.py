"""Child process for bench_queue.py: start isdesk (or a bare Textual app) headless and exit as
soon as the first useful frame is on screen (for isdesk: the queue's first page)."""

from __future__ import annotations

import sys
import time


def _frame_then_exit(app) -> None:
    """Report the wall-clock moment the first useful frame is up, then leave."""
    print(f"FRAME {time.time():.6f}", flush=True)
    app.exit()


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

        def on_mount(self) -> None:
            self.call_after_refresh(_frame_then_exit, self)

    Bare().run(headless=True, size=(120, 40))


def isdesk(url: str, operator: str) -> None:
    from isdesk.cli.common import load_rules_for, open_store
    from isdesk.config.settings import resolve_settings

    settings = resolve_settings(db=url, operator=operator, language="ja")
    rules = load_rules_for(settings)
    db = open_store(settings)
    from isdesk.app import IsdeskApp
    from isdesk.screens.queue import QueueScreen
    from isdesk.services.context import WorkContext
    from isdesk.services.operators import resolve_actor

    loaded = QueueScreen.on_queue_screen_loaded

    def loaded_then_exit(self: QueueScreen, message: QueueScreen.Loaded) -> None:
        loaded(self, message)
        self.app.call_after_refresh(_frame_then_exit, self.app)

    QueueScreen.on_queue_screen_loaded = loaded_then_exit  # type: ignore[method-assign]
    app = IsdeskApp(WorkContext(db=db, rules=rules, actor=resolve_actor(settings.operator)))
    app.run(headless=True, size=(120, 40))


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        isdesk(sys.argv[2], sys.argv[3])
