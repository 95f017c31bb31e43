"""Backwards scheduling (倒排工期): milestones fall before the deadline; open problems do not go quiet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...derivation.lifecycle import standing
from ...derivation.state import quiet_days
from ...loading.ledger import Ledger
from ...loading.yamlio import Document
from ...model.findings import Finding
from ...model.schema import Milestone, Revision
from ...model.vocabulary import RevisedField
from .revisions import parsed


def _milestones(milestones: list[Milestone], deadline: dt.date, today: dt.date, document: Document,
                at: tuple) -> Iterator[Finding]:
    field = f"log[{at[1]}].to" if at[0] == "log" else at[0]
    for index, milestone in enumerate(milestones):
        if milestone.due is None:
            yield Finding.make(
                "W402", document.display, document.locate((*at, index, "title")),
                f"节点“{milestone.title}”没有计划完成日期（due）；倒排工期的每个节点都应有日期。",
                f"{field}[{index}].due")
        elif milestone.due > deadline:
            yield Finding.make(
                "E310", document.display, document.locate((*at, index, "due")),
                f"节点“{milestone.title}”的日期 {milestone.due} 晚于完成时限 {deadline}；"
                "节点必须在时限之前，确需推迟请先在 log 中追加延期（extension）。",
                f"{field}[{index}].due")
        if milestone.done is not None and milestone.done > today:
            yield Finding.make(
                "E319", document.display, document.locate((*at, index, "done")),
                f"节点“{milestone.title}”的实际完成日期 {milestone.done} 晚于今天（{today}）；"
                "节点完成后再填 done。", f"{field}[{index}].done")


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    stale_days = ledger.portal.thresholds.stale_days if ledger.portal else None
    for item in ledger.problems:
        problem, document = item.problem, item.document
        deadline = standing(problem).deadline
        yield from _milestones(problem.milestones, deadline, today, document, ("milestones",))
        for index, entry in enumerate(problem.log):  # a revision's milestones are held to the same schedule
            if isinstance(entry, Revision) and entry.field == RevisedField.MILESTONES:
                milestones, errors = parsed(entry.field, entry.to)
                if not errors:  # a value that does not fit is the revision rule's to report
                    yield from _milestones(milestones, deadline, today, document, ("log", index, "to"))
        if stale_days is None:
            continue
        now = standing(problem, today)
        if not now.closed and not now.done:  # finished work waits for close-out, not for progress
            quiet = quiet_days(problem, now, today)
            if quiet > stale_days:
                since = today - dt.timedelta(days=quiet)
                position = document.locate(("log",), key=True) if problem.log else document.locate(("opened",), key=True)
                yield Finding.make(
                    "W401", document.display, position,
                    f"问题尚未完成，但已 {quiet} 天（自 {since} 起）没有进展记录（progress），超过 {stale_days} 天；"
                    "请在 log 末尾追加最新进展。", "log")
