"""The long-view reports' titles and chart labels (isdesk.analytics; the CLI prints them too)."""

TEXTS: dict[str, tuple[str, str]] = {
    # long-view report titles and chart labels (isdesk.analytics; the CLI prints them too)
    "report.by.month": ("月", "month"),
    "report.by.quarter": ("四半期", "quarter"),
    "report.by.year": ("年", "year"),
    "report.per.none": ("全体", "none"),
    "report.per.operator": ("担当者", "operator"),
    "report.per.team": ("チーム", "team"),
    "report.per.source": ("流入元", "source"),
    "report.per.campaign": ("キャンペーン", "campaign"),
    "report.periods.title": ("期間別 ({by}ごと · {per}別)", "periods by {by} per {per}"),
    "report.totals.title": ("{by}ごとの合計", "totals by {by}"),
    "report.measure.leads": ("リード", "leads"),
    "report.measure.contacts": ("接触試行", "contacts"),
    "report.measure.reached": ("会話", "reached"),
    "report.measure.appointments": ("アポ", "appointments"),
    "report.measure.sqls": ("SQL", "sqls"),
    "report.measure.handoffs": ("トスアップ", "handoffs"),
    "report.measure.orders": ("受注", "orders"),
    "report.sqls_of": ("SQL {group}", "SQLs {group}"),
    "report.weakest": ("◀ 最弱", "◀ weakest"),
    "report.funnel.title": ("ファネル (リード {leads:,} 件)", "funnel ({leads} leads)"),
    "report.segments.title": (
        "振り分け先チーム別のファネル (インバウンド / アウトバウンド)",
        "funnel by routed team (inbound / outbound)",
    ),
    "report.cohorts.title": ("獲得コホート: 集計日までの到達数", "cohorts: reached by as_of"),
    "report.milestone.contact": ("初回接触", "Contacted"),
    "report.milestone.appointment": ("アポ", "Appointment"),
    "report.milestone.sql": ("SQL", "SQL"),
    "report.milestone.order": ("受注", "Order"),
    "report.cohort_months.title": (
        "獲得からの月数別の{milestone}",
        "{milestone} by months since acquisition",
    ),
    "report.forecast.title": (
        "{day} からの予測 (試行 {runs:,} 回 · シード {seed})",
        "forecast from {day} ({runs} runs, seed {seed})",
    ),
    "report.rates.title": (
        "直近 {months} か月の月次推移率",
        "monthly rates over the last {months} months",
    ),
    "report.stages.title": ("ステージごとの滞留時間", "time in each stage"),
    "report.stalled.title": (
        "停滞: {days} 日間ステージが動いていない ({count} 件)",
        "stalled: no stage move in {days} days ({count})",
    ),
    "report.stale.title": (
        "放置: 未完了で {days} 日間接触なし ({count} 件)",
        "stale: open, untouched for {days} days ({count})",
    ),
    "report.campaigns.title": (
        "キャンペーン別 (種別の平均との差)",
        "campaigns against their type's average",
    ),
    "report.kinds.title": (
        "種別ごと: 件数は1キャンペーンあたり、率は種別のリード全体で集計。"
        "(all) は全種別の全キャンペーン",
        "by type: counts per campaign, rates pooled over the type's leads; (all): every "
        "campaign of every type",
    ),
    "report.listed_only": (" (表示: {kind} のみ)", " (listed: {kind} only)"),
    "report.group.all": ("全体", "All"),
    "report.total": ("合計", "total"),
    "report.group.other": ("その他", "Other"),
    "report.group.(none)": ("(なし)", "(none)"),
}
