"""`isdesk export daily` as a user runs it: `python -m isdesk`, its files, output and exit code.

Skipped (with the reason shown) until isdesk/cli/main.py registers the export command.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from isdesk.store.db import current_database, open_database
from isdesk.store.models import Activity
from isdesk.store.schema import upgrade
from tests.db.test_export import Team, build_team, jst

ROOT = Path(__file__).resolve().parents[2]


def _export_is_wired() -> bool:
    from isdesk.cli.main import build_parser

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args(["export", "daily", "--date", "2026-11-20"])
    except SystemExit:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _export_is_wired(), reason="isdesk/cli/main.py does not register `isdesk export` yet"
)


def isdesk(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        timeout=60,
        env=os.environ.copy(),
        cwd=ROOT,
    )


@pytest.fixture
def db_file(tmp_path: Path) -> tuple[str, Team]:
    """A SQLite file holding the team of tests.db.test_export, plus one note with an emoji."""
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    db = open_database(url)
    upgrade(db)
    team = build_team()
    with current_database().connection_context():
        lead_id = Activity.get_by_id(team.sato_ids[0]).lead_id
        Activity.create(
            lead=lead_id, operator=team.sato.id, at=jst(20, 14, 30), kind="note",
            note="お客様は前向き🙂",
        )  # fmt: skip
    db.close()
    return url, team


def test_a_lead_exports_the_team_to_a_private_japanese_csv(
    db_file: tuple[str, Team], tmp_path: Path
) -> None:
    url, team = db_file
    out = tmp_path / "daily.csv"
    result = isdesk(
        "export", "daily", "--db", url, "--as", "lee", "--date", "2026-11-20",
        "--lang", "ja", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["行種別", "日付", "時刻"]
    activities = [r for r in rows[1:] if r[0] == "活動"]
    assert len(activities) == len(team.day_ids) + 1
    summaries = [r[3] for r in rows[1:] if r[0] == "集計"]
    assert summaries == ["lee", "sato", "suzuki", "yamada"]
    again = tmp_path / "again.csv"
    result = isdesk(
        "export", "daily", "--db", url, "--as", "lee", "--date", "2026-11-20",
        "--lang", "ja", "-o", str(again),
    )  # fmt: skip
    assert again.read_bytes() == data


def test_an_operator_exports_jsonl_to_stdout(db_file: tuple[str, Team]) -> None:
    url, team = db_file
    result = isdesk(
        "export", "daily", "--db", url, "--as", "sato", "--date", "2026-11-20", "--format", "jsonl"
    )
    assert result.returncode == 0, result.stderr.decode()
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    kinds = [o["row_type"] for o in objects]
    assert kinds == ["activity"] * (len(team.sato_ids) + 1) + ["summary"]
    assert objects[0]["time"] == "2026-11-20T00:00:00+09:00"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--as", "sato", "--date", "2026/11/20"), "'2026/11/20' is not a date; write YYYY-MM-DD"),
        (("--as", "sato", "--operator", "suzuki", "--date", "2026-11-20"), "only your own"),
        (("--as", "kimura", "--date", "2026-11-20"), "field sales"),
        (("--as", "nobody", "--date", "2026-11-20"), "'nobody' is not registered"),
        (("--as", "lee", "--team", "nowhere", "--date", "2026-11-20"), "'nowhere' has no"),
        (("--as", "lee", "--team", "inbound", "--operator", "sato", "--date", "2026-11-20"),
         "not allowed with argument"),
    ],
)  # fmt: skip
def test_mistakes_exit_2_with_a_message(
    db_file: tuple[str, Team], args: tuple[str, ...], expected: str
) -> None:
    url, _ = db_file
    result = isdesk("export", "daily", "--db", url, *args)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert expected in stderr and "Traceback" not in stderr
    if "2026/11/20" in args:
        assert "--date:" in stderr


def test_cp932_with_an_emoji_replaces_it_and_says_so(
    db_file: tuple[str, Team], tmp_path: Path
) -> None:
    url, _ = db_file
    out = tmp_path / "exports" / "daily.csv"
    out.parent.mkdir()
    result = isdesk(
        "export", "daily", "--db", url, "--as", "sato", "--date", "2026-11-20",
        "--encoding", "cp932", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    stderr = result.stderr.decode()
    assert "row 8" in stderr and "note" in stderr and "--encoding utf-8" in stderr
    assert "お客様は前向き〓" in out.read_bytes().decode("cp932")
