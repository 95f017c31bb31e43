"""The build of the portal into docs/ (`rectify build`, `site` and `serve`): validate against today, cut the
ledger to the as-of date, derive, render, write.

Nothing valid is lost: after writing, the build checks that every problem on record on the as-of
date became exactly one problem page, one finder entry and one row of each download, and fails
where one did not.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..derivation.campaign import Campaign, campaign_of
from ..derivation.rulebook import RuleBook, current_only, rulebook_of
from ..derivation.site import NOT_DERIVED, Part, Site, site_of
from ..loading.ledger import ParsedFiles
from ..loading.portalhistory import read_portal_history
from ..loading.tree import commit_on
from ..parallel import collector_paused
from ..rendering import families, urls
from ..validation.report import Report, validate
from ..validation.rules.published import published_history
from .writer import Writer


class BuildError(Exception):
    """The build cannot publish; the message says why, in Chinese."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


class AsOfError(BuildError):
    """The as-of date is outside the campaign (before its start or after today): a usage error."""


@dataclass(frozen=True)
class BuildResult:
    site: Site
    pages: int
    problem_pages: int

    @property
    def campaign(self) -> Campaign:
        return self.site.campaign

    @property
    def warnings(self) -> list[str]:
        return self.site.warnings


def check_as_of(as_of: dt.date, today: dt.date, campaign_start: dt.date | None) -> None:
    """Raise AsOfError unless the portal can report on `as_of`: a day from the campaign start to today."""
    refusal = clock.unreportable(as_of, today, campaign_start)
    if refusal is not None:
        raise AsOfError(refusal)


def build(ledgers: Path, docs: Path, as_of: dt.date, commit: str | None = None,
          today: dt.date | None = None, stitch: bool = True,
          problem_pages_written: Callable[[], None] | None = None, rule_history: bool = True,
          git_history: bool = True, site_url: str = "", memo: ParsedFiles | None = None) -> BuildResult:
    """`stitch=False` writes the problem pages as Markdown for MkDocs to render (the live preview) instead
    of HTML content for the publisher to write into the page shell. `problem_pages_written` is called once
    every problem page is in docs/problems/ (and no stale one), while the rest is still being written.
    `rule_history=False` builds every period's report with today's portal.yml instead of the rules git
    records for its day, and `git_history=False` leaves the git history of the snapshots unread (the golden
    output, which must not depend on the clone it is built in); the site says so. `site_url` is the published
    address, which makes the feeds' links absolute. `memo` (loading/ledger.py ParsedFiles) is filled with the
    problem files as loaded, for an incremental build to start from (writing/incremental.py)."""
    with collector_paused():
        return _build(ledgers, docs, as_of, commit, today, stitch, problem_pages_written, rule_history, git_history,
                      site_url, memo)


def rules_through_time(ledgers: Path, portal, today: dt.date) -> RuleBook:
    """portal.yml's report rules as git records them through time, today's file the newest."""
    return rulebook_of(read_portal_history(ledgers, portal.city), portal, today)


