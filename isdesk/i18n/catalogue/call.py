"""The call as an object (issue 10): its log, moving between leads, appointments, phones, DNC."""

TEXTS: dict[str, tuple[str, str]] = {
    # the call as an object (issue 10)
    "log.keys_call": (
        "1-5 結果 · t 明日 · 3 3営業日後 · w 来週 · d 日付 · n なし · Enter/ctrl+s 記録 · "
        "ctrl+d 通話を取り消す",
        "1-5 outcome · t tomorrow · 3 +3 days · w next week · d date · n none · "
        "Enter/ctrl+s record · ctrl+d cancel the call",
    ),
    "log.cancel_call": ("通話を取り消す", "Cancel the call"),
    "log.call_needs_outcome": (
        "通話は記録されるまで残ります: 結果を選んで Enter (取り消すなら ctrl+d)",
        "The call stays until it is recorded: pick an outcome and Enter (ctrl+d cancels it)",
    ),
    "log.typed_keep": (
        "入力した内容があります: ctrl+s で記録、消してから Esc で閉じる",
        "You typed something: ctrl+s records it; clear it first to close with Esc",
    ),
    "log.cancel_call_question": (
        "この通話を記録せずに取り消しますか？ (取り消しとして残ります)",
        "Cancel this call without recording it? (It is kept as cancelled.)",
    ),
    "log.cancel_call_yes": ("取り消す", "Cancel the call"),
    "confirm.no": ("いいえ", "No"),
    "confirm.keys": (
        "Enter 決定 · ←→/Tab 選ぶ · Esc いいえ",
        "Enter choose · ←→/Tab move · Esc no",
    ),
    "call.write_failed": (
        "通話を書き込めませんでした: {error}",
        "Could not write the call: {error}",
    ),
    "call.recovered": (
        "前回記録されなかった通話があります。結果を記録してください",
        "A call from last time was never recorded: record how it went",
    ),
    "call.cancelled": (
        "通話を取り消しました (取り消しとして記録)",
        "Call cancelled (kept as such)",
    ),
    "call.still_open": (
        "通話中です: F2 で終了して記録してから移動してください",
        "A call is open: F2 ends and records it before you leave",
    ),
    "call.quit_question": (
        "通話が記録されていません。終了しますか？ (次回の起動時に記録できます)",
        "A call is not recorded yet. Quit anyway? (You can record it at the next start.)",
    ),
    "call.quit_yes": ("終了する", "Quit"),
    "lead.undo": ("元に戻す", "Undo"),
    "lead.next": ("次のリード", "Next lead"),
    "lead.previous": ("前のリード", "Previous lead"),
    "lead.no_previous": ("前のリードはありません", "No previous lead"),
    "lead.hint_blocked": (
        "ランク{rank}に届かない理由: {reasons}",
        "Rank {rank} is blocked: {reasons}",
    ),
    "lead.hint_also": ("。ほかに {items} を聞く", "; also ask: {items}"),
    "lead.blocked_window": ("{item}が{days}日より先", "{item} is more than {days} days away"),
    "lead.blocked_answer": ("{item}の回答", "the {item} answer"),
    "log.when_invalid": (
        "日時として読めません (例 12/10 15:00, 明日 午後, 15時)",
        "Not a date or time (e.g. 12/10 15:00, tomorrow 3pm, 15:00)",
    ),
    "app.follow_up_due": (
        "⏰ {time} フォローの時刻です: {company}",
        "⏰ {time} follow-up due: {company}",
    ),
    "appt.title": ("アポ獲得: 商談の日時・場所", "Appointment: when and where"),
    "appt.when": ("日時 (例 12/10 15:00, 明日 午後)", "When (e.g. 12/10 15:00, tomorrow 3pm)"),
    "appt.minutes": ("所要時間 (分)", "Length (minutes)"),
    "appt.attendee": ("同席するフィールドセールス", "Field sales attending"),
    "appt.no_attendee": ("(未定)", "(not decided)"),
    "appt.place": ("場所 またはオンライン会議のURL", "Place or online meeting URL"),
    "appt.keys": (
        "Enter 次へ · ↑↓ 同席者 · ctrl+s 記録 (カレンダー用 .ics も作成) · Esc 閉じる",
        "Enter next · ↑↓ attendee · ctrl+s record (also writes an .ics) · Esc close",
    ),
    "appt.minutes_invalid": ("所要時間は 5〜{max} 分で", "Length: 5 to {max} minutes"),
    "appt.booked": (
        "アポを記録しました。カレンダー: {path}",
        "Appointment recorded. Calendar file: {path}",
    ),
    "lead.next_item": ("回答を確定して次の項目へ", "Settle the answer, go to the next item"),
    "lead.undo_help": (
        "回答を1つ前に戻す (繰り返すとさらに前へ。保存・履歴に残ります)",
        "Undo the answer's last change (again: further back; saved and recorded)",
    ),
    "lead.keys_why": (
        "この画面の操作は F キーと ctrl/alt だけ: 入力の続きで打った文字が操作にならず、"
        "日本語入力 (IME) 中でも同じように効くため",
        "Actions here are F-keys and ctrl/alt only, so letters typed while answering never fire "
        "an action, and they work the same with a Japanese IME on",
    ),
    "follow.tomorrow": ("明日", "Tomorrow"),
    "follow.plus3": ("3営業日後", "In 3 working days"),
    "follow.next_week": ("来週", "Next week"),
    "follow.none": ("設定しない", "None"),
    "follow.date": ("日時を指定", "Pick a date and time"),
    "next.call": ("再架電", "Call back"),
    "next.email": ("メール返信確認", "Check e-mail reply"),
    "next.appointment": ("アポ前確認", "Confirm before the appointment"),
    "next.meeting": ("商談後フォロー", "Follow up the meeting"),
    "next.note": ("フォロー", "Follow up"),
    "lead.call": ("架電", "Call"),
    "lead.do_not_call": ("架電禁止", "Do not call"),
    "lead.copy_phone": ("番号コピー", "Copy number"),
    "lead.dial": ("発信", "Dial"),
    "lead.department": ("部署", "Department"),
    "lead.dnc": ("架電禁止", "Do not call"),
    "phone.direct": ("直通", "Direct"),
    "phone.mobile": ("携帯", "Mobile"),
    "phone.department": ("部門", "Department"),
    "phone.company": ("代表", "Main"),
    "phone.phone": ("電話", "Phone"),
    "phone.none": ("電話番号がありません", "This lead has no phone number"),
    "phone.copied": ("{number} をコピーしました", "Copied {number}"),
    "phone.dialing": ("{number} に発信しています", "Dialing {number}"),
    "phone.no_dialer": (
        "発信コマンドが未設定です (settings.yaml の dial_command)。F9 で番号をコピーできます",
        "No dial command set (dial_command in settings.yaml); F9 copies the number",
    ),
    "phone.dial_failed": ("発信できませんでした: {error}", "Could not dial: {error}"),
    "dnc.set": (
        "架電禁止にしました。配布・次のリードに出ません",
        "Marked do-not-call: never handed out or taken next",
    ),
    "dnc.cleared": ("架電禁止を解除しました", "Do-not-call lifted"),
    "dnc.failed": (
        "架電禁止を変更できませんでした: {error}",
        "Could not change do-not-call: {error}",
    ),
    "dnc.refused": ("架電禁止のリードです。発信しません", "This lead is do-not-call: not dialing"),
    "history.do_not_call_on": ("架電禁止にしました {note}", "Marked do-not-call {note}"),
    "history.do_not_call_off": ("架電禁止を解除しました", "Do-not-call lifted"),
    "lead.appointment": ("アポ", "Appointment"),
    "lead.meeting": ("商談", "Meeting"),
    "lead.note": ("メモ", "Note"),
}
