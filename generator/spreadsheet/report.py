"""What an import reports: a note at a cell or a row, each row's outcome, and the summary the clerk reads.

The command prints these; nothing here raises for a mistake in a sheet. ImportRefused is the one exception:
the import cannot run at all (no such department, sheet or file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..model import columns

MISSING = columns.TO_COMPLETE  # what --force writes where a value is missing; the validator refuses it (E330)


class ImportRefused(Exception):
    """The import cannot run (no such department, sheet or file); the message is for the clerk."""


class Outcome(StrEnum):
    WRITTEN = "written"  # a new problem file (or, in a dry run, one that would be)
    FORCED = "forced"  # written with 待补充 markers
    ALREADY = "already"  # on the ledger already, with nothing new
    UPDATED = "updated"  # on the ledger already: its file gains entries (or, in a dry run, would)
    REFUSED = "refused"  # not written: an error in the row


@dataclass(frozen=True)
class Note:
    """One thing the import reports, at a cell (`台账.xlsx:Sheet1!F12`) or a row."""

    where: str
    error: bool
    message: str

    def line(self) -> str:
        return f"{self.where}: {'错误' if self.error else '提醒'} {self.message}"


@dataclass
class RowResult:
    where: str
    outcome: Outcome
    problem_id: str | None = None
    path: Path | None = None


@dataclass
class ImportReport:
    sheet: str = ""
    notes: list[Note] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False
    updates: list = field(default_factory=list)  # updating.ProblemUpdate: the problems on the ledger that gain entries
    refusals: int = 0  # cells of updates not taken for an error in them
    thresholds: object = None  # the portal's light thresholds, for what the updates move

    def count(self, *outcomes: Outcome) -> int:
        return sum(1 for r in self.rows if r.outcome in outcomes)

    @property
    def refused(self) -> int:
        """Rows not written for an error in them."""
        return self.count(Outcome.REFUSED)

    @property
    def errors(self) -> int:
        return sum(1 for n in self.notes if n.error)

    @property
    def failed(self) -> bool:
        """Whether something in the sheet was not taken for an error: a row not written, or a cell of an update
        refused (a row written with --force is not a failure: its 待补充 is the validator's to refuse)."""
        return self.refused > 0 or self.refusals > 0

    def refuse(self, where: str, message: str) -> None:
        """An update's cell (or row) not taken for an error in it."""
        self.notes.append(Note(where, True, message))
        self.refusals += 1

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        parts = []
        if self.rows:
            new = self.count(Outcome.WRITTEN, Outcome.FORCED)
            parts.append(f"工作表“{self.sheet}”共 {len(self.rows)} 行问题：新问题{verb}写入 {new} 个问题文件")
            if self.count(Outcome.FORCED):
                parts.append(f"其中 {self.count(Outcome.FORCED)} 个含“{MISSING}”，补齐前校验不会通过")
            if self.count(Outcome.REFUSED):
                parts.append(f"{self.count(Outcome.REFUSED)} 行有错误，没有写入")
        entries = sum(len(u.entries) for u in self.updates)
        done = sum(len(u.done) for u in self.updates)
        if self.updates:
            parts.append(f"台账中已有的问题：{len(self.updates)} 个{verb}追加 {entries} 条记录"
                         + (f"、填写 {done} 个节点的完成日期" if done else ""))
        else:
            parts.append("台账中已有的问题没有新的记录")
        if self.refusals:
            parts.append(f"{self.refusals} 处有错误没有导入（见上）")
        text = "，".join(parts) + "。"
        if self.dry_run:
            text += "（试运行，没有写入任何文件。）"
        return text
