"""UI text in Japanese and English.

One catalogue, keyed by a short English id; ``tr(key, **fields)`` picks the language chosen at
start-up (``--lang`` / ``ISDESK_LANG`` / the locale). Labels of hearing items are not here:
they come from rules.yaml.
"""

from __future__ import annotations

import locale
import os

LANGUAGES = ("ja", "en")

_CATALOGUE: dict[str, tuple[str, str]] = {
    # app
    "app.title": ("isdesk インサイドセールス", "isdesk inside sales"),
    "app.quit": ("終了", "Quit"),
    "app.help": ("ヘルプ", "Help"),
    "app.lost_db": ("データベースに接続できません: {error}", "Cannot reach the database: {error}"),
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
    # help
    "help.title": ("キー操作", "Keys"),
    "help.close": ("閉じる", "Close"),
    "help.queue": ("ワークキュー", "Work queue"),
    "help.lead": ("リード画面", "Lead screen"),
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
}


class _State:
    language = "en"


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
