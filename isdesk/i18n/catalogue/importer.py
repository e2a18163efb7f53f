"""The import screen: the file, its source and campaign, the fields and the run's result."""

TEXTS: dict[str, tuple[str, str]] = {
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
    "import.campaign_type": ("キャンペーン種別 (任意)", "Campaign type (optional)"),
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
        "読込 {read:,} = 新規 {created:,} + 既存に統合 {merged:,} + 変更なし {unchanged:,} "
        "+ 除外 {rejected:,}",
        "read {read:,} = created {created:,} + merged {merged:,} + unchanged {unchanged:,} "
        "+ rejected {rejected:,}",
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
    "import.field.contact": ("氏名", "Contact"),
    "import.field.title": ("役職", "Title"),
    "import.field.phone": ("電話", "Phone"),
    "import.field.email": ("メール", "E-mail"),
    "import.field.source": ("流入元", "Source"),
    "import.field.campaign": ("キャンペーン", "Campaign"),
    "import.field.acquired_at": ("獲得日", "Acquired"),
    "queue.import": ("取り込み", "Import"),
}
