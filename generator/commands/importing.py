"""`rectify import`: a department's 台账 spreadsheet into one problem file per row.

The headings are read through model/excel.py (the same declaration the export writes), the cells through
model/columns.py, every cell is checked for private data with the validator's own rule, and each file is
written like `rectify new` writes one. A row that cannot be placed completely is reported by cell and
written only with --force, marked 待补充 where something is missing (the validator refuses the marker:
E330). Nothing is overwritten; a row imported before is recognised by the source reference kept in its
file (`imported`), so a second import of the same sheet writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..loading import layout
from ..loading.ledger import Ledger, load_ledger
from ..loading.spreadsheet import (
    DateProblem,
    Sheet,
    SpreadsheetError,
    cell_text,
    find_heading_row,
    leading_date,
    parse_date,
    read_workbook,
)
from ..loading.yamlio import LoadError, read_document
from ..model import columns, excel
from ..model.schema import Problem
from ..model.vocabulary import SourceKind, Supervision
from ..validation.rules.privacy import private_items
from .new import problem_text, usual_category

MISSING = columns.TO_COMPLETE  # what --force writes where a value is missing; the validator refuses it (E330)
REFERENCE_SEPARATOR = "｜"


class ImportRefused(Exception):
    """The import cannot run (no such department, sheet or file); the message is for the clerk."""


class Outcome(StrEnum):
    WRITTEN = "written"  # a new problem file (or, in a dry run, one that would be)
    FORCED = "forced"  # written with 待补充 markers
    ALREADY = "already"  # imported before, unchanged
    CHANGED = "changed"  # imported before, the row has changed since: the file is the clerk's now
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

    def count(self, *outcomes: Outcome) -> int:
        return sum(1 for r in self.rows if r.outcome in outcomes)

    @property
    def refused(self) -> int:
        """Rows not written for an error in them."""
        return self.count(Outcome.REFUSED)

    @property
    def errors(self) -> int:
        return sum(1 for n in self.notes if n.error)

    def summary(self) -> str:
        verb = "将写入" if self.dry_run else "已写入"
        parts = [f"工作表“{self.sheet}”共 {len(self.rows)} 行问题：{verb} {self.count(Outcome.WRITTEN, Outcome.FORCED)} 个问题文件"]
        if self.count(Outcome.FORCED):
            parts.append(f"其中 {self.count(Outcome.FORCED)} 个含“{MISSING}”，补齐前校验不会通过")
        if self.count(Outcome.ALREADY, Outcome.CHANGED):
            parts.append(f"{self.count(Outcome.ALREADY, Outcome.CHANGED)} 行此前已导入，跳过")
        if self.count(Outcome.REFUSED):
            parts.append(f"{self.count(Outcome.REFUSED)} 行有错误，没有写入")
        text = "，".join(parts) + "。"
        if self.dry_run:
            text += "（试运行，没有写入任何文件。）"
        return text


# ---------------------------------------------------------------- the map a department may give


@dataclass(frozen=True)
class HeadingMap:
    """A department's own headings (heading -> key) and values for fields its sheet has no column for."""

    headings: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def read_map(path: Path) -> HeadingMap:
    """`--map MAP.yml`: `表头:` maps a sheet's heading to a standard heading or column key; `默认值:` gives a
    column key's value for every row (`team: 县环境整治专班`)."""
    try:
        document = read_document(path, path.name)
    except LoadError as exc:
        raise ImportRefused("；".join(f"{f.file}:{f.line}:{f.column}: {f.message}" for f in exc.findings)) from None
    except OSError as exc:
        raise ImportRefused(f"无法读取表头对照文件 {path}：{exc.strerror}") from None
    data = document.data if isinstance(document.data, dict) else None
    allowed = {"表头", "默认值", "headings", "defaults"}
    if data is None or set(data) - allowed:
        raise ImportRefused(f"{path.name}:1:1: 表头对照文件只能有“表头”和“默认值”两部分，"
                           f"实际是 {'、'.join(map(str, data)) if data else '空的或不是“键: 值”结构'}。")
    keys = {h.key for h in excel.HEADINGS}
    headings: dict[str, str] = {}
    for heading, target in (data.get("表头") or data.get("headings") or {}).items():
        key = str(target) if str(target) in keys else excel.meaning(str(target))
        if key not in keys:
            line, column = document.locate(("表头" if "表头" in data else "headings", heading))
            raise ImportRefused(f"{path.name}:{line}:{column}: 表头“{heading}”对应的“{target}”不是已知的表头或字段；"
                               f"可写：{'、'.join(h.heading for h in excel.HEADINGS)}。")
        headings[excel.normalise(str(heading))] = key
    defaults: dict[str, str] = {}
    for name, value in (data.get("默认值") or data.get("defaults") or {}).items():
        key = str(name) if str(name) in keys else excel.meaning(str(name))
        column = columns.BY_KEY.get(key or "")
        if column is None or column.field is None:
            line, col = document.locate(("默认值" if "默认值" in data else "defaults", name))
            raise ImportRefused(f"{path.name}:{line}:{col}: 默认值“{name}”不是台账字段的表头或字段名。")
        defaults[key] = cell_text(value)
    return HeadingMap(headings, defaults)


