"""The command line at its edges (issue 12): malformed --db URLs, customer text with terminal
escapes, a closed pipe, a mistyped SQLite folder, refusals by team mode's access rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from isdesk.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
BAD_URLS = {
    "postgresql://u@h:99999/db": "port",
    "postgresql://u@[::1/db": "IPv6",
    "sqlite:///%00x": "NUL",
}
LEADS_CSV = "会社名,担当者,電話番号\n株式会社テスト,田中,03-1234-5678\n"
EVIL = "\x1b[2J\x1b]0;TITLE\x07EvilCo"
EVIL_SHOWN = "␛[2J␛]0;TITLE␇EvilCo"


def isdesk(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        **kwargs,
    )


# Every command that opens a database, with the least arguments it needs.
COMMANDS = [
    [],  # the workstation
    ["open"],
    ["demo", "--no-open"],
    ["operator", "list"],
    ["operator", "add", "x", "--team", "t"],
    ["operator", "deactivate", "x"],
    ["export", "daily", "--date", "2026-11-20"],
    ["import", "LEADS_CSV"],
    ["assign", "--dry-run"],
    ["next"],
    ["team", "show"],
    ["teamdb", "setup"],
    ["teamdb", "grant", "x", "--no-password"],
    ["report", "periods"],
]


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_a_malformed_db_url_is_one_line_naming_the_problem_for_every_command(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS_CSV, encoding="utf-8")
    for command in COMMANDS:
        command = [str(leads) if a == "LEADS_CSV" else a for a in command]
        code = main(["--db", url, *command])
        err = capsys.readouterr().err
        assert code == 2, (command, err)
        assert err.startswith("isdesk: --db ") and BAD_URLS[url] in err, (command, err)
        assert len(err.strip().splitlines()) == 1, (command, err)


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_the_workstation_reports_a_malformed_db_url_without_a_traceback(url: str) -> None:
    done = isdesk("--db", url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and BAD_URLS[url] in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _evil_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'evil.sqlite3'}"
    boss = isdesk("--db", url, "operator", "add", "boss", "--team", "inbound", "--role", "lead")
    assert boss.returncode == 0, boss.stderr
    added = isdesk("--db", url, "--as", "boss", "operator", "add", "sato", "--team", "inbound")
    assert added.returncode == 0, added.stderr
    from isdesk.store.db import open_database
    from tests.support import factories as f

    db = open_database(url)
    f.lead(None, company=EVIL, contact=EVIL)
    db.close()
    return url


def test_customer_text_with_terminal_escapes_is_shown_escaped_in_tables(tmp_path: Path) -> None:
    url = _evil_database(tmp_path)
    table = isdesk("--db", url, "--as", "boss", "assign", "--dry-run", "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout
    assert EVIL_SHOWN in table.stdout  # the same signs the screens draw
    as_json = isdesk("--db", url, "--as", "boss", "assign", "--dry-run", "--format", "json")
    assert json.loads(as_json.stdout)["assigned"][0]["company"] == EVIL  # JSON stays exact
    taken = isdesk("--db", url, "--as", "sato", "next")
    assert taken.returncode == 0, taken.stderr
    assert "\x1b" not in taken.stdout and taken.stdout.count(EVIL_SHOWN) == 2
    assert len(taken.stdout.rstrip("\n").split("\t")) == 7  # the columns still line up


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    url = _evil_database(tmp_path)
    for command in (
        ["--as", "boss", "operator", "deactivate", "sato"],
        ["operator", "list"],
        ["--as", "boss", "assign", "--dry-run"],
        ["--as", "boss", "report", "periods"],
    ):
        read, write = os.pipe()
        os.close(read)  # `| head` that has already gone
        try:
            done = subprocess.run(
                [sys.executable, "-m", "isdesk", "--db", url, *command],
                stdout=write,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
        finally:
            os.close(write)
        assert done.stderr == "" and done.returncode == 0, (command, done.stderr)


def test_a_sqlite_path_in_a_missing_folder_is_refused_unless_asked_to_create(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo" / "dir"
    url = f"sqlite:///{missing / 'x.sqlite3'}"
    done = isdesk("--db", url, "operator", "list")
    assert done.returncode == 2 and "does not exist" in done.stderr and "--create" in done.stderr
    assert not (tmp_path / "typo").exists()  # nothing was made
    done = isdesk("--db", url, "--create", "operator", "list")
    assert done.returncode == 0, done.stderr
    assert (missing / "x.sqlite3").stat().st_mode & 0o077 == 0
    for folder in (tmp_path / "typo", missing):  # every folder it made is private too
        assert folder.stat().st_mode & 0o777 == 0o700
    # an existing folder needs no flag: a new file there is what --db asked for
    other = isdesk("--db", f"sqlite:///{tmp_path / 'new.sqlite3'}", "operator", "list")
    assert other.returncode == 0, other.stderr


def test_demo_creates_its_database_where_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'demo.sqlite3'}"
    done = isdesk("--db", url, "demo", "--no-open", "--leads", "20")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fresh" / "demo.sqlite3").exists()


def test_a_refusal_by_the_team_database_names_the_role(world, tmp_path: Path) -> None:
    """sato (an operator) tries what only the owner may: importing leads."""
    csv = tmp_path / "leads.csv"
    csv.write_text(LEADS_CSV, encoding="utf-8")
    url = f"postgresql://sato@127.0.0.1:{world.server.port}/{world.dbname}"
    done = isdesk("--db", url, "--as", "sato", "import", str(csv))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "login sato (operator)" in done.stderr and "may not INSERT" in done.stderr
    assert "check the file's permissions" not in done.stderr


def test_a_team_lead_sets_a_campaign_cost_with_their_own_login(world) -> None:
    """ROI needs the cost: a team lead's login may write it, and only that column."""
    lead_url = f"postgresql://yamada@127.0.0.1:{world.server.port}/{world.dbname}"
    try:
        done = isdesk("--db", lead_url, "--as", "yamada", "campaign", "set-cost", "展示会2026",
                      "35万円")  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "¥350,000" in done.stdout
        listed = isdesk("--db", lead_url, "--as", "yamada", "campaign", "list")
        assert "展示会2026\t" in listed.stdout and "\t350,000" in listed.stdout
        operator_url = f"postgresql://sato@127.0.0.1:{world.server.port}/{world.dbname}"
        refused = isdesk("--db", operator_url, "--as", "sato", "campaign", "set-cost",
                         "展示会2026", "1")  # fmt: skip
        assert refused.returncode == 2 and "team lead" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:  # the shared world as it was
        isdesk("--db", lead_url, "--as", "yamada", "campaign", "set-cost", "展示会2026", "none")
