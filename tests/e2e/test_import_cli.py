"""`isdesk import` as a user runs it: `python -m isdesk import …`, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_import import copy

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        cwd=ROOT,
    )


def test_json_summary_has_the_four_counts_and_the_rejects_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'isdesk.sqlite3'}"
    path = copy("bad_rows.csv", tmp_path)
    result = isdesk("import", str(path), "--db", url, "--format", "json",
                    "--campaign", "秋の資料DL", "--campaign-type", "download")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report)[:6] == ["read", "created", "merged", "unchanged", "rejected",
                                "rejects_file"]  # fmt: skip
    assert set(report) == {"read", "created", "merged", "unchanged", "rejected", "rejects_file",
                           "details"}  # fmt: skip
    assert (report["read"], report["created"], report["merged"], report["rejected"]) == (6, 2, 0, 4)
    assert report["rejects_file"] == str(tmp_path / "bad_rows.rejects.csv")
    assert report["details"]["mapping"] == "isdesk" and report["details"]["mapping_detected"]
    assert report["details"]["campaigns_created"] == ["秋の資料DL"]
    assert result.stderr == ""  # no progress line when stderr is not a terminal

    again = isdesk("import", str(path), "--db", url, "--format", "json",
                   "--campaign", "秋の資料DL", "--campaign-type", "download")  # fmt: skip
    assert json.loads(again.stdout)["details"]["already_imported"] is True


def test_table_summary_says_which_mapping_was_chosen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'isdesk.sqlite3'}"
    result = isdesk("import", str(copy("salesforce_leads.csv", tmp_path)), "--db", url)
    assert result.returncode == 0, result.stderr
    assert "mapping salesforce (detected from the header)" in result.stdout
    assert "read 5 = created 5 + merged 0 + unchanged 0 + rejected 0" in result.stdout
    cp932 = isdesk("import", str(copy("excel_cp932.csv", tmp_path)), "--db", url,
                   "--mapping", "isdesk", "--dry-run")  # fmt: skip
    assert cp932.returncode == 0, cp932.stderr
    assert "Shift_JIS (CP932)" in cp932.stdout and "mapping isdesk (as asked)" in cp932.stdout
    assert "dry run: nothing was written" in cp932.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv"], "missing.csv: no such file"),
        (["excel_cp932.csv", "--mapping", "marketo"], "unknown mapping 'marketo'"),
        (["excel_cp932.csv", "--encoding", "klingon"], "unknown encoding 'klingon'"),
        (["excel_cp932.csv", "--encoding", "utf-8"], "not utf-8 (bad bytes at line 1, column 1)"),
        (["excel_cp932.csv", "--campaign-date", "10/20"], "--campaign-date: '10/20'"),
        (["orders.csv"], "no mapping fits the columns"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    copy("excel_cp932.csv", tmp_path)
    (tmp_path / "orders.csv").write_text("商品,数量\nA,1\n", encoding="utf-8")
    db_file = tmp_path / "never.sqlite3"
    args = [str(tmp_path / args[0]), *args[1:]]
    result = isdesk("import", *args, "--db", f"sqlite:///{db_file}")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not db_file.exists()
    assert not list(tmp_path.glob("*.rejects.csv"))
