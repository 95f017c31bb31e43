"""`rectify snapshot`: validate against today, then write the week's snapshot into snapshots/, linked to the one before.

A finished week's snapshot is never overwritten with different contents: that would be rewriting the
published history. The snapshot of the week still running (as of today) is provisional and is
replaced until the week is over. A missing week before the latest snapshot is not filled in, since
that would break the link of every later snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ..derivation.snapshot import (
    FORMAT,
    LogDigests,
    render,
    sha256,
    snapshot_of,
    substance,
)
from ..loading.ledger import Ledger
from ..loading.snapshots import folder_beside, head_commit, read_folder
from ..model.calendar import Week, week_of_file, weeks
from ..validation.report import Report, validate


class SnapshotError(Exception):
    """No snapshot can be written; the message says why, in Chinese."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Taken:
    path: Path
    week: Week
    as_of: dt.date
    outcome: str  # "written", "unchanged" (a finished week taken again), "provisional" (the running week)


def take(ledgers: Path, today: dt.date, week_of: dt.date | None = None, every_week: bool = False,
         folder: Path | None = None) -> list[Taken]:
    """The snapshot of the week holding the day `week_of` (today when None), as of its Sunday or of today if
    that is earlier; or with `every_week` every week from the campaign start to the last one finished that has
    none yet."""
    report = validate(ledgers, today)
    if not report.valid():
        raise SnapshotError(f"台账校验未通过（{len(report.errors)} 个错误），没有生成周快照。", report)
    ledger = report.ledger
    start = ledger.portal.campaign_start
    folder = folder or folder_beside(ledgers)
    commit = head_commit(ledgers)
    if every_week:
        existing = {week_of_file(f.name): f for f in read_folder(folder)}
        wanted = [w for w in weeks(start, today)
                  if w.finished(today) and (w not in existing or _provisional(existing[w].data, w))]
    else:
        day = week_of or today
        if day > today:
            raise SnapshotError(f"日期 {day} 晚于今天（{today}）；只能为已经过去的日子生成快照。")
        if day < start:
            raise SnapshotError(f"日期 {day} 早于整改工作开始日期 {start}（portal.yml 的 campaign_start）。")
        wanted = [Week.of(day)]
    digests = LogDigests()
    return [_write(ledger, folder, week, today, commit, digests) for week in wanted]


def _provisional(file_data: bytes, week: Week) -> bool:
    """A snapshot taken while its week was still running (as of a day before its Sunday)."""
    try:
        return dt.date.fromisoformat(json.loads(file_data.decode("utf-8"))["as_of"]) < week.last
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return False


def _write(ledger: Ledger, folder: Path, week: Week, today: dt.date, commit: str | None,
           digests: LogDigests) -> Taken:
    files = read_folder(folder)
    path = folder / week.file_name
    before = [f for f in files if week_of_file(f.name) < week]
    later = [f.name for f in files if week_of_file(f.name) > week]
    as_of = week.as_of(today)
    snapshot = snapshot_of(ledger, week, as_of, commit=commit, previous=sha256(before[-1].data) if before else None,
                           digests=digests)
    if path.exists():
        data = path.read_bytes()
        try:
            published = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SnapshotError(f"{path} 不是可读的快照文件，不能覆盖；请从 git 历史中恢复它。") from None
        if isinstance(published, dict) and substance(published) == substance(snapshot):
            return Taken(path, week, as_of, "unchanged")
        if isinstance(published, dict) and published.get("format") != FORMAT and not _provisional(data, week):
            raise SnapshotError(
                f"{path} 是第 {published.get('format')} 版格式的快照，现在的格式是第 {FORMAT} 版。已发布的快照按原格式保留、"
                "照样核验，不重新生成；新的一周用新格式接着写。请运行 rectify validate --history 核验它。")
        if not _provisional(data, week):
            raise SnapshotError(
                f"{path} 是已经结束的第 {week.label} 周的快照，按现在的台账重新计算的结果与它不同，不能覆盖："
                "已发布的历史记录不得改写。请运行 rectify validate --history 查看哪些问题的记录变了。")
    if later:
        raise SnapshotError(f"已有更晚的快照（{'、'.join(later)}）；写入第 {week.label} 周会使其后的快照记录的"
                            "“前一份快照摘要”对不上，快照链就断了。没有写入。")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(snapshot))
    return Taken(path, week, as_of, "written" if week.finished(today) else "provisional")
