"""Retries after a lost database are jittered: clients that lost the server together do not
come back in lockstep."""

from __future__ import annotations

import random

from peewee import OperationalError

from isdesk.services.retry import PAUSES_S, run_with_retry


def _pauses(rand, failures: int = 6) -> list[float]:
    pauses: list[float] = []
    left = [failures]

    def down() -> str:
        if left[0]:
            left[0] -= 1
            raise OperationalError("server closed the connection")
        return "saved"

    assert run_with_retry(down, sleep=pauses.append, clock=lambda: 0.0, rand=rand) == "saved"
    return pauses


def test_twenty_clients_retry_at_different_moments() -> None:
    clients = [_pauses(random.Random(seed).random) for seed in range(20)]
    for attempt in range(6):
        moments = {round(c[attempt], 6) for c in clients}
        assert len(moments) == 20, f"attempt {attempt + 1}: clients retry together"


def test_each_pause_stays_near_its_step() -> None:
    for rand in (lambda: 0.0, lambda: 0.999999, random.Random(7).random):
        for attempt, pause in enumerate(_pauses(rand)):
            step = PAUSES_S[min(attempt, len(PAUSES_S) - 1)]
            assert 0.5 * step <= pause < 1.5 * step
    assert _pauses(lambda: 0.5) == [*PAUSES_S, PAUSES_S[-1]]  # no jitter: exactly the steps
