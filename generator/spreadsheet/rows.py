"""One data row of a sheet to a problem's fields and log: each cell read as the ledger reads it, every cell
checked for private data with the validator's own rule, and every error or warning noted at its cell.

A row is read through model/excel.py's headings (the same declaration the export writes) and
model/columns.py's cells; what cannot be placed is noted, and the field is marked for --force to fill
with 待补充.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..loading.ledger import Ledger
from ..loading.problemfile import usual_category
from ..model import columns, excel
from ..model.schema import Problem
from ..model.vocabulary import SourceKind, Supervision
from ..validation.rules.privacy import private_items
from .reading import DateProblem, Sheet, cell_text, leading_date, parse_date
from .report import MISSING, Note

# ---------------------------------------------------------------- the fields


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
class Row:
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
class Context:
    """What every row of one import shares: the ledger, the department, the portal's steps, the day checks run
    against, the map's defaults, and an exported workbook's log and milestone sheets when it has them."""

    ledger: Ledger
    department: str
    prefix: str
    lookup: columns.Lookup
    steps: tuple[tuple[str, str], ...]  # (id, name)
    today: dt.date
    campaign_start: dt.date
    defaults: dict[str, str]
    log_sheet: dict[str, Any] | None  # an exported workbook's log, by problem id (exported.Record lists)
    milestone_sheet: dict[str, Any] | None


def row_date(row: Row, key: str, required: bool, year: int | None = None) -> dt.date | None:
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


def _value(row: Row, ctx: Context, key: str) -> str:
    """A text cell, or the map's default for the key when the sheet has no such column or the cell is empty."""
    text = row.text(key)
    return text if text else ctx.defaults.get(key, "")


def problem_fields(row: Row, ctx: Context) -> dict[str, Any]:
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


def _category(row: Row, ctx: Context, values: dict) -> None:
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


def _source(row: Row, ctx: Context, values: dict) -> None:
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
    day = row_date(row, "source_date", required=False)
    if day:
        source["date"] = day
    values["source"] = source


def _cooperating(row: Row, ctx: Context, values: dict) -> None:
    units = [ctx.lookup.department_id(unit.strip()) for unit in _value(row, ctx, "cooperating").splitlines()
             if unit.strip()]
    units = [unit for unit in dict.fromkeys(units) if unit != ctx.department]  # the lead unit is not its own helper
    if units:
        values["cooperating"] = units


def _supervision(row: Row, ctx: Context, values: dict) -> None:
    text = _value(row, ctx, "supervision")
    levels = {level.label: level.value for level in Supervision} | {level.value: level.value for level in Supervision}
    level = levels.get(text) or _SUPERVISION.get(text.removesuffix("挂牌督办"))
    if level is None:
        row.error("supervision", f"挂牌督办“{text}”不认识，应为 无、市级 或 省级。")
    elif level != "none":
        values["supervision"] = level


# ---------------------------------------------------------------- the log


def _step_by_percent(ctx: Context, percent: int) -> str:
    """The step a share of the work reaches, when the text names none: the eight steps spread over 0-100 %."""
    ids = [step_id for step_id, _ in ctx.steps]
    return ids[min(len(ids) - 1, percent * (len(ids) - 1) // 100)]


def _progress_entries(row: Row, ctx: Context, year: int) -> list[dict]:
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


def log_from_columns(row: Row, ctx: Context, year: int) -> list[dict]:
    entries = _progress_entries(row, ctx, year) if excel.PROGRESS in row.cells else []
    completion = row.text(excel.COMPLETION)
    done = bool(_DONE.search(completion)) and not _NOT_DONE.search(completion)
    finished = row_date(row, excel.FINISHED_ON, required=False, year=year)
    closed_text = row.text(excel.CLOSED)
    closed = bool(_CLOSED.match(closed_text)) or (not closed_text and completion.strip() == "已销号")
    closed_on = row_date(row, excel.CLOSED_ON, required=False, year=year)
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


def check_log_dates(row: Row, ctx: Context, log: list[dict], opened: dt.date) -> None:
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


# ---------------------------------------------------------------- private data


_PRIVATE = {"E311": "手机号码", "E312": "身份证号码", "E313": "电子邮箱"}


def private_cells(sheet: Sheet, r: int, cells: Iterable[int], last_year: int) -> list[Note]:
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


def refuse_private(row: Row, sheet: Sheet, width: int, last_year: int) -> None:
    """Every cell of the row, known heading or not: nothing private goes into a public ledger."""
    notes = private_cells(sheet, row.index, range(width), last_year)
    if notes:
        row.notes.extend(notes)
        row.refused = True


# ---------------------------------------------------------------- the finished problem


def check_schema(row: Row, values: dict) -> None:
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
