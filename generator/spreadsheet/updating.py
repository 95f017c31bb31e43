"""The update import: what a department's sheet says about problems already on the ledger that their files do
not, appended to those files as dated log entries, and everything it cannot take reported at its cell.

Where a problem's news can be, and how each is read:
- the working sheet (本旬进展, `rectify export --department`): every filled row a new entry of its problem, or
  one appended before (a sheet imported twice writes nothing the second time);
- the 工作记录 sheet of an export: the problem's rows against its log, in order. A row that is one of its
  entries is recognised; a row standing where an entry stood but reading differently is refused (history is
  not edited: a correction is a new entry); rows beyond the log are new entries;
- the department's sheet: a changed commitment (target, measures, leader …) becomes a proposed revision entry
  (调整) whose reason and approval are left 待补充 for the office, so it cannot pass unnoticed; a changed fact
  (source, description, date listed, deadline) is refused; in a department's own layout, the 整改进展,
  完成情况 and 销号 columns give dated progress, completion and close-out the log lacks;
- the 节点 sheet: a completion date filled in for a milestone that had none (the one change made in place);
  any other change to the milestones, a proposed revision.
New entries are appended in date order after the last merged entry, never before it and never after today.
Every cell that differs from the ledger is either taken or reported; nothing is taken silently in part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..derivation import revisions
from ..derivation.lifecycle import standing
from ..loading import layout
from ..loading.ledger import ProblemFile
from ..loading.schemacheck import check_model
from ..loading.yamlio import EditError, LoadError, append_items, document_from_bytes, set_in_item
from ..model import excel, permanence
from ..model.calendar import week_of_file
from ..model.schema import Close, LogEntry, Milestone, Problem, Progress
from ..model.vocabulary import EntryType, RevisedField
from ..validation.rules import history, schedule
from ..validation.rules import revisions as revision_rules
from .exported import Record
from .reading import cell_text
from .report import MISSING, ImportReport, Note
from .rows import Context, Row, log_from_columns, problem_fields, refuse_private, row_date

ENTRY = TypeAdapter(LogEntry)
ENTRY_LABELS = {value: label for label, value in excel.ENTRY_TYPES.items()}  # progress -> 整改进展


@dataclass
class ProblemUpdate:
    """What one problem's file gains: entries appended in date order, and milestones' completion dates."""

    problem_id: str
    path: Path
    before: Problem
    entries: list[dict] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # the cell each entry came from
    done: list[tuple[int, dt.date]] = field(default_factory=list)  # (milestone index, completion date)
    done_places: list[str] = field(default_factory=list)
    after: Problem | None = None

    @property
    def changes(self) -> int:
        return len(self.entries) + len(self.done)


@dataclass
class _Candidate:
    entry: dict  # as the file will hold it
    where: str  # the cell (or row) it came from
    checked: bool = True  # a row of the sheets (dated by the clerk); a proposed revision is dated today


def _key(entry: LogEntry | dict) -> str:
    model = entry if not isinstance(entry, dict) else ENTRY.validate_python(entry)
    return json.dumps(model.model_dump(mode="json", by_alias=True, exclude_defaults=True), sort_keys=True,
                      ensure_ascii=False)


def _file_form(model: LogEntry) -> dict:
    """An entry as a problem file writes it: the schema's order, no empty optional field, an enumeration by its
    value (dates stay dates, which YAML writes unquoted)."""
    return _plain_values(model.model_dump(mode="python", by_alias=True, exclude_defaults=True))


def _plain_values(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_values(v) for v in value]
    return value


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


# ---------------------------------------------------------------- one problem


class _Problem:
    """One problem's update as it is worked out: its candidates and the notes at their cells."""

    def __init__(self, item: ProblemFile, path: Path, ctx: Context, report: ImportReport,
                 archived: tuple[dt.date, str] | None = None):
        self.problem = item.problem
        self.archived = archived  # the last day a published weekly snapshot records, and its file
        self.ctx = ctx
        self.report = report
        self.update = ProblemUpdate(item.problem.id, path, item.problem)
        self.candidates: list[_Candidate] = []
        self.known = {_key(entry) for entry in item.problem.log}
        self.last = item.problem.log[-1].date if item.problem.log else item.problem.opened

    def error(self, where: str, message: str) -> None:
        self.report.refuse(where, f"{self.problem.id}：{message}")

    def warn(self, where: str, message: str) -> None:
        self.report.notes.append(Note(where, False, f"{self.problem.id}：{message}"))

    def entry(self, values: dict, where: str, cells: Record | None = None) -> LogEntry | None:
        """A row's entry checked as the schema checks a file's, each mistake at its cell; None when refused."""
        try:
            return ENTRY.validate_python(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = [str(part) for part in error["loc"]]
                name = "type" if error["type"].startswith("union_tag") else loc[1] if len(loc) > 1 else (loc[0] if loc else "")
                spot = cells.where(name) if cells is not None and name in cells.columns else where
                # the column of this entry type: `reason` is 延期理由 in an extension and 调整理由 in a revision
                kind = values.get("type")
                heading = next((f.heading for f in excel.LOG_FIELDS if f.fields.get(kind) == name),
                               next((f.heading for f in excel.LOG_FIELDS if name in f.fields.values()), name))
                found = error.get("input")
                what = {"missing": "没有填写", "union_tag_not_found": "没有填写"}.get(error["type"], "填写不对")
                if error["type"] == "union_tag_invalid":
                    found = values.get("type")
                shown = "" if error["type"] in ("missing", "union_tag_not_found") or isinstance(found, dict) \
                    else f"（表格中是“{cell_text(found)[:30]}”）"
                label = ENTRY_LABELS.get(kind)
                expected = f"{label}记录须填写这一栏" if error["type"] == "missing" and label else \
                    f"应为{_expected(name, self.ctx)}"
                self.error(spot, f"{heading}{what}{shown}；{expected}。这一条没有导入。")
            return None

    # -------------------------------------------------------- the sources

    def log_rows(self, records: list[Record]) -> None:
        """The problem's rows of the 工作记录 sheet against its log, in order."""
        log = self.problem.log
        keys = [_key(e) for e in log]
        j = 0
        for record in records:
            model = self.entry(record.values, record.where(), record)
            key = _key(model) if model is not None else None
            if key is not None and j < len(log) and key == keys[j]:
                j += 1
                continue
            if key is not None and key in keys[j:]:
                later = keys.index(key, j)
                self.warn(record.where(), f"工作记录中缺少台账已有的 {later - j} 条记录（{log[j].date.isoformat()} 起）；"
                                          "已有的记录不会删除。")
                j = later + 1
                continue
            if j < len(log):  # merged entries are left to match: this row stands for one of them, changed
                entry = log[j]
                self.error(record.where(_differs(record, entry)),
                           f"工作记录第 {j + 1} 条（{entry.date.isoformat()} {EntryType(entry.type).label}）与台账中已合并的记录不同"
                           "（改动、删去或在中间插入了行）；已合并的记录不能修改，这一行没有导入。新记录请加在这个问题各行的最后，"
                           "需要更正时，请在末尾追加一条新的记录说明。")
                j += 1
                continue
            if model is not None:
                self.candidates.append(_Candidate(_file_form(model), record.where("date")))
        # rows missing at the end are the entries merged since the sheet was exported: nothing to say

    def working_rows(self, records: list[Record]) -> None:
        """The problem's filled rows of the working sheet: each a new entry, or one appended before."""
        for record in records:
            model = self.entry(record.values, record.where(), record)
            if model is not None:
                self.candidates.append(_Candidate(_file_form(model), record.where("date")))

    def own_columns(self, row: Row, year: int) -> None:
        """A department's own layout: the dated lines of 整改进展, 完成情况 and 销号 that the log lacks."""
        notes = len(row.notes)
        found = log_from_columns(row, self.ctx, year)
        guesses, row.notes[notes:] = row.notes[notes:], []
        log = self.problem.log
        progress = {(e.date, _text(e.summary)) for e in log if isinstance(e, Progress)}
        progress_days = {e.date for e in log if isinstance(e, Progress)}
        lines = {(e["date"], _text(e["summary"])) for e in found if e["type"] == "progress"}
        finished = any(isinstance(e, Progress) and e.percent == 100 for e in log)
        closed_days = {e.date for e in log if isinstance(e, Close)}
        new = False
        for values in found:
            where = row.where(excel.PROGRESS if values["type"] == "progress" and excel.PROGRESS in row.present else
                              excel.CLOSED_ON if values["type"] == "close" else
                              excel.FINISHED_ON if excel.FINISHED_ON in row.present else None)
            day = values["date"]
            if values["type"] == "close":
                if day in closed_days:
                    continue
            elif (day, _text(values["summary"])) in progress or (values["percent"] == 100 and finished and
                                                                   excel.PROGRESS not in row.cells):
                continue
            elif day < self.last or (day == self.last and day in progress_days and
                                     any((d, s) not in lines for d, s in progress if d == day)):
                if day in progress_days:
                    self.error(where, f"整改进展中 {day.isoformat()} 的一段与台账中已合并的记录不同；已合并的记录不能修改，"
                                      "这一段没有导入。需要更正时，请另起一行写上今天的日期说明。")
                else:
                    self.error(where, f"整改进展中 {day.isoformat()} 的一段早于台账中最后一条记录（{self.last.isoformat()}）；"
                                      "记录只能按日期追加在末尾，这一段没有导入。")
                continue
            model = self.entry(values, where)
            if model is not None:
                self.candidates.append(_Candidate(_file_form(model), where))
                new = True
        # what was guessed (a step, a percent) matters for new entries; an undated line always
        self.report.notes.extend(n for n in guesses if new or "没有以日期开头" in n.message)

    def commitments(self, row: Row) -> None:
        """The department's sheet: a changed commitment a proposed revision, a changed fact refused."""
        notes = len(row.notes)
        values = problem_fields(row, self.ctx)
        opened = row_date(row, "opened", required=False, year=self.problem.opened.year)
        deadline = row_date(row, "deadline", required=False, year=self.problem.deadline.year)
        del row.notes[notes:]  # what problem_fields says of a new problem's row; the comparisons below speak here
        written, effective = self.problem, revisions.revised(self.problem)
        facts = {"category": (values.get("category"), self.problem.category),
                 "source": (values.get("source"), self.problem.source.model_dump(mode="python", exclude_defaults=True)),
                 "description": (values.get("description"), self.problem.description),
                 "opened": (opened, self.problem.opened)}
        for name, (sheet_value, ledger_value) in facts.items():
            if name not in row.cells or sheet_value is None:
                continue
            if name == "source" and isinstance(sheet_value, dict):
                ledger_value = {k: v for k, v in ledger_value.items() if k in sheet_value}
            if _same(sheet_value, ledger_value, name):
                continue
            self.error(row.where(name), f"{permanence.label_of(name)}是交办时确定的事实，不能修改（台账中是“{_shown(ledger_value)}”，"
                                       f"表格中是“{_shown(sheet_value)}”）；这一格的改动没有导入。")
        if deadline is not None and deadline != self.problem.deadline:
            current = standing(self.problem).deadline
            if deadline == current:
                self.warn(row.where("deadline"), f"完成时限写的是延期后的 {current.isoformat()}；台账中原定时限 "
                                                 f"{self.problem.deadline.isoformat()} 和延期记录都保留，这一格不需要导入。")
            else:
                self.error(row.where("deadline"), f"完成时限不能直接修改（台账中原定 {self.problem.deadline.isoformat()}，"
                                                  f"现行 {current.isoformat()}；表格中是 {deadline.isoformat()}）。需要延期时，请在“{excel.WORKING_SHEET}”"
                                                  "中加一条“延期”记录，写明新完成时限、延期理由和批准单位。")
        for term in RevisedField:
            if term == RevisedField.MILESTONES:
                continue
            key = "supervision" if term == RevisedField.SUPERVISION else term.value
            if key not in row.present:
                continue
            sheet_value = values.get(term.value) if key in row.cells else None
            before, now = getattr(written, term.value), getattr(effective, term.value)
            if term == RevisedField.SUPERVISION:  # the export writes 无 for none: a blank cell is a cleared one
                sheet_value = sheet_value or ("none" if key in row.cells else None)
                before, now = before.value, now.value
                before = None if before == "none" else before
            if sheet_value in (None, [], "") and before not in (None, [], ""):
                self.warn(row.where(key), f"{term.label}这一格是空的；台账中的{term.label}没有改动（删去须经调整审核）。")
                continue
            if _same(sheet_value, before, term.value) or _same(sheet_value, now, term.value):
                continue
            self.propose(term, now, sheet_value, row.where(key))

    def propose(self, term: RevisedField, now: Any, to: Any, where: str) -> None:
        """A changed commitment: a revision entry dated today, its reason and approval left for the office."""
        revision: dict[str, Any] = {"date": self.ctx.today, "type": EntryType.REVISION.value, "field": term.value,
                                    "from": _plain(now), "to": _plain(to), "reason": MISSING, "approved_by": MISSING}
        if permanence.needs_document(term, _plain(now), _plain(to)):
            revision["document"] = MISSING
        self.candidates.append(_Candidate(revision, where, checked=False))
        self.warn(where, f"{term.label}与台账不同（现行：{revisions.summary(term, _plain(now))}；表格：{revisions.summary(term, _plain(to))}），"
                         f"将追加一条“{EntryType.REVISION.label}”记录，调整理由、审核同意单位"
                         f"{'和文号' if 'document' in revision else ''}写作“{MISSING}”：须由专班办公室审核同意并补齐后才能通过校验。")

    def milestone_rows(self, records: list[Record]) -> None:
        """The 节点 sheet: completion dates filled in; any other change a proposed revision of the milestones."""
        written = self.problem.milestones
        sheet = [r.values for r in records]
        same_plan = [(m.get("title"), m.get("due")) for m in sheet] == [(m.title, m.due) for m in written]
        if not same_plan:
            now = revisions.revised(self.problem).milestones
            if [(m.get("title"), m.get("due")) for m in sheet] != [(m.title, m.due) for m in now]:
                try:
                    to = [Milestone.model_validate(m) for m in sheet]
                except ValidationError:
                    self.error(records[0].where() if records else "", "节点表中这个问题的节点填写不全（节点内容必填，日期写成 2025-06-30）；没有导入。")
                    return
                self.propose(RevisedField.MILESTONES, now, to, records[0].where() if records else "")
            else:  # the plan in force after a revision: its completion dates live in the revision, not here
                for record, milestone in zip(records, now, strict=True):
                    if record.values.get("done") != milestone.done:
                        self.error(record.where("done"), f"节点“{milestone.title}”是调整后的节点，它的完成日期不能在表格中填写；"
                                                         "请联系专班办公室在问题文件中记录。这一格的改动没有导入。")
            return
        for index, (record, milestone) in enumerate(zip(records, written, strict=True)):
            done = record.values.get("done")
            if done == milestone.done:
                continue
            if milestone.done is not None:
                self.error(record.where("done"), f"节点“{milestone.title}”已记为 {milestone.done.isoformat()} 完成，已填写的完成日期不能修改；"
                                                 "这一格的改动没有导入。")
            elif not isinstance(done, dt.date):
                self.error(record.where("done"), f"节点“{milestone.title}”的实际完成日期“{cell_text(done)}”不是日期，应写成 2025-06-30。")
            elif done > self.ctx.today or done < self.problem.opened:
                self.error(record.where("done"), f"节点“{milestone.title}”的实际完成日期 {done.isoformat()} 应在列入台账日期和今天之间。")
            elif self.archived is not None and done <= self.archived[0]:
                last_day, snapshot = self.archived
                self.error(record.where("done"), f"节点“{milestone.title}”的实际完成日期 {done.isoformat()} 落在已存档的一周里（最新周快照 "
                                                 f"{snapshot} 记录到 {last_day.isoformat()}）：已存档的一周不能补记；请填写 "
                                                 f"{(last_day + dt.timedelta(days=1)).isoformat()} 或之后的日期，"
                                                 "实际完成的日子写进本旬进展的内容。这一格的改动没有导入。")
            else:
                self.update.done.append((index, done))
                self.update.done_places.append(record.where("done"))

    # -------------------------------------------------------- what is taken

    def settle(self) -> ProblemUpdate:
        """The candidates not already on the ledger, in date order, each dated after the last merged entry and
        not after today; duplicates taken once."""
        seen = set(self.known)
        first: dict[str, str] = {}  # an entry this sheet gives twice -> where it was first
        taken: list[dict] = []
        for candidate in sorted(self.candidates, key=lambda c: c.entry["date"]):
            key = _key(candidate.entry)
            if key in first and first[key] != candidate.where:
                self.warn(candidate.where, f"这一行与 {first[key]} 完全相同，只记一次。")
            first.setdefault(key, candidate.where)
            if key in seen:
                continue
            day = candidate.entry["date"]
            if candidate.checked and day > self.ctx.today:
                self.error(candidate.where, f"日期 {day.isoformat()} 晚于今天（{self.ctx.today.isoformat()}）；工作记录只能记已经发生的事。这一条没有导入。")
                continue
            if candidate.checked and self.archived is not None and day <= self.archived[0]:
                last_day, snapshot = self.archived
                self.error(candidate.where, f"日期 {day.isoformat()} 落在已存档的一周里（最新周快照 {snapshot} 记录到 "
                                            f"{last_day.isoformat()}）：门户每周存档，不能把记录补记到过去；请填写 "
                                            f"{(last_day + dt.timedelta(days=1)).isoformat()} 或之后的日期。这一条没有导入。")
                continue
            if candidate.checked and day < self.last:
                self.error(candidate.where, f"日期 {day.isoformat()} 早于台账中最后一条已合并记录的日期（{self.last.isoformat()}）；"
                                            "记录只能按日期追加在末尾，这一条没有导入。")
                continue
            seen.add(key)
            taken.append(candidate.entry)
            self.update.places.append(candidate.where)
        self.update.entries = taken
        return self.update


def _same(sheet_value: Any, ledger_value: Any, name: str) -> bool:
    if isinstance(ledger_value, list) or isinstance(sheet_value, list):
        return [_text(v) for v in sheet_value or []] == [_text(v) for v in ledger_value or []]
    if isinstance(ledger_value, dict) and isinstance(sheet_value, dict):
        return {k: _text(v) for k, v in sheet_value.items()} == {k: _text(v) for k, v in ledger_value.items()}
    if isinstance(ledger_value, dt.date) or isinstance(sheet_value, dt.date):
        return sheet_value == ledger_value
    return _text(sheet_value) == _text(getattr(ledger_value, "value", ledger_value))


def _plain(value: Any) -> Any:
    """A commitment as a revision entry holds it: text, a list, a level's value, milestones as mappings."""
    if isinstance(value, list):
        return [m.model_dump(mode="python", exclude_defaults=True) if isinstance(m, Milestone) else m for m in value]
    return getattr(value, "value", value)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(cell_text(v) for v in value.values())
    return cell_text(value)[:40]


def _differs(record: Record, entry: LogEntry) -> str | None:
    """The first field of a sheet row that differs from the merged entry it stands for."""
    written = entry.model_dump(mode="python", by_alias=True)
    for name, value in record.values.items():
        if name in written and _text(cell_text(value)) != _text(cell_text(written[name])) and name in record.columns:
            return name
    return next((name for name in written if name in record.columns and name not in record.values), None)


def _expected(name: str, ctx: Context) -> str:
    if name in ("date", "deadline", "until"):
        return "日期，如 2025-06-30"
    if name == "step":
        return "“八步走”步骤之一：" + "、".join(step for _, step in ctx.steps)
    if name in ("percent", "satisfaction"):
        return "0 到 100 的整数"
    if name == "type":
        return "记录类型之一：" + "、".join(excel.ENTRY_TYPES)
    if name == "outcome":
        return "回头看结论之一：" + "、".join(excel.OUTCOMES)
    if name == "field":
        return "调整的内容之一：" + "、".join(excel.REVISED_FIELDS)
    return "所需的内容"


# ---------------------------------------------------------------- the whole sheet


def updates(ctx: Context, ledger_root: Path, rows: dict[str, Row], log_sheet: dict | None, milestone_sheet: dict | None,
            working: dict | None, report: ImportReport, width: int) -> list[ProblemUpdate]:
    """Every problem of the department the sheet says something new about, worked out and (unless a dry run)
    written; `rows` are the department sheet's rows of problems on the ledger, by id."""
    by_id = {item.problem.id: item for item in ctx.ledger.problems}
    archived = archived_until(ledger_root)
    sources = (log_sheet, milestone_sheet, working)
    wanted = dict.fromkeys([*rows, *(key for records in sources if records is not None
                                     for key in [*records, *getattr(records, "withheld", {})])])
    found: list[ProblemUpdate] = []
    for problem_id in wanted:
        item = by_id.get(problem_id)
        where = _first_place(problem_id, rows, log_sheet, milestone_sheet, working)
        if item is None:
            path = ledger_root / layout.problem_path(ctx.department, problem_id)
            if path.is_file() and MISSING in path.read_text(encoding="utf-8"):
                report.refuse(where, f"{problem_id}：问题文件中有写作“{MISSING}”的内容（如此前导入的调整申请），专班办公室补齐之前"
                                     "这个问题不能再导入更新；补齐后重新导入即可（已导入的记录不会重复写入）。")
            elif problem_id in ctx.ledger.problem_file_ids:
                report.refuse(where, f"{problem_id}：问题文件有错误，先按 rectify validate 的提示改正，再导入更新。")
            elif problem_id not in rows and (problem_id.startswith(f"{ctx.prefix}-") or problem_id in (working or {})):
                # a new problem's row is the conversion's; an export's log of another department's is its own
                report.refuse(where, f"问题编号 {problem_id} 不在台账中；新问题请写在部门表里（问题编号留空）。")
            continue
        path = ledger_root / layout.problem_path(item.problem.department, problem_id)
        if item.problem.department != ctx.department:
            # an export holds every department's log: another's problem is left alone unless the sheet adds to it
            scratch = ImportReport()
            other = _Problem(item, path, ctx, scratch)
            for records, read in ((log_sheet, other.log_rows), (working, other.working_rows), (milestone_sheet, other.milestone_rows)):
                if records is not None and problem_id in records:
                    read(records[problem_id])
            if other.settle().changes or scratch.errors:
                owner = ctx.lookup.departments.get(item.problem.department, item.problem.department)
                report.refuse(where, f"{problem_id} 是{owner}牵头的问题，不能在"
                                                      f"{ctx.lookup.departments.get(ctx.department, ctx.department)}的表格中更新；"
                                                      "这个问题的改动没有导入。")
            continue
        work = _Problem(item, path, ctx, report, archived)
        row = rows.get(problem_id)
        if row is not None:
            refuse_private(row, row.sheet, width, ctx.today.year)
            if row.refused:
                report.notes.extend(row.notes)
                report.refuse(row.where(), f"{problem_id}：这一行含个人信息，这个问题的更新没有导入。")
                continue
            work.commitments(row)
            if any(key in row.cells for key in (excel.PROGRESS, excel.COMPLETION, excel.CLOSED)):
                work.own_columns(row, item.problem.opened.year)
        for records, read in ((log_sheet, work.log_rows), (working, work.working_rows),
                              (milestone_sheet, work.milestone_rows)):
            if records is None:
                continue
            for note in getattr(records, "withheld", {}).get(problem_id, ()):
                report.refuse(note.where, f"{problem_id}：{note.message}这一行没有导入。")  # the problem's other rows are
            if problem_id in records:
                read(records[problem_id])
        update = work.settle()
        if update.changes:
            found.append(update)
    return found


def archived_until(ledger_root: Path) -> tuple[dt.date, str] | None:
    """The last day (a Sunday) of the newest week the published snapshots beside the ledger record, and that
    snapshot's name: an entry dated on or before it would rewrite an archived week (check-history's E508)."""
    folder = ledger_root.parent / layout.SNAPSHOTS
    weeks = [(week.last, path.name) for path in folder.glob("*.json") if (week := week_of_file(path.name)) is not None] \
        if folder.is_dir() else []
    return max(weeks) if weeks else None


def _first_place(problem_id: str, *sources: dict | None) -> str:
    for source in sources:
        if source and problem_id in source:
            found = source[problem_id]
            if isinstance(found, Row):
                return found.where()
            if found:
                return found[0].where()
    return problem_id


# the validator's rules on one problem's log and milestones: what an appended entry must also satisfy (an
# extension that moves the deadline later, a close-out after its notice, milestones within the deadline …)
_PROBLEM_RULES = (history.check, revision_rules.check, schedule.check)


def _proposed(entry: dict) -> bool:
    """A revision the import proposes for a changed commitment: its approval is the office's to fill in."""
    return entry.get("type") == EntryType.REVISION.value and entry.get("approved_by") == MISSING


def write(update: ProblemUpdate, ctx: Context, report: ImportReport, dry_run: bool) -> bool:
    """The problem file with the update applied and checked by the validator's rules on a problem: an appended
    entry (or a filled milestone) a rule refuses is reported at its cell and left out, and the rest is written
    (unless a dry run) with the file's own line endings. False when nothing is left to write."""
    raw = update.path.read_bytes().decode("utf-8")
    crlf = "\r\n" in raw
    original = raw.replace("\r\n", "\n")
    while True:
        try:
            text = _applied(original, update.done, update.entries)
            # the rules judge the sheet's own entries: a proposed revision's 待补充 would stop them reading the file
            checked = [n for n, entry in enumerate(update.entries) if not _proposed(entry)]
            judged = _applied(original, update.done, [update.entries[n] for n in checked])
        except (EditError, OSError) as exc:
            report.refuse(update.places[0] if update.places else str(update.path),
                          f"{update.problem_id}：无法自动追加到 {update.path.name}（{exc}）；请把这些记录手工追加到文件末尾。")
            return False
        refused: dict[tuple[str, int], list[str]] = {}
        for kind, index, message in _refused_by_rules(update, judged, ctx):
            refused.setdefault((kind, checked[index] if kind == "log" else index), []).append(message)
        if not refused:
            break
        for (kind, index), messages in sorted(refused.items(), reverse=True):  # from the end: indices stay valid
            places = update.places if kind == "log" else update.done_places
            report.refuse(places[index], f"{update.problem_id}：{''.join(sorted(messages))}这一条没有导入。")
            if kind == "log":
                del update.entries[index], update.places[index]
            else:
                del update.done[index], update.done_places[index]
        if not update.changes:
            return False
    try:
        update.after = Problem.model_validate(document_from_bytes(text.encode("utf-8"), update.path, update.path.name).data)
    except (LoadError, ValidationError):
        update.after = None  # a proposed revision's 待补充 is for the validator to name
    if not dry_run:
        update.path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode("utf-8"))
    return True


