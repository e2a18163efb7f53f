"""Team mode on one PostgreSQL server, with the roles enforced by the database itself.

isdesk's services already refuse what a role may not do, but an operator who connects with
their own database login could bypass the application (psql, a spreadsheet's ODBC link).
This module sets the database up so that the *server* refuses it too: row-level security
(RLS) maps the connected login to the isdesk operator of the same name.

Roles
-----
``isdesk_owner``
    Owns every isdesk table, sequence and function, and runs the migrations. As the tables'
    owner it is not subject to RLS (the tables are ENABLEd, not FORCEd): it sees everything,
    which is what migrations, ``isdesk import`` (matching a file against *every* lead) and
    whole-database reports need. ``isdesk teamdb setup`` creates it and migrates as it.
``isdesk_user``
    A NOLOGIN group role holding the operators' privileges: SELECT plus exactly the INSERT and
    UPDATE the application performs, on the columns it writes (see :data:`TABLE_PRIVILEGES`
    and :data:`COLUMN_PRIVILEGES`: never ``id``, never a lead's customer data, never a
    hand-off's lead, sender or addressee), USAGE on the sequences of the tables it inserts
    into. Never DELETE or TRUNCATE, never UPDATE on ``lead_event`` or ``activity`` (history is
    appended, not edited), no CREATE on the schema and no TEMP on the database (revoked from
    PUBLIC: operators create no tables, views or functions at all).
one LOGIN role per operator
    named exactly like the operator (``sato.misaki``), member of ``isdesk_user``; created by
    ``isdesk teamdb grant NAME``. A login that is not an active operator sees no leads.

Policies (all ``TO isdesk_user``; "me" is the active operator whose name is ``current_user``)
--------
- ``operator``: everyone reads (names are shown everywhere); only a lead inserts, and only
  into their own team (a lead of another team would read that team's leads); a lead updates
  operators of their own team (an operator cannot make themselves a lead; nobody changes a
  team: the column is not granted).
- ``lead``, read: my leads; unassigned leads (operators and leads); a lead also reads every
  lead owned by their team; everyone reads the leads of the hand-offs they may read.
  Write: an operator changes their own and unassigned leads, a lead their team's as well
  (``can_change`` of isdesk.services.leads). WITH CHECK keeps the new owner within those, or
  allows the hand-off transition: status ``handed_off`` and the owner a field user to whom I
  have a *pending hand-off of this lead*. A field user changes only the leads they own; the
  new row may give the lead back to the sender of a hand-off of it they rejected (or to
  nobody, if the sender left) — after which it is no longer theirs to change.
  Nobody inserts leads except the owner (imports).
- ``answer``, ``activity``, ``touch``: readable when their lead is readable; activities are
  also readable by their author and, for a lead, by their team's authors (the team view
  counts them). Answers and activities are written only on leads I may change and in my own
  name.
- ``lead_event``: read like activities. Appended only in my own name, of a kind my role's
  actions write (:data:`EVENT_KINDS_BY_ROLE`; a hand-off event's ``field`` is ``sent`` for
  inside sales, ``accepted``/``rejected`` for field sales), on a lead I may change right now
  (a field user: one they own). A BEFORE INSERT trigger stamps ``at`` with the server's now
  (UTC) for every login the policies apply to, so history cannot be back-dated, and fills a
  missing ``actor_id`` with the login's operator.
- ``handoff``: read by its sender, its addressee and the sender's team lead; inserted by the
  sender (me) for a lead I may change, addressed to an active field user; decided only by its
  addressee, on the decision columns only: a pending one accepted or rejected, an accepted one
  rejected later (timing, lost: what isdesk.services.handoff allows); a rejected one is final.
- ``phone_call``: read by its operator and their team lead; started by me, in my name, on a
  lead I may change; updated (heartbeat, hang-up, logged, cancelled) only by me, on my calls.
- ``appointment``: read by who set it, its attendee and the setter's team lead; inserted in my
  name on a lead I may change (with my own activity); never updated or deleted.
- ``campaign``, ``import_run``: read by active operators; written by the owner (imports).
- ``lead_gram`` (the queue filter's bigram index): a row is readable when its lead is, so the
  filter's plan and postings reveal nothing about other leads; nobody but its triggers writes
  it (SECURITY DEFINER functions owned by isdesk_owner keep it in step with any lead edit).
- Columns added by migration 0009 (a lead's ``phones``, ``department``, ``external_key``,
  ``do_not_call``, ``do_not_call_note``; an activity's ``recording_url``;
  ``import_run.unchanged``): inside sales may UPDATE a lead's do-not-call columns (the lead
  screen's F8) and INSERT an activity with its recording (``isdesk log call``); the others are
  written by the owner (imports). ``do_not_call`` is an event kind of inside sales. A call log
  naming other operators' calls is imported by the owner login.
- ``schema_migration``: readable (the app checks the schema version on start; an operator
  login never migrates: :func:`isdesk.store.schema.upgrade` reads and returns when up to date,
  and an out-of-date database fails with "permission denied" until the owner upgrades it).

The README's "Cell by cell" table is this list for every table, verb and column, and
tests/db/test_teamdb_matrix.py proves it as each role's own login.

Take-next (isdesk.services.assignment.take) holds ``pg_advisory_xact_lock(0x7A4E, operator
id)`` while it claims, so two sessions of one operator cannot both pass the holding cap.

The helpers ``isdesk_me()``, ``isdesk_team_ids()`` and ``isdesk_handed_leads()`` are plain
(SECURITY INVOKER) SQL functions: inside a SECURITY DEFINER function ``current_user`` is the
function's owner, so a definer helper would need the login passed in, and anyone could ask
about anyone. These read only what the caller may read anyway (operator rows, the hand-offs
visible to them). Policies call them as ``(SELECT … FROM isdesk_me())``: an InitPlan, computed
once per statement, not once per row. Going through a function also keeps the rewriter from
seeing a lead ↔ handoff cycle between the two tables' policies (an "infinite recursion" error).

Why not FORCE: FORCE would subject the owner to the policies as well; the owner is the one role
meant to see and migrate everything, and no operator ever owns a table.

Everything here is idempotent (``CREATE … IF NOT EXISTS``, ``CREATE OR REPLACE``, policies
dropped and recreated in one transaction), so ``isdesk teamdb setup`` is also how a team
database is upgraded: it migrates as the owner, then applies the grants and policies to the
tables the new version brought. A table it does not know gets no grants at all: operators
are refused it until isdesk knows how to protect it.
"""

