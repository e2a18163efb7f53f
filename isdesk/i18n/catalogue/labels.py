"""Ids shown by label: team names, statuses and campaign types."""

TEXTS: dict[str, tuple[str, str]] = {
    # teams, groups, statuses, campaign types (ids shown by label)
    "teamname.inbound": ("インバウンド", "Inbound"),
    "teamname.outbound": ("アウトバウンド", "Outbound"),
    "teamname.field": ("フィールドセールス", "Field sales"),
    "status.open": ("対応中", "Open"),
    "status.handed_off": ("トスアップ済", "Handed off"),
    "status.nurturing": ("ナーチャリング", "Nurturing"),
    "status.won": ("受注", "Won"),
    "status.lost": ("失注", "Lost"),
    "campaign_type.seminar": ("セミナー", "Seminar"),
    "campaign_type.webinar": ("ウェビナー", "Webinar"),
    "campaign_type.trade_show": ("展示会", "Trade show"),
    "campaign_type.download": ("資料ダウンロード", "Download"),
    "campaign_type.referral": ("紹介", "Referral"),
    "campaign_type.trial": ("無料トライアル", "Free trial"),
    "campaign_type.conference": ("カンファレンス", "Conference"),
    "campaign_type.other": ("その他", "Other"),
}