def _build(ledgers: Path, docs: Path, as_of: dt.date, commit: str | None, today: dt.date | None, stitch: bool,
           problem_pages_written: Callable[[], None] | None, rule_history: bool, git_history: bool,
           site_url: str, memo: ParsedFiles | None = None) -> BuildResult:
    today = today or clock.today()
    check_as_of(as_of, today, None)
    report = validate(ledgers, today, memo=memo)
    if not report.valid():
        raise BuildError(f"台账校验未通过（{len(report.errors)} 个错误），门户没有生成。", report)
    check_as_of(as_of, today, report.ledger.portal.campaign_start)
    portal = report.ledger.portal
    rules = rules_through_time(ledgers, portal, today) if rule_history else current_only(portal)
    # the site context, derived before any output; its two costly parts where they are read (derivation/site.py)
    site = site_of(campaign_of(report.ledger, as_of), rules, history=NOT_DERIVED, derive=frozenset(),
                   site_url=site_url, today=today)
    # the ledger's version on the as-of day, not today's: a portal built for a past day is a view of that day
    commit = commit_on(ledgers, as_of) if commit is None else commit
    # the families that read neither the cycle nor the history check are written in a forked process at once
    late = families.reading(frozenset({Part.CYCLE, Part.HISTORY}))
    early = _writer(docs, site, commit, stitch).start(families.outputs(site, [f for f in families.FAMILIES
                                                                         if f not in late]))
    # the published history is checked on every build, against today's (valid) ledger and the git history of
    # the snapshots; a discrepancy does not stop the build, the portal shows it publicly (history.md, the home
    # page, the feed and a notice on each problem concerned)
    site = site.with_history(published_history(report.ledger, ledgers, until=as_of, today=today, git=git_history))
    # the problem pages here, the rest in another process, which derives the cycle there; the full-text index
    # can start on the problem pages sooner
    here = [f for f in late if f.per is families.Per.PROBLEM]
    written = _writer(docs, site, commit, stitch).write_all(
        families.outputs(site, here), apart=families.outputs(site, [f for f in late if f not in here]),
        written=problem_pages_written, started=[early])
    _check_nothing_lost(site.campaign, docs, report, ".html" if stitch else ".md")
    problem_pages = sum(1 for p in written.pages if p.startswith(urls.PROBLEMS_FOLDER + "/") and p != urls.PROBLEM_SHELL)
    return BuildResult(site, len(written.pages), problem_pages)


def rewrite(site: Site, docs: Path, keys: dict[str, set[str]], commit: str, stitch: bool = True) -> list[str]:
    """Write again only the outputs of `keys` (per family name) into a docs/ that a full build wrote: what an
    incremental build does once the families' declarations say what a change touches (`families.affected`)."""
    return _writer(docs, site, commit, stitch).write_only(families.outputs(site, keys=keys))


def _writer(docs: Path, site: Site, commit: str, stitch: bool) -> Writer:
    """What every page's template may read besides its own context: the portal's settings and dates."""
    return Writer(docs, {"portal": site.campaign.portal, "as_of": site.campaign.as_of, "commit": commit,
                         "generated_on": site.generated_on, "urls": urls}, stitch)


def _check_nothing_lost(campaign: Campaign, docs: Path, report: Report, suffix: str) -> None:
    """Every problem on record on the as-of date became one page, one finder entry and one row of each download."""
    ledger = report.ledger
    ids = [r.problem.id for r in campaign.rows]
    expected = sorted(item.problem.id for item in ledger.problems if item.problem.opened <= campaign.as_of)
    problems: list[str] = []
    if len(ledger.problems) != ledger.problem_files:
        problems.append(f"台账中有 {ledger.problem_files} 个问题文件，但只读出了 {len(ledger.problems)} 个问题")
    if sorted(ids) != expected:
        problems.append(f"截至 {campaign.as_of} 应有 {len(expected)} 个问题，实际计算了 {len(ids)} 个")
    shell = Path(urls.PROBLEM_SHELL).stem
    pages = {p.stem for p in (docs / urls.PROBLEMS_FOLDER).glob(f"*{suffix}")} - {shell}
    missing = sorted(set(ids) - pages)
    if missing or len(pages) != len(ids):
        problems.append(f"问题页面数 {len(pages)} 与问题数 {len(ids)} 不符；缺少：{'、'.join(missing[:20])}")
    finder = json.loads((docs / urls.data("finder.json")).read_text(encoding="utf-8"))
    if sorted(p[0] for p in finder["problems"]) != sorted(ids):
        problems.append("问题查询的数据与台账不一致")
    with (docs / urls.data("problems.csv")).open(encoding="utf-8-sig", newline="") as handle:
        csv_ids = [line[0] for line in list(csv.reader(handle))[1:]]
    if sorted(csv_ids) != sorted(ids):
        problems.append("CSV 下载文件中的问题与台账不一致")
    downloads = json.loads((docs / urls.data("problems.json")).read_text(encoding="utf-8"))
    if sorted(p["id"] for p in downloads["problems"]) != sorted(ids):
        problems.append("JSON 下载文件中的问题与台账不一致")
    if problems:
        raise BuildError("生成结果不完整，已停止发布：" + "；".join(problems) + "。")