from __future__ import annotations

from isdesk.teamdb.connect import execute
from isdesk.teamdb.install import SetupReport, setup
from isdesk.teamdb.logins import GrantReport, grant, login_exists
from isdesk.teamdb.policies import (
    ME,
    MY_ROLE,
    MY_TEAM,
    TEAM_IDS,
    lead_changeable,
    lead_readable,
    policy_definitions,
    policy_statements,
)
from isdesk.teamdb.sql import (
    COLUMN_PRIVILEGES,
    EVENT_KINDS_BY_ROLE,
    INSIDE_ROLES,
    OWNER_ROLE,
    RLS_TABLES,
    ROLES,
    TABLE_PRIVILEGES,
    USER_ROLE,
    Statement,
    TeamDbError,
    check_login_name,
    database_statements,
    function_statements,
    ident,
    isdesk_tables,
    literal,
    login_statements,
    ownership_statements,
    privilege_statements,
    role_statements,
    trigger_statements,
)

# The statements are built in isdesk.teamdb.sql and isdesk.teamdb.policies (pure);
# isdesk.teamdb.install (setup) and isdesk.teamdb.logins (grant) run them through
# isdesk.teamdb.connect. Their names are imported from here (isdesk.cli.teamdb, tests).
__all__ = [
    "COLUMN_PRIVILEGES",
    "EVENT_KINDS_BY_ROLE",
    "INSIDE_ROLES",
    "ME",
    "MY_ROLE",
    "MY_TEAM",
    "OWNER_ROLE",
    "RLS_TABLES",
    "ROLES",
    "TABLE_PRIVILEGES",
    "TEAM_IDS",
    "USER_ROLE",
    "GrantReport",
    "SetupReport",
    "Statement",
    "TeamDbError",
    "check_login_name",
    "database_statements",
    "execute",
    "function_statements",
    "grant",
    "ident",
    "isdesk_tables",
    "lead_changeable",
    "lead_readable",
    "literal",
    "login_exists",
    "login_statements",
    "ownership_statements",
    "policy_definitions",
    "policy_statements",
    "privilege_statements",
    "role_statements",
    "setup",
    "trigger_statements",
]
