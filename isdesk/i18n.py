"""UI text in Japanese and English.

One catalogue, keyed by a short English id; ``tr(key, **fields)`` picks the language chosen at
start-up (``--lang`` / ``ISDESK_LANG`` / the locale). Labels of hearing items are not here:
they come from rules.yaml.
"""

from __future__ import annotations

import datetime as dt
import locale
import os

LANGUAGES = ("ja", "en")

_CATALOGUE: dict[str, tuple[str, str]] = {
    # app
    "app.title": ("isdesk インサイドセールス", "isdesk inside sales"),
    "app.quit": ("終了", "Quit"),
    "app.help": ("ヘルプ", "Help"),
    "app.lost_db": ("データベースに接続できません: {error}", "Cannot reach the database: {error}"),
    "app.db_down": (
        "⚠ データベースに接続できません。入力は保持したまま再試行しています… ({error})",
        "⚠ The database is unreachable. Your input is kept and being retried… ({error})",
    ),
    "app.db_back": (
        "データベースに再接続しました。保存を再開しました",
        "Database back; saving resumed",
    ),
    # queue
    "queue.title": ("ワークキュー", "Work queue"),
    "queue.scope.mine": ("自分のリード", "My leads"),
    "queue.scope.unassigned": ("未割当", "Unassigned"),
    "queue.scope.team": ("チーム", "Team"),
    "queue.count": ("{count:,} 件", "{count:,} leads"),
    "queue.filter": ("絞り込み", "Filter"),
    "queue.filter.placeholder": (
        "会社名・担当者・電話・メール・流入元で絞り込み (Esc で閉じる)",
        "Filter by company, contact, phone, e-mail, source (Esc closes)",
    ),
    "queue.open": ("開く", "Open"),
    "queue.next": ("次のリード", "Next lead"),
    "queue.scope": ("表示切替", "Switch view"),
    "queue.refresh": ("再読込", "Refresh"),
    "queue.kpi": ("KPI", "KPI"),
    "queue.empty": ("表示するリードはありません", "No leads to show"),
    "queue.no_next": ("対応すべきリードはありません", "No lead waiting for you"),
    "queue.claimed": (
        "未割当キューから1件を担当にしました",
        "Took a lead from the unassigned queue",
    ),
    "queue.loading": ("読み込み中…", "Loading…"),
    "queue.col.company": ("会社名", "Company"),
    "queue.col.contact": ("担当者", "Contact"),
    "queue.col.rank": ("ランク", "Rank"),
    "queue.col.sql": ("SQL", "SQL"),
    "queue.col.source": ("流入元", "Source"),
    "queue.col.owner": ("担当", "Owner"),
    "queue.col.last_touch": ("最終接触", "Last touch"),
    "queue.col.next_action": ("次回アクション", "Next action"),
    "queue.new": ("新規", "new"),
    "queue.overdue": ("期限超過", "overdue"),
    "queue.move_down": ("下へ", "Down"),
    "queue.move_up": ("上へ", "Up"),
    # lead
    "lead.back": ("戻る", "Back"),
    "lead.jump": ("項目へ移動", "Jump to item"),
    "lead.profile": ("プロフィール", "Profile"),
    "lead.hearing": ("ヒアリング", "Hearing"),
    "lead.history": ("履歴", "History"),
    "lead.company": ("会社名", "Company"),
    "lead.contact": ("担当者", "Contact"),
    "lead.title_": ("役職", "Title"),
    "lead.phone": ("電話", "Phone"),
    "lead.email": ("メール", "E-mail"),
    "lead.source": ("流入元", "Source"),
    "lead.campaign": ("キャンペーン", "Campaign"),
    "lead.owner": ("担当", "Owner"),
    "lead.acquired": ("獲得日", "Acquired"),
    "lead.stage": ("ステージ", "Stage"),
    "lead.unassigned": ("未割当", "unassigned"),
    "lead.rank": ("ランク", "Rank"),
    "lead.sql_yes": ("SQL ✔ {heard}/{total} 項目", "SQL ✔ {heard}/{total} heard"),
    "lead.sql_no": (
        "SQL未達 {heard}/{total} 項目 (あと {missing})",
        "Not SQL {heard}/{total} heard ({missing} to go)",
    ),
    "lead.hint": ("ランク{rank}にするには: {items} を聞く", "To reach rank {rank}, ask: {items}"),
    "lead.hint_top": ("最上位ランクです", "Top rank reached"),
    "lead.hint_none": ("次のランクには回答の見直しが必要です", "The next rank needs other answers"),
    "lead.saving": ("保存中…", "Saving…"),
    "lead.saved": ("保存済み {time}", "Saved {time}"),
    "lead.save_failed": ("保存できませんでした: {error}", "Could not save: {error}"),
    "lead.conflict": (
        "{who} さんが「{item}」を「{value}」に変更しました。あなたの入力は保存されていません。"
        " ctrl+o で自分の入力で上書き / ctrl+t で相手の値を採用",
        "{who} changed “{item}” to “{value}”. Your text is NOT saved. "
        "ctrl+o keeps yours (overwrite) / ctrl+t takes theirs",
    ),
    "lead.keep_mine": ("自分の入力で上書き", "Keep mine"),
    "lead.take_theirs": ("相手の値を採用", "Take theirs"),
    "lead.changed_elsewhere": (
        "他の担当者がこのリードを更新しました。表示を更新しました。",
        "Another operator updated this lead; the screen was refreshed.",
    ),
    "lead.not_found": ("リードが見つかりません", "Lead not found"),
    "lead.forbidden": ("このリードは他の担当者のものです", "This lead belongs to another operator"),
    "lead.rank_changed": ("ランク {old} → {new}", "Rank {old} → {new}"),
    "lead.became_sql": ("SQL になりました", "This lead is now an SQL"),
    "lead.lost_sql": ("SQL ではなくなりました", "This lead is no longer an SQL"),
    "answer.date.invalid": ("日付ではありません (例 12/1, +30)", "Not a date (e.g. 12/1, +30)"),
    "answer.amount.invalid": ("金額ではありません (例 300万)", "Not an amount (e.g. 3,000,000)"),
    "answer.yesno.invalid": ("はい / いいえ で答えてください", "Answer yes or no"),
    "answer.choice.invalid": ("選択肢から選んでください: {choices}", "Pick one of: {choices}"),
    "answer.days_from_today": ("{days} 日後", "in {days} days"),
    "answer.days_ago": ("{days} 日前", "{days} days ago"),
    "history.created": ("リード獲得", "Lead acquired"),
    "history.answer": ("{field}: {old} → {new}", "{field}: {old} → {new}"),
    "history.rank": ("ランク {old} → {new}", "Rank {old} → {new}"),
    "history.sql": ("SQL {old} → {new}", "SQL {old} → {new}"),
    "history.stage": ("ステージ {old} → {new}", "Stage {old} → {new}"),
    "history.status": ("状態 {old} → {new}", "Status {old} → {new}"),
    "history.owner": ("担当 {old} → {new}", "Owner {old} → {new}"),
    "history.next_action": ("次回アクション {new}", "Next action {new}"),
    "history.empty": ("(空)", "(blank)"),
    # activity logging
    "call.running": (
        "📞 通話中 {time}  (F2 で終了して記録)",
        "📞 On a call {time}  (F2 ends and logs)",
    ),
    "call.started": ("通話を開始しました。終わったら F2", "Call started. Press F2 when it ends"),
    "kind.call": ("架電", "Call"),
    "kind.email": ("メール", "E-mail"),
    "kind.appointment": ("アポ獲得", "Appointment set"),
    "kind.meeting": ("オンライン商談", "Online meeting"),
    "kind.note": ("メモ", "Note"),
    "outcome.connected": ("接続", "Connected"),
    "outcome.no_answer": ("不在", "No answer"),
    "outcome.voicemail": ("留守電", "Voicemail"),
    "outcome.wrong_number": ("番号違い", "Wrong number"),
    "outcome.refused": ("拒否", "Refused"),
    "log.outcome": ("結果", "Outcome"),
    "log.follow_up": ("次回フォロー", "Next follow-up"),
    "log.date_placeholder": ("日付 (例 12/1, +5)", "Date (e.g. 12/1, +5)"),
    "log.next_action_placeholder": ("次回アクション (例 再架電)", "Next action (e.g. call back)"),
    "log.note_placeholder": ("メモ (Enter で記録)", "Note (Enter records)"),
    "log.customer_voice": ("顧客の声としてマーケに共有", "Customer voice (shared with marketing)"),
    "log.keys": (
        "1-5 結果 · t 明日 · 3 3営業日後 · w 来週 · d 日付 · n なし · ctrl+s 記録 · Esc 取消",
        "1-5 outcome · t tomorrow · 3 +3 days · w next week · d date · n none · "
        "ctrl+s record · Esc cancel",
    ),
    "log.record": ("記録", "Record"),
    "log.cancel": ("取消", "Cancel"),
    "log.logged": ("{kind}を記録しました", "{kind} logged"),
    "log.failed": ("記録できませんでした: {error}", "Could not log: {error}"),
    "follow.tomorrow": ("明日", "Tomorrow"),
    "follow.plus3": ("3営業日後", "In 3 working days"),
    "follow.next_week": ("来週", "Next week"),
    "follow.none": ("設定しない", "None"),
    "follow.date": ("日付を指定", "Pick a date"),
    "next.call": ("再架電", "Call back"),
    "next.email": ("メール返信確認", "Check e-mail reply"),
    "next.appointment": ("アポ前確認", "Confirm before the appointment"),
    "next.meeting": ("商談後フォロー", "Follow up the meeting"),
    "next.note": ("フォロー", "Follow up"),
    "lead.call": ("架電", "Call"),
    "lead.appointment": ("アポ", "Appointment"),
    "lead.meeting": ("商談", "Meeting"),
    "lead.note": ("メモ", "Note"),
    # hand-off
    "handoff.other_items": ("【ヒアリング】", "[Hearing]"),
    "handoff.title": ("トスアップ: {company}", "Hand off to field sales: {company}"),
    "handoff.to": ("渡す相手 (フィールドセールス)", "To (field sales)"),
    "handoff.note": ("申し送り (BANTの要約から)", "Note (starts from the BANT summary)"),
    "handoff.keys": (
        "↑↓ 相手を選ぶ · Tab メモ · ctrl+s 送る · Esc 取消",
        "↑↓ pick · Tab note · ctrl+s send · Esc cancel",
    ),
    "handoff.send": ("送る", "Send"),
    "handoff.no_field_users": ("フィールドセールスの担当者がいません", "No field sales user"),
    "handoff.need_note": ("申し送りを書いてください", "Write a note"),
    "handoff.sent": ("{company} を {to} さんにトスアップしました", "{company} handed to {to}"),
    "handoff.failed": ("トスアップできませんでした: {error}", "Could not hand off: {error}"),
    "handoff.not_sql": ("SQL になってからトスアップできます", "Hand off once the lead is an SQL"),
    "lead.handoff": ("トスアップ", "Hand off"),
    "inbox.title": (
        "受け取ったトスアップ  {name}  ·  未対応 {pending} 件",
        "Hand-offs to {name}  ·  {pending} waiting",
    ),
    "inbox.accept": ("受ける", "Accept"),
    "inbox.reject": ("差し戻す", "Reject"),
    "inbox.next_stage": ("次のステージ", "Next stage"),
    "inbox.toggle": ("対応済みも表示", "Show decided"),
    "inbox.empty": ("トスアップはありません", "No hand-offs"),
    "inbox.status.pending": ("未対応", "waiting"),
    "inbox.status.accepted": ("受付済", "accepted"),
    "inbox.status.rejected": ("差し戻し", "rejected"),
    "inbox.reject_title": ("差し戻す理由", "Why it goes back"),
    "inbox.comment": ("コメント (Enter で送る)", "Comment (Enter sends)"),
    "inbox.accepted": ("{company} を受けました", "Accepted {company}"),
    "inbox.rejected": ("{company} を差し戻しました", "Sent {company} back"),
    "inbox.moved": ("{company} を {stage} に進めました", "{company} moved to {stage}"),
    "reason.not_qualified": ("準備不足 (アポの質)", "Not qualified"),
    "reason.timing": ("時期尚早 (ナーチャリングへ)", "Timing (back to nurturing)"),
    "reason.lost": ("商談後に失注 (ISへ戻す)", "Lost after meetings (back to inside sales)"),
    # import
    "import.title": (
        "リードの取り込み  (パスを入力して Enter でプレビュー · ctrl+s 取り込み)",
        "Import leads  (type a path, Enter previews · ctrl+s imports)",
    ),
    "import.path": (
        "CSV ファイルのパス (Salesforce / HubSpot / isdesk / 独自マッピング)",
        "Path of a CSV (Salesforce / HubSpot / isdesk / your mapping)",
    ),
    "import.source": ("流入元を上書き (任意)", "Source for every row (optional)"),
    "import.campaign": ("キャンペーン名 (任意)", "Campaign (optional)"),
    "import.campaign_type": ("種類 (seminar, trade_show …)", "Type (seminar, trade_show …)"),
    "import.read_as": (
        "文字コード {encoding} · 区切り {delimiter} · マッピング {mapping}{detected}",
        "encoding {encoding} · delimiter {delimiter} · mapping {mapping}{detected}",
    ),
    "import.detected": (" (自動判定)", " (detected)"),
    "import.extra": ("追加属性として保持する列: {columns}", "Kept as extra attributes: {columns}"),
    "import.no_file": ("ファイルがありません: {path}", "No such file: {path}"),
    "import.preview_first": (
        "先にプレビューして、マッピングを確認してください",
        "Preview the file and check its mapping first",
    ),
    "import.done": (
        "読込 {read:,} = 新規 {created:,} + 既存に統合 {merged:,} + 除外 {rejected:,}",
        "read {read:,} = created {created:,} + merged {merged:,} + rejected {rejected:,}",
    ),
    "import.assigned": (
        "新規リードのうち {assigned:,} 件をルールどおり割り当て、{left:,} 件は未割当のまま",
        "{assigned:,} new leads assigned by the rules, {left:,} left unassigned",
    ),
    "import.already": (
        "このファイルは取り込み済みです (何も追加していません)",
        "This file was imported before (nothing added)",
    ),
    "import.rejects": ("除外した行と理由: {path}", "Rows set aside, with reasons: {path}"),
    "import.run": ("取り込む", "Import"),
    "import.field.company": ("会社名", "Company"),
    "import.field.contact": ("担当者", "Contact"),
    "import.field.title": ("役職", "Title"),
    "import.field.phone": ("電話", "Phone"),
    "import.field.email": ("メール", "E-mail"),
    "import.field.source": ("流入元", "Source"),
    "import.field.campaign": ("キャンペーン", "Campaign"),
    "import.field.acquired_at": ("獲得日", "Acquired"),
    "queue.import": ("取り込み", "Import"),
    # reports
    "reports.title": (
        "レポート  (タブを切り替え · x CSV · r 再集計)",
        "Reports  (switch tabs · x CSV · r recount)",
    ),
    "reports.periods": ("期間別", "Periods"),
    "reports.cohorts": ("獲得コホート", "Cohorts"),
    "reports.campaigns": ("キャンペーン", "Campaigns"),
    "reports.funnel": ("ファネル", "Funnel"),
    "reports.stages": ("ステージ滞留", "Stage times"),
    "reports.forecast": ("予測", "Forecast"),
    "reports.export": ("CSV", "CSV"),
    "reports.more": (
        "ほか {count:,} 行 (全件は x の CSV か isdesk report {kind} で)",
        "{count:,} more rows (all of them: x for CSV, or isdesk report {kind})",
    ),
    "queue.reports": ("レポート", "Reports"),
    "help.reports": ("レポート", "Reports"),
    # team tabs
    "team.title": (
        "チーム  (b 再配分 · Enter 担当者のリードを移す · r 更新)",
        "Teams  (b rebalance · Enter move an operator's leads · r refresh)",
    ),
    "team.col.operator": ("担当者", "Operator"),
    "team.col.holding": ("保有/上限", "Holding/cap"),
    "team.col.ranks": ("ランク別", "By rank"),
    "team.col.today": ("今日の行動量", "Today"),
    "team.col.sql": ("SQL(四半期)", "SQL (qtr)"),
    "team.col.rank_ups": ("ランクアップ", "Rank-ups"),
    "team.col.rejected": ("差し戻し", "Rejected"),
    "team.col.last": ("最終活動", "Last activity"),
    "team.col.lead": ("リード", "Lead"),
    "team.col.from": ("元の担当", "From"),
    "team.col.to": ("新しい担当", "To"),
    "team.unassigned": ("未割当キュー", "Unassigned"),
    "team.oldest": ("最古 {days} 日", "oldest {days} days"),
    "team.rebalance": ("再配分", "Rebalance"),
    "team.open": ("リードを移す", "Move leads"),
    "team.apply": ("実行", "Apply"),
    "team.rebalance_title": ("再配分の案: {count} 件の移動", "Proposed rebalance: {count} moves"),
    "team.rebalance_keys": (
        "Enter で実行 (1つのトランザクション) · Esc 取消",
        "Enter applies (one transaction) · Esc cancels",
    ),
    "team.rebalanced": ("{count} 件を移しました", "{count} leads moved"),
    "team.balanced": ("上限を超えている担当者はいません", "Nobody is over the cap"),
    "team.own_only": ("変更できるのは自分のチームだけです", "You can change only your own team"),
    "team.held_title": (
        "{name} の未対応リード  (space 選択 · m 移す · Esc 戻る)",
        "{name}'s open leads  (space mark · m move · Esc back)",
    ),
    "team.mark": ("選択", "Mark"),
    "team.move": ("移す", "Move"),
    "team.mark_first": ("space で移すリードを選んでください", "Mark leads with space first"),
    "team.move_to": ("移す先の担当者", "Move to"),
    "team.moved": ("{count} 件を {to} さんに移しました", "{count} leads moved to {to}"),
    "queue.team": ("チーム", "Teams"),
    # KPI
    "kpi.title": ("KPI", "KPI"),
    "kpi.today": ("今日の行動量", "Today's activity"),
    "kpi.quarter": ("四半期の行動量", "Quarter to date"),
    "kpi.sql": ("SQL創出", "SQLs created"),
    "kpi.sql_counts": (
        "今日 {today} · 今週 {week} · 四半期 {quarter}",
        "today {today} · week {week} · quarter {quarter}",
    ),
    "kpi.rank_ups": ("ランクアップ", "Rank-ups"),
    "kpi.rank_ups_line": (
        "{leads} 件 / 計 {steps} 段階  {detail}",
        "{leads} leads / {steps} steps  {detail}",
    ),
    "kpi.rejected": ("差し戻されたアポ (準備不足)", "Appointments rejected as not qualified"),
    "kpi.trend": ("直近30営業日の行動量", "Last 30 working days"),
    "kpi.volume": ("行動量 {value:,}", "volume {value:,}"),
    "kpi.pace": (
        "ペース {rate:.1f}/日 → 期末見込み {projected:,} ({tier})  経過 {elapsed}/{total} 営業日",
        "pace {rate:.1f}/day → projected {projected:,} ({tier})  day {elapsed} of {total}",
    ),
    "kpi.needed": (
        "予想ラインまで あと {per_day:.1f}/日",
        "{per_day:.1f}/day more to reach expected",
    ),
    "kpi.lines": (
        "最低 {minimum:,} · 予想 {expected:,} · 希望 {stretch:,}",
        "min {minimum:,} · expected {expected:,} · stretch {stretch:,}",
    ),
    "tier.below": ("最低ライン未達", "below minimum"),
    "tier.minimum": ("最低ライン到達", "minimum reached"),
    "tier.expected": ("予想ライン到達", "expected reached"),
    "tier.stretch": ("希望ライン到達", "stretch reached"),
    "kpi.back": ("戻る", "Back"),
    "kpi.refresh": ("更新", "Refresh"),
    "kpi.export": ("日報CSV", "Daily CSV"),
    "kpi.exported": ("日報を書き出しました: {path}", "Daily log written to {path}"),
    "kpi.loading": ("集計中…", "Counting…"),
    # help
    "help.title": ("キー操作", "Keys"),
    "help.close": ("閉じる", "Close"),
    "help.queue": ("ワークキュー", "Work queue"),
    "help.lead": ("リード画面", "Lead screen"),
    "help.kpi": ("KPI画面", "KPI screen"),
    "help.team": ("チーム", "Team tabs"),
    "help.inbox": ("トスアップ受信箱", "Hand-off inbox"),
    "help.import": ("リードの取り込み", "Import"),
    "help.global": ("全画面", "Everywhere"),
    "help.palette": ("コマンドパレット", "Command palette"),
    # command palette
    "cmd.next": ("次のリードを開く", "Open the next lead to work"),
    "cmd.filter": ("キューを絞り込む", "Filter the queue"),
    "cmd.scope": (
        "キューの表示を切り替える (自分/未割当/チーム)",
        "Switch queue view (mine/unassigned/team)",
    ),
    "cmd.help": ("キー操作を表示", "Show keys"),
    "cmd.lang": ("言語を切り替える (日本語/English)", "Switch language (日本語/English)"),
    "cmd.refresh": ("キューを再読込", "Reload the queue"),
    "cmd.kpi": ("自分のKPIを開く", "Open my KPI screen"),
}


