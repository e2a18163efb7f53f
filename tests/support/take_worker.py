"""A child process that takes leads like an operator pressing "next" (used by test_take_next.py
and bench/bench_take_next.py).

    python tests/support/take_worker.py URL NAME NOW_ISO [--claim-only] [--rules FILE]

Waits for one line on stdin (so all workers start at the same instant), then loops: take the
next lead, print ``TAKE <id> <seconds>``, and work it (a call with a follow-up a week later, so
it is no longer due) — until there is nothing left, then exits with code 3. ``--claim-only``
calls claim_next_lead and skips the call (each take is then a pure claim from the queue).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

EXIT_NOTHING = 3


def main(argv: list[str]) -> int:
    url, name, now_iso = argv[:3]
    claim_only = "--claim-only" in argv
    from isdesk.rules import load_rules
    from isdesk.services.activities import ActivityInput, log_activity
    from isdesk.services.assignment import claim_next_lead, take_next_lead
    from isdesk.services.operators import find_operator
    from isdesk.store.db import open_database

    open_database(url)
    rules = load_rules(Path(argv[argv.index("--rules") + 1]) if "--rules" in argv else None)
    actor = find_operator(name)
    assert actor is not None, name
    now = dt.datetime.fromisoformat(now_iso)
    follow_up = ActivityInput(
        kind="call", outcome="connected", next_action_at=now + dt.timedelta(days=7)
    )
    print("READY", flush=True)
    sys.stdin.readline()
    began = time.time()
    take = claim_next_lead if claim_only else take_next_lead
    out = []
    while True:
        start = time.perf_counter()
        taken = take(actor, rules, now=now)
        elapsed = time.perf_counter() - start
        if taken is None:
            break
        if not taken.claimed:
            print(f"ERROR own lead {taken.id} returned while working claim by claim", flush=True)
            return 1
        out.append(f"TAKE {taken.id} {elapsed:.6f}")
        if not claim_only:
            log_activity(actor, taken.id, follow_up, now=now)
    out.append(f"SPAN {began:.6f} {time.time():.6f}")
    sys.stdout.write("".join(line + "\n" for line in out))
    sys.stdout.flush()
    return EXIT_NOTHING


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
