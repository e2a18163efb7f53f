"""The daily log's table: its columns, Japanese headers and labels, and its rows as records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from isdesk.domain import kpi
from isdesk.export.daily import ActivityRow, DailyExport, OperatorSummary

Cell = str | int | bool | None

ACTIVITY_COLUMNS = (
    "date",
    "time",
    "operator",
    "operator_name",
    "team",
    "lead_id",
    "company",
    "contact",
    "kind",
    "outcome",
    "duration_s",
    "rank_after",
    "sql_after",
    "customer_voice",
    "note",
)
KIND_COUNT_COLUMNS = tuple(f"{kind}_count" for kind in kpi.ACTIVITY_KINDS)
SUMMARY_COLUMNS = (
    *KIND_COUNT_COLUMNS,
    "connected_call_count",
    "activity_count",
    "total_duration_s",
    "volume",
    "line_minimum",
    "line_expected",
    "line_stretch",
    "tier",
)
COLUMNS = ("row_type", *ACTIVITY_COLUMNS, *SUMMARY_COLUMNS)
"""The header: English CSV headers and JSONL keys are these names."""

HEADERS_JA: Mapping[str, str] = {
    "row_type": "行種別",
    "date": "日付",
    "time": "時刻",
    "operator": "担当者ID",
    "operator_name": "担当者",
    "team": "チーム",
    "lead_id": "リードID",
    "company": "会社名",
    "contact": "担当者名(顧客)",
    "kind": "種別",
    "outcome": "結果",
    "duration_s": "通話秒数",
    "rank_after": "ランク",
    "sql_after": "SQL",
    "customer_voice": "顧客の声",
    "note": "メモ",
    "call_count": "架電数",
    "email_count": "メール数",
    "appointment_count": "アポ数",
    "meeting_count": "商談数",
    "note_count": "メモ数",
    "connected_call_count": "接続数",
    "activity_count": "活動数",
    "total_duration_s": "合計秒数",
    "volume": "行動量",
    "line_minimum": "最低到達ライン",
    "line_expected": "到達予想ライン",
    "line_stretch": "到達希望ライン",
    "tier": "到達状況",
}

ROW_TYPE_JA: Mapping[str, str] = {"activity": "活動", "summary": "集計"}
KIND_JA: Mapping[str, str] = {
    "call": "架電",
    "email": "メール",
    "appointment": "アポ",
    "meeting": "商談",
    "note": "メモ",
}
OUTCOME_JA: Mapping[str, str] = {
    "connected": "接続",
    "no_answer": "不在",
    "voicemail": "留守電",
    "wrong_number": "番号違い",
    "refused": "拒否",
}
TIER_JA: Mapping[str, str] = {
    "below": "未達",
    "minimum": "最低到達",
    "expected": "到達予想",
    "stretch": "到達希望",
}


def headers(lang: str) -> tuple[str, ...]:
    """The header row in ``lang`` ("ja" or "en")."""
    return tuple(HEADERS_JA[c] for c in COLUMNS) if lang == "ja" else COLUMNS


def records(export: DailyExport) -> Iterator[dict[str, Cell]]:
    """Every row as a dict over :data:`COLUMNS`, untranslated; blank cells are None."""
    day = export.day.isoformat()
    for row in export.rows:
        yield _activity_record(day, row)
    for summary in export.summaries:
        yield _summary_record(day, summary)


def _activity_record(day: str, row: ActivityRow) -> dict[str, Cell]:
    record: dict[str, Cell] = dict.fromkeys(COLUMNS)
    record.update(
        row_type="activity",
        date=day,
        time=row.at.isoformat(timespec="seconds"),
        operator=row.operator,
        operator_name=row.operator_name,
        team=row.team,
        lead_id=row.lead_id,
        company=row.company,
        contact=row.contact,
        kind=row.kind,
        outcome=row.outcome,
        duration_s=row.duration_s,
        rank_after=row.rank_after,
        sql_after=row.sql_after,
        customer_voice=row.customer_voice,
        note=row.note,
    )
    return record


def _summary_record(day: str, summary: OperatorSummary) -> dict[str, Cell]:
    record: dict[str, Cell] = dict.fromkeys(COLUMNS)
    record.update(
        row_type="summary",
        date=day,
        operator=summary.operator,
        operator_name=summary.operator_name,
        team=summary.team,
        connected_call_count=summary.connected_calls,
        activity_count=summary.activities,
        total_duration_s=summary.duration_s,
        volume=summary.volume,
        line_minimum=summary.minimum,
        line_expected=summary.expected,
        line_stretch=summary.stretch,
        tier=summary.tier,
    )
    for kind, count in summary.kind_counts:
        record[f"{kind}_count"] = count
    return record


# The codes a Japanese file shows as words, column by column (CSV and workbook alike).
LABELS_JA: Mapping[str, Mapping[str, str]] = {
    "row_type": ROW_TYPE_JA,
    "kind": KIND_JA,
    "outcome": OUTCOME_JA,
    "tier": TIER_JA,
}
