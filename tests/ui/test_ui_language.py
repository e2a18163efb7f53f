"""One language at a time: every screen and dialog walked in Japanese and in English.

Fails on a catalogue key or an id shown raw (statuses, stages, teams, groups, campaign types,
operators' login names) and, in the Japanese UI, on a Latin-only word outside the allow-list:
key names, product terms (KPI, SQL, CSV …) and the customer data the demo holds (company
names, e-mail addresses, competitors such as "Zoho CRM").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isdesk.demo import names, words
from isdesk.i18n.catalogue import CATALOGUE
from tests.support.snapshots import (
    FIELD_LOGIN,
    LEAD_LOGIN,
    demo_database,
    frozen_clock,
    make_demo_app,
    open_screen,
    screen_text,
    settle,
)

IMPORT_CSV = Path(__file__).parents[1] / "unit" / "data" / "import" / "bad_rows.csv"
# Ids that must never be shown as they are (as whole words, in either language).
RAW_IDS = {
    "handed_off", "nurturing", "trade_show", "webinar", "seminar", "referral", "proposal",
    "opportunity", "inbound", "outbound", "events", "default", "accepted", "pending",
    "not_qualified", "no_answer", "call_connected",
} | {login for _, login, *_ in names.TEAM}  # fmt: skip
# Latin words the Japanese UI may show: keys, product terms and codes.
ALLOWED_JA = {
    "KPI", "SQL", "CSV", "BANT", "isdesk", "Salesforce", "HubSpot", "Enter", "Esc", "esc",
    "Tab", "Shift", "ctrl", "space", "home", "end", "pgup", "pgdn", "MA", "IS", "p", "TAB",
    "utf", "cp", "UTF", "BOM", "CP", "CV", "ID", "ISO", "YYYY-MM-DD", "HH", "MM",
    "stages",  # names the rules.yaml key in an import message
    "rep",  # typed into the palette by this test
}  # fmt: skip
_LATIN = re.compile(r"(?<![A-Za-z0-9@._-])[A-Za-z][A-Za-z-]*(?![A-Za-z0-9@_-])")
_EMAIL = re.compile(r"\S+@\S+")
_PATH = re.compile(r"\S*/\S+")  # the file path typed into the import screen
_KEY = re.compile(r"\b[a-z][a-z_]*(?:\.[a-z0-9_()]+)+\b")


def _data_words() -> set[str]:
    """Latin words in the demo's own data (company names, competitors, e-mail domains)."""
    text = Path(words.__file__).read_text() + Path(names.__file__).read_text()
    text += IMPORT_CSV.read_text(encoding="utf-8-sig")  # its header and cells are data too
    return set(_LATIN.findall(text))


DATA_WORDS = _data_words()


def _problems(text: str, language: str) -> list[str]:
    found = [f"catalogue key {k!r}" for k in _KEY.findall(text) if k in CATALOGUE]
    # In English, "inbound" or "nurturing" may be prose; ids with _ or . never are.
    ids = RAW_IDS if language == "ja" else {i for i in RAW_IDS if "_" in i or "." in i}
    found += [f"raw id {w!r}" for w in re.findall(r"[A-Za-z_.]+", text) if w in ids]
    if language == "ja":
        for word in _LATIN.findall(_PATH.sub(" ", _EMAIL.sub(" ", text))):
            if len(word) > 1 and word not in ALLOWED_JA and word not in DATA_WORDS:
                found.append(f"Latin word {word!r}")
    return found


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    demo_database(path)
    return path


async def _look(pilot, seen: dict[str, str], name: str) -> None:
    await settle(pilot)
    seen[name] = screen_text(pilot.app)


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_every_screen_speaks_one_language(language: str, demo_file: Path, monkeypatch):
    frozen_clock(monkeypatch)
    db = demo_database(demo_file)
    seen: dict[str, str] = {}
    # 80x24 only: the snapshot tests cover the wide layout; here, what every screen says.
    for size in ((80, 24),):
        app = make_demo_app(db, LEAD_LOGIN, language)
        async with app.run_test(size=size) as pilot:
            await open_screen(pilot, "queue")
            await _look(pilot, seen, "queue")
            await pilot.press("s")
            await _look(pilot, seen, "queue unassigned")
            await pilot.press("s")
            await _look(pilot, seen, "queue team")
            for screen, keys in (
                ("help", ("question_mark",)),
                ("palette", ("ctrl+p",)),
                ("palette rep", ("ctrl+p", *"rep")),
                ("kpi", ("K",)),
                ("kpi help", ("K", "question_mark")),
                ("team", ("T",)),
                ("team outbound", ("T", "l")),
                ("move leads", ("T", "enter")),
                ("pick operator", ("T", "enter", "space", "m")),
                ("rebalance", ("T", "b")),
                ("import", ("I",)),
            ):
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)
                await pilot.pause(0.6)  # the palette's "no matches" and lists come late
                await _look(pilot, seen, f"{screen} {size}")
                while len(app.screen_stack) > 2:
                    await pilot.press("escape")
                    await settle(pilot)
            await pilot.press("R")
            for tab in ("periods", "cohorts", "campaigns", "funnel", "stages", "forecast"):
                await _look(pilot, seen, f"reports {tab} {size}")
                await pilot.press("l")
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("I")
            await settle(pilot)
            app.screen.query_one("#import-path").value = str(IMPORT_CSV)
            await pilot.press("enter")
            await settle(pilot, rounds=6)
            await _look(pilot, seen, f"import preview {size}")
        app = make_demo_app(db, FIELD_LOGIN, language)
        async with app.run_test(size=size) as pilot:
            await open_screen(pilot, "inbox")
            await _look(pilot, seen, f"inbox {size}")
            await pilot.press("d")
            await _look(pilot, seen, f"inbox decided {size}")
            await pilot.press("r")
            await _look(pilot, seen, f"reject {size}")
    assert len(seen) >= 20
    problems = {name: _problems(text, language) for name, text in seen.items()}
    bad = {name: sorted(set(p)) for name, p in problems.items() if p}
    assert not bad, "\n".join(f"{name}: {p}" for name, p in bad.items())
