"""Example-folder tests: every folder under tests/cases/valid and tests/cases/invalid is a test case.

A case is `case.yml` (what it shows, and for invalid cases the findings it must produce, as
`FILE:LINE CODE` with FILE relative to the ledger folder) plus a `ledger/` folder laid over the base
ledger in tests/cases/base. Dropping a new folder in is enough to add a test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.loading.yamlio import read_document
from generator.model.findings import CODES
from generator.validation.report import format_text, validate

from .conftest import AS_OF, CASES, materialize

VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


def findings_of(root: Path) -> tuple[set[str], str]:
    report = validate(root, AS_OF)
    found = set()
    for f in report.findings:
        relative = Path(f.file).relative_to(root.resolve()).as_posix()
        found.add(f"{relative}:{f.line} {f.code}")
    return found, format_text(report)


def spec_of(case: Path) -> dict:
    return read_document(case / "case.yml").data


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_has_no_findings(case: Path, tmp_path: Path) -> None:
    found, text = findings_of(materialize(case, tmp_path))
    assert found == set(), text


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exactly_its_findings(case: Path, tmp_path: Path) -> None:
    expected = set(spec_of(case)["expect"])
    assert expected, "an invalid case must name the findings it produces"
    found, text = findings_of(materialize(case, tmp_path))
    assert found == expected, text


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_messages_are_chinese_and_point_at_a_file(case: Path, tmp_path: Path) -> None:
    report = validate(materialize(case, tmp_path), AS_OF)
    for finding in report.findings:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in finding.message), finding
        assert finding.line >= 1 and finding.column >= 1
        assert "Traceback" not in finding.message


def test_every_code_has_an_invalid_case() -> None:
    from generator.review import history, ownership
    from generator.validation import codeowners
    from generator.validation.rules import published

    covered = {line.split()[-1] for case in INVALID for line in spec_of(case)["expect"]}
    # a change judged against a base commit has its cases as commits, in tests/test_checks.py; E34x compare the
    # committed weekly snapshots with the ledger: tests/test_snapshots.py and test_history_attacks.py have their examples
    against_base = {*history.CODES, *ownership.CODES, *codeowners.CODES}
    missing = sorted(set(CODES) - covered - {"X001", *published.CODES} - against_base)
    assert not missing, f"codes without an example in tests/cases/invalid: {missing}"


def test_base_ledger_is_valid(base_ledger: Path) -> None:
    found, text = findings_of(base_ledger)
    assert found == set(), text
