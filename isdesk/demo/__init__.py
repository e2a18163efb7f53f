"""``isdesk demo``: a deterministic, believable demo database with a year of history.

The data is simulated lead by lead in arrival order: a lead arrives from a source (often a
campaign), is handed out round-robin to its team, is called and e-mailed on business days,
answers hearing items during conversations, is re-qualified after every answer with the team's
rules, and is handed off to field sales (a hand-off row with its BANT note), who accept or
reject it, win it, or send it back to inside sales. Every change is also written to the
append-only event log, so reports see the same history as after a real year of use.

The package, one job a module:

- build: the public API (build_demo, DemoSummary, DemoError) and the write transaction
- simulation: the year of leads, in arrival order, turned into table rows
- history: a lead's calls, e-mails, meetings, hand-off, field sales' decision and outcome
- lead: one lead's state and the event, activity and answer records it accumulates
- hearing: qualification, what operators ask next, and the answers they hear
- people: operators, joiners and leavers, round-robin assignment
- campaigns: the campaign calendar and each lead's arrival, source and campaign
- companies: companies and the contacts at them
- clock: business days and hours in JST, times as int seconds
- writer: bulk inserts with explicit ids
- names, words: the word lists (people and companies; sources, campaigns, answers, notes)
"""

from __future__ import annotations

from isdesk.demo.build import DemoError, DemoSummary, build_demo

__all__ = ["DemoError", "DemoSummary", "build_demo"]
