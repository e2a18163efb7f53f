"""The `isdesk` command as a user runs it: a subprocess, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def test_rules_check_accepts_the_shipped_rules() -> None:
    result = isdesk("rules", "check", str(ROOT / "rules.yaml"))
    assert result.returncode == 0, result.stderr
    assert "ok (9 hearing items" in result.stdout


BROKEN = """\
version: 1
hearing:
  - key: pain
    label: {ja: 課題感, en: Pain}
    type: text
sql:
  heard_at_least: 1
ranks:
  - rank: A
    when: {known: budget}
  - rank: D
    when: always
"""


def test_broken_rules_name_file_line_and_key_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = isdesk("rules", "check", str(path))
    assert result.returncode == 2
    assert f"{path}:10:" in result.stderr
    assert "ranks[0].when.known" in result.stderr
    assert "budget" in result.stderr
    assert "Traceback" not in result.stderr


def test_app_does_not_start_or_touch_data_with_broken_rules(
    tmp_path: Path, isolated_environment: Path
) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    db = tmp_path / "never.sqlite3"
    result = isdesk("--rules", str(path), "--db", f"sqlite:///{db}")
    assert result.returncode == 2 and "rules error" in result.stderr
    assert not db.exists()
    result = isdesk("demo", "--no-open", env={"ISDESK_RULES": str(path)})
    assert result.returncode == 2
    assert not isolated_environment.exists() or not any(isolated_environment.iterdir())


@pytest.mark.parametrize(
    "answers, expected",
    [
        (
            {k: "聞けた" for k in ("pain", "product", "purpose", "current_setup", "team")},
            {"sql": False, "heard": 5, "rank": "D"},
        ),
        (
            {
                k: "聞けた"
                for k in ("pain", "product", "purpose", "current_setup", "team", "competitors")
            },
            {"sql": True, "heard": 6},
        ),
        ({"timing": "2026-12-12", "competitors": "Salesforce"}, {"rank": "A"}),
        ({"timing": "2027-06-01"}, {"rank": "C", "next_rank": "B"}),
        ({}, {"rank": "D", "missing_for_next_rank": ["timing"]}),
    ],
)
def test_rules_eval_on_the_documented_examples(answers: dict, expected: dict) -> None:
    result = isdesk(
        "rules",
        "eval",
        "--answers",
        json.dumps(answers, ensure_ascii=False),
        "--today",
        "2026-11-22",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key in ("rank", "sql", "heard", "missing_for_next_rank"):
        assert key in out
    for key, value in expected.items():
        assert out[key] == value


@pytest.mark.parametrize(
    "args, message",
    [
        (("--answers", "{not json"), "--answers: not JSON"),
        (("--answers", '{"budjet": "1"}'), "unknown item(s) budjet"),
        (("--answers", "{}", "--today", "22/11/2026"), "--today"),
    ],
)
def test_rules_eval_mistakes_get_a_clear_message(args: tuple[str, ...], message: str) -> None:
    result = isdesk("rules", "eval", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_operator_add_list_deactivate_and_unknown_operator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    boss = isdesk("operator", "add", "boss", "--team", "inbound", "--role", "lead", "--db", url)
    assert boss.returncode == 0, boss.stderr  # a new database takes its first operator
    added = isdesk(
        "operator",
        "add",
        "sato.misaki",
        "--team",
        "inbound",
        "--display-name",
        "佐藤 美咲",
        "--db",
        url,
        "--as",
        "boss",
    )
    assert added.returncode == 0, added.stderr
    not_lead = isdesk(
        "operator", "add", "kato", "--team", "inbound", "--db", url, "--as", "sato.misaki"
    )
    assert not_lead.returncode == 2 and "only a team lead" in not_lead.stderr
    again = isdesk(
        "operator", "add", "sato.misaki", "--team", "inbound", "--db", url, "--as", "boss"
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = isdesk("operator", "add", "佐藤", "--team", "inbound", "--db", url, "--as", "boss")
    assert bad.returncode == 2 and "operator name" in bad.stderr
    listed = isdesk("operator", "list", "--db", url)
    assert "sato.misaki\t佐藤 美咲\tinbound\toperator" in listed.stdout
    stranger = isdesk("--db", url, "--as", "nobody")
    assert stranger.returncode == 2
    assert "isdesk operator add nobody" in stranger.stderr
    gone = isdesk("operator", "deactivate", "sato.misaki", "--db", url, "--as", "boss")
    assert gone.returncode == 0, gone.stderr
    assert (
        "sato.misaki\t佐藤 美咲\tinbound\toperator (inactive)"
        in isdesk("operator", "list", "--db", url).stdout
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://"])
def test_bad_database_url_is_a_message_not_a_traceback(url: str) -> None:
    result = isdesk("--db", url, "operator", "list")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sqlite:///" in result.stderr


def test_unreachable_postgres_is_a_message_not_a_traceback() -> None:
    result = isdesk("operator", "list", "--db", "postgresql://nobody@127.0.0.1:1/isdesk")
    assert result.returncode == 2 and "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr
