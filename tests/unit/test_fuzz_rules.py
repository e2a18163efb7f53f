"""Fuzzing rules.yaml: whatever a team lead saves, isdesk answers with a RulesError that says
file:line: key: what to fix, or with Rules. Never another exception, never a crash, never a hang.

Three kinds of input: arbitrary text and bytes; the shipped rules.yaml with structured
mutations (a key dropped, duplicated or renamed, a value of another type, lists reordered,
strange unicode, tabs, deep nesting, huge numbers); and YAML features a rules file has no use
for (anchors and aliases, tags such as !!python/object), which must be refused, not obeyed.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from isdesk.rules import DEFAULT_RULES, Rules, RulesError, load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = DEFAULT_RULES.read_text(encoding="utf-8")
SHIPPED_DATA: dict[str, Any] = yaml.safe_load(SHIPPED)
NAME = "team/rules.yaml"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check(text: str, filename: str = NAME) -> Rules | RulesError:
    """parse_rules's answer; any exception but RulesError fails the test (with the input)."""
    try:
        return parse_rules(text, filename)
    except RulesError as error:
        assert_located(error, filename)
        return error


def assert_located(error: RulesError, filename: str) -> None:
    message = str(error)
    assert isinstance(error.line, int) and error.line >= 1, message
    assert message.startswith(f"{filename}:{error.line}: "), message
    assert error.key and error.message, message


# --- (a) arbitrary text and bytes ------------------------------------------------------------

YAMLISH = st.sampled_from(
    [":", " ", "  ", "\t", "\n", "- ", "[", "]", "{", "}", ",", "#", "&a ", "*a", "!!int ",
     "!!python/object:os.system ", "'", '"', "|", ">", "? ", "---", "...", "%YAML 1.1",
     "version: 1\n", "hearing:\n", "ranks:\n", "\x00", "\ufeff", "\u3000", "9" * 40]
)  # fmt: skip


@FUZZ
@given(st.one_of(st.text(), st.lists(st.one_of(YAMLISH, st.text(max_size=5))).map("".join)))
def test_any_text_is_rules_or_a_located_error(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_in_the_file_are_rules_or_a_located_error(
    tmp_path_factory: Any, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_bytes(data)
    try:
        load_rules(path)
    except RulesError as error:
        assert_located(error, str(path))


# --- (b) structured mutations of the shipped rules.yaml --------------------------------------


def _paths(node: Any, at: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys / indexes) to a value in a loaded YAML tree."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


def _get(tree: Any, path: tuple) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _set(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


STRANGE_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "\t", "すべて", "١٢٣", "שלום", "👩‍💻", "e\u0301", "\x1b[31m",
                     "A" * 300, "always", "any", "null", "~", "yes", "no", "on", "0x1F", "1e400",
                     "-1"]),
)  # fmt: skip
SCALARS = st.one_of(
    STRANGE_TEXT,
    st.booleans(),
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 2**63, float("inf"), float("nan"), 1.5]),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(STRANGE_TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"not": value}
    return value


@st.composite
def mutated_tree(draw: st.DrawFn) -> Any:
    tree = copy.deepcopy(SHIPPED_DATA)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = draw(st.sampled_from(paths))
        target = _get(tree, path)
        action = draw(
            st.sampled_from(["drop", "retype", "unknown", "swap", "deep", "huge", "text"])
        )
        if action == "drop" and path:
            container = _get(tree, path[:-1])
            del container[path[-1]]
        elif action == "retype":
            tree = _set(tree, path, draw(VALUES))
        elif action == "unknown" and isinstance(target, dict):
            target[draw(STRANGE_TEXT)] = draw(VALUES)
        elif action == "swap" and isinstance(target, list) and len(target) > 1:
            i, j = draw(st.permutations(range(len(target))))[:2]
            target[i], target[j] = target[j], target[i]
        elif action == "deep":
            tree = _set(tree, path, _deep(draw(st.integers(10, 400)), draw(SCALARS)))
        elif action == "huge":
            tree = _set(tree, path, draw(st.sampled_from([10**5000, 10**400, -(10**400)])))
        elif action == "text":
            tree = _set(tree, path, draw(STRANGE_TEXT))
    return tree


def _dump(tree: Any) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10**6)


@FUZZ
@given(mutated_tree())
def test_mutated_shipped_rules_are_rules_or_a_located_error(tree: Any) -> None:
    try:
        text = _dump(tree)
    except (ValueError, RecursionError):  # the dumper itself cannot write some huge ints
        assume(False)
    check(text)


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """Line-level edits of the shipped file: what a text editor (or a paste) can do to it."""
    lines = SHIPPED.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        edit = draw(st.sampled_from(
            ["duplicate", "delete", "tab", "unicode", "anchor", "tag", "truncate", "indent",
             "swap", "huge"]
        ))  # fmt: skip
        if edit == "duplicate":
            lines.insert(i, line)
        elif edit == "delete":
            del lines[i]
        elif edit == "tab":
            lines[i] = "\t" + line.lstrip() if draw(st.booleans()) else line.replace(": ", ":\t")
        elif edit == "unicode":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(STRANGE_TEXT) + line[at:]
        elif edit == "anchor":
            lines[i] = line.replace(": ", ": &x ", 1)
            lines.insert(min(i + 1, len(lines)), f"{indent}x{i}: *x")
            lines.append(draw(st.sampled_from(["alias: *x", "<<: *x", "extra: &y [*x, *x]"])))
        elif edit == "tag":
            tag = draw(st.sampled_from(
                ["!!python/object:os.system", "!!python/object/apply:os.system", "!!int",
                 "!!float", "!!binary", "!!set", "!!omap", "!!timestamp", "!custom", "!!str",
                 "!!python/name:builtins.eval", "!<tag:example.com,2000:x>"]
            ))  # fmt: skip
            lines[i] = line.replace(": ", f": {tag} ", 1) if ": " in line else f"{tag} {line}"
        elif edit == "truncate":
            lines[i] = line[: draw(st.integers(0, len(line)))]
        elif edit == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + line.lstrip()
        elif edit == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif edit == "huge":
            lines[i] = re.sub(r"\b\d+\b", "9" * draw(st.sampled_from([30, 4301, 6000])), line)
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated_text())
def test_edited_shipped_rules_are_rules_or_a_located_error(text: str) -> None:
    check(text)


