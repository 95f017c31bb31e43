"""Property tests: whatever a clerk types, the loader and the validator answer with findings, never a crash.

(a) any bytes or text given to the loader either load or raise LoadError;
(b) any YAML structure written as a problem file validates without raising, and each finding is well formed;
(c) any one change to a valid problem (a key dropped, a value replaced) gives findings inside that file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.loading.yamlio import Document, LoadError, dump, parse_document
from generator.model.findings import CODES, Finding
from generator.validation.report import validate

from .conftest import AS_OF, BASE, CASES

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROBLEM = "ecology-env/STHJ-2025-003.yml"
VALID_PROBLEM = CASES / "valid" / "full-lifecycle" / "ledger" / PROBLEM

# Characters that matter to YAML, so that random text often lands on its syntax.
YAML_ALPHABET = st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?<=~\\ \t\n\r") + ["\ufeff", "\x85", "\u2028"]) | st.sampled_from(
    list("abcnoyesNOtrue0123456789.") + ["id", "title", "log", "date", "2025-02-30", "中", "镇", "<<"])
text_chars = st.characters(blacklist_categories=("Cs",))


def is_chinese(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message)


def assert_well_formed(finding: Finding) -> None:
    assert finding.code in CODES, finding
    assert finding.line >= 1 and finding.column >= 1, finding
    assert is_chinese(finding.message), finding
    assert "Traceback" not in finding.message, finding


def load(raw: bytes) -> None:
    try:
        document = parse_document(raw, Path("ecology-env/STHJ-2025-003.yml"), "STHJ-2025-003.yml")
    except LoadError as exc:
        assert exc.findings
        for finding in exc.findings:
            assert_well_formed(finding)
    else:
        assert isinstance(document, Document)


# ---------------------------------------------------------------- (a) the loader


@SETTINGS
@given(st.binary(max_size=2000))
def test_loader_takes_any_bytes(raw: bytes) -> None:
    load(raw)


@SETTINGS
@given(st.text(text_chars, max_size=500))
def test_loader_takes_any_text(text: str) -> None:
    load(text.encode("utf-8"))


@SETTINGS
@given(st.lists(YAML_ALPHABET, max_size=200).map("".join))
def test_loader_takes_yaml_like_text(text: str) -> None:
    load(text.encode("utf-8"))


def test_loader_reports_deep_nesting() -> None:
    with pytest.raises(LoadError):
        parse_document(b"[" * 5000 + b"]" * 5000, Path("x.yml"), "x.yml")
    with pytest.raises(LoadError):
        parse_document(("a:\n" + "".join(" " * i + "- \n" for i in range(1, 3000))).encode(), Path("x.yml"), "x.yml")


# ---------------------------------------------------------------- (b) the validator on any structure

scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
           | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)) | st.text(text_chars, max_size=20)
           | st.sampled_from(["no", "on", "1.10", "2025-02-30", "progress", "close", "review", "ecology-env",
                              "STHJ-2025-001", "13812345678", "a@b.cn", "~", "", "100"]))
keys = st.sampled_from(["id", "title", "category", "source", "kind", "name", "department", "cooperating",
                        "measures", "opened", "deadline", "supervision", "milestones", "due", "log", "date",
                        "type", "step", "percent", "summary", "evidence", "until", "outcome"]) | st.text(
    text_chars, max_size=8)
structures = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                          | st.dictionaries(keys, children, max_size=5), max_leaves=25)


@pytest.fixture(scope="module")
def ledger_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("properties") / "ledgers"
    shutil.copytree(BASE, root)
    return root


def validate_with(root: Path, text: str, name: str = PROBLEM) -> tuple[Path, list[Finding]]:
    """Validate the base ledger with one file replaced by `text`; the file is put back afterwards."""
    path = root / name
    path.write_text(text, encoding="utf-8")
    try:
        report = validate(root, AS_OF)
    finally:
        if (BASE / name).is_file():
            shutil.copyfile(BASE / name, path)
        else:
            path.unlink()
    return path, list(report.findings)


@SETTINGS
@given(structures, st.sampled_from([PROBLEM, "portal.yml", "departments.yml", "indicators.yml",
                                    "inspections/DC-2026-001.yml", "education/JY-2026-001.yml"]))
def test_validator_takes_any_structure(ledger_copy: Path, data: Any, name: str) -> None:
    _, findings = validate_with(ledger_copy, yaml.safe_dump(data, allow_unicode=True), name)
    for finding in findings:
        assert_well_formed(finding)


# ---------------------------------------------------------------- (c) one change to a valid problem


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


VALID = yaml.safe_load(VALID_PROBLEM.read_text(encoding="utf-8"))
PATHS = _paths(VALID)
small = st.recursive(scalars, lambda children: st.lists(children, max_size=3)
                     | st.dictionaries(keys, children, max_size=3), max_leaves=6)


def _mutated(path: tuple, replacement: Any, drop: bool) -> Any:
    data = yaml.safe_load(VALID_PROBLEM.read_text(encoding="utf-8"))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return data


def test_the_valid_problem_is_valid(ledger_copy: Path) -> None:
    _, findings = validate_with(ledger_copy, dump(VALID))
    assert findings == []


@SETTINGS
@given(st.sampled_from(PATHS), small, st.booleans())
def test_one_change_gives_findings_inside_the_file(ledger_copy: Path, path: tuple, replacement: Any,
                                                   drop: bool) -> None:
    text = dump(_mutated(path, replacement, drop))
    file, findings = validate_with(ledger_copy, text)
    lines = len(text.splitlines())
    for finding in findings:
        assert_well_formed(finding)
        assert Path(finding.file).resolve() == file.resolve(), finding
        assert 1 <= finding.line <= lines, (finding, text)
