"""The app's own texts: its title and keys, the database going away and back, the calendar."""

TEXTS: dict[str, tuple[str, str]] = {
    # app
    "app.title": ("isdesk インサイドセールス", "isdesk inside sales"),
    "app.quit": ("終了", "Quit"),
    "app.help": ("ヘルプ", "Help"),
    "app.lost_db": ("データベースに接続できません: {error}", "Cannot reach the database: {error}"),
    "app.db_down": (
        "⚠ データベースに接続できません。入力は保持したまま再試行しています… ({error})",
        "⚠ The database is unreachable. Your input is kept and being retried… ({error})",
    ),
    "app.calendar_ends": (
        "勤務カレンダーの休日は {last} までです。それ以降は土日しか休みとして数えません"
        " (rules.yaml の calendar.non_working_days を延ばすか holidays: japan に)",
        "The working calendar knows days off only until {last}; after that it counts weekends"
        " only (extend calendar.non_working_days in rules.yaml, or use holidays: japan)",
    ),
    "app.db_back": (
        "データベースに再接続しました。保存を再開しました",
        "Database back; saving resumed",
    ),
}
