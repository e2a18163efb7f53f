"""Which column is which lead field: the built-in presets, the team's own from rules.yaml,
and picking one from a file's header.

Presets know the headers of a Salesforce lead export (API names and the Japanese labels),
a HubSpot contacts export (English and Japanese portals), the business-card services Sansan
and Eight, and isdesk's own lead list. Several columns may feed one field: the first non-empty
one wins and the others' values stay with the lead in ``extra``; phone numbers are different:
every one is kept (直通, 携帯, 部門, 会社), the one to call first chosen by
``PHONE_FIELDS``. Each preset names the source's own record id (Salesforce Id, HubSpot Record
ID, the card id of Sansan and Eight) as ``external_id``, and its do-not-call columns. Columns no
field claims are kept in ``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from isdesk.importer.reader import REJECT_COLUMNS
from isdesk.rules.mappings import (
    KEEP,
    PHONE_FIELDS,
    CustomMapping,
    ValueMap,
    header_key,
    value_key,
)

__all__ = [
    "PRESETS",
    "FieldMap",
    "LeadMapping",
    "MappingError",
    "available_mappings",
    "detect_mapping",
    "resolve_mapping",
]


class MappingError(ValueError):
    """No mapping by that name, or none fits the file's columns."""


@dataclass(frozen=True)
class LeadMapping:
    name: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (header, field), earlier = preferred for a field
    sources: ValueMap | None = None  # None: sources kept as written
    stages: ValueMap | None = None  # None: every row is "open"
    date_format: str | None = None  # None: the usual ISO / Japanese / US forms
    builtin: bool = True
    scope: str = ""  # whose record ids external_id holds (a preset's name); "": this mapping's
    # Detection: a preset with a signature is only chosen for a file that has one of these
    # headers (a business-card export's 名刺交換日, Eight's TEL会社), so a plain sheet with
    # 会社名 and 電話番号 is not taken for a card list.
    signature: tuple[str, ...] = ()
    # The source of a row that names none ("" : isdesk's 「インポート」). Business cards are
    # mostly exchanged at trade shows, the source the assignment rules send to group B.
    default_source: str = ""

    @property
    def id_scope(self) -> str:
        """The prefix of the external keys this mapping writes: ``salesforce:00Q…``."""
        return self.scope or self.name

    def bind(self, headers: Sequence[str]) -> FieldMap:
        """Which of ``headers`` (by position) feed which field; the rest are extra."""
        by_key = {header_key(h): i for i, h in reversed(list(enumerate(headers)))}
        fields: dict[str, list[int]] = {}
        used: set[int] = set()
        for header, target in self.columns:
            index = by_key.get(header_key(header))
            if index is None or index in used:
                continue
            fields.setdefault(target, []).append(index)
            used.add(index)
        ignored = {header_key(name) for name in REJECT_COLUMNS}
        extra = tuple(
            i for i, h in enumerate(headers) if i not in used and header_key(h) not in ignored
        )
        return FieldMap(
            MappingProxyType({k: tuple(v) for k, v in fields.items()}), extra, tuple(headers)
        )


@dataclass(frozen=True)
class FieldMap:
    """A mapping bound to one file's header."""

    fields: Mapping[str, tuple[int, ...]]  # lead field -> column positions, preferred first
    extra: tuple[int, ...]  # positions of the columns kept in Lead.extra
    headers: tuple[str, ...] = field(default=())

    def describe(self) -> dict[str, list[str]]:
        """field -> the column headers feeding it (for previews and summaries)."""
        return {f: [self.headers[i] for i in cols] for f, cols in self.fields.items()}

    @property
    def extra_columns(self) -> list[str]:
        return [self.headers[i] for i in self.extra]

    @property
    def reachable(self) -> bool:
        return "email" in self.fields or any(f in self.fields for f in PHONE_FIELDS)


def _values(pairs: Mapping[str, str], other: str | None = None) -> ValueMap:
    return ValueMap(MappingProxyType({value_key(k): v for k, v in pairs.items()}), other)