def _applied(text: str, done: list[tuple[int, dt.date]], entries: list[dict]) -> str:
    for index, day in done:
        text = set_in_item(text, "milestones", index, "done", day)
    return append_items(text, "log", entries)


def _refused_by_rules(update: ProblemUpdate, text: str, ctx: Context) -> set[tuple[str, int, str]]:
    """The appended entries and filled milestones the validator's rules refuse: (kind, index in the update, the
    rule's message)."""
    try:
        document = document_from_bytes(text.encode("utf-8"), update.path, update.path.name)
    except LoadError:
        return set()
    problem, _ = check_model(document, Problem)
    if problem is None:
        return set()  # a 待补充 of a proposed revision: the validator names it in the pull request
    ledger = dataclasses.replace(ctx.ledger, problems=[ProblemFile(document, problem)], findings=[])
    first = len(update.before.log)
    filled = {index: n for n, (index, _) in enumerate(update.done)}
    refused = set()
    for rule in _PROBLEM_RULES:
        for finding in rule(ledger, ctx.today):
            if finding.severity != "error":
                continue
            spot = re.match(r"(log|milestones)\[(\d+)\]", finding.field)
            if spot is None:
                continue
            index = int(spot[2])
            if spot[1] == "log" and index >= first:
                refused.add(("log", index - first, f"{finding.message}（{finding.code}）"))
            elif spot[1] == "milestones" and index in filled:
                refused.add(("done", filled[index], f"{finding.message}（{finding.code}）"))
    return refused
