"""The ``mappings:`` section of rules.yaml: how a team's own CSV columns become lead fields.

::

    mappings:
      seminar_form:              # used as `isdesk import FILE --mapping seminar_form`
        extends: isdesk          # optional: start from a preset (salesforce, hubspot, isdesk)
        columns:                 # column header in the file: lead field
          会社名: company
          お名前: contact
          メールアドレス: email
        sources: {Webフォーム: 資料請求, "*": keep}   # value in the file: isdesk source
        stages: {申込: open, 失注: nurturing}         # value in the file: lead status
        date_format: "%Y/%m/%d %H:%M"

A value missing from ``sources`` or ``stages`` rejects the row, unless ``"*"`` says what to do
with the others (``keep`` keeps them as written). Strict like the rest of rules.yaml: errors
name file:line:key. Pure: no peewee, so loading the rules stays off the start-up path.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from isdesk.rules.reader import Source, pairs, required_mapping

__all__ = [
    "IMPORT_FIELDS",
    "KEEP",
    "LEAD_STATUSES",
    "PHONE_FIELDS",
    "PRESET_NAMES",
    "CustomMapping",
    "ValueMap",
    "header_key",
    "parse_mappings",
    "value_key",
]

# The lead fields a column can be mapped to.
IMPORT_FIELDS = (
    "company", "contact", "last_name", "first_name", "title", "department", "phone",
    "phone_direct", "phone_mobile", "phone_department", "phone_company", "email", "source",
    "status", "campaign", "campaign_type", "campaign_date", "campaign_cost", "acquired_at",
    "external_id", "do_not_call",
)  # fmt: skip
# The fields that hold a phone number, in the order the one to call first is chosen
# (直通 → the main phone column → 携帯 → 部門 → 会社/代表).
PHONE_FIELDS = ("phone_direct", "phone", "phone_mobile", "phone_department", "phone_company")
PRESET_NAMES = ("salesforce", "hubspot", "sansan", "eight", "isdesk")
# The same as isdesk.store.models.LEAD_STATUSES (a test checks), without importing peewee.
LEAD_STATUSES = ("open", "handed_off", "nurturing", "won", "lost")
KEEP = "keep"
_OTHER = "*"
_MAPPING_FIELDS = {"extends": False, "columns": False, "sources": False, "stages": False,
                   "date_format": False}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ValueMap:
    """Values as written in the file → isdesk values; ``other`` for the rest.

    ``other`` None rejects a value not listed, KEEP keeps it as written, any other text
    replaces it. Keys are compared by ``value_key`` (width, case and spacing ignored).
    """

    values: Mapping[str, str]
    other: str | None = None

    def lookup(self, value: str) -> str | None:
        """The isdesk value for ``value``, or None when the map has no place for it."""
        found = self.values.get(value_key(value))
        if found is not None:
            return found
        if self.other == KEEP:
            return value
        return self.other

    def merged_over(self, base: ValueMap | None) -> ValueMap:
        if base is None:
            return self
        other = self.other if self.other is not None else base.other
        return ValueMap(MappingProxyType({**base.values, **self.values}), other)


@dataclass(frozen=True, slots=True)
class CustomMapping:
    """A mapping declared in rules.yaml."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (column header as written, lead field)
    extends: str | None = None
    sources: ValueMap | None = None
    stages: ValueMap | None = None
    date_format: str | None = None
    line: int | None = None


def header_key(header: str) -> str:
    """How column headers are compared: NFKC, case-folded, without spaces, _ or -."""
    folded = unicodedata.normalize("NFKC", header).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-")