# ---------------------------------------------------------------- reading one row


_DONE = re.compile(r"已完成|已整改|已办结|整改完成|完成整改|^完成$|^是$|^已销号$")
_NOT_DONE = re.compile(r"未完成|正在|推进中|未整改|^否$")
_CLOSED = re.compile(r"^(是|已销号|销号|已销)$")
# the share of the work done, as progress lines write it ("完成50%", "整体进度80%"): not any percentage
# ("植被覆盖率达到85%" is a target, not progress)
_PERCENT = re.compile(r"(?:完成|进度|完成度|完成率|进展)[^0-9%％，,。；;]{0,6}?(\d{1,3}(?:\.\d+)?)\s*[%％]")
# a second dated entry on the same line, after a sentence's end: "3月5日完成排查；4月10日完成方案"
_NEXT_DATED = re.compile(r"(?<=[；;。])\s*(?=(?:\d{4}\s*[年./-]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日))")
_SOURCE_WORDS = (
    (SourceKind.AUDIT, ("审计",)),
    (SourceKind.COMPLAINT, ("信访", "投诉", "12345", "举报", "来信", "来访")),
    (SourceKind.MEDIA, ("媒体", "曝光", "报道", "网络舆情")),
    (SourceKind.ASSESSMENT, ("考核", "评估", "评价", "测评")),
    (SourceKind.SELF_CHECK, ("自查", "自纠", "排查")),
    (SourceKind.INSPECTION, ("巡视", "巡察", "督察", "督查", "检查", "反馈")),
)
_SUPERVISION = {"": "none", "无": "none", "否": "none", "不是": "none", "市": "city", "市级": "city",
                "是": "city", "省": "province", "省级": "province"}
_TITLE_END = re.compile(r"[。；;！!？?\n]")
TITLE_LENGTH = 40


@dataclass
class _Row:
    """The cells of one data row by key, and what the import found in them."""

    sheet: Sheet
    index: int
    cells: dict[str, tuple[int, Any]]  # key -> (column index, raw value), the non-empty cells
    present: dict[str, int]  # key -> column index, every known column of the sheet
    names: dict[str, str]  # key -> the sheet's own heading
    notes: list[Note] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)  # fields --force fills with 待补充
    refused: bool = False  # an error --force cannot fix (private data)
    hard_errors: int = 0  # errors that are not a missing or unreadable value: --force does not write the row
    serial_unique: bool = True  # its 序号 names it alone (not a 序号 merged over several rows, or repeated)

    def text(self, key: str) -> str:
        return cell_text(self.cells[key][1]) if key in self.cells else ""

    def where(self, key: str | None = None) -> str:
        if key is not None and key in self.present:
            return self.sheet.where(self.index, self.present[key])
        return self.sheet.where(self.index)

    def absent(self, key: str, hint: str = "") -> str:
        """Why a value is missing: an empty cell, or no such column."""
        return "（这一格是空的）" if key in self.present else f"（表格中没有这一列{hint}）"

    def heading(self, key: str) -> str:
        """A column as the clerk's sheet calls it."""
        return self.names.get(key) or excel.BY_KEY[key].heading

    def error(self, key: str | None, message: str) -> None:
        self.notes.append(Note(self.where(key), True, message))
        self.hard_errors += 1

    def lack(self, key: str, message: str) -> None:
        """A required value is missing or unreadable: an error, and the field --force marks 待补充."""
        self.notes.append(Note(self.where(key), True, message))
        self.missing.add(key)

    def warn(self, key: str | None, message: str) -> None:
        self.notes.append(Note(self.where(key), False, message))


@dataclass(frozen=True)
class _Context:
    ledger: Ledger
    department: str
    prefix: str
    lookup: columns.Lookup
    steps: tuple[tuple[str, str], ...]  # (id, name)
    today: dt.date
    campaign_start: dt.date
    defaults: dict[str, str]
    log_sheet: dict[str, list[dict]] | None  # an exported workbook's log, by problem id
    milestone_sheet: dict[str, list[dict]] | None


