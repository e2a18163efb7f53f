"""Is this row a lead we already have? In-memory keys of every lead, loaded once per import.

A row is the same person as a lead when (in this order):
1. the e-mail addresses are equal (case and width ignored);
2. the phone digits are equal, unless the two carry different e-mails or different names
   (a company's main number, 代表番号, is shared by everyone who works there);
3. the company key (legal form, width and spaces ignored) and the contact's name are equal,
   unless the two carry different e-mails.
Leads created earlier in the same file are added as they are made, so in-file duplicates merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from isdesk.importer import normalize as n
from isdesk.importer.convert import Record
from isdesk.store.db import current_database

__all__ = ["LeadIndex"]


@dataclass
class LeadIndex:
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)
    by_company_name: dict[tuple[str, str], int] = field(default_factory=dict)
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (email, name key)

    @classmethod
    def load(cls) -> LeadIndex:
        """Every lead's keys, in one query (ids ascending: the oldest lead wins a tie)."""
        index = cls()
        cursor = current_database().execute_sql(
            'SELECT id, email, phone, company, contact FROM "lead" ORDER BY id'
        )
        email_of, digits_of = n.normalize_email, n.phone_key
        company_of, name_of = n.company_key, n.name_key
        for lead_id, email, phone, company, contact in cursor:
            index.add(
                lead_id,
                email_of(email) if email else "",
                digits_of(phone) if phone else "",
                company_of(company) if company else "",
                name_of(contact) if contact else "",
            )
        return index

    def __len__(self) -> int:
        return len(self.people)

    def add(self, lead_id: int, email: str, phone: str, company: str, name: str) -> None:
        self.people[lead_id] = (email, name)
        if email:
            self.by_email.setdefault(email, lead_id)
        if phone:
            self.by_phone.setdefault(phone, []).append(lead_id)
        if company and name:
            self.by_company_name.setdefault((company, name), lead_id)

    def add_record(self, lead_id: int, record: Record) -> None:
        self.add(lead_id, record.email_key, record.phone_key, record.company_key, record.name_key)

    def match(self, record: Record) -> tuple[int, str] | None:
        """(lead id, what matched: "email" | "phone" | "company") or None for a new lead."""
        email, name = record.email_key, record.name_key
        if email:
            found = self.by_email.get(email)
            if found is not None:
                return found, "email"
        if record.phone_key:
            for lead_id in self.by_phone.get(record.phone_key, ()):
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
