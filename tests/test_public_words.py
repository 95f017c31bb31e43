"""The public's words on the public pages: no tool names (those stay in the staff's filing guide), no 上旬 that
could be read as days 1-10, overdue look-backs said as overdue, and a past day's portal that says it is one."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from generator.derivation.campaign import campaign_of
from generator.derivation.lookback import lookback
from generator.derivation.site import site_of
from generator.loading.tree import commit_on as commit_on_day
from generator.rendering import urls
from generator.validation.report import validate
from generator.writing.build import build

from .conftest import AS_OF, ROOT
from .test_rule_history import commit_on, git

D = dt.date

# Words of the tools behind the portal: the filing guides (填报指南, 用 Excel 填报进展) are for department staff and may use them,
# no page the public reads may.
TOOL_WORDS = re.compile(r"portal\.yml|departments\.yml|rectify|yaml|\bgit\b", re.IGNORECASE)
STAFF_PAGES = {urls.GUIDE, urls.EXCEL_GUIDE}


def public_pages(docs: Path) -> list[Path]:
    return sorted(p for p in docs.rglob("*") if p.suffix in (".md", ".html") and not p.name.startswith(".")
                  and p.relative_to(docs).as_posix() not in STAFF_PAGES and "assets" not in p.parts)


def test_no_public_page_names_the_tools(sample_docs) -> None:
    pages = public_pages(sample_docs)
    named = {urls.HOME, urls.RULES, urls.REPORTS, urls.DOWNLOADS, urls.HISTORY, urls.FINDER, urls.LOOKBACK}
    assert named <= {p.relative_to(sample_docs).as_posix() for p in pages}
    assert any(p.parent.name == "monthly" for p in pages) and any(p.parent.name == "xun" for p in pages)
    found = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        hits = sorted({m.group(0) for m in TOOL_WORDS.finditer(text)})
        if hits:
            found[page.relative_to(sample_docs).as_posix()] = hits
    assert found == {}


def test_the_staff_guide_keeps_the_tools_and_explains_verifying(sample_docs) -> None:
    guide = (sample_docs / urls.GUIDE).read_text(encoding="utf-8")
    assert "rectify import" in guide and "{ #verify }" in guide and "rectify verify" in guide
    history = (sample_docs / urls.HISTORY).read_text(encoding="utf-8")
    assert "(guide.md#verify)" in history  # where the history page sends a reader who wants to check


def test_a_xun_report_compares_with_the_previous_xun_not_with_the_first_xun_of_the_month(sample_docs) -> None:
    reports = sorted((sample_docs / "reports" / "xun").glob("*.md"))
    with_marks = [r.read_text(encoding="utf-8") for r in reports if "完成度（" in r.read_text(encoding="utf-8")]
    assert with_marks
    for text in with_marks:
        assert "完成度（上一旬末→期末）" in text and "上旬末" not in text


@pytest.fixture(scope="module")
def sample():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid()
    return report.ledger, site_of(campaign_of(report.ledger, AS_OF)).cycle


def test_a_look_back_a_year_overdue_is_marked_overdue(sample, sample_docs) -> None:
    """SCJG-2025-003 was closed on 2025-08-08: its look-back was due on 2025-11-06 and never came."""
    ledger, _ = sample
    due = {d.row.problem.id: d for d in lookback(campaign_of(ledger, AS_OF)).due}
    late = due["SCJG-2025-003"]
    assert (late.due_on, late.late_days, late.overdue) == (D(2025, 11, 6), 383, True)
    page = (sample_docs / urls.LOOKBACK).read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "SCJG-2025-003/" in line and "2025-11-06" in line)
    assert 'rc-status--overdue">逾期</span> 383 天' in row  # the badge says its declared label, the days beside it
    overdue = sum(d.overdue for d in due.values())
    assert overdue and f"逾期未回头看 {overdue} 个" in page
    on_the_day = lookback(campaign_of(ledger, D(2025, 11, 6)))
    assert {d.row.problem.id: d.overdue for d in on_the_day.due}["SCJG-2025-003"] is False  # due today, not late


@pytest.mark.parametrize("key", ["2025-11-1", "2026-01-2", "2026-06-3", "2026-11-3"])
def test_a_xun_report_counts_the_look_backs_overdue_at_its_end(sample, sample_docs, key: str) -> None:
    """The 旬 report's 逾期未回头看 is what the look-back page would have said on the 旬's last day."""
    ledger, cycle = sample
    r = next(x for x in cycle.xuns if x.period.key == key)
    at_cut = lookback(campaign_of(ledger, r.cut))
    expected = sum(d.overdue for d in at_cut.due)
    assert r.city.lookbacks_overdue == expected
    assert expected == sum(f.lookbacks_overdue for f in r.departments.values())
    page = (sample_docs / urls.xun_report(key)).read_text(encoding="utf-8")
    assert f"逾期未回头看 {expected} 个" in page
    if key == "2025-11-1":  # SCJG-2025-003's look-back fell due on 2025-11-06, inside this 旬
        assert expected >= 1


def _repository(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The sample ledger committed on 2025-09-15, a progress entry on 2025-09-30 late in the city's evening
    (15:30 UTC), and another in the city's first hour of 2025-10-01 (still 2025-09-30 in UTC)."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    commits = {"0915": commit_on(repository, "2025-09-15T10:00:00+08:00", "sample ledger")}
    readme = repository / "README.md"
    readme.write_text("台账\n", encoding="utf-8")
    commits["0930"] = commit_on(repository, "2025-09-30T23:30:00+08:00", "evening of the 30th")
    readme.write_text("台账（更新）\n", encoding="utf-8")
    commits["1001"] = commit_on(repository, "2025-10-01T00:30:00+08:00", "just after midnight")
    return repository, commits


def test_the_ledger_version_of_a_past_day_is_the_last_commit_of_that_day_in_the_city(tmp_path) -> None:
    repository, commits = _repository(tmp_path)
    ledgers = repository / "ledgers"
    assert commit_on_day(ledgers, D(2025, 9, 14)) == ""  # nothing committed yet: no version to name
    assert commit_on_day(ledgers, D(2025, 9, 29)) == commits["0915"]
    assert commit_on_day(ledgers, D(2025, 9, 30)) == commits["0930"]
    assert commit_on_day(ledgers, D(2025, 10, 1)) == commits["1001"] == git(repository, "rev-parse", "--short=10",
                                                                             "HEAD")
    assert commit_on_day(tmp_path / "elsewhere", D(2025, 9, 30)) == ""  # not in a git checkout


def test_a_portal_built_for_a_past_day_says_so_and_names_that_days_version(tmp_path) -> None:
    """`rectify build --as-of 2025-09-30` run on 2026-12-03."""
    repository, commits = _repository(tmp_path)
    docs = tmp_path / "docs"
    build(repository / "ledgers", docs, D(2025, 9, 30), today=D(2026, 12, 3))
    notice = "本页为 2026年12月3日 生成的 2025年9月30日 历史视图"
    home = (docs / urls.HOME).read_text(encoding="utf-8")
    assert f"台账版本 `{commits['0930']}`" in home and commits["1001"] not in home
    assert notice in home.split("##")[0]  # at the top, beside the date, not only in the footer
    downloads = (docs / urls.DOWNLOADS).read_text(encoding="utf-8")
    assert f"台账版本 `{commits['0930']}`" in downloads and notice in downloads
    # and in every page's footer: the problem pages' HTML content is written into the shell page, which has it
    pages = [p for p in public_pages(docs) if p.suffix == ".md"]
    assert docs / urls.PROBLEM_SHELL in pages
    assert [p for p in pages if notice not in p.read_text(encoding="utf-8")] == []
    problem = (docs / urls.PROBLEMS_FOLDER / "FGW-2025-001.html").read_text(encoding="utf-8")
    assert notice in problem.split("<h2")[0]  # beside the date at the top of a page a search may land on


def test_a_portal_of_its_own_day_is_no_historical_view(sample_docs) -> None:
    assert all("历史视图" not in p.read_text(encoding="utf-8") for p in public_pages(sample_docs))
