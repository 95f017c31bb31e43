"""The editor and the validator agree: the committed JSON Schemas, checked by a real JSON Schema validator.

VS Code's YAML extension (npm `yaml-language-server`) checks a ledger against schema/*.schema.json while
a clerk types. These tests put every example ledger through the committed schemas with `jsonschema`
(Draft 2020-12) and hold them to `rectify validate`: every valid file is accepted, and every finding in
tests/cases/invalid that JSON Schema can express is flagged at the validator's line. What the schema
cannot say is listed in GAPS with the reason, and asserted to pass, so the list cannot go stale.

The YAML is read the way the editor reads it: YAML 1.2's core schema (the language server's default),
where `yes`, `on` and `2025-01-01` are strings and only true/false are booleans. `yaml.safe_load`
would read YAML 1.1 and turn `team: yes` into True, which the editor never sees. `format: date` is
not asserted (no format checker): the language server checks it with a loose regular expression that
the schema's own date `pattern` already exceeds.

`jsonschema` here checks the schemas as JSON Schema, over every valid ledger too; tests/test_editor_server.py
drives the language server itself (tools/editor) and holds its messages and lines to the validator's, with
the GAPS and MOVED named here. Both accept 25.0 as an integer and neither sees quoting, so the gaps are the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from generator.loading import layout
from generator.loading.schemacheck import check_model
from generator.loading.yamlio import LoadError, parse_document
from generator.model.schema import SCHEMAS
from generator.model.vocabulary import EntryType

from .conftest import CASES, ROOT

SCHEMA_FOLDER = ROOT / "schema"
SCHEMA_CODES = {"E107", "E108", "E201", "E202", "E203", "E204", "E205", "E206", "E207"}

# Findings of tests/cases/invalid that JSON Schema cannot flag, and why.
GAPS = {
    "E108-ambiguous-scalar": {
        "ecology-env/STHJ-2026-001.yml:6 E108": "2025-01-01 is a string in YAML 1.2, the same as the quoted one",
        "ecology-env/STHJ-2026-001.yml:10 E108": "on is a string in YAML 1.2, the same as the quoted \"on\"",
        "ecology-env/STHJ-2026-001.yml:11 E108": "no is a string in YAML 1.2, the same as the quoted \"no\"",
    },
    "E203-non-decimal-number": {
        "ecology-env/STHJ-2026-001.yml:33 E203": "050 is the integer 50 in YAML 1.2; only the written text shows it",
        "ecology-env/STHJ-2026-002.yml:33 E203": "0x19 is the integer 25 in YAML 1.2; only the written text shows it",
    },
}
# Findings the schema flags on another line than the validator: without a `type`, no entry type's
# keys apply, so the editor reports the missing `type` at the entry instead of the misspelt key.
MOVED = {
    "E202-misspelt-entry-type": {
        "ecology-env/STHJ-2026-001.yml:20 E202": 19,
        "ecology-env/STHJ-2026-001.yml:25 E202": 24,
    },
}


# ---------------------------------------------------------------- YAML as the editor reads it


class EditorLoader(yaml.SafeLoader):
    """YAML 1.2 core schema: no yes/no/on/off booleans, no timestamps, no sexagesimal numbers."""

    yaml_implicit_resolvers: dict = {}


for tag, pattern, first in (
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
):
    EditorLoader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(pattern), first)


def _scalar(node: yaml.ScalarNode) -> Any:
    kind, text = node.tag.rsplit(":", 1)[-1], node.value
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        return int(text[2:], 8) if text.startswith("0o") else int(text[2:], 16) if text.startswith("0x") else int(text)
    if kind == "float":
        special = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
        return special.get(text.lower(), None) if text.lower() in special else float(text)
    return text


class EditorView:
    """A file's values as the editor sees them, and the line of every value (its key's line if it has one)."""

    def __init__(self, raw: bytes):
        self.lines: dict[tuple, int] = {}
        root = yaml.compose(raw, Loader=EditorLoader)
        self.data = self._build(root, (), 1)

    def _build(self, node: yaml.Node, path: tuple, line: int) -> Any:
        self.lines[path] = line
        if isinstance(node, yaml.MappingNode):
            return {k.value: self._build(v, (*path, k.value), k.start_mark.line + 1) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*path, i), item.start_mark.line + 1) for i, item in enumerate(node.value)]
        return _scalar(node)


# ---------------------------------------------------------------- the committed schemas


def schema_name(path: PurePosixPath) -> str:
    """Which schema a ledger file is checked against, by where it lies in the ledger folder."""
    registries = {layout.PORTAL: "portal", layout.DEPARTMENTS: "departments", layout.INDICATORS: "indicators"}
    if len(path.parts) == 1:
        return registries[path.name]
    return "inspection" if path.parts[0] == layout.INSPECTIONS else "problem"


def committed_schema(name: str) -> dict:
    return json.loads((SCHEMA_FOLDER / f"{name}.schema.json").read_text(encoding="utf-8"))


VALIDATORS = {name: Draft202012Validator(committed_schema(name)) for name in SCHEMAS}


def flagged_lines(raw: bytes, name: str) -> set[int]:
    """The lines the schema flags in a file: each error's value, and each key that is not allowed."""
    view = EditorView(raw)
    lines = set()
    for error in VALIDATORS[name].iter_errors(view.data):
        path = tuple(error.absolute_path)
        lines.add(view.lines[path])
        if error.validator == "additionalProperties":
            lines.update(view.lines[(*path, key)] for key in error.instance if key not in error.schema["properties"])
    return lines


