"""The demo's companies and the contacts at them: names, domains, phones, e-mails.

Company names mix the usual legal forms (株式会社 before or after, 有限会社, 合同会社),
family businesses, full-width Latin and a few half-width kana names, so that search and
display meet what real lists contain.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from isdesk.demo import names


@dataclass
class Company:
    name: str
    domain: str
    phone_head: str  # "03-5123"
    email_style: int


def plan_companies(rng: random.Random, leads: int) -> list[Company]:
    """The companies leads come from: about one for every three leads, at least 40."""
    want = max(40, leads // 3)
    seen: set[str] = set()
    domains: set[str] = set()
    companies: list[Company] = []
    area_weights = [w for _, _, w in names.AREA_CODES]
    for _ in range(want * 4):
        if len(companies) >= want:
            break
        r = rng.random()
        family = False
        if r < 0.012:
            name, slug = rng.choice(names.HALF_WIDTH_COMPANIES)
            core = ""
        elif r < 0.25:
            fam, fam_slug = names.FAMILY_NAMES[int(len(names.FAMILY_NAMES) * rng.random() ** 2)]
            suffix, suf_slug = rng.choice(names.FAMILY_BUSINESS_SUFFIXES)
            core, slug, family = fam + suffix, f"{fam_slug}-{suf_slug}", True
        else:
            prefix, pre_slug = rng.choice(names.COMPANY_PREFIXES)
            suffix, suf_slug = rng.choice(names.COMPANY_SUFFIXES)
            core, slug = prefix + suffix, f"{pre_slug}-{suf_slug}"
        tld = ".co.jp"
        if core:
            r = rng.random()
            if family and r < 0.3:
                name = "有限会社" + core if r < 0.2 else core + "有限会社"
            elif r < 0.55:
                name = "株式会社" + core
            elif r < 0.9:
                name = core + "株式会社"
            elif r < 0.95:
                name, tld = "合同会社" + core, ".jp"
            else:
                name = "有限会社" + core
        if name in seen:
            continue
        seen.add(name)
        if rng.random() < 0.12:
            tld = rng.choice((".jp", ".com"))
        domain = slug + tld
        if domain in domains:  # 株式会社X and X株式会社 are different companies
            variants = itertools.chain(
                (slug + other for other in (".jp", ".com", ".net")),
                (f"{slug}{n}{tld}" for n in itertools.count(2)),
            )
            domain = next(v for v in variants if v not in domains)
        domains.add(domain)
        code, mid_digits, _ = rng.choices(names.AREA_CODES, area_weights)[0]
        mid = str(rng.randrange(2, 10)) + "".join(
            str(rng.randrange(10)) for _ in range(mid_digits - 1)
        )
        companies.append(Company(name, domain, f"{code}-{mid}", rng.randrange(4)))
    return companies


def make_contact(rng: random.Random, company: Company, source: str) -> tuple[str, str, str, str]:
    """(contact, title, phone, email): a way to reach the lead is always among them."""
    line = f"{company.phone_head}-{rng.randrange(10000):04d}"
    if source == "テレアポリスト" and rng.random() < 0.35:
        return "", "", line, ""  # a bought list: only the switchboard
    fam, fam_r = names.FAMILY_NAMES[int(len(names.FAMILY_NAMES) * rng.random() ** 1.5)]
    given, given_r = rng.choice(names.GIVEN_NAMES)
    title = weighted(rng, names.TITLES)
    style = company.email_style
    local = (f"{given_r[0]}.{fam_r}", f"{fam_r}.{given_r}", f"{fam_r}-{given_r[0]}", fam_r)[style]
    email = f"{local}@{company.domain}"
    r = rng.random()
    if source in ("展示会", "無料トライアル") and r < 0.3:
        mobile = rng.choice(names.MOBILE_PREFIXES)
        phone = f"{mobile}-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"
    elif r < 0.06 and source not in ("展示会", "テレアポリスト"):
        phone = ""  # web forms with an optional phone field
    else:
        phone = line
    if not phone and source == "紹介":
        phone = line
    if source == "展示会" and rng.random() < 0.05:
        email = ""  # a card without an address
    return f"{fam} {given}", title, phone, email


def weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    """One value of (value, weight) pairs, drawn in proportion to the weights."""
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, w in pairs:
        r -= w
        if r < 0:
            return value
    return pairs[-1][0]
