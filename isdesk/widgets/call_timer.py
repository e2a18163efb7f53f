"""The running call timer shown on the lead screen while the operator is on the phone."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from isdesk.i18n import duration, tr


class CallTimer(Static):
    """Hidden until a call starts; shows the elapsed time once a second."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._started: float | None = None

    def on_mount(self) -> None:
        # F2 may come before this widget is mounted (the lead screen's first frame).
        self.display = self.running
        self.set_interval(1.0, self._tick)

    @property
    def running(self) -> bool:
        return self._started is not None

    def start(self) -> None:
        self._started = time.monotonic()
        self.display = True
        self._tick()

    def stop(self) -> int:
        """End the call and return its length in whole seconds."""
        if self._started is None:
            return 0
        seconds = int(time.monotonic() - self._started)
        self._started = None
        self.display = False
        return seconds

    def _tick(self) -> None:
        if self._started is None:
            return
        seconds = int(time.monotonic() - self._started)
        self.update(Text(tr("call.running", time=duration(seconds))))