def ledger_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yml") if p.name != "case.yml")


# ---------------------------------------------------------------- valid ledgers are accepted


VALID_FOLDERS = [CASES / "base", ROOT / layout.LEDGERS,
                 *sorted(p / "ledger" for p in (CASES / "valid").iterdir() if p.is_dir())]


@pytest.mark.parametrize("folder", VALID_FOLDERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_schema_accepts_every_valid_ledger_file(folder: Path) -> None:
    for path in ledger_files(folder):
        relative = PurePosixPath(path.relative_to(folder).as_posix())
        assert flagged_lines(path.read_bytes(), schema_name(relative)) == set(), relative


# ---------------------------------------------------------------- invalid cases are flagged


def expectations(case: Path) -> list[tuple[str, int, str]]:
    spec = yaml.safe_load((case / "case.yml").read_text(encoding="utf-8"))
    # a file that is not YAML gets the editor's syntax error only; validate still reads its values (issue 19)
    unparsable = {line.split()[0].rsplit(":", 1)[0] for line in spec["expect"] if line.split()[1] == "E101"}
    found = []
    for line in spec["expect"]:
        where, code = line.split()
        file, number = where.rsplit(":", 1)
        if code in SCHEMA_CODES and file not in unparsable:
            found.append((file, int(number), code))
    return found


SCHEMA_CASES = [case for case in sorted((CASES / "invalid").iterdir()) if case.is_dir() and expectations(case)]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda p: p.name)
def test_schema_flags_every_finding_json_schema_can_express(case: Path) -> None:
    gaps, moved = GAPS.get(case.name, {}), MOVED.get(case.name, {})
    for file, line, code in expectations(case):
        finding = f"{file}:{line} {code}"
        flagged = flagged_lines((case / "ledger" / file).read_bytes(), schema_name(PurePosixPath(file)))
        if finding in gaps:
            assert line not in flagged, f"{finding} is flagged now: remove it from GAPS ({gaps[finding]})"
        else:
            assert moved.get(finding, line) in flagged, f"{finding} is not flagged by the schema (flagged: {flagged})"


def test_gaps_and_moved_findings_name_real_expectations() -> None:
    for table in (GAPS, MOVED):
        for case, findings in table.items():
            expected = {f"{file}:{line} {code}" for file, line, code in expectations(CASES / "invalid" / case)}
            assert set(findings) <= expected, case


# ---------------------------------------------------------------- the editor and the validator, value by value


PROBLEM = (CASES / "valid" / "quoted-yaml-words" / "ledger" / "ecology-env" / "STHJ-2026-001.yml").read_text(
    encoding="utf-8")
ENTRY = "log:\n  - date: 2026-11-05\n    type: progress\n    step: implement\n    percent: {percent}\n    summary: 推进。\n"


def edited(old: str, new: str) -> str:
    assert old in PROBLEM
    return PROBLEM.replace(old, new)


def validator_accepts(text: str) -> bool:
    """What `rectify validate` says of one problem file alone: reading it, then its schema."""
    try:
        document = parse_document(text.encode("utf-8"), PurePosixPath("ecology-env/STHJ-2026-001.yml"), "x.yml")
    except LoadError:
        return False
    return not check_model(document, SCHEMAS["problem"])[1]


def schema_accepts(text: str) -> bool:
    return not flagged_lines(text.encode("utf-8"), "problem")