class _State:
    language = "en"
    zone: dt.tzinfo | None = None  # the team's zone for showing times; None: the system's


def set_display_zone(zone: dt.tzinfo | None) -> None:
    """Show times in the team's zone (rules.yaml calendar.timezone)."""
    _State.zone = zone


def short_day(day: dt.date) -> str:
    """``11/24 (火)`` / ``11/24 (Tue)``."""
    names = "月火水木金土日" if _State.language == "ja" else None
    weekday = names[day.weekday()] if names else day.strftime("%a")
    return f"{day.month}/{day.day} ({weekday})"


def to_local(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the display zone."""
    return moment.astimezone(_State.zone)


def detect_language() -> str:
    """``ja`` when the environment's locale is Japanese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    code = locale.getlocale()[0] or ""
    return "ja" if code.lower().startswith("ja") else "en"


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: choose ja or en")
    _State.language = language


def current_language() -> str:
    return _State.language


def tr(key: str, **fields: object) -> str:
    """The text for ``key`` in the current language (the key itself if it is missing)."""
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[0] if _State.language == "ja" else pair[1]
    return text.format(**fields) if fields else text


def pick(label: object) -> str:
    """The current language's text of a ``{ja, en}`` label from rules.yaml."""
    if isinstance(label, dict):
        return str(label.get(_State.language) or label.get("en") or label.get("ja") or "")
    for attr in (_State.language, "en", "ja"):
        value = getattr(label, attr, None)
        if value:
            return str(value)
    return str(label)
