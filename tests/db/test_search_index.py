"""The queue filter's bigram index: the same leads as the plain scan, kept in step by every write.

Each test runs on SQLite and PostgreSQL (the ``db`` fixture). The comparison is with
``use_index=False``, the LIKE scan the queue ran before the index, and with Python's ``in``
on the lead's search key.
"""

from __future__ import annotations

import random

import pytest

from isdesk.domain.text import bigrams, search_key
from isdesk.services import search
from isdesk.services.queue import QueueQuery, QueueScope, count_queue, queue_page
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead
from tests.support import factories as f

# Characters a Japanese lead list holds, and the ones LIKE treats specially.
ALPHABET = list("中央物産株式会社東京大阪カブシキｶﾌﾞ田中一郎0123456789-@.abcＡＢ%_! ")


def _random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def _queries(rng: random.Random, texts: list[str]) -> list[str]:
    """Substrings of the leads' texts (hits), random strings (mostly misses), special cases."""
    out = ["中央", "物産", "株式会社", "カブ", "ｶﾌﾞ", "12", "%", "_", "!", "a%", "1_", "!!", "中"]
    for _ in range(60):
        text = search_key(rng.choice(texts))
        if len(text) >= 2:
            start = rng.randrange(len(text) - 1)
            out.append(text[start : start + rng.randint(2, 6)])
        out.append(_random_text(rng, rng.randint(2, 4)))
    return out


def _ids(query: QueueQuery, use_index: bool) -> tuple[int, list[int]]:
    rows = queue_page(query, 0, 500, use_index=use_index)
    return count_queue(query, use_index=use_index), [r.id for r in rows]


@pytest.mark.parametrize(
    "plan",
    [
        {},  # as shipped: with this little data every bigram drives
        {"DRIVE_MAX": -1},  # the two rarest bigrams' intersection
        {"DRIVE_MAX": -1, "INTERSECT_MAX": -1},  # every key scans
    ],
    ids=["rarest", "intersection", "scan"],
)
def test_filter_through_the_index_finds_exactly_what_the_scan_finds(db, monkeypatch, plan):
    for name, value in plan.items():
        monkeypatch.setattr(search, name, value)
    rng = random.Random(14)
    lead, me, other = f.operator("lead", role="lead"), f.operator("me"), f.operator("other")
    texts = []
    for i in range(150):
        company, contact = _random_text(rng, rng.randint(3, 14)), _random_text(rng, 4)
        phone = "".join(rng.choice("0123456789-") for _ in range(rng.randint(0, 12)))
        owner = rng.choice([me, other, None])
        f.lead(owner, company=company, contact=contact, phone=phone, acquired_days=-i)
        texts.append(company + contact + phone)
    with current_database().connection_context():
        keys = {row.id: row.search_text for row in Lead.select(Lead.id, Lead.search_text)}
    checked = 0
    for text in _queries(rng, texts):
        key = search_key(text)
        for actor, scope in (
            (me, QueueScope.MINE),
            (lead, QueueScope.TEAM),
            (me, QueueScope.UNASSIGNED),
        ):
            query = QueueQuery(actor=actor, scope=scope, text=text, now=f.BASE)
            indexed = _ids(query, True)
            assert indexed == _ids(query, False), (text, scope)
            checked += bool(indexed[0])
        everyone = [i for i, k in keys.items() if key in k]
        unassigned = QueueQuery(actor=me, scope=QueueScope.UNASSIGNED, text=text, now=f.BASE)
        mine = QueueQuery(actor=me, text=text, now=f.BASE)
        theirs = QueueQuery(actor=other, text=text, now=f.BASE)
        assert sum(count_queue(q) for q in (unassigned, mine, theirs)) == len(everyone), text
    assert checked > 50  # the comparison met many non-empty results, not only misses


def _found(actor, text: str) -> set[int]:
    scope = QueueScope.TEAM if actor.is_lead else QueueScope.MINE
    rows = queue_page(QueueQuery(actor=actor, scope=scope, text=text, now=f.BASE), 0, 500)
    return {r.id for r in rows}


def test_the_index_follows_every_change_of_the_search_text(db):
    """A raw UPDATE (as a search-key rebuild migration does), a long text, and a delete."""
    me = f.operator("me")
    first = f.lead(me, company="中央物産株式会社", phone="03-1234-5678")
    second = f.lead(me, company="東京カブシキ")
    assert _found(me, "中央") == {first} and _found(me, "5678") == {first}
    database = current_database()
    with database.connection_context(), database.atomic():
        Lead.update(search_text=search_key("大阪物流", "090-9999")).where(
            Lead.id == first
        ).execute()
    assert _found(me, "中央") == set() and _found(me, "物産") == set()
    assert _found(me, "大阪") == {first} and _found(me, "9999") == {first}
    # An update that rolls back leaves the index as it was.
    with pytest.raises(RuntimeError), database.connection_context(), database.atomic():
        Lead.update(search_text="ロールバック").where(Lead.id == second).execute()
        raise RuntimeError
    assert _found(me, "カブ") == {second} and _found(me, "ロール") == set()
    # Longer than the positions the SQLite trigger indexes: still found, by the scan's answer.
    long = f.lead(me, company="長い会社")
    with database.connection_context(), database.atomic():
        text = "長" * 2100 + "末尾の会社"  # more than a column holds: search_text is unbounded
        Lead.update(search_text=text).where(Lead.id == long).execute()
    assert long in _found(me, "末尾") and long in _found(me, "長長")
    with database.connection_context():
        Lead.delete().where(Lead.id == second).execute()
        if is_postgres():
            sql, params = "SELECT COUNT(*) FROM lead_gram WHERE lead_id = %s", (second,)
        else:  # FTS5: no row holds the deleted lead's bigrams any more
            sql, params = (
                "SELECT COUNT(*) FROM lead_gram WHERE lead_gram MATCH ?",
                (
                    search.fts_phrase("カブシキ").split(" OR ")[0],  # not the long text's token
                ),
            )
        left = database.execute_sql(sql, params).fetchone()[0]
    assert left == 0
    assert _found(me, "カブ") == set()


def test_an_import_and_a_merge_are_searchable_at_once(db, tmp_path):
    from isdesk.importer import import_file
    from isdesk.rules import load_rules

    rules = load_rules(None)
    lead = f.operator("lead", role="lead")
    csv = tmp_path / "list.csv"
    csv.write_text(
        "company,contact,phone,email\n中央物産株式会社,山田 花子,03-5555-0101,hanako@chuo.example\n"
        "北海産業,佐藤 次郎,011-222-3333,jiro@hokkai.example\n",
        encoding="utf-8",
    )
    import_file(csv, rules=rules)

    def found(text: str) -> int:  # the import may have assigned it within lead's team
        scopes = (QueueScope.UNASSIGNED, QueueScope.TEAM)
        return sum(count_queue(QueueQuery(lead, s, text, f.BASE)) for s in scopes)

    assert found("中央物産") == 1 and found("0101") == 1 and found("3333") == 1
    # The same person again: a merge touches the lead, its text and index rows stay one.
    again = tmp_path / "again.csv"
    again.write_text(
        "company,contact,phone,email\n"
        "中央物産株式会社,山田 花子,03-5555-0101,hanako@chuo.example\n",
        encoding="utf-8",
    )
    import_file(again, rules=rules)
    assert found("中央物産") == 1 and found("0101") == 1


def test_bigrams_of_a_key() -> None:
    assert bigrams("中央物産") == ["中央", "央物", "物産"]
    assert bigrams("aaaa") == ["aa"]
    assert bigrams("中") == [] and bigrams("") == []
