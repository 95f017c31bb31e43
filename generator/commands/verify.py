"""`rectify verify SAVED`: does today's repository still produce every snapshot digest published then?

A saved copy of the published feed (each weekly snapshot's SHA-256), of the published data/snapshots/ folder
(SHA256SUMS, the newest week's file and the older weeks' deltas, every week rebuilt from them and checked
against SHA256SUMS and the chain first: loading/snapshots.py `rebuild_weeks`) or of one snapshot, or its
address, is compared with the snapshots the repository holds today and with what today's ledger gives for
each week: a journalist who kept last month's feed can show that a published week was rewritten, even after
the git history itself was rewritten (a force-push), which no check inside the repository can see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..derivation.snapshot import sha256
from ..loading.snapshots import (
    CommittedSnapshot,
    CopyIssue,
    SavedDigest,
    fetch_url,
    folder_beside,
    git_record,
    read_folder,
    read_saved_copy,
)
from ..model.calendar import week_label, week_of_file
from ..validation.report import Report, validate
from ..validation.rules.published import published_history

REPRODUCED = "reproduced"


class VerifyError(Exception):
    """Nothing can be verified; the message says why, in Chinese."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Verdict:
    """One published digest: whether today's repository still produces it, and if not what became of it."""

    name: str
    sha256: str
    outcome: str  # REPRODUCED, or "ledger" (the file is there, the ledger no longer gives it), "replaced", "gone"
    detail: str  # in Chinese, empty when reproduced

    @property
    def week(self) -> str:
        return week_label(self.name)


@dataclass(frozen=True)
class Verification:
    source: str
    verdicts: tuple[Verdict, ...]
    issues: tuple[CopyIssue, ...] = ()  # what is wrong inside a saved snapshot folder itself (its deltas, its chain)

    @property
    def reproduced(self) -> bool:
        return not self.issues and all(v.outcome == REPRODUCED for v in self.verdicts)

    def lines(self) -> list[str]:
        failing = [v for v in self.verdicts if v.outcome != REPRODUCED]
        lines = [f"核验 {self.source} 中保存的 {len(self.verdicts)} 份周快照摘要。"]
        for issue in self.issues:
            lines.append(f"保存的快照文件夹里第 {issue.week} 周：{issue.message}。")
        for v in failing:
            lines.append(f"第 {v.week} 周（{v.name}，SHA-256 {v.sha256[:16]}…）不再能复现：{v.detail}")
        if self.issues:
            weeks = sorted({i.week for i in self.issues})
            lines.append(f"结论：保存的快照文件夹本身有 {len(weeks)} 周对不上（{'、'.join(weeks)}）：其中的文件与 "
                         "SHA256SUMS 或快照链不符，或者缺了文件，这些周不能由它核对。")
        if failing:
            lines.append(f"结论：有 {len(failing)} 周当时发布的快照，现在的仓库已不能原样给出"
                         f"（{'、'.join(v.week for v in failing)}）；其余 {len(self.verdicts) - len(failing)} 份仍能复现。")
        elif self.issues:
            lines.append("SHA256SUMS 所列的每一个摘要，现在的仓库仍然原样给出。")
        else:
            lines.append("结论：现在的仓库仍然原样给出当时发布的每一个摘要，按现在的台账重新计算的结果也与这些快照相符。")
        return lines


def verify(ledgers: Path, saved: str, today: dt.date, fetch=fetch_url) -> Verification:
    """Compare the digests of `saved` with the snapshots beside `ledgers`, their git history and today's ledger."""
    folder = folder_beside(ledgers)
    files = read_folder(folder)
    current = {f.name: sha256(f.data) for f in files}
    committed = {sha256(v.data): v for v in git_record(folder, files).gone}
    # the repository's files stand in for a week a saved folder cannot give, to rebuild the weeks before it
    known = {**{digest: v.data for digest, v in committed.items()}, **{sha256(f.data): f.data for f in files}}
    copy = read_saved_copy(saved, fetch, known)
    published = copy.digests
    report = validate(ledgers, today)
    if not report.valid():
        raise VerifyError(f"台账校验未通过（{len(report.errors)} 个错误），无法重新计算各周的快照。", report)
    # what the repository holds no longer, but the saved copy or the git history does: checked on its content
    elsewhere = []
    for digest in published:
        if current.get(digest.name) != digest.sha256:
            data = digest.data if digest.data is not None else (committed[digest.sha256].data
                                                                if digest.sha256 in committed else None)
            if data is not None and week_of_file(digest.name) is not None:
                source = committed.get(digest.sha256)
                elsewhere.append(CommittedSnapshot(digest.name, data, source.commit if source else "",
                                                   source.committed if source else today))
    check = published_history(report.ledger, ledgers, today=today, extra=elsewhere)
    rechecked = {r.sha256: r for r in check.replaced}
    troubled = {s.week: s for s in check.by_week}
    verdicts = [_verdict(d, current, committed, rechecked, troubled) for d in published]
    return Verification(saved, tuple(verdicts), copy.issues)


def _verdict(digest: SavedDigest, current: dict, committed: dict, rechecked: dict, troubled: dict) -> Verdict:
    week = week_label(digest.name)
    if current.get(digest.name) == digest.sha256:
        summary = troubled.get(week)
        if summary is None or not (summary.problems or summary.inspections or
                                   set(summary.issues) & {"chain", "file", "city", "department"}):
            return Verdict(digest.name, digest.sha256, REPRODUCED, "")
        what = []
        if summary.problems:
            what.append(f"{summary.problems} 个问题的记录")
        if summary.inspections:
            what.append(f"{summary.inspections} 条督查记录")
        if set(summary.issues) & {"city", "department"}:
            what.append("统计数字")
        if set(summary.issues) & {"chain", "file"}:
            what.append("快照链")
        return Verdict(digest.name, digest.sha256, "ledger",
                       f"快照文件还在、没有改动，但{'、'.join(what)}与现在的台账不符：台账在发布后被改动过。")
    now = current.get(digest.name)
    place = f"现在的快照目录里这一周的文件摘要是 {now[:16]}…" if now else "现在的快照目录里没有这一周的文件"
    found = committed.get(digest.sha256)
    where = f"git 历史里有这个版本（提交 {found.commit[:10]}，{found.committed}），它后来被替换或删除了" if found else \
        "本仓库的 git 历史里也找不到这个版本：git 历史被改写过（强制推送），或它从未提交到这个分支"
    result = rechecked.get(digest.sha256)
    if result is None:
        return Verdict(digest.name, digest.sha256, "gone",
                       f"{place}；{where}；没有保存的文件内容，无法核对它当时记录了什么。")
    if not result.reproduces:
        content = "它记录的内容现在的台账已算不出来：台账在发布后被改动过"
    elif result.provisional:
        content = "它是当周结束前的临时快照，已被当周的正式快照替换，记录的内容与现在的台账仍然相符"
    else:
        content = "它记录的内容与现在的台账仍然相符（文件被重新生成，例如快照格式升级）"
    return Verdict(digest.name, digest.sha256, "replaced", f"{place}；{where}；{content}。")
