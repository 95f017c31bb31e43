"""The site context: everything the portal shows, derived once from the ledger cut before any page is made.

Like Pelican, which runs every generator's `generate_context()` before any `generate_output(writer)`, the build
derives a `Site` and the page families (rendering/families/) only read it. A site holds the campaign (every
problem as of the date, with its state), portal.yml's report rules through time, what the home page links
to, and two costly parts derived only where a family reads them:

- `Part.CYCLE`: every 旬 report, monthly bulletin and the look-back (periods.py, lookback.py), about 3.5 s
  at 10,000 problems;
- `Part.HISTORY`: the check of the published weekly snapshots against today's ledger (made by
  validation/rules/published.py and handed in: validation sits above derivation).

A part not derived is `NOT_DERIVED`, which refuses every use: a family that reads a part it did not declare
fails at once instead of publishing a page without it. The build derives the history check in the main
process, which writes the problem pages, and the cycle in the forked process that writes the reports
(writing/writer.py), each once and before that process's first output.

`Part` also names what a site is made from (problem files, inspection records, departments.yml, portal.yml,
the published snapshots): the families declare what they read in these terms, and `ProblemChange` says what
one changed problem file touches, so that a rebuild knows which outputs to write again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..model import calendar
from ..model.calendar import Period
from ..model.schema import Problem
from ..model.vocabulary import Term
from . import periods
from .campaign import Campaign
from .lookback import LookBack, lookback
from .periods import Bulletin, Cycle
from .rulebook import RuleBook, current_only
from .snapshot import HistoryCheck


class Part(Term):
    """What a page family reads: the ledger's files, and the two parts of the site derived from them."""

    PROBLEMS = "problems", "问题文件（每个问题截至数据截至日期的记录和状态）"
    INSPECTIONS = "inspections", "督查记录"
    INDICATORS = "indicators", "整改指标"
    DEPARTMENTS = "departments", "部门名录（departments.yml）"
    CONFIG = "config", "门户设置（portal.yml：类别、步骤、亮灯阈值、通报规则）"
    SNAPSHOTS = "snapshots", "已发布的每周快照"
    CYCLE = "cycle", "旬督查报告、月度通报和回头看（由问题、督查记录、部门和通报规则算出）"
    HISTORY = "history", "历史记录核验（按现在的台账核对已发布的每周快照）"


# What each derived part is made from: a family reading a derived part reads these too.
MADE_FROM = {
    Part.CYCLE: frozenset({Part.PROBLEMS, Part.INSPECTIONS, Part.DEPARTMENTS, Part.CONFIG}),
    Part.HISTORY: frozenset({Part.PROBLEMS, Part.INSPECTIONS, Part.SNAPSHOTS}),
}


def sources(parts: frozenset[Part]) -> frozenset[Part]:
    """`parts` with what their derived parts are made from."""
    return parts.union(*(MADE_FROM.get(part, ()) for part in parts))


class _NotDerived:
    """A part of the site this process has not derived: any use of it is a family reading what it did not
    declare (rendering/families/), said here rather than published as an empty report or a clean history."""

    def _refuse(self, *_):
        raise RuntimeError("this page family reads a part of the site it does not declare in its `reads` "
                           "(rendering/families/)")

    __bool__ = __getattr__ = __iter__ = __len__ = __getitem__ = _refuse


NOT_DERIVED = _NotDerived()


@dataclass(frozen=True)
class Latest:
    """What the home page links to: the latest finished bulletin and 旬 report (the ones in progress while none
    has finished), and the 旬 in progress. Period arithmetic only: the home page needs no report's figures."""

    month: Period
    month_in_progress: bool
    number_text: str
    title: str
    xun: Period
    xun_in_progress: bool
    current_xun: Period | None  # the 旬 in progress, when `xun` is the finished one before it


def latest(campaign: Campaign) -> Latest:
    as_of, start = campaign.as_of, periods.cycle_start(campaign)
    xun, month = calendar.xun_of(as_of), calendar.month_of(as_of)
    current = xun if xun.end > as_of else None
    if xun.end > as_of and xun.start > start:
        xun = xun.previous
    if month.end > as_of and month.start > start:
        month = month.previous
    year, number = periods.bulletin_number(month, start)
    return Latest(month, month.end > as_of, f"〔{year}〕第 {number} 期", f"{month.label}问题整改工作通报",
                  xun, xun.end > as_of, current if current is not xun else None)