def _date(row: _Row, key: str, required: bool, year: int | None = None) -> dt.date | None:
    if key not in row.cells:
        if required:
            row.lack(key, f"缺少{row.heading(key)}{row.absent(key)}。")
        return None
    try:
        value, warning = parse_date(row.cells[key][1], year)
    except DateProblem as exc:
        row.lack(key, f"{row.heading(key)}：{exc}。")
        return None
    if warning:
        row.warn(key, f"{row.heading(key)}{warning}。")
    return value


def _value(row: _Row, ctx: _Context, key: str) -> str:
    """A text cell, or the map's default for the key when the sheet has no such column or the cell is empty."""
    text = row.text(key)
    return text if text else ctx.defaults.get(key, "")


def _fields(row: _Row, ctx: _Context) -> dict[str, Any]:
    """The ledger fields of a row, before the log; errors and warnings go to the row."""
    values: dict[str, Any] = {"department": ctx.department}
    for key in ("leader", "team", "section", "responsible", "target", "description", "title"):
        text = _value(row, ctx, key)
        if text:
            values[key] = text
    if "description" not in values:
        row.lack("description", f"缺少{row.heading('description')}{row.absent('description')}。")
    if "title" not in values and values.get("description"):
        first = _TITLE_END.split(values["description"], maxsplit=1)[0].strip()
        values["title"] = first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH] + "…"
        row.warn("description", f"没有问题名称，取问题描述的第一句“{values['title']}”作为问题名称，请核对。")
    for key in ("leader", "team", "section", "responsible", "target"):
        if key not in values:
            row.lack(key, f"缺少{row.heading(key)}{row.absent(key, '；可在 --map 的“默认值”中为全表指定')}。")
    measures = columns.split_measures(_value(row, ctx, "measures"))
    if measures:
        values["measures"] = measures
    else:
        row.lack("measures", f"缺少{row.heading('measures')}{row.absent('measures')}。")
    plan = _value(row, ctx, "plan")
    if plan:
        values["plan"] = plan
    _category(row, ctx, values)
    _source(row, ctx, values)
    _cooperating(row, ctx, values)
    _supervision(row, ctx, values)
    department = row.text("department")
    if department and ctx.lookup.department_id(department) != ctx.department:
        row.warn("department", f"牵头部门写的是“{department}”，按 --department 导入到 {ctx.department}，请核对。")
    return values


def _category(row: _Row, ctx: _Context, values: dict) -> None:
    text = _value(row, ctx, "category")
    known = dict(ctx.lookup.categories)
    if text:
        category = ctx.lookup.category_id(text)
        if category not in known:
            row.lack("category", f"类别“{text}”没有在 portal.yml 中登记；可选：{'、'.join(known.values())}。")
            return
        values["category"] = category
        return
    usual = usual_category(ctx.ledger, ctx.department)
    if usual:
        values["category"] = usual
        if "category" not in row.present:
            return  # a sheet without a category column: the department's usual one, said once in the summary
        row.warn("category", f"类别为空，按本部门最常见的类别“{known.get(usual, usual)}”记，请核对。")
    else:
        row.lack("category", f"缺少类别（本部门还没有问题可参照）；可选：{'、'.join(known.values())}。")


def _source(row: _Row, ctx: _Context, values: dict) -> None:
    text = _value(row, ctx, "source")
    if not text:
        row.lack("source", f"缺少{row.heading('source')}{row.absent('source')}。")
        return
    label, separator, name = text.partition(columns.SOURCE_SEPARATOR)
    kinds = {kind.label: kind.value for kind in SourceKind} | {kind.value: kind.value for kind in SourceKind}
    if separator and label.strip() in kinds and name.strip():
        source: dict[str, Any] = {"kind": kinds[label.strip()], "name": name.strip()}
    else:
        kind = next((k for k, words in _SOURCE_WORDS if any(w in text for w in words)), None)
        if kind is None:
            kind = SourceKind.INSPECTION
            row.warn("source", f"从“{text}”看不出来源类别，按“{kind.label}”记，请核对。")
        source = {"kind": kind.value, "name": text}
    day = _date(row, "source_date", required=False)
    if day:
        source["date"] = day
    values["source"] = source


def _cooperating(row: _Row, ctx: _Context, values: dict) -> None:
    units = [ctx.lookup.department_id(unit.strip()) for unit in _value(row, ctx, "cooperating").splitlines()
             if unit.strip()]
    units = [unit for unit in dict.fromkeys(units) if unit != ctx.department]  # the lead unit is not its own helper
    if units:
        values["cooperating"] = units


