"""The work queue: its views, columns, filter and keys."""

TEXTS: dict[str, tuple[str, str]] = {
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
    "queue.col.contact": ("氏名", "Contact"),
    "queue.col.rank": ("ランク", "Rank"),
    "queue.col.sql": ("SQL", "SQL"),
    "queue.col.source": ("流入元", "Source"),
    "queue.col.owner": ("自社担当", "Owner"),
    "queue.col.last_touch": ("最終接触", "Last touch"),
    "queue.col.next_action": ("次回アクション", "Next action"),
    "queue.new": ("新規", "new"),
    "queue.overdue": ("期限超過", "overdue"),
    "queue.move_down": ("下へ", "Down"),
    "queue.move_up": ("上へ", "Up"),
}
