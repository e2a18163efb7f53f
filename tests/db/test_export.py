"""The daily export: the query and role rules on both backends, the CSV/JSONL bytes, the command.

The day is 2026-11-20 in Tokyo, i.e. [2026-11-19 15:00Z, 2026-11-20 15:00Z).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from isdesk.domain import kpi
from isdesk.export.daily import (
    ActivityRow,
    DailyExport,
    ExportError,
    OperatorSummary,
    daily_export,
)
from isdesk.export.writer import (
    BOM,
    COLUMNS,
    HEADERS_JA,
    Replacement,
    neutralize,
    render_csv,
    render_jsonl,
    write_csv,
    write_file,
    write_jsonl,
)
from isdesk.rules import (
    ActivityRules,
    Lines,
    LinesOverride,
    Rules,
    Targets,
    TargetsOverride,
    load_rules,
)
from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Activity
from tests.support import factories

DAY = dt.date(2026, 11, 20)
JST = dt.timezone(dt.timedelta(hours=9))


def jst(day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=JST)


@dataclass(frozen=True)
class Team:
    """The people and activity ids of :func:`build_team`."""

    lead: Actor
    sato: Actor
    suzuki: Actor
    yamada: Actor  # in the team, nothing logged that day
    kimura: Actor  # field sales
    tanaka: Actor  # another team
    sato_ids: tuple[int, ...]  # sato's activities of DAY, in time order
    suzuki_ids: tuple[int, ...]
    day_ids: tuple[int, ...]  # the team's activities of DAY, in time order


SATO_DAY = (
    # (local time, kind, outcome, seconds, note, voice, rank, sql)
    (jst(20, 0, 0), "note", "", 0, "日付が変わった直後", False, "", False),
    (jst(20, 10, 15), "call", "connected", 300, "=SUM(A1:A9)", False, "C", False),
    (jst(20, 10, 15), "call", "no_answer", 0, "+81 3-1234-5678", False, "", False),
    (jst(20, 11, 0), "email", "", 0, "-資料送付", False, "", False),
    (jst(20, 13, 30), "meeting", "", 1800, "@担当 次回デモ", True, "B", False),
    (jst(20, 14, 0), "call", "voicemail", -5, "\t留守電", False, "", False),
    (jst(20, 15, 0), "call", "connected", 420, "\r再架電", False, "A", True),
    (jst(20, 16, 0), "note", "", 0, "予算は来期\n決裁は部長\r\n競合: A社", True, "A", True),
    (jst(20, 23, 59), "call", "refused", 0, "遅い時間の架電", False, "", False),
)


def build_team() -> Team:
    """Two teams, a field user and activities on, just before and just after DAY."""
    lead = factories.operator("lee", team="inbound", role="lead", display="李 リーダー")
    sato = factories.operator("sato", team="inbound", display="佐藤 美咲")
    suzuki = factories.operator("suzuki", team="inbound", display="鈴木 一郎")
    yamada = factories.operator("yamada", team="inbound", display="山田 花子")
    kimura = factories.operator("kimura", team="inbound", role="field", display="木村")
    tanaka = factories.operator("tanaka", team="outbound", display="田中")
    acme = factories.lead(sato, company="株式会社アクメ", contact="山本 太郎")
    evil = factories.lead(sato, company='=HYPERLINK("http://x")', contact="@attacker")
    other = factories.lead(tanaka, company="外部商事")

    def log(who: Actor, lead_id: int, at: dt.datetime, kind: str, outcome: str = "", **kw) -> int:
        return Activity.create(
            lead=lead_id, operator=who.id, at=at, kind=kind, outcome=outcome, **kw
        ).id

    with current_database().connection_context():
        log(sato, acme, jst(19, 23, 59, 59), "call", "connected", duration_s=100)  # day before
        sato_ids = []
        for i, (at, kind, outcome, seconds, note, voice, rank, sql) in enumerate(SATO_DAY):
            sato_ids.append(
                log(sato, evil if i == 1 else acme, at, kind, outcome, duration_s=seconds,
                    note=note, customer_voice=voice, rank_after=rank, sql_after=sql)
            )  # fmt: skip
        log(sato, acme, jst(21, 0, 0), "call", "connected", duration_s=60)  # the next day
        suzuki_ids = (
            log(suzuki, acme, jst(20, 9, 0), "appointment"),
            log(suzuki, acme, jst(20, 12, 0), "call", "connected", duration_s=600),
        )
        log(tanaka, other, jst(20, 12, 0), "call", "connected", duration_s=60)
    day_ids = tuple(
        i
        for _, i in sorted(
            [(SATO_DAY[n][0], sato_ids[n]) for n in range(len(sato_ids))]
            + [(jst(20, 9, 0), suzuki_ids[0]), (jst(20, 12, 0), suzuki_ids[1])]
        )
    )
    return Team(lead, sato, suzuki, yamada, kimura, tanaka, tuple(sato_ids), suzuki_ids, day_ids)


WEIGHTS = {"call": 1, "call_connected": 3, "email": 2, "appointment": 10, "meeting": 5, "note": 0}


@pytest.fixture
def rules() -> Rules:
    """The shipped rules with known weights and lines; suzuki has a personal expected line."""
    return dataclasses.replace(
        load_rules(),
        activity=ActivityRules(WEIGHTS),
        targets=Targets(
            daily=Lines(5, 10, 20),
            operators={"suzuki": TargetsOverride(daily=LinesOverride(expected=14, stretch=30))},
        ),
    )


@pytest.fixture
def team(db) -> Team:
    return build_team()


def expected_volume(rules: Rules, day: tuple) -> int:
    return sum(kpi.activity_weight(rules.activity.weights, a[1], a[2]) for a in day)


# --- the query, on both backends ---------------------------------------------------------


def test_an_operator_gets_the_activities_of_their_local_day(team: Team, rules: Rules) -> None:
    export = daily_export(team.sato, DAY, rules)
    assert [r.id for r in export.rows] == list(team.sato_ids)
    first, connected = export.rows[0], export.rows[1]
    assert first.at.isoformat() == "2026-11-20T00:00:00+09:00"
    assert export.rows[-1].at.isoformat() == "2026-11-20T23:59:00+09:00"
    assert connected.at.utcoffset() == dt.timedelta(hours=9)
    assert (connected.operator, connected.operator_name, connected.team) == (
        "sato",
        "佐藤 美咲",
        "inbound",
    )
    assert (connected.kind, connected.outcome, connected.duration_s) == ("call", "connected", 300)
    assert (connected.company, connected.contact) == ('=HYPERLINK("http://x")', "@attacker")
    voice = export.rows[7]
    assert (voice.customer_voice, voice.rank_after, voice.sql_after) == (True, "A", True)
    assert voice.note == "予算は来期\n決裁は部長\r\n競合: A社"
    assert [s.operator for s in export.summaries] == ["sato"]


def test_summary_counts_volume_lines_and_tier(team: Team, rules: Rules) -> None:
    (summary,) = daily_export(team.sato, DAY, rules).summaries
    assert dict(summary.kind_counts) == {
        "call": 5,
        "email": 1,
        "appointment": 0,
        "meeting": 1,
        "note": 2,
    }
    assert summary.count("call") == 5 and summary.connected_calls == 2
    assert summary.activities == len(SATO_DAY)
    assert summary.duration_s == 300 - 5 + 1800 + 420
    # notes 0, calls 1 + 1 + 1, connected calls 3 + 3, e-mail 2, meeting 5
    assert summary.volume == expected_volume(rules, SATO_DAY) == 16
    assert (summary.minimum, summary.expected, summary.stretch) == (5, 10, 20)
    assert summary.tier == "expected"


def test_a_lead_exports_the_team_with_idle_operators(team: Team, rules: Rules) -> None:
    export = daily_export(team.lead, DAY, rules, team="inbound")
    assert [r.id for r in export.rows] == list(team.day_ids)
    assert "tanaka" not in {r.operator for r in export.rows}
    names = [s.operator for s in export.summaries]
    assert names == ["lee", "sato", "suzuki", "yamada"]  # kimura (field) logged nothing
    idle = export.summaries[-1]
    assert (idle.activities, idle.volume, idle.duration_s, idle.tier) == (0, 0, 0, "below")
    suzuki = export.summaries[2]
    assert (suzuki.count("appointment"), suzuki.connected_calls, suzuki.duration_s) == (1, 1, 600)
    assert (suzuki.volume, suzuki.minimum, suzuki.expected, suzuki.stretch) == (13, 5, 14, 30)
    assert suzuki.tier == "minimum"
    assert export.summaries[1].tier == "expected"  # sato, as above
    assert daily_export(team.lead, DAY, rules) == export  # a lead's default is the team
    one = daily_export(team.lead, DAY, rules, operator="suzuki")
    assert [r.id for r in one.rows] == list(team.suzuki_ids)


def test_role_rules(team: Team, rules: Rules) -> None:
    assert daily_export(team.sato, DAY, rules, operator="sato").rows
    with pytest.raises(ExportError, match="only your own activities"):
        daily_export(team.sato, DAY, rules, operator="suzuki")
    with pytest.raises(ExportError, match="only your own activities"):
        daily_export(team.sato, DAY, rules, team="inbound")
    with pytest.raises(ExportError, match="field sales"):
        daily_export(team.kimura, DAY, rules)
    with pytest.raises(ExportError, match="field sales"):
        daily_export(team.kimura, DAY, rules, operator="kimura")
    with pytest.raises(ExportError, match="team 'outbound'"):
        daily_export(team.lead, DAY, rules, operator="tanaka")
    with pytest.raises(ExportError, match="only that team"):
        daily_export(team.lead, DAY, rules, team="outbound")
    with pytest.raises(ExportError, match="'nobody' is not registered"):
        daily_export(team.lead, DAY, rules, operator="nobody")
    with pytest.raises(ExportError, match="team 'nowhere' has no operators"):
        daily_export(team.lead, DAY, rules, team="nowhere")
    with pytest.raises(ExportError, match="not both"):
        daily_export(team.lead, DAY, rules, operator="sato", team="inbound")


def test_an_empty_day_has_summaries_but_no_rows(team: Team, rules: Rules) -> None:
    export = daily_export(team.sato, dt.date(2026, 11, 25), rules)
    assert export.rows == ()
    assert [(s.operator, s.activities, s.tier) for s in export.summaries] == [("sato", 0, "below")]


def test_the_file_is_private_atomic_and_identical_twice(
    team: Team, rules: Rules, tmp_path: Path
) -> None:
    path = tmp_path / "daily.csv"
    write_file(daily_export(team.lead, DAY, rules), path, "csv", "utf-8", "ja")
    first = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # an existing file is replaced by a private one
    write_file(daily_export(team.lead, DAY, rules), path, "csv", "utf-8", "ja")
    assert path.read_bytes() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + len(team.day_ids) + 4


# --- the bytes, from a hand-built export (no database) ----------------------------------


def row(id: int, note: str = "", **fields) -> ActivityRow:
    values = dict(
        id=id,
        at=dt.datetime(2026, 11, 20, 10, 15, tzinfo=JST) + dt.timedelta(minutes=id),
        operator="sato",
        operator_name="佐藤 美咲",
        team="inbound",
        lead_id=7,
        company="株式会社アクメ",
        contact="山本 太郎",
        kind="call",
        outcome="connected",
        duration_s=300,
        rank_after="B",
        sql_after=False,
        customer_voice=True,
        note=note,
    )
    values.update(fields)
    return ActivityRow(**values)


SUMMARY = OperatorSummary(
    operator="sato",
    operator_name="佐藤 美咲",
    team="inbound",
    kind_counts=(("call", 3), ("email", 1), ("appointment", 0), ("meeting", 1), ("note", 0)),
    connected_calls=2,
    activities=5,
    duration_s=2400,
    volume=17,
    minimum=10,
    expected=15,
    stretch=20,
    tier="expected",
)
NOTES = ("=1+2", "+81 3", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "普通のメモ")


def sample(*rows: ActivityRow) -> DailyExport:
    rows = rows or tuple(row(i + 1, note) for i, note in enumerate(NOTES))
    return DailyExport(DAY, rows, (SUMMARY,))


def read_csv(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_csv_has_a_bom_crlf_and_english_header() -> None:
    data = render_csv(sample())
    assert data.startswith(BOM)
    assert data.count(b"\r\n") == 1 + len(NOTES) + 1  # header, activities, summary
    rows = read_csv(data)
    assert rows[0] == list(COLUMNS)
    assert rows[0][:17] == [
        "row_type", "date", "time", "operator", "operator_name", "team", "lead_id", "company",
        "contact", "kind", "outcome", "duration_s", "rank_after", "sql_after", "customer_voice",
        "note", "call_count",
    ]  # fmt: skip
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["row_type"] == "activity"
    assert first["date"] == "2026-11-20"
    assert first["time"] == "2026-11-20 10:16:00"  # local, a date-time to Excel
    assert (first["operator_name"], first["company"]) == ("佐藤 美咲", "株式会社アクメ")
    assert (first["kind"], first["outcome"], first["duration_s"]) == ("call", "connected", "300")
    assert (first["sql_after"], first["customer_voice"]) == ("FALSE", "TRUE")
    assert first["call_count"] == first["volume"] == first["tier"] == ""
    assert len(rows) == 1 + len(NOTES) + 1


def test_summary_row_fills_summary_columns_only() -> None:
    rows = read_csv(render_csv(sample()))
    summary = dict(zip(rows[0], rows[-1], strict=True))
    assert summary["row_type"] == "summary"
    assert (summary["date"], summary["operator"], summary["team"]) == (
        "2026-11-20",
        "sato",
        "inbound",
    )
    for column in ("time", "lead_id", "company", "kind", "outcome", "duration_s", "note"):
        assert summary[column] == "", column
    assert [summary[f"{k}_count"] for k in kpi.ACTIVITY_KINDS] == ["3", "1", "0", "1", "0"]
    assert summary["connected_call_count"] == "2"
    assert summary["activity_count"] == "5"
    assert summary["total_duration_s"] == "2400"
    assert summary["volume"] == "17"
    assert (summary["line_minimum"], summary["line_expected"], summary["line_stretch"]) == (
        "10",
        "15",
        "20",
    )
    assert summary["tier"] == "expected"


def test_japanese_headers_and_labels_survive_the_bom() -> None:
    export = sample(row(1, kind="call", outcome="no_answer"), row(2, kind="meeting", outcome=""))
    data = render_csv(export, lang="ja")
    rows = read_csv(data)
    assert rows[0][:16] == [
        "行種別", "日付", "時刻", "担当者ID", "担当者", "チーム", "リードID", "会社名",
        "担当者名(顧客)", "種別", "結果", "通話秒数", "ランク", "SQL", "顧客の声", "メモ",
    ]  # fmt: skip
    assert rows[0] == [HEADERS_JA[c] for c in COLUMNS]
    assert len(set(rows[0])) == len(rows[0])
    assert (rows[1][0], rows[1][9], rows[1][10]) == ("活動", "架電", "不在")
    assert (rows[2][9], rows[2][10]) == ("商談", "")
    assert rows[1][4] == "佐藤 美咲" and rows[1][7] == "株式会社アクメ"
    assert rows[-1][0] == "集計" and rows[-1][-1] == "到達予想"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+81 3", "'+81 3"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("普通のメモ", "普通のメモ"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralize(value: str, expected: str) -> None:
    assert neutralize(value) == expected


def test_formula_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    evil = row(
        99, "=cmd|' /C calc'!A0", company="=HYPERLINK(\"x\")", contact="@me", duration_s=-5,
        lead_id=-3, operator_name="-佐藤",
    )  # fmt: skip
    rows = read_csv(render_csv(sample(*(row(i + 1, n) for i, n in enumerate(NOTES)), evil)))
    notes = [r[COLUMNS.index("note")] for r in rows[1 : 1 + len(NOTES)]]
    assert notes == ["'=1+2", "'+81 3", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR", "普通のメモ"]
    last = dict(zip(rows[0], rows[1 + len(NOTES)], strict=True))
    assert last["note"] == "'=cmd|' /C calc'!A0"
    assert (last["company"], last["contact"], last["operator_name"]) == (
        '\'=HYPERLINK("x")',
        "'@me",
        "'-佐藤",
    )
    assert (last["duration_s"], last["lead_id"]) == ("-5", "-3")  # numbers untouched
    assert last["time"].startswith("2026-")


def test_embedded_newlines_stay_inside_one_cell() -> None:
    note = "1行目\n2行目\r\n3行目"
    data = render_csv(sample(row(1, note), row(2, "次")))
    rows = read_csv(data)
    assert len(rows) == 4
    assert rows[1][COLUMNS.index("note")] == note
    assert rows[2][COLUMNS.index("note")] == "次"
    assert f',"{note}",'.encode() in data  # quoted, line ends inside kept as they are


def test_cp932_for_old_excel() -> None:
    data = render_csv(sample(row(1, "①丸数字と髙橋も大丈夫")), encoding="cp932", lang="ja")
    assert not data.startswith(BOM)
    rows = read_csv(data, "cp932")
    assert rows[0][1] == "日付"
    assert rows[1][COLUMNS.index("note")] == "①丸数字と髙橋も大丈夫"


def test_cp932_replaces_what_it_cannot_store_and_says_where(tmp_path: Path) -> None:
    export = sample(row(1, "ok"), row(2, "価格は€10—税込"), row(3, "ありがとうございます🙂"))
    replaced: list[Replacement] = []
    data = render_csv(export, encoding="cp932", lang="ja", replaced=replaced)
    rows = read_csv(data, "cp932")
    note = COLUMNS.index("note")
    assert rows[2][note] == "価格はEUR10―税込"  # a stand-in a Japanese reader knows
    assert rows[3][note] == "ありがとうございます〓"  # the geta mark for a missing glyph
    assert [(r.row, r.column, r.char, r.written) for r in replaced] == [
        (3, "メモ", "€", "EUR"), (3, "メモ", "—", "―"), (4, "メモ", "🙂", "〓"),
    ]  # fmt: skip
    path = tmp_path / "daily.csv"
    write_file(export, path, "csv", "cp932", "en")
    assert path.read_bytes() == render_csv(export, encoding="cp932", lang="en")
    out = io.BytesIO()
    write_csv(export, out, encoding="cp932")
    assert out.getvalue() == path.read_bytes()
    assert render_csv(export).decode("utf-8-sig").count("🙂") == 1  # utf-8 keeps it


def test_jsonl_parses_line_by_line_with_types() -> None:
    note = "改行\nあり=1"
    data = render_jsonl(sample(row(1, note, duration_s=-5), row(2, "", outcome="refused")))
    assert not data.startswith(BOM)
    assert "改行".encode() in data  # ensure_ascii=False
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    first, _, summary = objects
    assert list(first) == list(COLUMNS)
    assert first["row_type"] == "activity"
    assert first["note"] == note  # JSONL is for programs: nothing neutralised
    assert first["duration_s"] == -5 and first["lead_id"] == 7
    assert first["customer_voice"] is True and first["sql_after"] is False
    assert first["time"] == "2026-11-20T10:16:00+09:00"  # JSONL: ISO 8601 with the offset
    assert first["volume"] is None
    assert summary["row_type"] == "summary"
    assert summary["volume"] == 17 and summary["call_count"] == 3 and summary["tier"] == "expected"
    assert summary["note"] is None
    out = io.BytesIO()
    write_jsonl(sample(), out)
    assert out.getvalue() == render_jsonl(sample())


def test_rendering_is_deterministic() -> None:
    assert render_csv(sample(), lang="ja") == render_csv(sample(), lang="ja")
    assert render_jsonl(sample()) == render_jsonl(sample())


def test_export_modules_do_not_import_textual() -> None:
    code = (
        "import sys, isdesk.cli.export, isdesk.export.daily, isdesk.export.writer; "
        "assert 'textual' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- the command through a small parser, in process ---------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    """The command as isdesk's parser will carry it: the common options on both levels."""
    from isdesk.cli.common import add_common_options
    from isdesk.cli.export import register

    parser = argparse.ArgumentParser(prog="isdesk")
    add_common_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, suppress=True)
    register(parser.add_subparsers(dest="command"), common)
    return parser.parse_args(argv)


