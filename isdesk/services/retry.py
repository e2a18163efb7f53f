"""Riding out a lost database: retry a write until the server is back, for a while.

A PostgreSQL restart, a dropped network or a SQLite file briefly locked all surface as
peewee's OperationalError / InterfaceError. A save that hits one is tried again with growing
pauses, so the keystroke in flight lands once the server is back; the caller is told about
each wait (to show a banner) and gets the last error only when the deadline passes. Errors
that are not about the connection (a conflict, a permission) are never retried.

Each pause is jittered (between half and one and a half times its step): after a server
restart twenty operators' writers would otherwise retry in lockstep, all at the same instants.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from peewee import InterfaceError, OperationalError

T = TypeVar("T")

RETRYABLE = (OperationalError, InterfaceError)
PAUSES_S = (0.2, 0.5, 1.0, 2.0, 3.0)  # then 3 s each time until the deadline
JITTER = 0.5  # each pause is its step × [1 - JITTER, 1 + JITTER)


def run_with_retry(
    fn: Callable[[], T],
    *,
    deadline_s: float = 60.0,
    on_wait: Callable[[BaseException, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
) -> T:
    """Call ``fn`` until it succeeds, retrying connection errors for ``deadline_s`` seconds.

    ``on_wait(error, attempt)`` is called before each pause (attempt counts from 1).
    ``rand`` gives the jitter, a float in [0, 1) (``lambda: 0.5`` pauses exactly each step).
    """
    give_up = clock() + deadline_s
    attempt = 0
    while True:
        try:
            return fn()
        except RETRYABLE as error:
            attempt += 1
            step = PAUSES_S[min(attempt - 1, len(PAUSES_S) - 1)]
            pause = step * (1 - JITTER + 2 * JITTER * rand())
            if clock() + pause > give_up:
                raise
            if on_wait is not None:
                on_wait(error, attempt)
            sleep(pause)
