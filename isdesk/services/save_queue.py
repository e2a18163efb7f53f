"""One background writer that runs saves in the order they were made.

Saving on every keystroke must never block the UI, and the saves of one field must land in
the order typed. A single thread gives both. A pending save that a newer one makes redundant
(same key, not yet started) is dropped, so a fast typist costs one transaction per pause,
not one per key, while the newest text is always the one saved.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

Done = Callable[[Any, BaseException | None], None]


@dataclass
class _Job:
    run: Callable[[], Any]
    done: Done
    replaceable: bool


class SaveQueue:
    def __init__(self) -> None:
        # (key, arrival): a replaceable job is found by key, jobs run in arrival order.
        self._jobs: OrderedDict[tuple[Hashable | None, int], _Job] = OrderedDict()
        self._cond = threading.Condition()
        self._closed = False
        self._busy = False
        self._counter = 0
        self._thread = threading.Thread(target=self._loop, name="isdesk-saver", daemon=True)
        self._thread.start()

    def submit(
        self,
        run: Callable[[], Any],
        done: Done,
        *,
        key: Hashable | None = None,
        replaceable: bool = False,
    ) -> None:
        """Queue ``run``; ``done(result, error)`` is called from the writer thread.

        A queued, replaceable job with the same ``key`` is superseded by this one.
        """
        with self._cond:
            if self._closed:
                raise RuntimeError("save queue is closed")
            self._counter += 1
            slot = (key, self._counter)
            if key is not None:
                for existing in list(self._jobs):
                    if existing[0] == key and self._jobs[existing].replaceable:
                        del self._jobs[existing]
            self._jobs[slot] = _Job(run, done, replaceable)
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if not self._jobs and self._closed:
                    return
                _, job = self._jobs.popitem(last=False)
                self._busy = True
            try:
                result, error = job.run(), None
            except BaseException as exc:  # reported to the caller, never lost silently
                result, error = None, exc
            try:
                job.done(result, error)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def idle(self) -> bool:
        with self._cond:
            return not self._jobs and not self._busy

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued save has run; True if it finished in time."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._jobs and not self._busy, timeout)

    def close(self, timeout: float | None = 30) -> None:
        """Finish what is queued, then stop the writer."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
