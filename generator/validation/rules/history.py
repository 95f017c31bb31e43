"""The log is a history: dated in order, nothing after today, and each entry possible when it was written
(judged against where the lifecycle fold says the problem stood just before it).

The problem's own dates come first: it is opened on or before today, and its deadline is not before that."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...derivation.lifecycle import moments
from ...loading.ledger import Ledger
from ...model.findings import Finding
from ...model.schema import Close, Extension, Notice, NoticeRule, Progress, Review
from ...model.vocabulary import ReviewOutcome


def out_of_place(dates: list[dt.date]) -> list[int]:
    """The entries to blame when a log is not in date order: those outside its longest run in order.

    Of two runs as long, the one of earlier dates is kept, since the usual mistake is a new entry put
    first or in the middle, dated later than the entries around it: the new entry is blamed, and the
    clerk is not invited to change the dates of entries already merged."""
    if not dates:
        return []
    length = [1] * len(dates)
    previous = [-1] * len(dates)
    for i, day in enumerate(dates):
        for j in range(i):
            if dates[j] <= day and (length[j] + 1, -dates[j].toordinal()) > (length[i], -_day(dates, previous[i])):
                length[i], previous[i] = length[j] + 1, j
    end = min(range(len(dates)), key=lambda i: (-length[i], dates[i], i))
    kept = set()
    while end >= 0:
        kept.add(end)
        end = previous[end]
    return [i for i in range(len(dates)) if i not in kept]


def _day(dates: list[dt.date], index: int) -> int:
    return dates[index].toordinal() if index >= 0 else 0


def _misplaced(dates: list[dt.date], index: int) -> str:
    day = dates[index]
    later = [j for j in range(index + 1, len(dates)) if dates[j] < day]
    if later and day >= max(dates):
        j = later[0]
        return (f"第 {index + 1} 条记录（{day}）比后面的第 {j + 1} 条（{dates[j]}）还晚，放错了位置：log 只能按日期先后"
                "在末尾追加，新记录请移到 log 的最后。已经合并的记录不要改动。")
    earlier = [j for j in range(index) if dates[j] > day]
    if earlier:
        j = earlier[-1]
        return (f"第 {index + 1} 条记录（{day}）早于它前面的第 {j + 1} 条（{dates[j]}），放错了位置：log 只能按日期先后在末尾追加，"
                f"不能把记录补在中间。如果这是新加的记录，请把它移到末尾并核对日期（不能早于 {max(dates[:index])}）；"
                "已经合并的记录不要改动。")
    j = later[0]
    return (f"第 {index + 1} 条记录（{day}）晚于后面的第 {j + 1} 条（{dates[j]}），放错了位置：log 只能按日期先后在末尾追加。"
            "如果这是新加的记录，请把它移到 log 的最后；已经合并的记录不要改动。")


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    notice_rule = ledger.portal.notice if ledger.portal is not None else NoticeRule()
    for item in ledger.problems:
        problem, document = item.problem, item.document

        def at(code: str, index: int, key: str, message: str, document=document) -> Finding:
            return Finding.make(code, document.display, document.locate(("log", index, key)), message,
                                f"log[{index}].{key}")

        if problem.deadline < problem.opened:
            yield Finding.make(
                "E324", document.display, document.locate(("deadline",)),
                f"完成时限 {problem.deadline} 早于列入台账的日期 {problem.opened}（opened）；请核对这两个日期。", "deadline")
        if problem.opened > today:
            yield Finding.make(
                "E319", document.display, document.locate(("opened",)),
                f"列入台账的日期 {problem.opened} 晚于今天（{today}）；问题列入台账后才能登记，请核对 opened。",
                "opened")

        dates = [entry.date for entry in problem.log]
        for index in out_of_place(dates):
            yield at("E307", index, "date", _misplaced(dates, index))
        for moment in moments(problem)[1:]:  # the opening moment has no entry to check
            index, entry, before = moment.index, moment.entry, moment.before
            if entry.date > today:
                yield at("E319", index, "date",
                         f"第 {index + 1} 条记录的日期 {entry.date} 晚于今天（{today}）；"
                         "只记录已经发生的事，未来的安排请写进 milestones。")
            if entry.date < problem.opened:
                yield at("E307", index, "date",
                         f"第 {index + 1} 条记录的日期 {entry.date} 早于问题列入台账的日期 {problem.opened}（opened）。")

            if before.closed and isinstance(entry, Progress) and entry.percent < 100:
                yield at("E325", index, "percent",
                         f"第 {index + 1} 条记录是销号之后的进展，完成度却是 {entry.percent}%；销号后的进展只记成效巩固，"
                         "完成度为 100。问题如有反弹，请先追加结论为反弹（rebound）的回头看，再记录重新整改的进展。")
            elif before.closed and isinstance(entry, Extension | Notice):
                what = "延期" if isinstance(entry, Extension) else "整改结果公示"
                yield at("E325", index, "type",
                         f"第 {index + 1} 条记录（{what}）写在销号之后；已销号的问题不再延期或公示。"
                         "问题如有反弹，请先追加结论为反弹（rebound）的回头看。")
            if isinstance(entry, Extension):
                if entry.deadline <= before.deadline:
                    yield at("E316", index, "deadline",
                             f"延期后的时限 {entry.deadline} 不晚于当时有效的时限 {before.deadline}；延期必须把时限往后推。")
            elif isinstance(entry, Notice):
                length = (entry.until - entry.date).days + 1
                if (notice_rule.required and entry.until >= entry.date and length < notice_rule.min_days
                        and (notice_rule.since is None or entry.date >= notice_rule.since)):
                    yield at("E333", index, "until",
                             f"公示期从 {entry.date} 到 {entry.until}，共 {length} 天，少于 portal.yml 规定的 "
                             f"{notice_rule.min_days} 天；请把截止日期（until）改为 "
                             f"{entry.date + dt.timedelta(days=notice_rule.min_days - 1)} 或更晚。")
                if not before.done and not before.closed:
                    yield at("E326", index, "type",
                             "整改结果公示之前必须先有一条完成度（percent）为 100 的进展记录；整改完成后才能公示结果。")
                if entry.until < entry.date:
                    yield at("E321", index, "until",
                             f"公示截止日期 {entry.until} 早于公示开始日期 {entry.date}；请核对 until 的日期。")
            elif isinstance(entry, Close):
                if before.closed:
                    yield at("E308", index, "type", "问题已经销号，不能重复销号；反弹后须先有新的完成记录才能再次销号。")
                elif not before.done:
                    yield at("E308", index, "type",
                             "销号之前必须先有一条完成度（percent）为 100 的进展记录，说明整改任务已完成。")
                if (notice_rule.required and not before.closed and before.notice_until is None
                        and (notice_rule.since is None or entry.date >= notice_rule.since)):
                    since = f"自 {notice_rule.since} 起，" if notice_rule.since else ""
                    yield at("E332", index, "type",
                             f"{since}portal.yml 要求销号之前先公示整改结果：请先追加一条整改结果公示（type: notice），"
                             f"公示至少 {notice_rule.min_days} 天，期满后再销号。")
                if before.notice_until is not None and entry.date <= before.notice_until:
                    yield at("E317", index, "date",
                             f"销号日期 {entry.date} 还在整改结果公示期内（公示到 {before.notice_until}）；"
                             "请在公示期满后再销号。")
            elif isinstance(entry, Review):
                if not before.closed:
                    yield at("E309", index, "type", "回头看只能针对已销号的问题；这条 review 之前没有有效的销号（close）记录。")
                yield from _review_deadline(problem, index, entry, at)


def _review_deadline(problem, index: int, entry: Review, at) -> Iterator[Finding]:
    """A rebound sets the new round's deadline, in the look-back or in an extension right after it."""
    if entry.outcome != ReviewOutcome.REBOUND:
        if entry.deadline is not None:
            yield at("E331", index, "deadline",
                     "只有结论为反弹（outcome: rebound）的回头看才写新的完成时限（deadline）；巩固的回头看请删去 deadline。")
        return
    if entry.deadline is not None:
        if entry.deadline <= entry.date:
            yield at("E331", index, "deadline",
                     f"重新整改的完成时限 {entry.deadline} 不晚于回头看的日期 {entry.date}；请给出今后的完成时限。")
        return
    following = problem.log[index + 1] if index + 1 < len(problem.log) else None
    if not isinstance(following, Extension):
        yield at("E331", index, "outcome",
                 f"第 {index + 1} 条回头看发现反弹，问题重新打开，却没有给出重新整改的完成时限：请在这条记录里加上 "
                 "deadline（如 deadline: 2027-03-31），或者紧接着追加一条延期（extension）记录。")
