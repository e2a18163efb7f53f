"""The KPI screen: today, the quarter, the pace, the lines and tiers, and its exports."""

TEXTS: dict[str, tuple[str, str]] = {
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
    "kpi.contribution": (
        "売上貢献 (自分のSQLの受注・今四半期)",
        "Sales contribution (orders of my SQLs, this quarter)",
    ),
    "kpi.contribution_line": (
        "受注 {orders:,} 件  ·  受注金額 ¥{value:,}",
        "{orders:,} orders  ·  ¥{value:,}",
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
    "tier.short.below": ("未達", "below"),
    "tier.short.minimum": ("最低", "min"),
    "tier.short.expected": ("予想", "expected"),
    "tier.short.stretch": ("希望", "stretch"),
    "kpi.back": ("戻る", "Back"),
    "kpi.refresh": ("更新", "Refresh"),
    "kpi.export": ("日報CSV", "Daily CSV"),
    "kpi.exported": ("日報を書き出しました: {path}", "Daily log written to {path}"),
    "reports.exported": ("レポートを書き出しました: {path}", "Report written to {path}"),
    "kpi.export_crm": ("トスアップをCRMへ", "Hand-offs for CRM"),
    "kpi.crm_exported": (
        "トスアップ {count} 件をSalesforce・HubSpot用に書き出しました: {paths}",
        "{count} hand-offs written for Salesforce and HubSpot: {paths}",
    ),
    "kpi.export_crm.help": (
        "受付待ちのトスアップを Salesforce・HubSpot の取り込み用 CSV に書き出す",
        "Write the live hand-offs as Salesforce and HubSpot import files",
    ),
    "kpi.loading": ("集計中…", "Counting…"),
}