_SALESFORCE_STATUS = {
    "Open - Not Contacted": "open", "Working - Contacted": "open",
    "Closed - Converted": "handed_off", "Closed - Not Converted": "nurturing",
    "New": "open", "Working": "open", "Nurturing": "nurturing", "Qualified": "handed_off",
    "Unqualified": "lost",
    "未対応": "open", "対応中": "open", "新規": "open", "取引開始済み": "handed_off",
    "取引開始なし": "nurturing", "育成中": "nurturing", "ナーチャリング": "nurturing",
    "適格": "handed_off", "不適格": "lost",
}  # fmt: skip
_SALESFORCE_SOURCE = {
    "Web": "Webサイト", "Phone Inquiry": "問い合わせ", "Partner Referral": "紹介",
    "Employee Referral": "紹介", "External Referral": "紹介", "Word of mouth": "紹介",
    "Purchased List": "テレアポリスト", "Trade Show": "展示会", "Seminar - Internal": "セミナー",
    "Seminar - Partner": "セミナー", "Webinar": "ウェビナー",
}  # fmt: skip
_HUBSPOT_STATUS = {
    # Lead Status (リードステータス)
    "New": "open", "Open": "open", "In Progress": "open", "Attempted to Contact": "open",
    "Connected": "open", "Open Deal": "handed_off", "Unqualified": "lost",
    "Bad Timing": "nurturing",
    "新規": "open", "オープン": "open", "進行中": "open", "コンタクトを試行済み": "open",
    "接続済み": "open", "オープンディール": "handed_off", "見込みなし": "lost",
    "タイミングが悪い": "nurturing",
    # Lifecycle Stage (ライフサイクルステージ), used when Lead Status is empty
    "Subscriber": "open", "Lead": "open", "Marketing Qualified Lead": "open",
    "Sales Qualified Lead": "handed_off", "Opportunity": "handed_off", "Customer": "won",
    "Evangelist": "won", "Other": "open",
    "購読者": "open", "リード": "open", "マーケティングクオリファイドリード": "open",
    "セールスクオリファイドリード": "handed_off", "商談": "handed_off", "顧客": "won",
    "エバンジェリスト": "won", "その他": "open",
}  # fmt: skip
_ISDESK_STATUS = {
    "open": "open", "handed_off": "handed_off", "nurturing": "nurturing", "won": "won",
    "lost": "lost",
    "未対応": "open", "対応中": "open", "新規": "open", "トスアップ済": "handed_off",
    "トスアップ済み": "handed_off", "ナーチャリング": "nurturing", "育成": "nurturing",
    "受注": "won", "失注": "lost",
}  # fmt: skip


def _columns(table: str) -> tuple[tuple[str, str], ...]:
    """``field: Header | 見出し`` lines → (header, field) pairs, in the order written."""
    pairs: list[tuple[str, str]] = []
    for line in table.strip().splitlines():
        target, _, headers = line.partition(":")
        pairs.extend((h.strip(), target.strip()) for h in headers.split("|"))
    return tuple(pairs)


# Salesforce: API names (Data Loader, data export) and the Japanese labels of a report export.
SALESFORCE = LeadMapping(
    "salesforce",
    "Salesforce lead export",
    _columns("""
        last_name: LastName | 姓
        first_name: FirstName | 名
        contact: Name | 氏名
        company: Company | 会社名
        title: Title | 役職
        email: Email | メール
        phone: Phone | 電話
        phone_mobile: MobilePhone | 携帯
        source: LeadSource | リードソース
        status: Status | リード状況
        acquired_at: CreatedDate | 作成日
        external_id: Id | リード ID | リードID
        do_not_call: DoNotCall | 電話不可
    """),
    sources=_values(_SALESFORCE_SOURCE, KEEP),
    stages=_values(_SALESFORCE_STATUS),
)
# HubSpot: a contacts export from an English or a Japanese portal.
HUBSPOT = LeadMapping(
    "hubspot",
    "HubSpot contacts export",
    _columns("""
        last_name: Last Name | 姓
        first_name: First Name | 名
        company: Company Name | 会社名
        title: Job Title | 役職
        email: Email | Eメール
        phone: Phone Number | 電話番号
        phone_mobile: Mobile Phone Number | 携帯電話番号
        source: Original Source | 元のソース
        status: Lead Status | リードステータス
        status: Lifecycle Stage | ライフサイクルステージ
        acquired_at: Create Date | 作成日
        external_id: Record ID | レコードID | Contact ID
        do_not_call: Do Not Call | 電話不可
        do_not_call: Opted out of all email | Unsubscribed from all email | 配信停止
    """),
    sources=None,
    stages=_values(_HUBSPOT_STATUS),
)
# Sansan: a business-card list downloaded from Sansan (名刺データ), the card id first.
SANSAN = LeadMapping(
    "sansan",
    "Sansan business cards",
    _columns("""
        external_id: 名刺ID
        company: 会社名
        department: 部署名 | 部署
        title: 役職
        last_name: 姓
        first_name: 名
        contact: 氏名
        email: メールアドレス | E-mail
        phone_direct: 直通電話 | 直通電話番号
        phone_mobile: 携帯電話 | 携帯番号
        phone_company: 電話番号 | 会社電話番号 | TEL1
        acquired_at: 名刺交換日
        do_not_call: 配信停止 | 電話不可
    """),
    sources=None,
    stages=None,
    signature=("名刺ID", "名刺交換日"),
    default_source="展示会",
)
# Eight (Eight Team's card export): TEL会社, TEL部門, TEL直通 and 携帯電話 are one person's.
EIGHT = LeadMapping(
    "eight",
    "Eight business cards",
    _columns("""
        external_id: 名刺ID | カードID
        company: 会社名
        department: 部署名
        title: 役職
        last_name: 姓
        first_name: 名
        contact: 氏名
        email: e-mail | メールアドレス
        phone_direct: TEL直通
        phone_mobile: 携帯電話
        phone_department: TEL部門
        phone_company: TEL会社
        acquired_at: 名刺交換日
    """),
    sources=None,
    stages=None,
    signature=("TEL会社", "TEL直通", "TEL部門"),
    default_source="展示会",
)
# isdesk's own simple lead list, with the headers a Japanese team writes by hand.
ISDESK = LeadMapping(
    "isdesk",
    "isdesk lead list",
    _columns("""
        company: company | 会社名 | 企業名
        contact: contact | 氏名 | 担当者名 | 担当者 | お名前
        last_name: last_name | 姓
        first_name: first_name | 名
        title: title | 役職
        department: department | 部署 | 部署名
        phone: phone | 電話番号 | 電話 | TEL
        phone_mobile: mobile | 携帯 | 携帯電話
        email: email | メールアドレス | メール
        source: source | 流入元 | リードソース
        campaign: campaign | キャンペーン | キャンペーン名
        campaign_type: campaign_type | キャンペーン種別
        campaign_date: campaign_date | 開催日
        campaign_cost: campaign_cost | キャンペーン費用
        acquired_at: acquired_at | 獲得日 | 獲得日時
        status: status | ステータス
        external_id: external_id | 外部ID
        do_not_call: do_not_call | 架電禁止 | 電話不可
    """),
    sources=None,
    stages=_values(_ISDESK_STATUS),
)
PRESETS: Mapping[str, LeadMapping] = MappingProxyType(
    {m.name: m for m in (SALESFORCE, HUBSPOT, SANSAN, EIGHT, ISDESK)}
)


