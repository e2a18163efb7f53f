"""One place where a failed background call becomes a message to the operator.

Worker state messages do not bubble, so every screen and widget that runs database workers
mixes this in; all of them report through the app's single handler.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]  # a mixin of nodes
