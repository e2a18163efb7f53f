"""A lead's working life: inside sales' calls, e-mails and meetings, then field sales'.

The owner calls and e-mails on business days, hears items during conversations, and hands
the lead off to field sales once it qualifies as an SQL (a Handoff row with the BANT note, as
isdesk.services.handoff does it); field sales accept or reject it, meet, then win, or reject it
later for timing (back to nurturing) or as lost. Untouched or unresponsive leads drift to
nurturing or are lost.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from isdesk.demo import words
from isdesk.demo.clock import DAY, HOUR
from isdesk.demo.lead import FOLLOW_UP_HOUR, LeadState

if TYPE_CHECKING:
    from isdesk.demo.simulation import Simulation

PENDING_DAYS = 7  # hand-offs this recent still wait in the field user's inbox
NOT_QUALIFIED_P = 0.12  # of the older ones, field sales rejects these as not qualified


def work(sim: Simulation, lead: LeadState, source: str, t_assign: int, age: float) -> None:
    """The operator's calls, e-mails and meetings until handoff, loss or today."""
    rng, clock = sim.rng, sim.clock
    now = clock.now
    inbound = source not in words.OUTBOUND_SOURCES
    expected = 1.2 + 6.0 * (1 - math.exp(-age / 45))
    n = int(expected * (0.3 + 1.4 * rng.random()) + 0.5)
    if age < 3 and rng.random() < 0.5:
        n = 0  # brand new: still untouched in the queue
    if inbound:
        t = t_assign + rng.randrange(600, 4 * HOUR)
    else:
        t = clock.later(t_assign, rng.randrange(HOUR, 10 * DAY), rng)
    remaining = [item for item in sim.hearing.items]
    notes = words.NOTES
    for i in range(n):
        t = clock.work_time(t, rng)
        if t >= now:
            break
        if lead.op.left is not None and t >= lead.op.left:
            lead.move_off_leaver(lead.op.left)
        op = lead.op.id
        r = rng.random()
        outcome, dur, voice, said = "", 0, False, 0
        if i == 0 and source == "展示会" and r < 0.5:
            kind = "email"
            note = "展示会ご来場のお礼メール"
        elif r < 0.68:
            kind = "call"
            c = rng.random()
            connected_p = 0.45 if inbound and i == 0 else 0.33
            if c < connected_p:
                outcome = "connected"
                dur = int(60 + 840 * rng.random() ** 1.7)
                said = rng.randrange(1, 5) if lead.heard == 0 else rng.randrange(0, 4)
            elif c < connected_p + 0.34:
                outcome = "no_answer"
            elif c < connected_p + 0.50:
                outcome = "voicemail"
            elif c < connected_p + (0.54 if inbound else 0.61):
                outcome = "refused"
            else:
                # A wrong number shows on the first attempts, not after conversations.
                wrong = lead.heard == 0 and rng.random() < 0.4
                outcome = "wrong_number" if wrong else "no_answer"
            note = rng.choice(notes[outcome])
        elif r < 0.86:
            kind, note = "email", rng.choice(notes["email"])
        elif r < 0.93 and lead.heard >= 2:
            kind, note = "meeting", rng.choice(notes["meeting"])
            dur = rng.randrange(1800, 3601, 300)
            said = rng.randrange(2, 5)
        else:
            kind, note = "note", rng.choice(notes["note"])
        if said and rng.random() < 0.2:
            voice, note = True, rng.choice(words.CUSTOMER_VOICES)
        ta = t
        for _ in range(said):
            ta += rng.randrange(20, 120)
            again = bool(lead.answers) and rng.random() < 0.08
            if again:
                item = sim.hearing.revised_item(lead.answers)
            elif remaining:
                item = remaining.pop(sim.hearing.next_item(remaining, lead.hint))
            else:
                break
            lead.answer(ta, op, item.key, sim.hearing.answer_value(item, ta, again))
        if lead.stage == "list" and lead.heard >= 3:
            lead.event(ta + 1, op, "stage", old="list", new="proposal")
            lead.stage = "proposal"
        lead.act(t, op, kind, outcome, dur, note, voice)
        if outcome == "refused" and rng.random() < 0.25:
            lead.set_status(t + dur + 30, op, "lost", "先方より辞退")
            return
        if lead.sql and rng.random() < 0.65:
            hand_off(sim, lead, clock.later(t, dur + rng.randrange(HOUR, 3 * DAY), rng))
            return
        # Follow-ups thin out: a day or two at first, weeks later on, any business hour.
        gap = int(DAY * (0.5 + 2.5 * i) * (0.2 + 1.6 * rng.random()))
        t = clock.later(t, max(gap, 1800), rng)
    if lead.acts and lead.status == "open" and now - lead.acts[-1][0] > 75 * DAY:
        r = rng.random()
        later = lead.acts[-1][0] + rng.randrange(14, 40) * DAY
        if lead.op.left is not None and later >= lead.op.left:
            lead.move_off_leaver(lead.op.left)
        if r < 0.4:
            lead.set_status(later, lead.op.id, "nurturing", "反応が薄いためナーチャリングへ")
        elif r < 0.45:
            lead.set_status(later, lead.op.id, "lost", "連絡つかず")


