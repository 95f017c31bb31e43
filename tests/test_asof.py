"""The ledger as of a day: nothing after the day is in it, and nothing on record by then is missing from it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.derivation.asof import ledger_at
from generator.derivation.campaign import campaign_of
from generator.derivation.state import state_of
from generator.validation.report import validate
from generator.writing.build import build

from .conftest import AS_OF, ROOT

START = dt.date(2025, 2, 18)  # the sample's campaign_start


@pytest.fixture(scope="module")
def sample():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid()
    return report.ledger


days = st.dates(min_value=START, max_value=AS_OF)


@settings(max_examples=60, deadline=None)
@given(day=days)
def test_the_view_at_a_day_derives_what_the_full_log_says_for_that_day(sample, day: dt.date) -> None:
    view = ledger_at(sample, day)
    thresholds = sample.portal.thresholds
    shown = {item.problem.id: item.problem for item in view.problems}
    for item in sample.problems:
        problem = item.problem
        if problem.opened > day:
            assert problem.id not in shown
            continue
        cut = shown[problem.id]
        assert all(entry.date <= day for entry in cut.log)
        assert all(m.done is None or m.done <= day for m in cut.milestones)
        assert [e for e in problem.log if e.date <= day] == list(cut.log)
        assert state_of(cut, day, thresholds).status == state_of(problem, day, thresholds).status
    assert all(i.inspection.date <= day for i in view.inspections)
    assert all(v.date <= day for indicator in view.indicators for v in indicator.values)


@settings(max_examples=40, deadline=None)
@given(day=days)
def test_a_problem_opened_after_the_day_is_nowhere_in_its_figures(sample, day: dt.date) -> None:
    campaign = campaign_of(ledger_at(sample, day), day)
    later = {item.problem.id for item in sample.problems if item.problem.opened > day}
    assert not later & {row.problem.id for row in campaign.rows}
    assert len(campaign.rows) == len(sample.problems) - len(later)


@pytest.mark.parametrize("day", [dt.date(2025, 3, 31), dt.date(2026, 3, 31)], ids=str)
def test_a_problem_opened_after_the_day_appears_in_no_output(tmp_path: Path, sample, day: dt.date) -> None:
    later = sorted(item.problem.id for item in sample.problems if item.problem.opened > day)
    assert later, "the sample should have problems opened after this day"
    docs = tmp_path / "docs"
    build(ROOT / "ledgers", docs, day, "test", AS_OF)
    for path in docs.rglob("*"):
        # the filing guide names STHJ-2026-001 as an example of a file name, and the Excel guide quotes the import's
        # messages on the sample as examples (tests/test_excel_guide.py runs them): examples, not problems
        if path.is_file() and path.suffix in (".md", ".html", ".csv", ".json") \
                and path.name not in ("guide.md", "excel-guide.md"):
            text = path.read_text(encoding="utf-8")
            leaked = [pid for pid in later if pid in text]
            assert not leaked, f"{path.relative_to(docs)} mentions {leaked[:3]}, opened after {day}"
    index = json.loads((docs / "data" / "finder.json").read_text(encoding="utf-8"))
    assert len(index["problems"]) == len(sample.problems) - len(later)