def from_custom(custom: CustomMapping) -> LeadMapping:
    """A rules.yaml mapping as a LeadMapping (its columns first, then its preset's)."""
    base = PRESETS[custom.extends] if custom.extends else None
    base_sources = base.sources if base else None
    base_stages = base.stages if base else None
    return LeadMapping(
        custom.name,
        f"rules.yaml mapping {custom.name}" + (f" (extends {base.name})" if base else ""),
        custom.columns + (base.columns if base else ()),
        custom.sources.merged_over(base_sources) if custom.sources else base_sources,
        custom.stages.merged_over(base_stages) if custom.stages else base_stages,
        custom.date_format,
        builtin=False,
        scope=base.name if base else custom.name,
        default_source=base.default_source if base else "",
    )


def available_mappings(custom: Mapping[str, CustomMapping] | None = None) -> list[LeadMapping]:
    """The team's own mappings (rules.yaml) first, then the presets."""
    own = [from_custom(c) for c in (custom or {}).values()]
    return [*own, *PRESETS.values()]


def resolve_mapping(name: str, custom: Mapping[str, CustomMapping] | None = None) -> LeadMapping:
    for mapping in available_mappings(custom):
        if mapping.name == name:
            return mapping
    names = ", ".join(m.name for m in available_mappings(custom))
    raise MappingError(
        f"--mapping: unknown mapping {name!r}: use one of {names} "
        "(your own go under mappings: in rules.yaml)"
    )


def detect_mapping(
    headers: Sequence[str], custom: Mapping[str, CustomMapping] | None = None
) -> tuple[LeadMapping, FieldMap]:
    """The mapping that recognises most of ``headers`` and can reach a person.

    Ties go to the team's own mappings, then Salesforce, HubSpot, Sansan, Eight, isdesk in
    that order.
    """
    best: tuple[int, LeadMapping, FieldMap] | None = None
    present = {header_key(h) for h in headers}
    for mapping in available_mappings(custom):
        if mapping.signature and not present & {header_key(h) for h in mapping.signature}:
            continue
        bound = mapping.bind(headers)
        if not bound.reachable:
            continue
        score = sum(len(cols) for cols in bound.fields.values())
        if score >= 2 and (best is None or score > best[0]):
            best = (score, mapping, bound)
    if best is None:
        shown = ", ".join(headers[:8]) + (" …" if len(headers) > 8 else "")
        raise MappingError(
            f"no mapping fits the columns ({shown}): name the e-mail or phone column in a "
            "mapping under mappings: in rules.yaml and give --mapping NAME, or rename the "
            "columns to isdesk's (company, contact, phone, email, …)"
        )
    return best[1], best[2]
