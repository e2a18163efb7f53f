"""Load: simulated operators working one database at once, and the checks that nothing was lost.

The child — one simulated operator (used by tests/db/test_load.py and bench/bench_load.py)::

    python -m tests.support.load_operator URL NAME SECONDS SEED [--journal FILE] [--rules FILE]
        [--sync]

Until SECONDS have passed it works lead after lead as an operator at the keyboard would, with
no pause between steps: take the next lead (take_next_lead), open it (load_lead), answer 3–6
hearing items (each as the lead screen saves it: one or more keystroke saves with record=False,
then the settled save with record=True, carrying the returned version forward), log the call
with an outcome and a follow-up a week later (so the lead is no longer due), and sometimes an
e-mail or a note. ``--sync`` prints READY and waits for a line on stdin, so a parent can release
every operator at the same instant.

Every write the operator believes succeeded is appended to its JSON-lines journal (flushed line
by line, so a crash keeps what came before) with what it wrote; so are reads, errors and each
step's latency. Nothing may go wrong: each lead is worked by the one operator who took it, so
even a conflict is a bug. At the end it prints a JSON summary: ops by kind, p50/p99/max ms,
errors.

The parent half — :func:`seed`, :func:`run_operators`, :func:`verify` —
prepares a database, runs the children and checks the database against their journals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# Sources the shipped rules route to team inbound (groups A and events) or to everyone
# (default); 展示会 goes to team outbound, so inbound operators must never take those.
INBOUND_SOURCES = (
    "資料請求",
    "無料トライアル",
    "問い合わせ",
    "セミナー",
    "ウェビナー",
    "紹介",
    "その他",
)
OUTBOUND_SOURCE = "展示会"

# --- realistic answers -----------------------------------------------------------------------

_TEXTS: dict[str, tuple[str, ...]] = {
    "pain": (
        "問い合わせ対応に月{n}時間かかっている",
        "リード管理がExcelで属人化している",
        "展示会の名刺が{n}枚放置されている",
        "架電リストの重複で同じ会社に何度も電話している",
    ),
    "product": ("基本プラン", "上位プラン", "CTI連携オプション", "MA連携オプション"),
    "authority": (
        "情報システム部 部長 山田様",
        "営業本部長 佐藤様（最終決裁は役員会）",
        "代表取締役 鈴木様",
        "経営企画室 室長 高橋様",
    ),
    "competitors": ("Salesforce", "HubSpot", "Zoho CRM と比較中", "自社開発を検討中", "特になし"),
    "purpose": (
        "インサイドセールス{n}名の生産性を上げたい",
        "商談化率を{n}%改善したい",
        "顧客情報を全社で共有したい",
    ),
    "current_setup": (
        "Excel と Outlook で管理、担当{n}名",
        "スプレッドシートと電話メモ",
        "他社SFAを利用中（契約更新が近い）",
    ),
    "team": (
        "現場リーダー、情報システム部、経営層の{n}名",
        "営業企画と情シスで検討",
        "部長と担当者の2名",
    ),
}
_AMOUNTS = ("300万", "500万", "1,200,000", "80万", "1.5億", "2000万", "50万円")


def answer_value(item: Any, rng: random.Random) -> str:
    """A value an operator would type for this hearing item (at least 4 characters, so it
    can be typed in a few saves)."""
    kind = item.type
    if kind == "amount":
        return rng.choice(_AMOUNTS)
    if kind == "date":
        day = dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(0, 240))
        return day.isoformat()  # absolute: what it means does not depend on the day it is read
    if kind == "yesno":
        return rng.choice(("はい、あります", "いいえ、ありません"))
    if kind == "choice":
        return str(item.choices[rng.randrange(len(item.choices))])
    text = rng.choice(_TEXTS.get(item.key, ("{n}件の案件で検討中", "詳細は次回の打ち合わせで")))
    return text.format(n=rng.randint(2, 60)).ljust(4, "。")


def keystrokes(value: str, rng: random.Random) -> list[str]:
    """The texts the screen saves while the value is being typed (prefixes, none the value)."""
    count = min(rng.randint(1, 3), len(value) - 1)
    cuts = sorted(rng.sample(range(1, len(value)), count))
    return [value[:cut] for cut in cuts]


# --- the child -------------------------------------------------------------------------------


class Journal:
    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def write(self, **entry: object) -> None:
        self.file.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.file.flush()


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"n": len(ordered), "p50": at(0.5), "p99": at(0.99), "max": round(ordered[-1], 3)}


def operator_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="one simulated operator")
    parser.add_argument("url")
    parser.add_argument("name")
    parser.add_argument("seconds", type=float)
    parser.add_argument("seed", type=int)
    parser.add_argument("--journal", type=Path, help="JSON-lines journal (default: NAME.jsonl)")
    parser.add_argument("--rules", type=Path, help="rules file (default: the shipped rules)")
    parser.add_argument("--sync", action="store_true", help="print READY, wait for a line")
    args = parser.parse_args(argv)

    from isdesk.rules import load_rules
    from isdesk.services.activities import ActivityInput, log_activity
    from isdesk.services.assignment import take_next_lead
    from isdesk.services.leads import load_lead, save_answer
    from isdesk.services.operators import find_operator
    from isdesk.services.retry import run_with_retry
    from isdesk.store.db import open_database, utcnow

    open_database(args.url)
    rules = load_rules(args.rules)
    actor = find_operator(args.name)
    if actor is None:
        print(f"operator {args.name!r} is not in the database", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    journal = Journal(args.journal or Path(f"{args.name}.jsonl"))
    items = list(rules.hearing)
    zone = rules.calendar.zone
    timings: dict[str, list[float]] = defaultdict(list)
    errors = 0
    leads = 0
    exhausted = False
    unfinished: int | None = None  # the lead being worked when a step failed

    def timed(kind: str, lead_id: int | None, call, *args: object, **kwargs: object):
        nonlocal errors
        start = time.perf_counter()
        try:
            # As the app does (IsdeskApp.with_retry): a write that finds the database locked
            # or gone is tried again; the wait shows in the latency, not as an error.
            result = run_with_retry(lambda: call(*args, **kwargs))
        except Exception as exc:
            ms = (time.perf_counter() - start) * 1000
            errors += 1
            journal.write(
                op="error", during=kind, lead=lead_id, ms=ms, error=repr(exc),
                trace=traceback.format_exc(limit=6),
            )  # fmt: skip
            raise
        ms = (time.perf_counter() - start) * 1000
        timings[kind].append(ms)
        return result, ms

    def fail(kind: str, lead_id: int | None, message: str) -> None:
        nonlocal errors
        errors += 1
        journal.write(op="error", during=kind, lead=lead_id, ms=0, error=message)

    if args.sync:
        print("READY", flush=True)
        sys.stdin.readline()
    began = time.time()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        try:
            taken, ms = timed("take", None, take_next_lead, actor, rules, now=utcnow())
            if taken is None:
                journal.write(op="take_none", ms=ms)
                exhausted = True
                break
            lead_id = taken.id
            leads += 1
            journal.write(
                op="take", lead=lead_id, claimed=taken.claimed, reason=taken.reason, ms=ms
            )
            if not taken.claimed and lead_id != unfinished:
                # Every lead this operator finished got a follow-up, so none of theirs is due.
                fail("take", lead_id, f"own lead returned ({taken.reason}): a follow-up was lost")
            unfinished = lead_id  # until its call is logged
            detail, ms = timed("open", lead_id, load_lead, actor, lead_id)
            journal.write(op="open", lead=lead_id, ms=ms)
            versions = {key: state.version for key, state in detail.answers.items()}
            today = dt.datetime.now(zone).date()
            for item in rng.sample(items, rng.randint(3, min(6, len(items)))):
                value = answer_value(item, rng)
                steps = [(text, False) for text in keystrokes(value, rng)] + [(value, True)]
                for text, record in steps:
                    outcome, ms = timed(
                        "save_settled" if record else "save_keystroke", lead_id, save_answer,
                        actor, lead_id, item.key, text, base_version=versions.get(item.key, 0),
                        rules=rules, today=today, record=record,
                    )  # fmt: skip
                    if not outcome.saved:
                        fail("save", lead_id, f"conflict on {item.key}: {outcome.theirs}")
                        break
                    versions[item.key] = outcome.answer.version
                    journal.write(
                        op="answer", lead=lead_id, item=item.key, value=text,
                        version=outcome.answer.version, record=record, ms=ms,
                    )  # fmt: skip
            follow_up = utcnow() + dt.timedelta(days=7)
            call = ActivityInput(
                kind="call",
                outcome=rng.choice(("connected", "connected", "no_answer", "voicemail")),
                duration_s=rng.randint(30, 900),
                note=rng.choice(("ヒアリング実施", "折り返し希望", "資料送付の約束")),
                next_action_at=follow_up,
                next_action="再架電",
            )
            extras = []
            if rng.random() < 0.4:
                extras.append(ActivityInput(kind="email", note="資料とお見積りを送付しました"))
            if rng.random() < 0.3:
                extras.append(ActivityInput(kind="note", note="予算は来期に確保予定とのこと"))
            for entry in (call, *extras):
                logged, ms = timed(entry.kind, lead_id, log_activity, actor, lead_id, entry)
                journal.write(
                    op="activity", id=logged.id, lead=lead_id, kind=entry.kind,
                    outcome=entry.outcome,
                    next_action_at=(
                        entry.next_action_at.isoformat() if entry.next_action_at else None
                    ),
                    ms=ms,
                )  # fmt: skip
            unfinished = None
        except Exception:
            # Journalled by timed(). The operator goes on: take_next_lead hands the unfinished
            # lead back (it is theirs and still new), and they work it from what is stored.
            time.sleep(0.05)
    ended = time.time()
    summary = {
        "name": args.name,
        "began": began,
        "ended": ended,
        "leads": leads,
        "exhausted": exhausted,
        "errors": errors,
        "ops": {kind: len(values) for kind, values in sorted(timings.items())},
        "latency_ms": {kind: _percentiles(values) for kind, values in sorted(timings.items())},
        "all_ms": _percentiles([v for values in timings.values() for v in values]),
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


# --- the parent: seed, run, verify -----------------------------------------------------------


def seed(db: Any, operators: int, leads: int, *, outbound_every: int = 20) -> list[str]:
    """Add ``operators`` inbound operators and ``leads`` unassigned open leads to a migrated
    database (every ``outbound_every``-th lead is 展示会, team outbound's: a control that
    inbound operators must leave alone). Returns the operators' names."""
    from isdesk.domain.text import search_key
    from isdesk.services.operators import add_operator
    from isdesk.store.models import Lead

    names = [f"op{i:02d}" for i in range(1, operators + 1)]
    for name in names:
        add_operator(name, team="inbound", display_name=f"オペレーター{name[2:]}")
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(leads):
        source = (
            OUTBOUND_SOURCE
            if outbound_every and i % outbound_every == outbound_every - 1
            else INBOUND_SOURCES[i % len(INBOUND_SOURCES)]
        )
        company = f"株式会社ロード{i:05d}"
        rows.append(
            {
                "company": company,
                "contact": "田中 一郎",
                "source": source,
                "acquired_at": start + dt.timedelta(minutes=i),
                "version": 1,
                "search_text": search_key(company, "田中 一郎", "", "", source),
            }
        )
    with db.connection_context(), db.atomic():
        for first in range(0, leads, 500):
            Lead.insert_many(rows[first : first + 500]).execute()
    return names


