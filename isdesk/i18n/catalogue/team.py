"""The team tabs: the operators' table, rebalancing and moving leads."""

TEXTS: dict[str, tuple[str, str]] = {
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
}