AGREED = {
    "real date": (edited("deadline: 2027-06-30", "deadline: 2027-06-30"), True),
    "leap day": (edited("deadline: 2027-06-30", "deadline: 2028-02-29"), True),
    "leap day of a 400th year": (edited("deadline: 2027-06-30", "deadline: 2000-02-29"), True),
    "30 February": (edited("deadline: 2027-06-30", "deadline: 2027-02-30"), False),
    "29 February of a common year": (edited("deadline: 2027-06-30", "deadline: 2026-02-29"), False),
    "29 February of a century": (edited("deadline: 2027-06-30", "deadline: 2100-02-29"), False),
    "31 April": (edited("deadline: 2027-06-30", "deadline: 2027-04-31"), False),
    "month 13": (edited("deadline: 2027-06-30", "deadline: 2027-13-01"), False),
    "one-digit month": (edited("deadline: 2027-06-30", "deadline: 2027-6-30"), False),
    "date as a number": (edited("deadline: 2027-06-30", "deadline: 20270630"), False),
    "integer percent": (PROBLEM + ENTRY.format(percent="25"), True),
    "percent true": (PROBLEM + ENTRY.format(percent="true"), False),
    "percent as text": (PROBLEM + ENTRY.format(percent='"25"'), False),
    "percent over 100": (PROBLEM + ENTRY.format(percent="101"), False),
    "text of spaces": (edited('team: "on"', 'team: "   "'), False),
    "text that is a number": (edited('team: "on"', "team: 1.10"), False),
    "quoted yes": (edited('team: "on"', 'team: "yes"'), True),
    "entry key of another type": (PROBLEM + ENTRY.format(percent="25") + "    outcome: rebound\n", False),
}
# Accepted by the editor, rejected by `rectify validate`: the schema sees the value, not how it was written.
NOT_EXPRESSIBLE = {
    "unquoted yes": edited('team: "on"', "team: yes"),
    "unquoted off": edited('team: "on"', "team: off"),
    "unquoted date as text": edited('name: "2025-01-01"', "name: 2025-01-01"),
    "percent 25.0": PROBLEM + ENTRY.format(percent="25.0"),
}


@pytest.mark.parametrize("name", AGREED)
def test_editor_and_validator_agree(name: str) -> None:
    text, valid = AGREED[name]
    assert validator_accepts(text) is valid
    assert schema_accepts(text) is valid


@pytest.mark.parametrize("name", NOT_EXPRESSIBLE)
def test_what_the_schema_cannot_say(name: str) -> None:
    text = NOT_EXPRESSIBLE[name]
    assert not validator_accepts(text)
    assert schema_accepts(text), f"the schema rejects {name!r} now: update GAPS and generator/model/jsonschema.py"


# ---------------------------------------------------------------- what the clerk reads


def _chinese(text: object) -> bool:
    return isinstance(text, str) and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_key_model_and_value_has_a_chinese_title_and_description(name: str) -> None:
    schema = committed_schema(name)
    Draft202012Validator.check_schema(schema)
    for path, node in _walk(schema):
        if "/if" in path:
            continue  # a condition (a log entry's branch, "every key is known"): nothing a clerk reads
        for key, prop in (node.get("properties") or {}).items():
            # pydantic drops a field's title where the model it refers to has the same one
            referred = schema["$defs"][prop["$ref"].rsplit("/", 1)[-1]] if "$ref" in prop else {}
            title = prop.get("title", referred.get("title"))
            assert _chinese(title) and _chinese(prop.get("description")), f"{path}/properties/{key}"
        if node.get("enum") == [] and _chinese(node.get("errorMessage")):
            continue  # the failing end of a check (`then`), there only to carry the validator's message
        for choice in node.get("oneOf") or []:
            if "const" in choice:
                assert _chinese(choice.get("title")) and _chinese(choice.get("description")), f"{path}: {choice}"
        if "properties" in node and "title" in node:
            assert _chinese(node.get("title")), f"{path} has the title {node.get('title')!r}"
        if "enum" in node:  # completion and hover show each value's label
            labels = [*node.get("enumDescriptions", []), *node.get("markdownEnumDescriptions", [])]
            assert len(labels) == 2 * len(node["enum"]) and all(map(_chinese, labels)), f"{path}: unlabelled values"


def test_a_log_entry_offers_the_keys_of_its_type_only() -> None:
    schema = committed_schema("problem")
    entry = schema["properties"]["log"]["items"]
    assert set(entry["properties"]) == {"type"} and "discriminator" not in entry
    offered = entry["properties"]["type"]["enum"]
    assert offered == [term.value for term in EntryType]
    branches = [check for check in entry["allOf"] if "$ref" in check.get("then", {})]
    for branch, term in zip(branches, EntryType, strict=True):
        assert branch["if"]["properties"]["type"] == {"const": term.value}
        model = schema["$defs"][branch["then"]["$ref"].rsplit("/", 1)[-1]]
        assert model["title"] == term.label
        assert model["properties"]["type"]["const"] == term.value