def run(*argv: str) -> int:
    from isdesk.cli.common import cli_settings
    from isdesk.cli.export import run as run_export

    args = parse(*argv)
    settings = cli_settings(args)
    return run_export(args, settings, load_rules(settings.rules_path))


def test_command_writes_a_private_file_and_stdout(
    team: Team, db_url: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = tmp_path / "daily.csv"
    base = ("export", "daily", "--db", db_url, "--date", "2026-11-20")
    assert run(*base, "--as", "lee", "--lang", "ja", "-o", str(out)) == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    rows = read_csv(out.read_bytes())
    assert rows[0][1] == "日付" and len(rows) == 1 + len(team.day_ids) + 4
    assert b"wrote 11 activities and 4 operator summaries" in capsysbinary.readouterr().err
    assert run(*base, "--as", "sato", "--format", "jsonl") == 0
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert [json.loads(x)["row_type"] for x in lines] == ["activity"] * 9 + ["summary"]


def test_command_mistakes_are_user_errors(team: Team, db_url: str, tmp_path: Path) -> None:
    from isdesk.cli.common import UserError

    base = ("export", "daily", "--db", db_url)
    with pytest.raises(UserError, match="--date: '20/11/2026' is not a date; write YYYY-MM-DD"):
        run(*base, "--date", "20/11/2026", "--as", "sato")
    with pytest.raises(UserError, match="'ghost' is not registered"):
        run(*base, "--date", "2026-11-20", "--as", "ghost")
    with pytest.raises(UserError, match="only your own activities"):
        run(*base, "--date", "2026-11-20", "--as", "sato", "--operator", "suzuki")
    with pytest.raises(UserError, match="field sales"):
        run(*base, "--date", "2026-11-20", "--as", "kimura")
    with pytest.raises(UserError, match="JSONL is always UTF-8"):
        run(*base, "--date", "2026-11-20", "--as", "sato", "--format", "jsonl",
            "--encoding", "cp932")  # fmt: skip
    with pytest.raises(UserError, match="does not exist"):
        run(*base, "--date", "2026-11-20", "--as", "sato", "-o", str(tmp_path / "no" / "x.csv"))
    with pytest.raises(SystemExit):
        parse(*base, "--date", "2026-11-20", "--operator", "sato", "--team", "inbound")
