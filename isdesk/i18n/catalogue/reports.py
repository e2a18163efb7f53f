"""The reports screen: its tabs, the voice filter, the rows not shown and the CSV export."""

TEXTS: dict[str, tuple[str, str]] = {
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
    "reports.voice": ("顧客の声", "Voice"),
    "reports.voice_filter": (
        "絞り込み: キャンペーン・商材・会社名・本文の語 (ctrl+s で絞り込んだ分をCSVに)",
        "Filter: campaign, product, company or words (ctrl+s writes what is shown to CSV)",
    ),
    "reports.export": ("CSV", "CSV"),
    "reports.more": (
        "ほか {count:,} 行 (全件は x の CSV か isdesk report {kind} で)",
        "{count:,} more rows (all of them: x for CSV, or isdesk report {kind})",
    ),
    "queue.reports": ("レポート", "Reports"),
    "help.reports": ("レポート", "Reports"),
}