def hand_off(sim: Simulation, lead: LeadState, t: int) -> None:
    """Book the appointment, hand the SQL to field sales, and play out their decision and work.

    The last week's hand-offs still wait in the field users' inboxes. Of the older ones field
    sales rejects some within days as not qualified (back to the operator); the rest are
    accepted, met, and then won, quoted, put off (a timing rejection: nurturing until a
    follow-up date) or lost (a lost rejection: recycled to inside sales).
    """
    rng, clock = sim.rng, sim.clock
    now = clock.now
    t_sent = t + 60
    if t_sent >= now:
        return
    operator = lead.op
    if operator.left is not None and t >= operator.left:
        lead.move_off_leaver(operator.left)
        operator = lead.op
    lead.act(t, operator.id, "appointment", "", 0, rng.choice(words.NOTES["appointment"]), False)
    waits = t_sent >= now - PENDING_DAYS * DAY
    field = sim.staff.pick_field(t, waits)
    handoff = lead.hand_to(t_sent, operator, field, sim.hearing.handoff_note(lead.values))
    if waits:
        return
    comments = words.REJECT_COMMENTS
    if rng.random() < NOT_QUALIFIED_P:
        t_reject = clock.later(t_sent, rng.randrange(2 * HOUR, 4 * DAY), rng)
        if t_reject < now:
            lead.reject(t_reject, handoff, "not_qualified", rng.choice(comments["not_qualified"]))
        return
    t_meet = clock.later(t_sent, rng.randrange(HOUR, 2 * DAY), rng)
    if t_meet >= now:
        return
    lead.accept(t_meet, handoff)
    for _ in range(rng.randrange(1, 4)):
        t_meet = clock.later(t_meet, rng.randrange(3 * DAY, 20 * DAY), rng)
        if t_meet >= now:
            return
        note = rng.choice(words.NOTES["field_meeting"])
        lead.act(t_meet, field.id, "meeting", "", rng.randrange(1800, 5401, 600), note, False)
    steps: list[str] = []
    r = rng.random()
    if r < 0.3:
        steps = ["quote", "won"]
    elif r < 0.55:
        steps = ["quote"] if rng.random() < 0.5 else []
        steps.append("lost")
    elif r < 0.75:
        steps = ["timing"]
    elif rng.random() < 0.5:
        steps = ["quote"]
    for step in steps:
        t_meet = clock.later(t_meet, rng.randrange(7 * DAY, 40 * DAY), rng)
        if t_meet >= now:
            return
        if step == "quote":
            lead.set_stage(t_meet, field.id, "quote")
        elif step == "won":  # the order and the win are one moment
            lead.set_stage(t_meet, field.id, "order")
            lead.set_status(t_meet, field.id, "won")
        elif step == "lost":
            lead.reject(t_meet, handoff, "lost", rng.choice(comments["lost"]))
        else:
            day = clock.business_day_from(t_meet // DAY + rng.randrange(30, 91))
            lead.reject(
                t_meet,
                handoff,
                "timing",
                rng.choice(comments["timing"]),
                follow_up=day * DAY + FOLLOW_UP_HOUR * HOUR,
            )
