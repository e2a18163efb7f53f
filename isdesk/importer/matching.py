"""Is this row a lead we already have? In-memory keys of every lead, loaded once per import.

A row is the same person as a lead when (in this order):
0. the source's own record id is equal (``salesforce:00Q…``: a re-export of the same record);
1. the e-mail addresses are equal (case and width ignored);
2. one of the phone numbers is equal, unless the two carry different e-mails or different names
   (a company's main number, 代表番号, is shared by everyone who works there); a number that is
   no number (0000000000) is never a key;
3. the company key (legal form, width and spaces ignored) and the contact's name are equal,
   unless the two carry different e-mails.
Leads created earlier in the same file are added as they are made, so in-file duplicates merge.

For each lead the index also knows what isdesk has already heard of it (its campaigns, its
latest touch), so that a row repeating it (a weekly re-export) is told from a real return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from isdesk.domain.text import phone_numbers
from isdesk.importer import normalize as n
from isdesk.importer.convert import Record
from isdesk.store.db import current_database

__all__ = ["Known", "LeadIndex"]


@dataclass
class Known:
    """What isdesk already knows of a lead, to judge whether a row brings anything new."""

    campaigns: set[int | None] = field(default_factory=set)
    latest: dt.datetime | None = None  # naive UTC: its acquisition or latest touch
    external_key: str = ""
    do_not_call: bool = False

    def seen(self, campaign_id: int | None, when: dt.datetime | None) -> None:
        self.campaigns.add(campaign_id)
        if when is not None and (self.latest is None or when > self.latest):
            self.latest = when

    def is_news(self, campaign_id: int | None, when: dt.datetime | None) -> bool:
        """A campaign it was never in, or a form/activity date after everything known."""
        if campaign_id is not None and campaign_id not in self.campaigns:
            return True
        return when is not None and (self.latest is None or when > self.latest)


@dataclass
class LeadIndex:
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)
    by_company_name: dict[tuple[str, str], int] = field(default_factory=dict)
    by_external: dict[str, int] = field(default_factory=dict)
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (email, name key)
    known: dict[int, Known] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        resuming: int | None = None,
        stated: Callable[[int], dt.datetime | None] | None = None,
    ) -> LeadIndex:
        """Every lead's keys, in one query (ids ascending: the oldest lead wins a tie), and
        what each one has been through (touches by campaign), in another.

        ``resuming``: the import run being finished after a cut. Its own touches are read back
        as the uninterrupted run knew them, by the date each row states (``stated(row)``), not
        the import's time the database stamped on a row without one: read back that way, a
        later-dated row of the same person would look old (unchanged) where the whole run saw
        news (merged)."""
        from isdesk.store.models import Lead

        db = current_database()
        index = cls()
        p = db.param
        created: set[int] = set()
        if resuming is not None:
            found = db.execute_sql(
                f'SELECT lead_id FROM "touch" WHERE import_run_id = {p} AND kind = {p}',
                (resuming, "new"),
            )
            created = {lead_id for (lead_id,) in found}
        cursor = db.execute_sql(
            "SELECT id, email, phone, phones, company, contact, external_key, campaign_id, "
            'acquired_at, do_not_call FROM "lead" ORDER BY id'
        )
        email_of, digits_of = n.normalize_email, n.stored_phone_key
        company_of, name_of = n.company_key, n.name_key
        when_of = Lead.acquired_at.python_value
        for row in cursor:
            lead_id, email, phone, phones, company, contact, external, campaign, at, dnc = row
            numbers = phone_numbers(phones) or ([phone] if phone else [])
            index.add(
                lead_id,
                email_of(email) if email else "",
                [k for k in (digits_of(p) for p in numbers) if k],
                company_of(company) if company else "",
                name_of(contact) if contact else "",
                external or "",
            )
            known = Known(external_key=external or "", do_not_call=bool(dnc))
            if lead_id not in created:  # a lead this run made knows only what its rows state
                known.seen(campaign, _naive(when_of(at)))
            index.known[lead_id] = known
        others = ""
        run_params: tuple[int, ...] = ()
        if resuming is not None:
            others = f" WHERE import_run_id IS NULL OR import_run_id <> {p}"
            run_params = (resuming,)
        touches = db.execute_sql(
            f'SELECT lead_id, campaign_id, MAX("at") FROM "touch"{others} '
            "GROUP BY lead_id, campaign_id",
            run_params,
        )
        for lead_id, campaign, at in touches:
            seen = index.known.get(lead_id)
            if seen is not None:
                seen.seen(campaign, _naive(when_of(at)))
        if resuming is not None:
            mine = db.execute_sql(
                f'SELECT lead_id, campaign_id, "row" FROM "touch" WHERE import_run_id = {p}',
                (resuming,),
            )
            for lead_id, campaign, row in mine:
                seen = index.known.get(lead_id)
                if seen is not None:
                    seen.seen(campaign, stated(row) if stated else None)
        return index

    def __len__(self) -> int:
        return len(self.people)

    def add(
        self,
        lead_id: int,
        email: str,
        phones: list[str] | tuple[str, ...],
        company: str,
        name: str,
        external: str = "",
    ) -> None:
        self.people[lead_id] = (email, name)
        if external:
            self.by_external.setdefault(external, lead_id)
        if email:
            self.by_email.setdefault(email, lead_id)
        for phone in phones:
            self.by_phone.setdefault(phone, []).append(lead_id)
        if company and name:
            self.by_company_name.setdefault((company, name), lead_id)

    def add_record(self, lead_id: int, record: Record) -> None:
        self.add(
            lead_id,
            record.email_key,
            record.phone_keys or ((record.phone_key,) if record.phone_key else ()),
            record.company_key,
            record.name_key,
            record.external_key,
        )
        self.known[lead_id] = Known(
            external_key=record.external_key, do_not_call=record.do_not_call
        )

    def match(self, record: Record) -> tuple[int, str] | None:
        """(lead id, what matched: "external" | "email" | "phone" | "company") or None for a
        new lead."""
        if record.external_key:
            found = self.by_external.get(record.external_key)
            if found is not None:
                return found, "external"
        email, name = record.email_key, record.name_key
        if email:
            found = self.by_email.get(email)
            if found is not None:
                return found, "email"
        for key in record.phone_keys or ((record.phone_key,) if record.phone_key else ()):
            for lead_id in self.by_phone.get(key, ()):
                other_email, other_name = self.people[lead_id]
                if email and other_email and email != other_email:
                    continue
                if name and other_name and name != other_name:
                    continue
                return lead_id, "phone"
        if record.company_key and name:
            found = self.by_company_name.get((record.company_key, name))
            if found is not None:
                other_email = self.people[found][0]
                if not (email and other_email and email != other_email):
                    return found, "company"
        return None


def _naive(moment: object) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