def value_key(value: str) -> str:
    """How mapped values are compared: NFKC, case-folded, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def parse_mappings(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> Mapping[str, CustomMapping]:
    found: dict[str, CustomMapping] = {}
    for name, key_node, value_node in pairs(source, node, path, "a name -> mapping table"):
        at = f"{path}.{name}"
        name = source.identifier(key_node, at)
        if name in PRESET_NAMES:
            source.fail(
                key_node,
                at,
                f"'{name}' is a built-in mapping: give yours another name and write "
                f"`extends: {name}` in it to start from the built-in one",
            )
        fields = required_mapping(source, value_node, at, _MAPPING_FIELDS, what="a mapping")
        extends = None
        if "extends" in fields:
            extends = source.one_of(fields["extends"], f"{at}.extends", PRESET_NAMES, "preset")
        columns = _parse_columns(source, fields.get("columns"), f"{at}.columns")
        if extends is None:
            if not columns:
                source.fail(
                    value_node,
                    f"{at}.columns",
                    "missing 'columns': map the file's column headers to lead fields, e.g. "
                    "`columns: {会社名: company, メール: email}` (or write `extends: isdesk`)",
                )
            if not {"email", *PHONE_FIELDS} & {target for _, target in columns}:
                source.fail(
                    fields["columns"],
                    f"{at}.columns",
                    "no column is mapped to email or phone, so no lead could be reached: "
                    "map at least one of them",
                )
        sources = stages = None
        if "sources" in fields:
            sources = _parse_values(source, fields["sources"], f"{at}.sources", None)
        if "stages" in fields:
            stages = _parse_values(source, fields["stages"], f"{at}.stages", LEAD_STATUSES)
        date_format = None
        if "date_format" in fields:
            date_format = _parse_date_format(source, fields["date_format"], f"{at}.date_format")
        found[name] = CustomMapping(
            name, columns, extends, sources, stages, date_format, source.line(key_node)
        )
    return MappingProxyType(found)


def _parse_columns(
    source: Source, node: yaml.Node | None, path: str
) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    columns: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for header, key_node, value_node in pairs(source, node, path, "a column -> field mapping"):
        at = f"{path}.{header}"
        header = source.text(key_node, at)
        folded = header_key(header)
        if folded in seen:
            source.fail(
                key_node,
                at,
                f"'{header}' is the same column as '{seen[folded]}' (headers are compared "
                "ignoring case, width and spaces): keep one",
            )
        seen[folded] = header
        target = source.one_of(value_node, at, IMPORT_FIELDS, what="lead field")
        columns.append((header, target))
    return tuple(columns)


def _parse_values(
    source: Source, node: yaml.Node, path: str, allowed: tuple[str, ...] | None
) -> ValueMap:
    values: dict[str, str] = {}
    other: str | None = None
    written: dict[str, str] = {}
    for value, key_node, value_node in pairs(source, node, path, "a value -> value mapping"):
        at = f"{path}.{value}"
        if value == _OTHER:
            target = source.text(value_node, at)
            if target != KEEP and allowed is not None:
                target = source.one_of(value_node, at, (*allowed, KEEP), what="status")
            other = target
            continue
        value = source.text(key_node, at)
        folded = value_key(value)
        if folded in written:
            source.fail(
                key_node,
                at,
                f"'{value}' is the same value as '{written[folded]}' (compared ignoring case, "
                "width and spaces): keep one",
            )
        written[folded] = value
        if allowed is not None:
            values[folded] = source.one_of(value_node, at, allowed, what="status")
        else:
            values[folded] = source.text(value_node, at)
    return ValueMap(MappingProxyType(values), other)


def _parse_date_format(source: Source, node: yaml.Node, path: str) -> str:
    written = source.text(node, path)
    sample = dt.datetime(2026, 11, 23, 14, 5, 9)
    try:
        back = dt.datetime.strptime(sample.strftime(written), written)
    except ValueError as exc:
        source.fail(
            node,
            path,
            f"{written!r} is not a date format isdesk can read back ({exc}): write strptime "
            'codes, e.g. "%Y/%m/%d %H:%M" or "%Y年%m月%d日"',
        )
    if back.date() != sample.date():
        source.fail(
            node,
            path,
            f"{written!r} does not name a whole date: include the year, month and day (%Y, %m, %d)",
        )
    return written
