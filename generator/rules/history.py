"""The log is a history: dated in order, nothing after today, and each entry possible when it was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..ledger import Ledger
from ..schema import Close, Extension, Notice, Progress, Review, ReviewOutcome


def check(ledger: Ledger, as_of: dt.date) -> Iterator[Finding]:
    for item in ledger.problems:
        problem, document = item.problem, item.document

        def at(code: str, index: int, key: str, message: str, document=document) -> Finding:
            return Finding.make(code, document.display, document.locate(("log", index, key)), message,
                                f"log[{index}].{key}")

        previous: dt.date | None = None
        deadline = problem.deadline
        done = closed = False
        notice_until: dt.date | None = None
        for index, entry in enumerate(problem.log):
            if previous is not None and entry.date < previous:
                yield at("E307", index, "date",
                         f"第 {index + 1} 条记录的日期 {entry.date} 早于上一条的 {previous}；"
                         "log 只能按时间顺序在末尾追加，请核对日期。")
            if entry.date > as_of:
                yield at("E319", index, "date",
                         f"第 {index + 1} 条记录的日期 {entry.date} 晚于数据截至日期 {as_of}；"
                         "只记录已经发生的事，未来的安排请写进 milestones。")
            if entry.date < problem.opened:
                yield at("E307", index, "date",
                         f"第 {index + 1} 条记录的日期 {entry.date} 早于问题列入台账的日期 {problem.opened}（opened）。")
            previous = max(previous, entry.date) if previous else entry.date

            if isinstance(entry, Progress):
                done = entry.percent == 100
            elif isinstance(entry, Extension):
                if entry.deadline <= deadline:
                    yield at("E316", index, "deadline",
                             f"延期后的时限 {entry.deadline} 不晚于当时有效的时限 {deadline}；延期必须把时限往后推。")
                deadline = max(deadline, entry.deadline)
            elif isinstance(entry, Notice):
                if entry.until < entry.date:
                    yield at("E321", index, "until",
                             f"公示截止日期 {entry.until} 早于公示开始日期 {entry.date}；请核对 until 的日期。")
                notice_until = entry.until
            elif isinstance(entry, Close):
                if closed:
                    yield at("E308", index, "type", "问题已经销号，不能重复销号；反弹后须先有新的完成记录才能再次销号。")
                elif not done:
                    yield at("E308", index, "type",
                             "销号之前必须先有一条完成度（percent）为 100 的进展记录，说明整改任务已完成。")
                if notice_until is not None and entry.date <= notice_until:
                    yield at("E317", index, "date",
                             f"销号日期 {entry.date} 还在整改结果公示期内（公示到 {notice_until}）；"
                             "请在公示期满后再销号。")
                closed = True
            elif isinstance(entry, Review):
                if not closed:
                    yield at("E309", index, "type", "回头看只能针对已销号的问题；这条 review 之前没有有效的销号（close）记录。")
                if entry.outcome == ReviewOutcome.REBOUND:
                    closed = done = False
                    notice_until = None
