"""The tools around the desk through the real CLI: re-exports, business cards, junk phones,
`isdesk log call` / `log calls` and the settings file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.e2e.test_import_cli import isdesk
from tests.unit.test_import import copy


def test_a_repeated_file_says_created_0_unchanged_n_in_the_table_and_the_json(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'isdesk.sqlite3'}"
    path = copy("salesforce_leads.csv", tmp_path)
    first = isdesk("import", str(path), "--db", url, "--no-assign")
    assert "read 5 = created 5 + merged 0 + unchanged 0 + rejected 0" in first.stdout
    again = isdesk("import", str(path), "--db", url, "--no-assign")
    assert again.returncode == 0, again.stderr
    assert "read 5 = created 0 + merged 0 + unchanged 5 + rejected 0" in again.stdout
    report = json.loads(isdesk("import", str(path), "--db", url, "--format", "json").stdout)
    assert list(report)[:6] == ["read", "created", "merged", "unchanged", "rejected",
                                "rejects_file"]  # fmt: skip
    assert (report["read"], report["created"], report["merged"], report["unchanged"]) == (
        5, 0, 0, 5
    )  # fmt: skip
    # a re-export (other bytes, same records) is unchanged too, found by Salesforce's Id
    week2 = tmp_path / "week2.csv"
    week2.write_bytes(path.read_bytes() + b"\r\n")
    reexport = isdesk("import", str(week2), "--db", url, "--no-assign")
    assert "read 5 = created 0 + merged 0 + unchanged 5 + rejected 0" in reexport.stdout
    assert "not touched, not routed" in reexport.stdout


def test_business_cards_and_junk_phones_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'isdesk.sqlite3'}"
    sansan = isdesk("import", str(copy("sansan_cards.csv", tmp_path)), "--db", url, "--no-assign")
    assert sansan.returncode == 0, sansan.stderr
    assert "mapping sansan (detected from the header)" in sansan.stdout
    assert "not a phone number (kept in extra, never matched on): 1 row(s)" in sansan.stdout
    assert "row 5: 電話番号='0000000000'" in sansan.stdout
    eight = isdesk("import", str(copy("eight_cards.csv", tmp_path)), "--db", url, "--no-assign",
                   "--format", "json")  # fmt: skip
    details = json.loads(eight.stdout)["details"]
    assert details["mapping"] == "eight" and details["encoding"] == "cp932"
    assert details["columns"]["phone_direct"] == ["TEL直通"]
    assert details["columns"]["acquired_at"] == ["名刺交換日"]


def _team(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    assert isdesk("operator", "add", "boss", "--team", "inbound", "--role", "lead",
                  "--db", url).returncode == 0  # fmt: skip
    assert isdesk("operator", "add", "sato", "--team", "inbound", "--db", url,
                  "--as", "boss").returncode == 0  # fmt: skip
    leads = tmp_path / "leads.csv"
    leads.write_text("company,contact,phone,email\nアクメ,田中 一郎,03-1234-5678,t@acme.jp\n",
                     encoding="utf-8")  # fmt: skip
    assert isdesk("import", str(leads), "--db", url, "--no-assign").returncode == 0
    return url


def test_log_call_records_a_call_by_phone_number(tmp_path: Path) -> None:
    url = _team(tmp_path)
    done = isdesk("log", "call", "--phone", "0312345678", "--outcome", "connected",
                  "--duration", "1:35", "--recording", "https://rec.example.jp/1",
                  "--db", url, "--as", "sato", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    logged = json.loads(done.stdout)
    assert (logged["lead"], logged["outcome"], logged["duration_s"]) == (1, "connected", 95)
    by_id = isdesk("log", "call", "--lead", "1", "--outcome", "no_answer", "--db", url,
                   "--as", "sato")  # fmt: skip
    assert "call on lead 1 recorded: no_answer, 0s" in by_id.stdout
    for args, message in [
        (["--phone", "06-9999-0000", "--outcome", "connected"], "no lead has the number"),
        (["--lead", "1", "--outcome", "connected", "--duration", "soon"], "--duration 'soon'"),
        (["--lead", "1", "--outcome", "connected", "--recording", "ftp://x"], "http(s)://"),
    ]:
        bad = isdesk("log", "call", *args, "--db", url, "--as", "sato")
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr
        assert "Traceback" not in bad.stderr
    wrong = isdesk("log", "call", "--lead", "1", "--outcome", "great", "--db", url)
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_log_calls_attaches_a_call_log_once(tmp_path: Path) -> None:
    url = _team(tmp_path)
    log = tmp_path / "miitel.csv"
    log.write_bytes(
        "通話開始日時,ユーザー名,発着信,相手先電話番号,通話時間,録音URL\r\n"
        "2026/11/02 10:15:00,sato,発信,03-1234-5678,00:03:20,https://miitel.example/r/1\r\n"
        "2026/11/02 10:45:00,sato,発信,0120-000-000,00:00:10,\r\n".encode("cp932")
    )
    first = isdesk("log", "calls", str(log), "--db", url, "--as", "boss")
    assert first.returncode == 0, first.stderr
    assert "read 2 = recorded 1 + already recorded 0 + no lead with the number 1" in first.stdout
    again = isdesk("log", "calls", str(log), "--db", url, "--as", "boss", "--format", "json")
    assert (json.loads(again.stdout)["recorded"], json.loads(again.stdout)["already"]) == (0, 1)


def test_the_settings_file_is_used_and_its_mistakes_name_the_line(tmp_path: Path) -> None:
    config = Path(os.environ["ISDESK_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    db_file = tmp_path / "from_settings.sqlite3"
    (config / "settings.yaml").write_text(f"database: sqlite:///{db_file}\nlanguage: en\n")
    done = isdesk("import", str(copy("salesforce_leads.csv", tmp_path)), "--no-assign")
    assert done.returncode == 0, done.stderr
    assert db_file.exists()  # the settings' database, no --db needed
    (config / "settings.yaml").write_text("language: en\nkeymap:\n  lead.cal: f2\n")
    opened = isdesk("open", "--db", f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    assert opened.returncode == 2
    assert f"{config / 'settings.yaml'}:3: keymap.lead.cal: no binding has that id" in opened.stderr
    assert "did you mean lead.call?" in opened.stderr
    (config / "settings.yaml").write_text("language: en\ncolour: blue\n")
    broken = isdesk("operator", "list")
    assert broken.returncode == 2
    assert f"{config / 'settings.yaml'}:2: colour: unknown setting" in broken.stderr
