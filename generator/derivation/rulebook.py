"""Which report rules a period's report uses: portal.yml's `thresholds`, `reports` and `notice` as they stood on
the report's cut day (its period's end, or the as-of day while it runs), so that changing a weight or a threshold
today leaves every report already published as it was published.

The versions come from git (loading/portalhistory.py); today's file is the newest, in force from today when it
differs from the last commit (an edit not yet committed, as in a local preview). Without a readable history
every report uses today's file, and the pages and the build output say so.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from ..loading.portalhistory import PortalHistory, RuleVersion
from ..model.schema import Portal


@dataclass(frozen=True)
class RuleBook:
    """The versions of the report rules, oldest first, by `since` (None only for today's file alone, when no history
    was read). Days increase, except that the first version on record may share its day with the second: the
    second stands from that day, the first for every day before it."""

    versions: tuple[RuleVersion, ...]
    gap: str | None = None  # why the record may not reach back far enough; None when it does

    def __post_init__(self) -> None:
        object.__setattr__(self, "_days", [v.since for v in self.versions[1:]])

    def at(self, day: dt.date) -> RuleVersion:
        """The version in force at the end of `day`; the oldest one for a day before any version on record."""
        return self.versions[bisect.bisect_right(self._days, day)]

    def known_on(self, day: dt.date) -> tuple[RuleVersion, ...]:
        """The versions on record by the end of `day` (at least the oldest): what a site as of that day lists."""
        return self.versions[:max(1, bisect.bisect_right(self._days, day) + 1)]

    @property
    def from_history(self) -> bool:
        return self.versions[0].since is not None

    def warning(self) -> str | None:
        """What the build says when past reports may not use the rules they were published with."""
        if self.gap is None:
            return None
        if not self.from_history:
            return (f"没有读到 portal.yml 的修改历史（{self.gap}），以往各期督查报告和通报都按现行的排名权重和亮灯阈值生成，"
                    "可能与当时发布的不同；发布门户时请取得完整的 git 历史（例如 actions/checkout 设 fetch-depth: 0）。")
        return (f"portal.yml 的修改历史不完整（{self.gap}），{self.versions[0].since} 以前的督查报告和通报按当时能读到的"
                "最早一版规则生成，可能与当时发布的不同；发布门户时请取得完整的 git 历史（例如 actions/checkout 设 fetch-depth: 0）。")

    def notice(self) -> str | None:
        """What the reports index tells the public when past reports may not use the rules they were published
        with: the warning in the public's words, without the tools' (the build output names them)."""
        if self.gap is None:
            return None
        if not self.from_history:
            return ("未能读到专班办公室设定的规则的修改记录，以往各期督查报告和通报都按现行的排名权重和亮灯阈值生成，"
                    "可能与当时发布的不同。")
        return (f"专班办公室设定的规则的修改记录不完整，{self.versions[0].since} 以前的督查报告和通报按能读到的"
                "最早一版规则生成，可能与当时发布的不同。")

    def sentence(self, cut: dt.date, what: str) -> str:
        """Which rules a report cut on `cut` used, for the page, the Word file and the data file alike: `what`
        names the rules the report shows (排名权重、表扬和批评条件, 亮灯阈值). In the public's words: the
        rules are the task-force office's, a version is named by the ledger version (台账版本) it came in."""
        version = self.at(cut)
        if version.since is None:
            return f"本期{what}按生成时专班办公室设定的现行规则（未读到规则的修改记录，以往各期可能与当时发布的不同）。"
        commit = f"，台账版本 {version.commit}" if version.commit else "，尚未提交"
        if cut < version.since:
            incomplete = "（修改记录不完整）" if self.gap else ""
            return (f"本期{what}按专班办公室设定的规则现存最早的一版（{version.since.isoformat()} 起施行{commit}）；"
                    f"本期早于这一天，没有更早的规则记录{incomplete}。")
        return f"本期{what}按专班办公室自 {version.since.isoformat()} 起施行的规则（{commit.removeprefix('，')}）。"


def current_only(portal: Portal, gap: str | None = None) -> RuleBook:
    """Today's file alone: every report uses it (no history read, or none asked for)."""
    return RuleBook((RuleVersion(portal.thresholds, portal.reports, portal.notice, None, None),), gap)


def rulebook_of(history: PortalHistory, portal: Portal, today: dt.date) -> RuleBook:
    """The versions read from git, and today's file in force from `today` where it differs from the last commit."""
    versions = list(history.versions)
    if not versions:
        return current_only(portal, history.gap or f"git 提交里还没有本门户（{portal.city}）的 portal.yml")
    current = RuleVersion(portal.thresholds, portal.reports, portal.notice, max(today, versions[-1].since), None)
    if not current.same_rules(versions[-1]):
        if len(versions) > 1 and current.since == versions[-1].since:
            versions.pop()  # committed today and edited since: today's file stands for today
        if not current.same_rules(versions[-1]):
            versions.append(current)
    return RuleBook(tuple(versions), history.gap)
