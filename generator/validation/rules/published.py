"""The published weekly snapshots against today's ledger (`rectify validate --history`): each problem whose
past no longer matches what was published (E340), each break in the snapshots' hash chain (E341), figures
that are not the count of a snapshot's own problems (E342), a finished week without a snapshot (E343), a
committed snapshot version replaced or deleted whose content today's ledger no longer gives (E344), and an
inspection record changed, removed or backdated after a snapshot recorded it (E345).

A discrepancy is reported once per problem (or inspection) and field, at the first week it shows, pointing
at the log entry dated in that week (the one changed or backdated) when there is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

from ...derivation.snapshot import FIELD_LABELS, Discrepancy, HistoryCheck, check_history, sha256
from ...loading import layout
from ...loading.ledger import InspectionFile, Ledger, ProblemFile
from ...loading.snapshots import CommittedSnapshot, GitRecord, folder_beside, git_record, read_folder
from ...model.calendar import Week, week_name
from ...model.findings import Finding

# The codes this rule reports; their examples are the attacks in tests/test_history_attacks.py and
# tests/test_snapshots.py (they need published snapshots beside the ledger, not one invalid file).
CODES = ("E340", "E341", "E342", "E343", "E344", "E345")


def published_history(ledger: Ledger, ledgers: Path, until: dt.date | None = None, today: dt.date | None = None,
                      extra: Sequence[CommittedSnapshot] = (), git: bool = True) -> HistoryCheck:
    """The snapshots beside the ledger folder checked against `ledger` (valid), with every version of them
    committed to the branch's git history that the folder no longer holds byte for byte, and `extra` versions
    kept elsewhere (`rectify verify`'s saved copies). `git=False`: the git history is not read."""
    folder = folder_beside(ledgers)
    files = read_folder(folder)
    record = git_record(folder, files) if git else GitRecord()
    known = {sha256(v.data) for v in record.gone}
    replaced = [*record.gone, *(v for v in extra if sha256(v.data) not in known)]
    return check_history(ledger, files, until=until, today=today, replaced=replaced,
                         git=(record.available, record.shallow, record.versions))


def check(ledger: Ledger, ledgers: Path, today: dt.date | None = None) -> Iterator[Finding]:
    folder = ledgers.parent / layout.SNAPSHOTS
    result = published_history(ledger, ledgers, today=today)
    if not result.weeks and not result.discrepancies:
        return
    problems = {item.problem.id: item for item in ledger.problems}
    inspections = {item.inspection.id: item for item in ledger.inspections}
    last = Week.parse(result.weeks[-1][0]) if result.weeks else None
    for discrepancy in result.discrepancies:
        if discrepancy.field == "overdue" and (last is None or Week.parse(discrepancy.week) < last):
            # a week inside the chain the weekly job never took (the whole git history says so): the portal
            # shows it, but it is no rewrite of what was published, and nothing can mend it (a week before the
            # latest snapshot is never filled in). One after the latest snapshot is reported: the job can still take it.
            continue
        later = (f"（此后还有 {discrepancy.weeks - 1} 周的快照也不符，最后一周是{week_name(discrepancy.last)}）"
                 if discrepancy.weeks > 1 else "")
        item = problems.get(discrepancy.problem) if discrepancy.problem else None
        if item is not None:
            yield _in_problem(item, discrepancy, result, later)
        elif discrepancy.inspection in inspections:
            yield _in_inspection(inspections[discrepancy.inspection], discrepancy, later)
        else:
            yield _in_snapshot(folder / discrepancy.file, discrepancy, later)


def _in_problem(item: ProblemFile, d: Discrepancy, result: HistoryCheck, later: str) -> Finding:
    document, log = item.document, item.problem.log
    as_of = result.as_of(d.week)
    before = result.week_before(d.week)
    since = before[1] if before else None
    what = FIELD_LABELS.get(d.field, d.field)
    message = (f"{week_name(d.week)}（截至 {as_of}）已发布的快照记录 {d.problem} 的{what}为“{d.recorded}”，"
               f"按现在的台账重算为“{d.now}”{later}。")
    if d.field == "record_sha256":
        position, field = document.locate(("id",)), "id"
        message += ("工作记录以外的内容（整改目标、措施、责任人、节点、来源、描述等）在发布后被直接改动了；"
                    "已经合并的内容不得直接修改，调整须追加一条经专班办公室同意的记录，原来的内容保留。")
        return Finding.make("E340", document.display, position, message, field)
    suspects = [i for i, e in enumerate(log) if as_of and e.date <= as_of and (since is None or e.date > since)]
    if suspects:
        index = suspects[0]
        position, field = document.locate(("log", index, "date")), f"log[{index}]"
        message += (f"这一周里的记录从第 {index + 1} 条（{log[index].date}）开始，请核对它是否在发布后被修改、补记；"
                    "已经合并的记录不得改动，更正请追加新的记录。")
    else:
        position, field = document.locate(("log",), key=True), "log"
        message += "这一周里现在没有记录，可能有记录被删除，或日期被改到了别的周；已经合并的记录不得删除或改动。"
    return Finding.make("E340", document.display, position, message, field)


def _in_inspection(item: InspectionFile, d: Discrepancy, later: str) -> Finding:
    message = (f"{week_name(d.week)}已发布的快照记录督查记录 {d.inspection} 为“{d.recorded}”，按现在的台账为“{d.now}”{later}。"
               "督查记录一经发布不得修改、删除或改动日期；补充或更正请另写一条新的督查记录。")
    return Finding.make("E345", item.document.display, item.document.locate(("id",)), message, "id")


def _in_snapshot(path: Path, d: Discrepancy, later: str) -> Finding:
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    needle = {"chain": '"previous"', "city": '"city"', "department": '"departments"'}.get(
        d.field, f'"{d.problem or d.inspection}"')
    offset = text.find(needle) if needle and d.field not in ("file", "missing", "replaced") else -1
    line = text.count("\n", 0, offset) + 1 if offset >= 0 else 1
    what = FIELD_LABELS.get(d.field, d.field)
    if d.field in ("chain", "file"):
        code = "E341"
        message = (f"{week_name(d.week)}快照的{what}：记录的是“{d.recorded}”，实际是“{d.now}”。这份或它前面的快照文件在发布后"
                   "被修改、删除或替换了；请从 git 历史中恢复原来的文件。")
    elif d.field in ("city", "department"):
        code = "E342"
        message = (f"{week_name(d.week)}已发布的快照的{what}为“{d.recorded}”，但这不是这份快照自己所记各问题的合计；"
                   f"按现在的台账重算为“{d.now}”。统计数字在发布后被改动过；请从 git 历史中恢复原来的文件。")
    elif d.field == "missing":
        code = "E343"
        message = f"{d.now}。请从 git 历史中恢复这份快照；从未生成的，如实说明，不要补写。"
    elif d.field == "overdue":
        code = "E343"
        message = (f"{d.now}。这一周在最新一份快照之后，还可以补上：请查明快照任务为什么没有运行，"
                   "并运行它（rectify snapshot --all 为最新一份快照之后每个已经结束的周生成快照）。")
    elif d.field == "replaced":
        code = "E344"
        message = (f"{week_name(d.week)}的快照曾以{d.recorded}发布，{d.now}。已发布的快照不得重新生成或删除，"
                   "请从 git 历史中恢复它，并核对台账里哪些记录在发布后被改动。")
    else:
        code = "E340"
        subject = f"问题 {d.problem} 的" if d.problem else (f"督查记录 {d.inspection} 的" if d.inspection else "")
        message = f"{week_name(d.week)}已发布的快照记录{subject}{what}为“{d.recorded}”，按现在的台账重算为“{d.now}”{later}。"
        if d.problem:
            message += "现在的台账里找不到这个问题的文件：问题一经列入不得删除。"
        elif d.inspection:
            code = "E345"
            message += "现在的台账里找不到这条督查记录：督查记录一经发布不得删除。"
    return Finding.make(code, str(path), (line, 1), message, d.field)