def _supervision(row: _Row, ctx: _Context, values: dict) -> None:
    text = _value(row, ctx, "supervision")
    levels = {level.label: level.value for level in Supervision} | {level.value: level.value for level in Supervision}
    level = levels.get(text) or _SUPERVISION.get(text.removesuffix("挂牌督办"))
    if level is None:
        row.error("supervision", f"挂牌督办“{text}”不认识，应为 无、市级 或 省级。")
    elif level != "none":
        values["supervision"] = level


# ---------------------------------------------------------------- the log


def _step_by_percent(ctx: _Context, percent: int) -> str:
    """The step a share of the work reaches, when the text names none: the eight steps spread over 0-100 %."""
    ids = [step_id for step_id, _ in ctx.steps]
    return ids[min(len(ids) - 1, percent * (len(ids) - 1) // 100)]


def _progress_entries(row: _Row, ctx: _Context, year: int) -> list[dict]:
    """The progress column: each line that starts with a date is an entry; a line without one goes on the
    entry above it. Percent and step come from the text when it names them."""
    entries: list[dict] = []
    undated: list[str] = []
    guessed_percent = guessed_step = False
    lines = [part for line in row.text(excel.PROGRESS).splitlines() for part in _NEXT_DATED.split(line)]
    for line in lines:
        if not line.strip():
            continue
        day, rest = leading_date(line, year)
        rest = rest.rstrip("；;，, ")
        if day is None:
            if entries:
                entries[-1]["summary"] += "\n" + line.strip()
            else:
                undated.append(line.strip())
            continue
        previous = entries[-1] if entries else None
        found = _PERCENT.findall(rest)
        if found:
            percent = min(100, round(float(found[-1])))
        else:
            percent = previous["percent"] if previous else 0
            guessed_percent = True
        # the furthest of the eight steps the text names ("分析研判已结束，推进整改…" is at 推进整改)
        step = next((step_id for step_id, name in reversed(ctx.steps) if name in rest), None)
        if step is None:
            step = _step_by_percent(ctx, percent)
            guessed_step = True
        entries.append({"date": day, "type": "progress", "step": step, "percent": percent, "summary": rest or "推进整改"})
    if undated:
        row.warn(excel.PROGRESS, f"整改进展中有 {len(undated)} 段没有以日期开头（“{undated[0][:20]}”），没有转为进展记录；"
                                 "请在问题文件的 log 中按日期补记。")
    if guessed_percent:
        row.warn(excel.PROGRESS, "有的进展没有写完成度（如“完成50%”），按上一条（第一条按 0%）记，请核对。")
    if guessed_step:
        row.warn(excel.PROGRESS, "有的进展没有写“八步走”步骤名称，按完成度推断了步骤，请核对。")
    return entries


def _log_from_columns(row: _Row, ctx: _Context, year: int) -> list[dict]:
    entries = _progress_entries(row, ctx, year) if excel.PROGRESS in row.cells else []
    completion = row.text(excel.COMPLETION)
    done = bool(_DONE.search(completion)) and not _NOT_DONE.search(completion)
    finished = _date(row, excel.FINISHED_ON, required=False, year=year)
    closed_text = row.text(excel.CLOSED)
    closed = bool(_CLOSED.match(closed_text)) or (not closed_text and completion.strip() == "已销号")
    closed_on = _date(row, excel.CLOSED_ON, required=False, year=year)
    if done and finished is None and closed_on is None:
        row.warn(excel.COMPLETION, f"完成情况为“{completion}”，但没有完成时间，没有记录完成；请在 log 中按日期补记。")
    if closed and closed_on is None:
        row.warn(excel.CLOSED, "表格记为已销号，但没有销号时间，没有记录销号；请在 log 中按日期补记。")
    finished = finished or (closed_on if closed else None)
    if (done or (closed and closed_on)) and finished and not any(e["percent"] == 100 for e in entries):
        summary = completion if done and completion not in ("是", "完成") else "整改完成（表格记为已销号）"
        last_step = ctx.steps[-2][0] if len(ctx.steps) > 1 else ctx.steps[-1][0]
        entries.append({"date": finished, "type": "progress", "step": last_step, "percent": 100, "summary": summary})
    if closed and closed_on:
        close: dict[str, Any] = {"date": closed_on, "type": "close"}
        for key, name in ((excel.CLOSE_APPROVER, "approved_by"), (excel.CLOSE_DOCUMENT, "document")):
            text = _value(row, ctx, key)
            if text:
                close[name] = text
            else:
                row.lack(key, f"记为已销号，但缺少{excel.BY_KEY[key].heading}{row.absent(key)}。")
                close[name] = MISSING
        close["summary"] = completion if completion and not _CLOSED.match(completion) else "经审核，予以销号"
        entries.append(close)
    return sorted(entries, key=lambda e: e["date"])  # stable: a completion before the close of the same day


def _dates_in_range(row: _Row, ctx: _Context, log: list[dict], opened: dt.date) -> None:
    """The rules E319 and E307 apply to the log, checked here so that the row is named, not a file."""
    for entry in log:
        if not isinstance(entry.get("date"), dt.date):
            continue
        key = excel.PROGRESS if entry["type"] == "progress" and excel.PROGRESS in row.present else None
        if entry["date"] > ctx.today:
            row.error(key, f"有一条记录的日期 {entry['date'].isoformat()} 晚于今天（{ctx.today.isoformat()}）；"
                           "工作记录只能记已经发生的事。")
        elif entry["date"] < opened:
            row.error(key, f"有一条记录的日期 {entry['date'].isoformat()} 早于列入台账日期 {opened.isoformat()}。")


# ---------------------------------------------------------------- the export's own sheets


def _typed(kind: str, value: Any, ctx: _Context) -> Any:
    text = cell_text(value)
    if text == "":
        return None
    if kind == "date":
        return parse_date(value)[0]
    if kind == "int":
        return int(float(text))
    if kind == "list":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "step":
        return next((step_id for step_id, name in ctx.steps if name == text), text)
    if kind == "type":
        return excel.ENTRY_TYPES.get(text, text)
    if kind == "outcome":
        return excel.OUTCOMES.get(text, text)
    if kind == "revised_field":
        return excel.REVISED_FIELDS.get(text, text)
    return text


def _records(sheet: Sheet | None, declared: tuple[excel.Field, ...], ctx: _Context,
             report: ImportReport) -> dict[str, list[dict]] | None:
    """An exported workbook's log or milestone sheet: records by problem id, in the sheet's order. A problem
    with private data in one of its records gets none (None in its place), and the cell is reported."""
    if sheet is None:
        return None
    wanted = {excel.normalise(f.heading): f for f in declared}
    found = find_heading_row(sheet, lambda h: excel.normalise(h) if excel.normalise(h) in wanted else None)
    if found is None:
        return None
    heading_row, known = found
    out: dict[str, list[dict]] = {}
    for r in range(heading_row + 1, len(sheet.rows)):
        cells = [(wanted[key], sheet.rows[r][c].value) for c, key in known.items()]
        problem_id = next((cell_text(v) for f, v in cells if f.kind == "id"), "")
        if not problem_id:
            continue
        private = _private_cells(sheet, r, range(len(sheet.rows[r])), ctx.today.year)
        if private:
            report.notes.extend(private)
            out[problem_id] = None  # type: ignore[assignment]
        if problem_id in out and out[problem_id] is None:
            continue
        kind = "milestone" if declared is excel.MILESTONE_FIELDS else excel.ENTRY_TYPES.get(
            cell_text(next((v for f, v in cells if f.kind == "type"), "")), "")
        record: dict[str, Any] = {}
        for f, value in cells:
            name = f.fields.get(kind)
            if name is None:
                continue
            try:
                typed = _typed(f.kind, value, ctx)
            except (DateProblem, ValueError):
                typed = cell_text(value)  # the schema check names it
            if typed is not None and typed != []:
                record[name] = typed
        if kind == "revision":  # from and to take the form of the field they revise
            for side in ("from", "to"):
                record[side] = excel.revision_value(str(record.get("field", "")), str(record.get(side, excel.NOTHING)))
        out.setdefault(problem_id, []).append(record)
    return out


# ---------------------------------------------------------------- the whole sheet


def _exported(row: _Row, records: dict[str, list[dict] | None], problem_id: str, sheet: str) -> list[dict]:
    """A problem's records from the export's log or milestone sheet; none when one of them held private data."""
    found = records.get(problem_id, [])
    if found is None:
        row.error(None, f"“{sheet}”工作表中这个问题的记录含个人信息（见上），这个问题没有导入。")
        row.refused = True
        return []
    return list(found)


def _fingerprint(row: _Row) -> str:
    """The row's content, whatever the order of its columns: a second import knows an unchanged row by it."""
    items = sorted((key, row.text(key)) for key in row.cells if key not in (excel.SERIAL, "imported"))
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def _reference(row: _Row) -> tuple[str, str]:
    """(where the row came from, its fingerprint): the file, the sheet and the row's 序号 (or its number)."""
    serial = row.text(excel.SERIAL)
    label = f"序号 {serial}" if serial and row.serial_unique else f"第 {row.index + 1} 行"
    return REFERENCE_SEPARATOR.join((row.sheet.file, row.sheet.name, label)), _fingerprint(row)


def _imported(ledger: Ledger) -> dict[str, tuple[str, str]]:
    """Rows imported before: where they came from -> (problem id, fingerprint)."""
    out = {}
    for item in ledger.problems:
        reference = item.problem.imported
        if reference and REFERENCE_SEPARATOR in reference:
            place, _, fingerprint = reference.rpartition(REFERENCE_SEPARATOR)
            out[place] = (item.problem.id, fingerprint)
    return out


_PRIVATE = {"E311": "手机号码", "E312": "身份证号码", "E313": "电子邮箱"}


def _private_cells(sheet: Sheet, r: int, cells: Iterable[int], last_year: int) -> list[Note]:
    """The validator's privacy rule on cells of a row: one error per private item, at its cell."""
    notes = []
    for c in cells:
        cell = sheet.rows[r][c]
        if cell.empty:
            continue
        for code, shown in private_items(cell_text(cell.value), last_year):
            what = _PRIVATE[code]
            notes.append(Note(sheet.where(r, c), True,
                              f"有疑似{what}（{shown}…）：公开的台账不得含个人{what}（{code}）；请在表格中删去后再导入。"))
    return notes


def _private(row: _Row, sheet: Sheet, width: int, last_year: int) -> None:
    """Every cell of the row, known heading or not: nothing private goes into a public ledger."""
    notes = _private_cells(sheet, row.index, range(width), last_year)
    if notes:
        row.notes.extend(notes)
        row.refused = True


def _choose_sheet(sheets: list[Sheet], name: str | None, department, meaning) -> Sheet:
    if name is not None:
        for sheet in sheets:
            if sheet.name == name:
                return sheet
        raise ImportRefused(f"没有名为“{name}”的工作表；表格中有：{'、'.join(s.name for s in sheets)}。")
    for sheet in sheets:  # an exported workbook: one sheet per department
        if sheet.name in (department.name, department.short, excel.sheet_name(department)):
            return sheet
    own = (excel.SUMMARY_SHEET, excel.LOG_SHEET, excel.MILESTONE_SHEET)
    if any(sheet.name == excel.LOG_SHEET for sheet in sheets):  # another department's sheet must not be taken
        raise ImportRefused(f"这是导出的台账工作簿，但其中没有“{department.name}”的工作表；"
                           f"表格中有：{'、'.join(s.name for s in sheets)}。请用 --sheet 指定。")
    for sheet in sheets:
        if sheet.name not in own and find_heading_row(sheet, meaning):
            return sheet
    raise ImportRefused(f"在 {'、'.join(s.name for s in sheets)} 中都没有找到表头行（至少要认出 3 个表头，"
                       f"如{'、'.join(h.heading for h in excel.HEADINGS[1:6])}）；请用 --sheet 指定工作表，"
                       "或用 --map 说明表头的含义。")


def import_sheet(ledger_root: Path, file: Path, department: str, today: dt.date, sheet_name: str | None = None,
                 heading_map: HeadingMap | None = None, dry_run: bool = False, force: bool = False) -> ImportReport:
    """Import one sheet of `file` into `ledger_root/<department>/`; never raises for a mistake in the sheet."""
    ledger = load_ledger(ledger_root)
    unit = ledger.departments.get(department)
    if unit is None:
        known = "、".join(ledger.departments) or "（departments.yml 无法读取，请先运行 rectify validate）"
        raise ImportRefused(f"部门“{department}”没有在 departments.yml 中登记。已登记的部门：{known}")
    if ledger.portal is None:
        raise ImportRefused("portal.yml 无法读取，请先运行 rectify validate。")
    if not file.is_file():
        raise ImportRefused(f"文件 {file} 不存在。")
    heading_map = heading_map or HeadingMap()

    def meaning(heading: str) -> str | None:
        return excel.meaning(heading, heading_map.headings)

    try:
        sheets = read_workbook(file)
    except SpreadsheetError as exc:
        raise ImportRefused(str(exc)) from None
    sheet = _choose_sheet(sheets, sheet_name, unit, meaning)
    found = find_heading_row(sheet, meaning, frozenset({excel.IGNORED}))
    if found is None:
        raise ImportRefused(f"工作表“{sheet.name}”的前 20 行里没有表头行（至少要认出 3 个表头）；请用 --map 说明表头的含义。")
    heading_row, known = found
    report = ImportReport(sheet=sheet.name, dry_run=dry_run)
    for c, cell in enumerate(sheet.rows[heading_row]):
        if not cell.empty and c not in known:
            reason = "与前面的列重复" if meaning(cell_text(cell.value)) else "不认识"
            report.notes.append(Note(sheet.where(heading_row, c), False,
                                     f"表头“{cell_text(cell.value)}”{reason}，这一列没有导入；可在 --map 的“表头”中指定它的含义。"))
    by_name = {s.name: s for s in sheets}
    ctx = _Context(
        ledger=ledger, department=department, prefix=unit.prefix,
        lookup=columns.Lookup.of(ledger.departments.values(), ledger.portal.categories),
        steps=tuple((s.id, s.name) for s in ledger.portal.steps), today=today,
        campaign_start=ledger.portal.campaign_start, defaults=heading_map.defaults,
        log_sheet=None, milestone_sheet=None)
    ctx = dataclasses.replace(  # an exported workbook's log and milestones, read with the steps known
        ctx, log_sheet=_records(by_name.get(excel.LOG_SHEET), excel.LOG_FIELDS, ctx, report),
        milestone_sheet=_records(by_name.get(excel.MILESTONE_SHEET), excel.MILESTONE_FIELDS, ctx, report))
    if "category" not in known.values() and "category" not in heading_map.defaults:
        usual = usual_category(ledger, department)
        if usual:
            report.notes.append(Note(sheet.where(heading_row), False,
                                     f"表格中没有类别一列，全部按本部门最常见的类别“{ctx.lookup.categories.get(usual, usual)}”记，请核对。"))
    folder = ledger_root / layout.department_folder(department)
    taken = set(ledger.problem_file_ids) | {p.stem for p in folder.glob(f"*{layout.SUFFIX}")}
    imported = _imported(ledger)
    width = len(sheet.rows[heading_row])
    serial_at = next((c for c, key in known.items() if key == excel.SERIAL), None)
    serials = [cell_text(sheet.rows[r][serial_at].value) for r in range(heading_row + 1, len(sheet.rows))] \
        if serial_at is not None else []
    repeated = {serial for serial, times in Counter(serials).items() if serial and times > 1}
    for r in range(heading_row + 1, len(sheet.rows)):
        cells = {key: (c, sheet.rows[r][c].value) for c, key in known.items()
                 if key != excel.IGNORED and c < len(sheet.rows[r]) and not sheet.rows[r][c].empty}
        own = [c for c in range(width) if not sheet.rows[r][c].empty and not sheet.rows[r][c].filled]
        if not own or set(own) <= {c for c, key in known.items() if key == excel.SERIAL}:
            continue  # an empty row, or one with only merged cells' copies or a 序号
        row = _Row(sheet, r, cells, {key: c for c, key in known.items()},
                   {key: cell_text(sheet.rows[heading_row][c].value) for c, key in known.items()})
        row.serial_unique = row.text(excel.SERIAL) not in repeated
        if len(own) == 1 and not any(key in cells for key in ("description", "title", "measures")):
            report.notes.append(Note(sheet.where(r), False, f"这一行只有一格有内容（“{cell_text(sheet.rows[r][own[0]].value)[:20]}”），"
                                                         "当作说明跳过。"))
            continue
        report.rows.append(_import_row(row, ctx, sheet, width, taken, imported, folder, dry_run, force, report))
    return report


def _import_row(row: _Row, ctx: _Context, sheet: Sheet, width: int, taken: set[str],
                imported: dict[str, tuple[str, str]], folder: Path, dry_run: bool, force: bool,
                report: ImportReport) -> RowResult:
    place, fingerprint = _reference(row)
    given_id = row.text("id")
    if given_id and given_id in taken:
        report.notes.append(Note(row.where("id"), False, f"问题 {given_id} 已经在台账中，跳过（已有的问题文件不会被覆盖）。"))
        return RowResult(row.where(), Outcome.ALREADY, given_id)
    same = next((problem_id for problem_id, before in imported.values() if before == fingerprint), None)
    if not given_id and same and place not in imported:  # the same row in a renamed or re-sorted file
        report.notes.append(Note(row.where(), False, f"这一行与此前导入的 {same} 内容相同，跳过。"))
        return RowResult(row.where(), Outcome.ALREADY, same)
    if not given_id and place in imported:
        problem_id, before = imported[place]
        if before == fingerprint:
            return RowResult(row.where(), Outcome.ALREADY, problem_id)
        report.notes.append(Note(row.where(), False, f"这一行此前已导入为 {problem_id}，之后表格内容有改动；已有的问题文件不会被覆盖，"
                                                     f"改动请直接在 {ctx.department}/{problem_id}{layout.SUFFIX} 中修改。"))
        return RowResult(row.where(), Outcome.CHANGED, problem_id)
    _private(row, sheet, width, ctx.today.year)
    values = _fields(row, ctx)
    deadline = _date(row, "deadline", required=True, year=ctx.today.year)
    opened = _date(row, "opened", required=False, year=deadline.year if deadline else ctx.today.year)
    year = (opened or deadline or ctx.today).year
    log = _log_from_columns(row, ctx, year) if not given_id or ctx.log_sheet is None else \
        _exported(row, ctx.log_sheet, given_id, excel.LOG_SHEET)
    if given_id and row.text("imported"):
        values["imported"] = row.text("imported")  # a problem imported once keeps its source through an export
    if opened is None:
        # the earliest day the row knows of, and at the latest the campaign's start; never after the deadline
        known_dates = [d for d in (values.get("source", {}).get("date"), *(e["date"] for e in log)) if d]
        opened = min([*known_dates, ctx.campaign_start, ctx.today])
        opened = min(opened, deadline) if deadline else opened
        if "opened" not in row.cells:
            row.warn("opened", f"没有列入台账日期，按 {opened.isoformat()}（整改工作开始日期或更早的记录日期）记，请核对。")
    _dates_in_range(row, ctx, log, opened)
    if opened > ctx.today:
        row.error("opened", f"列入台账日期 {opened.isoformat()} 晚于今天。")
    if deadline and opened and deadline < opened:
        row.error("deadline", f"完成时限 {deadline.isoformat()} 早于列入台账日期 {opened.isoformat()}。")
    values["opened"] = MISSING if "opened" in row.missing else opened
    values["deadline"] = deadline or MISSING
    if given_id:
        problem_id = given_id
        if not re.fullmatch(rf"{re.escape(ctx.prefix)}-\d{{4}}-\d{{3,5}}", given_id):
            row.error("id", f"问题编号“{given_id}”应为 {ctx.prefix}-年份-序号（本部门的前缀是 {ctx.prefix}）；"
                            "导入新问题时这一格请留空。")
    else:
        problem_id = layout.next_free_id(taken, ctx.prefix, opened.year)  # the year it was put on the ledger
        values["imported"] = f"{place}{REFERENCE_SEPARATOR}{fingerprint}"
    values["id"] = problem_id
    if ctx.milestone_sheet is not None and given_id:
        values["milestones"] = _exported(row, ctx.milestone_sheet, given_id, excel.MILESTONE_SHEET)
    values["log"] = log
    for key in row.missing:
        column = columns.BY_KEY.get(key)
        if column is not None and column.field and column.field.split(".")[0] not in values:
            name = column.field.split(".")[0]
            values[name] = [MISSING] if name == "measures" else (
                {"kind": SourceKind.INSPECTION.value, "name": MISSING} if name == "source" else MISSING)
    if not row.missing and not row.refused:
        _schema(row, values)
    report.notes.extend(row.notes)
    errors = any(n.error for n in row.notes)
    forced = bool(row.missing) and force and not row.refused and row.hard_errors == 0
    if errors and not forced:
        if row.missing and not row.refused:
            report.notes.append(Note(row.where(), True, f"这一行没有写入（缺少的内容补齐后重新导入，或加 --force 写入并标记“{MISSING}”）。"))
        else:
            report.notes.append(Note(row.where(), True, "这一行没有写入。"))
        return RowResult(row.where(), Outcome.REFUSED)
    taken.add(problem_id)
    path = folder / f"{problem_id}{layout.SUFFIX}"
    if not dry_run:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # never overwrite, even a file written meanwhile
            out.write(problem_text(values))
    return RowResult(row.where(), Outcome.FORCED if forced else Outcome.WRITTEN, problem_id, path)


def _schema(row: _Row, values: dict) -> None:
    """The pydantic check of the finished problem, each error at the cell of its column."""
    try:
        Problem.model_validate(values)
    except ValidationError as exc:
        by_field = {c.field.split(".")[0]: c.key for c in columns.LEDGER_COLUMNS}
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0]) if error["loc"] else ""
            key = by_field.get(name)
            where_key = key if key in row.present else (excel.PROGRESS if name == "log" and excel.PROGRESS in row.present else None)
            row.error(where_key, f"{excel.BY_KEY[key].heading if key else name}：{_explain(error)}")


def _explain(error: dict) -> str:
    location = "·".join(str(part) for part in error["loc"][1:])
    kind = error["type"]
    words = {"string_too_short": "不能为空", "missing": "缺少", "literal_error": "取值不对", "enum": "取值不在可选范围内",
             "string_pattern_mismatch": "格式不对", "less_than_equal": "数值过大", "greater_than_equal": "数值过小"}
    return f"{location + ' ' if location else ''}{words.get(kind, '取值不对')}（{error.get('input')!s:.30}）。"