@dataclass(frozen=True)
class Site:
    """The input of every page, chart and data file of one build."""

    campaign: Campaign
    rules: RuleBook  # portal.yml's report rules through time: each period's report uses those of its day
    latest: Latest
    history: HistoryCheck | None = NOT_DERIVED  # None: no published snapshot to check
    cycle: Cycle = NOT_DERIVED
    bulletins: tuple[Bulletin, ...] = NOT_DERIVED
    lookback: LookBack = NOT_DERIVED
    # the portal's published address (mkdocs.yml's site_url, or SITE_URL): links that leave the site, as the
    # feeds' do, are absolute with it; "" when unknown (a local build), and they stay relative
    site_url: str = ""
    today: dt.date | None = None  # the day of the build; None where no portal is built (a test's site)

    @property
    def generated_on(self) -> dt.date | None:
        """The day a portal built for an earlier day was made: the pages say they are a historical view
        (本页为…生成的…历史视图). None when the site is of its own day."""
        return self.today if self.today is not None and self.today > self.campaign.as_of else None

    def with_history(self, check: HistoryCheck | None) -> Site:
        return dataclasses.replace(self, history=check)

    def with_cycle(self) -> Site:
        """The site with its supervision cycle: every 旬 report, bulletin and the look-back."""
        c = self.campaign
        cycle = periods.cycle(c, self.rules)
        bulletins = periods.bulletins(cycle.months, self.rules, [d.id for d in c.departments],
                                      periods.cycle_start(c))
        return dataclasses.replace(self, cycle=cycle, bulletins=tuple(bulletins), lookback=lookback(c))

    def completed(self, parts: frozenset[Part]) -> Site:
        """The site with every derived part in `parts` that can be derived here (the history check is handed
        in by the build: it needs the validator's reading of the snapshots)."""
        if Part.HISTORY in parts and self.history is NOT_DERIVED:
            raise RuntimeError("the history check is read before the build has made it")
        return self.with_cycle() if Part.CYCLE in parts and self.cycle is NOT_DERIVED else self

    @property
    def warnings(self) -> list[str]:
        """What the build output says besides the counts: past reports that may not be as they were published."""
        warning = self.rules.warning()
        return [warning] if warning else []


def site_of(campaign: Campaign, rules: RuleBook | None = None, history: HistoryCheck | None = NOT_DERIVED,
            derive: frozenset[Part] = frozenset({Part.CYCLE}), site_url: str = "",
            today: dt.date | None = None) -> Site:
    """The site of a campaign: today's portal.yml for every period unless `rules` says otherwise, the history
    check as handed in, and the derived parts in `derive` (the cycle by default, as a test wants it)."""
    site = Site(campaign, rules if rules is not None else current_only(campaign.portal), latest(campaign),
                history=history, site_url=site_url, today=today)
    return site.completed(derive - {Part.HISTORY})


@dataclass(frozen=True)
class ProblemChange:
    """What a changed, added or removed problem file touches: the problem, every department that leads it or
    cooperates on it and every category it is in (before and after), and the first day it reads differently
    (the periods cut before that day are as they were)."""

    id: str
    departments: frozenset[str]
    categories: frozenset[str]
    since: dt.date


def problem_change(before: Problem | None, after: Problem | None) -> ProblemChange | None:
    """How `before` became `after` (each as the campaign holds it, cut to its date with its revisions in force),
    or None when they are the same. An appended log entry touches the days from its date; any other difference
    touches every day from the opening."""
    if before == after:
        return None
    both = [p for p in (before, after) if p is not None]
    since = min(p.opened for p in both)
    if before is not None and after is not None and _same_but_log(before, after):
        added = after.log[len(before.log):]
        if after.log[:len(before.log)] == before.log and added:
            since = min(entry.date for entry in added)
    return ProblemChange(both[0].id, frozenset(d for p in both for d in (p.department, *p.cooperating)),
                         frozenset(p.category for p in both), since)


def _same_but_log(before: Problem, after: Problem) -> bool:
    fields = set(Problem.model_fields) - {"log"}
    return all(getattr(before, name) == getattr(after, name) for name in fields)


def changes(before: Campaign, after: Campaign) -> list[ProblemChange]:
    """What differs between two cuts of a ledger, problem by problem (added, removed or changed)."""
    old = {r.problem.id: r.problem for r in before.rows}
    new = {r.problem.id: r.problem for r in after.rows}
    found = (problem_change(old.get(pid), new.get(pid)) for pid in sorted(old.keys() | new.keys()))
    return [change for change in found if change is not None]