# --- (c) YAML features no rules file needs, and inputs that used to break it ------------------

HEAD = "version: 1\n"
NASTY = {
    "python_tag": SHIPPED.replace("version: 1", "version: !!python/object/apply:os.system [1]"),
    "python_name": SHIPPED.replace("type: text", "type: !!python/name:os.system text", 1),
    "local_tag": SHIPPED.replace("ja: 課題感", "ja: !secret 課題感", 1),
    "int_tag_on_text": SHIPPED.replace("version: 1", "version: !!int abc"),
    "int_tag_on_blank": SHIPPED.replace("version: 1", "version: !!int ''"),
    "int_tag_bad_hex": SHIPPED.replace("version: 1", "version: !!int 0xZZ"),
    "huge_int": SHIPPED.replace("version: 1", "version: " + "9" * 5000),
    "alias": SHIPPED.replace("version: 1", "v: &v 1\nversion: *v"),
    "nested_aliases": HEAD
    + "a0: &a0 [x]\n"
    + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 30)),
    "deep_flow": HEAD + "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep_block": HEAD + "x:\n" + "".join(" " * i + "- \n" for i in range(2000)),
    "deep_condition": "when: ".join(SHIPPED.rsplit("when: always", 1)).replace(
        "when: \n", "when: " + "{not: " * 3000 + "{known: pain}" + "}" * 3000 + "\n"
    ),
    "nul": SHIPPED.replace("version: 1", "version: 1\x00"),
    "bom_inside": SHIPPED.replace("version: 1", "version: \ufeff1"),
    "only_comments": "# nothing here\n",
    "only_document_markers": "---\n...\n",
}


def _nested_alias_ranks(levels: int) -> str:
    """`when:` conditions that alias each other twice per level: 2**levels leaves."""
    head = SHIPPED.split("\nranks:")[0]
    ranks = "\nranks:\n  - rank: Z0\n    when: &c0 {known: pain}\n"
    for i in range(1, levels):
        ranks += f"  - rank: Z{i}\n    when: &c{i} {{all: [*c{i - 1}, *c{i - 1}]}}\n"
    return head + ranks + "  - rank: D\n    when: always\n"


NASTY["aliased_conditions"] = _nested_alias_ranks(30)


def test_nasty_inputs_are_refused_with_a_located_error() -> None:
    for name, text in NASTY.items():
        result = check(text)
        if name not in ("bom_inside",):
            assert isinstance(result, RulesError), f"{name} was accepted"


def test_tags_and_aliases_are_refused_not_obeyed() -> None:
    for name in ("python_tag", "python_name", "local_tag", "alias", "aliased_conditions"):
        error = check(NASTY[name])
        assert isinstance(error, RulesError)
        assert re.search(r"tag|alias|anchor", error.message), (name, str(error))


# --- the command line --------------------------------------------------------------------------


def _isdesk(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "isdesk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
        cwd=ROOT,
    )


def test_rules_check_exits_0_or_2_without_a_traceback(tmp_path: Path) -> None:
    files: dict[str, bytes] = {
        name: text.encode("utf-8", "surrogatepass") for name, text in NASTY.items()
    }
    files["shipped"] = SHIPPED.encode()
    files["random_bytes"] = bytes(range(256)) * 3
    files["utf16"] = SHIPPED.encode("utf-16")
    files["empty"] = b""
    runs = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(data)
        runs[name] = _isdesk("rules", "check", str(path))
    for name, process in runs.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode in (0, 2), (name, process.returncode, err[-2000:])
        assert "Traceback" not in out + err, (name, err[-2000:])
        if process.returncode == 2:
            assert re.search(rf"{re.escape(str(tmp_path))}/{name}\.yaml:\d+: ", err), (name, err)
    assert runs["shipped"].returncode == 0


def test_a_broken_rules_file_stops_isdesk_before_any_database_exists(tmp_path: Path) -> None:
    broken = tmp_path / "rules.yaml"
    broken.write_text(NASTY["alias"], encoding="utf-8")
    runs = {}
    for command in ("open", "import", "operator"):
        target = tmp_path / f"{command}.sqlite3"
        extra = {"open": [], "import": [str(broken)], "operator": ["list"]}[command]
        runs[command] = (target, _isdesk(command, *extra, "--db", f"sqlite:///{target}",
                                         "--rules", str(broken)))  # fmt: skip
    for command, (target, process) in runs.items():
        _, err = process.communicate(timeout=60)
        assert process.returncode == 2, (command, err)
        assert "rules error" in err and "Traceback" not in err, (command, err)
        assert not target.exists(), f"isdesk {command} created {target}"
        assert not list(tmp_path.glob(f"{command}.sqlite3*"))