@dataclass
class RunResult:
    names: list[str]
    seconds: float
    journals: dict[str, list[dict[str, Any]]]
    summaries: dict[str, dict[str, Any]]
    stderr: dict[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> Iterable[tuple[str, dict[str, Any]]]:
        for name, lines in self.journals.items():
            for entry in lines:
                yield name, entry

    @property
    def wall(self) -> float:
        """From the first release to the last operator done."""
        return max(s["ended"] for s in self.summaries.values()) - min(
            s["began"] for s in self.summaries.values()
        )

    def latencies(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for _, e in self.entries:
            if e["op"] == "answer":
                out["save_settled" if e["record"] else "save_keystroke"].append(e["ms"])
            elif e["op"] == "activity":
                out[e["kind"]].append(e["ms"])
            elif e["op"] in ("take", "open"):
                out[e["op"]].append(e["ms"])
        return out

    def slowest(self) -> tuple[float, str, str]:
        """(ms, kind, operator) of the slowest step of the run."""
        best = (0.0, "", "")
        for name, e in self.entries:
            if e["op"] in ("take", "open", "answer", "activity", "take_none") and e["ms"] > best[0]:
                kind = {"answer": "save_settled" if e.get("record") else "save_keystroke"}.get(
                    e["op"], e.get("kind") if e["op"] == "activity" else e["op"]
                )
                best = (e["ms"], str(kind), name)
        return best


def run_operators(
    url: str,
    names: Sequence[str],
    seconds: float,
    folder: Path,
    *,
    rules: Path | None = None,
    seed_base: int = 1000,
) -> RunResult:
    """Start one child per name, release them together, wait, and read their journals."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    folder.mkdir(parents=True, exist_ok=True)
    procs = {}
    for i, name in enumerate(names):
        journal = folder / f"{name}.jsonl"
        journal.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "tests.support.load_operator", url, name, str(seconds)]
        cmd += [str(seed_base + i), "--journal", str(journal), "--sync"]
        if rules is not None:
            cmd += ["--rules", str(rules)]
        procs[name] = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
    try:
        for name, p in procs.items():
            line = p.stdout.readline().strip()  # type: ignore[union-attr]
            if line != "READY":
                raise RuntimeError(f"{name} did not start: {line} {p.stderr.read()}")  # type: ignore[union-attr]
        for p in procs.values():  # release them together
            p.stdin.write("go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        summaries: dict[str, dict[str, Any]] = {}
        stderr: dict[str, str] = {}
        for name, p in procs.items():
            out, err = p.communicate(timeout=seconds + 300)
            stderr[name] = err
            if p.returncode != 0:
                raise RuntimeError(f"{name} exited {p.returncode}: {err}")
            summaries[name] = json.loads(out.strip().splitlines()[-1])
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
    journals = {
        name: [
            json.loads(line)
            for line in (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        for name in names
    }
    return RunResult(list(names), seconds, journals, summaries, stderr)


@dataclass
class Verification:
    problems: list[str]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return "ok: " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items())
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        return "FAILED: " + "; ".join(self.problems[:10]) + more


def verify(db: Any, run: RunResult, rules: Any) -> Verification:
    """Check the database against every journal: nothing lost, nothing given twice, no error."""
    from peewee import fn

    from isdesk.domain.qualification import evaluate
    from isdesk.store.db import is_postgres
    from isdesk.store.models import Activity, Answer, Lead, LeadEvent, Operator

    problems: list[str] = []

    def problem(text: str) -> None:
        problems.append(text)

    # what the operators believe happened
    errors = [(n, e) for n, e in run.entries if e["op"] == "error"]
    for name, e in errors[:5]:
        problem(
            f"{name}: error during {e['during']} on lead {e.get('lead')} after {e['ms']:,.0f} ms: "
            f"{e['error']}"
        )
    if len(errors) > 5:
        problem(f"{len(errors)} errors in all")
    for name, s in run.summaries.items():
        journalled = sum(1 for e in run.journals[name] if e["op"] == "error")
        if s["errors"] != journalled:
            problem(f"{name}: summary says {s['errors']} errors, journal {journalled}")
    takes = [(n, e["lead"]) for n, e in run.entries if e["op"] == "take" and e["claimed"]]
    taken_by = {lead: name for name, lead in takes}
    twice = [lead for lead, c in Counter(lead for _, lead in takes).items() if c > 1]
    if twice:
        problem(f"{len(twice)} lead(s) taken more than once, e.g. {twice[:5]}")
    answers: dict[tuple[int, str], dict[str, Any]] = {}
    settled: dict[tuple[int, str], list[str]] = defaultdict(list)
    saves_per_lead: Counter[int] = Counter()
    acts: dict[int, tuple[str, dict[str, Any]]] = {}
    acts_per_lead: Counter[int] = Counter()
    follow_up: dict[int, str] = {}
    for name, e in run.entries:
        if e["op"] == "answer":
            if taken_by.get(e["lead"]) != name:
                problem(f"{name} saved an answer on lead {e['lead']}, which it did not take")
            key = (e["lead"], e["item"])
            previous = answers.get(key)
            changed = previous is None or previous["value"] != e["value"]
            if previous is not None and e["version"] != previous["version"] + changed:
                problem(f"answer {key}: version {e['version']} after {previous['version']}")
            answers[key] = e
            saves_per_lead[e["lead"]] += changed  # a save that changes nothing bumps nothing
            if e["record"]:
                settled[key].append(e["value"])
        elif e["op"] == "activity":
            if e["id"] in acts:
                problem(f"activity id {e['id']} journalled twice")
            acts[e["id"]] = (name, e)
            acts_per_lead[e["lead"]] += 1
            if e["next_action_at"]:
                follow_up[e["lead"]] = e["next_action_at"]

    with db.connection_context():
        ops = {o.id: o.name for o in Operator.select(Operator.id, Operator.name)}
        leads = {x.id: x for x in Lead.select()}
        owner_events: dict[int, list[str]] = defaultdict(list)
        for lead_id, new in (
            LeadEvent.select(LeadEvent.lead, LeadEvent.new_value)
            .where(LeadEvent.kind == "owner")
            .tuples()
        ):
            owner_events[lead_id].append(new)
        answer_events: Counter[tuple[int, str]] = Counter()
        for lead_id, item, count in (
            LeadEvent.select(LeadEvent.lead, LeadEvent.field, fn.COUNT(LeadEvent.id))
            .where(LeadEvent.kind == "answer")
            .group_by(LeadEvent.lead, LeadEvent.field)
            .tuples()
        ):
            answer_events[(lead_id, item)] = count
        next_events = LeadEvent.select().where(LeadEvent.kind == "next_action").count()
        stored = {(a.lead_id, a.item): a for a in Answer.select()}
        activities = {a.id: a for a in Activity.select()}
        integrity: list[str] = []
        if not is_postgres(db):
            integrity = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
            fk = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if integrity != ["ok"]:
                problem(f"SQLite integrity_check: {integrity[:5]}")
            if fk:
                problem(f"SQLite foreign_key_check: {fk[:5]}")

    # takes: one owner, one owner event, the taker's; nothing else claimed
    for lead_id, name in taken_by.items():
        lead = leads.get(lead_id)
        if lead is None:
            problem(f"lead {lead_id} taken by {name} does not exist")
            continue
        if ops.get(lead.owner_id) != name:
            problem(f"lead {lead_id} taken by {name} belongs to {ops.get(lead.owner_id)}")
        if owner_events.get(lead_id) != [name]:
            problem(f"lead {lead_id} taken by {name} has owner events {owner_events.get(lead_id)}")
        if lead.source == OUTBOUND_SOURCE:
            problem(f"lead {lead_id} ({OUTBOUND_SOURCE}, team outbound) taken by {name}")
    for lead_id, lead in leads.items():
        if lead_id in taken_by:
            continue
        if lead.owner_id is not None or owner_events.get(lead_id):
            problem(
                f"lead {lead_id} is owned by {ops.get(lead.owner_id)} with owner events "
                f"{owner_events.get(lead_id)} but no journal took it"
            )
        elif lead.version != 1:
            problem(f"untaken lead {lead_id} changed (version {lead.version})")

    # answers: the last journalled value and version of every (lead, item), and nothing else
    for key, e in answers.items():
        row = stored.get(key)
        if row is None:
            problem(f"answer {key} = {e['value']!r} (v{e['version']}) was lost")
        elif (row.value, row.version) != (e["value"], e["version"]):
            problem(
                f"answer {key}: journal {e['value']!r} v{e['version']}, "
                f"database {row.value!r} v{row.version}"
            )
    extra = set(stored) - set(answers)
    if extra:
        problem(f"{len(extra)} answer(s) no journal wrote, e.g. {sorted(extra)[:3]}")
    expected_answer_events = 0
    for key, values in settled.items():
        changes, last = 0, ""
        for value in values:
            if value != last:
                changes, last = changes + 1, value
        expected_answer_events += changes
        got = answer_events.get(key, 0)
        if got != changes:
            problem(f"answer {key}: {got} answer event(s), expected {changes}")
    if sum(answer_events.values()) != expected_answer_events:
        problem(f"{sum(answer_events.values())} answer events, expected {expected_answer_events}")

    # activities: each journalled one stored as written, and no others
    for act_id, (name, e) in acts.items():
        row = activities.get(act_id)
        if row is None:
            problem(f"activity {act_id} ({e['kind']} on lead {e['lead']} by {name}) was lost")
        elif (row.lead_id, ops.get(row.operator_id), row.kind, row.outcome) != (
            e["lead"], name, e["kind"], e["outcome"],
        ):  # fmt: skip
            problem(f"activity {act_id} differs from the journal: {row.lead_id} {row.kind}")
    if set(activities) - set(acts):
        problem(f"{len(set(activities) - set(acts))} activities that no journal wrote")
    calls_with_follow_up = sum(1 for _, e in acts.values() if e["next_action_at"])
    if next_events != calls_with_follow_up:
        problem(f"{next_events} next_action events, {calls_with_follow_up} follow-ups journalled")

    # each lead: every write counted once in its version, the follow-up and the qualification
    today = dt.datetime.now(rules.calendar.zone).date()
    final_values: dict[int, dict[str, str]] = defaultdict(dict)
    for (lead_id, item), e in answers.items():
        final_values[lead_id][item] = e["value"]
    for lead_id in taken_by:
        lead = leads.get(lead_id)
        if lead is None:
            continue
        want = 2 + saves_per_lead[lead_id] + acts_per_lead[lead_id]
        if lead.version != want:
            problem(f"lead {lead_id}: version {lead.version}, {want} expected from the journal")
        if lead_id in follow_up:
            stored_at = lead.next_action_at.isoformat() if lead.next_action_at else None
            if stored_at != follow_up[lead_id]:
                problem(f"lead {lead_id}: follow-up {stored_at}, journal {follow_up[lead_id]}")
            if lead.last_touch_at is None:
                problem(f"lead {lead_id}: called but never touched")
        qual = evaluate(rules, final_values.get(lead_id, {}), today)
        if (lead.heard, bool(lead.is_sql)) != (qual.heard, qual.sql):
            problem(
                f"lead {lead_id}: heard {lead.heard} sql {lead.is_sql}, "
                f"answers say heard {qual.heard} sql {qual.sql}"
            )

    counts = {
        "leads taken": len(taken_by),
        "answers": len(answers),
        "answer saves": sum(saves_per_lead.values()),
        "activities": len(acts),
        "owner events": sum(len(v) for v in owner_events.values()),
        "errors": len(errors),
    }
    if counts["owner events"] != len(taken_by):
        problem(f"{counts['owner events']} owner events for {len(taken_by)} takes")
    return Verification(problems, counts)


KINDS = ("take", "open", "save_keystroke", "save_settled", "call", "email", "note")


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


if __name__ == "__main__":
    sys.exit(operator_main(sys.argv[1:]))
