"""The published weekly snapshots against today's ledger (`rectify validate --history`): each problem whose
past no longer matches what was published (E340), and each break in the snapshots' hash chain (E341).

A discrepancy is reported once per problem and field, at the first week it shows, pointing at the log
entry dated in that week (the one changed or backdated) when there is one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...derivation.snapshot import FIELD_LABELS, Discrepancy, HistoryCheck, check_history
from ...loading import layout
from ...loading.ledger import Ledger, ProblemFile
from ...loading.snapshots import read_folder
from ..findings import Finding


def check(ledger: Ledger, ledgers: Path) -> Iterator[Finding]:
    folder = ledgers.parent / layout.SNAPSHOTS
    files = read_folder(folder)
    if not files:
        return
    result = check_history(ledger, files)
    problems = {item.problem.id: item for item in ledger.problems}
    for discrepancy, weeks in result.first_by_problem_field():
        later = f"（其后还有 {weeks - 1} 周的快照也不符）" if weeks > 1 else ""
        item = problems.get(discrepancy.problem) if discrepancy.problem else None
        if item is not None:
            yield _in_problem(item, discrepancy, result, later)
        else:
            yield _in_snapshot(folder / discrepancy.file, discrepancy, later)


def _in_problem(item: ProblemFile, d: Discrepancy, result: HistoryCheck, later: str) -> Finding:
    document, log = item.document, item.problem.log
    as_of = result.as_of(d.week)
    before = result.week_before(d.week)
    since = before[1] if before else None
    suspects = [i for i, e in enumerate(log) if e.date <= as_of and (since is None or e.date > since)]
    what = FIELD_LABELS.get(d.field, d.field)
    message = (f"第 {d.week} 周（截至 {as_of}）已发布的快照记录 {d.problem} 的{what}为“{d.recorded}”，"
               f"按现在的台账重算为“{d.now}”{later}。")
    if suspects:
        index = suspects[0]
        position, field = document.locate(("log", index, "date")), f"log[{index}]"
        message += (f"这一周里的记录从第 {index + 1} 条（{log[index].date}）开始，请核对它是否在发布后被修改、补记；"
                    "已经合并的记录不得改动，更正请追加新的记录。")
    else:
        position, field = document.locate(("log",), key=True), "log"
        message += "这一周里现在没有记录，可能有记录被删除，或日期被改到了别的周；已经合并的记录不得删除或改动。"
    return Finding.make("E340", document.display, position, message, field)


def _in_snapshot(path: Path, d: Discrepancy, later: str) -> Finding:
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    needle = {"chain": '"previous"', "department": f'"{d.recorded.split("：")[0]}"'}.get(d.field, f'"{d.problem}"')
    offset = text.find(needle) if d.field != "file" else -1
    line = text.count("\n", 0, offset) + 1 if offset >= 0 else 1
    what = FIELD_LABELS.get(d.field, d.field)
    if d.field in ("chain", "file"):
        code = "E341"
        message = (f"第 {d.week} 周快照的{what}：记录的是“{d.recorded}”，实际是“{d.now}”。这份或它前面的快照文件在发布后"
                   "被修改、删除或替换了；请从 git 历史中恢复原来的文件。")
    else:
        code = "E340"
        subject = f"问题 {d.problem} 的" if d.problem else ""
        message = f"第 {d.week} 周已发布的快照记录{subject}{what}为“{d.recorded}”，按现在的台账重算为“{d.now}”{later}。"
        if d.problem:
            message += "现在的台账里找不到这个问题的文件：问题一经列入不得删除。"
    return Finding.make(code, str(path), (line, 1), message, d.field)
