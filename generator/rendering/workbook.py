"""The ledger as an Excel workbook a department recognises, a department's working workbook, and the empty template.

The export (`rectify export`, and the portal's XLSX download): a summary sheet, one sheet per department in
the headings of model/columns.py (the ones the import reads), status and light coloured as on the portal
(model/vocabulary.py), and the 工作记录 and 节点 sheets that carry each problem's log and milestones, so
the file imports back into the same problems. The as-of date is in every sheet's title row.

A department's working workbook (`rectify export --department`, and its download on the portal): the 本旬进展
sheet to fill in for the next 旬 (model/excel.py declares its layout), then the department's sheet, 工作记录
and 节点 as the export writes them, protected but for what a clerk may change there.

Written with XlsxWriter, which takes a column's format for every cell written without one: at 10,000
problems, styling cell by cell with openpyxl was a third of a build (issue 9).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import Any

import xlsxwriter

from ..derivation import revisions
from ..derivation.campaign import Campaign, Row
from ..model import columns, excel
from ..model.permanence import Rule, rule_of
from ..model.schema import Department, Portal
from ..model.vocabulary import LIGHT_TINT, EntryType, Figure, Light, Status, Supervision
from ..parallel import collector_paused
from .markup import cn_date

TITLE_ROW, HEADING_ROW = 0, 1
WIDE, NARROW = 40, 14
def safe(value: Any) -> Any:
    """Keep a spreadsheet from running ledger text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _tint(colour: str, percent: int) -> str:
    """`colour` mixed with white, as the portal's light badges are (CSS color-mix)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * percent / 100 + 255 * (100 - percent) / 100):02x}" for c in rgb)


class _Book:
    """A workbook with the formats every sheet shares."""

    def __init__(self, author: str, created: dt.datetime):
        self.raw = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.raw, {"in_memory": True, "strings_to_formulas": False,
                                                   "strings_to_urls": False, "strings_to_numbers": False})
        self.book.set_properties({"author": author, "created": created})
        self.created = created
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.heading = add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                            "bg_color": "#e8eaed", "border": 1})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.plain = add({"valign": "top"})
        self.status = {s: add({"bg_color": s.badge, "font_color": "#ffffff", "valign": "top"}) for s in Status}
        self.light = {li: add({"bg_color": _tint(li.colour, LIGHT_TINT), "font_color": li.ink, "valign": "top"})
                      for li in Light}
        self.bold = add({"bold": True})

    def sheet(self, name: str, title: str, headings: list[str], wide: list[bool]):
        sheet = self.book.add_worksheet(name)
        for index, is_wide in enumerate(wide):
            sheet.set_column(index, index, WIDE if is_wide else NARROW, self.wrap if is_wide else self.plain)
        sheet.set_row(TITLE_ROW, 24)
        sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, max(len(headings) - 1, 1), title, self.title)
        sheet.write_row(HEADING_ROW, 0, headings, self.heading)
        sheet.freeze_panes(HEADING_ROW + 1, 0)
        return sheet

    def close(self) -> bytes:
        self.book.close()
        return stable_zip(self.raw.getvalue(), self.created.timetuple()[:6])


# The ledger columns a department may ask to change in its working workbook: the commitments a revision entry
# changes (model/permanence.py); the import makes a changed cell a proposed revision, for the office to approve.
REVISABLE = frozenset(c.key for c in columns.LEDGER_COLUMNS if rule_of(c.field) is Rule.REVISED)
ENTRY_TINT = "#fff8e1"  # the cells a clerk types into, light amber on every sheet of the working workbook
LAST_DAY = dt.date(2100, 12, 31)  # the latest date a date cell takes


class _Working:
    """The working workbook's formats (only made there, so that the export's bytes stay as they were) and its
    protection: every cell locked but those written in an `open_*` format."""

    def __init__(self, book: _Book):
        add = book.book.add_format
        self.open_plain = add({"locked": False, "valign": "top", "bg_color": ENTRY_TINT, "border": 1,
                               "border_color": "#d0d0d0"})
        self.open_wide = add({"locked": False, "valign": "top", "text_wrap": True, "bg_color": ENTRY_TINT,
                              "border": 1, "border_color": "#d0d0d0"})
        self.open_date = add({"locked": False, "valign": "top", "num_format": "yyyy-mm-dd", "bg_color": ENTRY_TINT,
                              "border": 1, "border_color": "#d0d0d0"})
        self.note = add({"text_wrap": True, "valign": "vcenter"})
        # the context, merged down over each group (only its first cell written, so no borders: a merged range
        # draws its edges from each of its cells)
        self.context = add({"text_wrap": True, "valign": "top"})
        self.status = {s: add({"bg_color": s.badge, "font_color": "#ffffff", "valign": "top"}) for s in Status}
        self.light = {li: add({"bg_color": _tint(li.colour, LIGHT_TINT), "font_color": li.ink, "valign": "top"})
                      for li in Light}

    @staticmethod
    def protect(sheet) -> None:
        """Locked cells cannot be typed into; no password, so the office can lift it; columns can be widened
        and rows filtered."""
        sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})


def working_workbook(campaign: Campaign, department: str) -> bytes:
    """The clerk's working workbook for the next 旬 (model/excel.py, "the department's working sheet"): 本旬进展
    first, one group of rows per problem to fill in, then the department's sheet, 工作记录 and 节点 as the
    export writes them, protected, so that the file also imports as an export does. No 汇总: one department's
    figures are on its own sheet and page, and the clerk's file should open on what there is to do."""
    with collector_paused():
        book = _Book(campaign.portal.office, dt.datetime.combine(campaign.as_of, dt.time()))
        working = _Working(book)
        unit = next(d for d in campaign.departments if d.id == department)
        rows = {unit.id: campaign.by_department(unit.id)}
        _progress_sheet(book, working, campaign, unit, rows[unit.id])
        _ledger_sheets(book, campaign, [unit], rows, f"（数据截至{cn_date(campaign.as_of)}）", working)
        return book.close()


def working_notes(campaign: Campaign, unit: Department) -> list[str]:
    """The 本旬进展 sheet's title and instructions, one a row above the headings (at most WORKING_NOTE_ROWS)."""
    as_of = cn_date(campaign.as_of)
    types = {t.value: t.label for t in EntryType}
    n = excel.WORKING_ROWS
    return [
        f"{unit.name}本旬整改进展填报表（数据截至{as_of}）",
        f"一、每个问题下留有 {n} 个空行（浅黄色格子），发生一件事填一行：先填“日期”，再从下拉列表选“记录类型”，"
        "然后填这一类型需要的各栏。左边各栏是台账中的现状，不能修改。",
        f"二、{types['progress']}：填所处步骤（下拉选择）、完成度（0到100的整数）和内容，有佐证材料的写材料名称（每行一个）。"
        f"{types['close']}：填批准或审核单位、文号和内容。",
        f"三、{types['extension']}：填新完成时限、延期理由、批准或审核单位和文号。{types['notice']}：填公示截止日期和内容"
        "（公示渠道可不填）。",
        f"四、{types['review']}：填回头看结论、内容和群众满意度，问题反弹回潮的还要填新完成时限。"
        f"{types['revision']}：填调整的内容、调整前、调整后、调整理由、批准或审核单位和文号，经专班办公室审核后生效。",
        f"五、已有的记录（见“{excel.LOG_SHEET}”表）不能在这里修改，有误请联系专班办公室。节点完成了，在“{excel.MILESTONE_SHEET}”表"
        f"该节点的“实际完成日期”格填日期；要调整整改目标、措施、责任人等，在“{excel.sheet_name(unit)}”表浅黄色格子里改，"
        "导入后作为调整申请，经批准后生效。",
        f"六、本表数据截至{as_of}。只记该问题最后一条记录之后、而且不在已存档的一周里发生的事（门户每周一存档上一周，"
        "存档的一周不能补记），一般就是本旬的事。日期写成 2026-11-30 这样的格式。"
        f"一个问题 {n} 行不够时，其余的下次再填，或联系专班办公室。",
        f"七、填好后保存为 .xlsx 文件（不要改工作表的名称和表头），在台账仓库的网页上传到 submissions/{unit.id}/ 文件夹"
        "（见门户“填报指南”），或发送给专班办公室导入。",
    ]


def _next_milestone(row: Row) -> str:
    """The first milestone not yet done, by its due date: “title（due）”; empty when none is left."""
    pending = [m for m in row.problem.milestones if m.done is None]
    if not pending:
        return ""
    milestone = min(pending, key=lambda m: (m.due is None, m.due or LAST_DAY))
    return f"{milestone.title}（{milestone.due.isoformat()}）" if milestone.due else milestone.title


def _progress_sheet(book: _Book, working: _Working, campaign: Campaign, unit: Department, rows: list[Row]) -> None:
    """本旬进展: instructions, the heading row (the context, then the log sheet's entry columns), and per problem
    WORKING_ROWS rows: the context merged down over them and locked, the entry cells open and validated."""
    context, entries = excel.WORKING_CONTEXT, excel.WORKING_ENTRY_FIELDS
    width = len(context) + len(entries)
    heading_row = excel.WORKING_NOTE_ROWS
    sheet = book.book.add_worksheet(excel.WORKING_SHEET)
    sheet.activate()
    for index, size in enumerate((14, 30, 10, 10, 10, 14, 12, 26)):
        sheet.set_column(index, index, size)
    for index, field in enumerate(entries, start=len(context)):
        wide = field.kind in ("text", "list", "revised")
        sheet.set_column(index, index, 30 if wide else 13,
                         working.open_date if field.kind == "date" else working.open_wide if wide else working.open_plain)
    notes = working_notes(campaign, unit)
    assert len(notes) <= excel.WORKING_NOTE_ROWS
    for number, note in enumerate(notes):
        sheet.set_row(number, 24 if number == TITLE_ROW else 20)
        sheet.merge_range(number, 0, number, width - 1, note, book.title if number == TITLE_ROW else working.note)
    for number in range(len(notes), heading_row):  # rows the instructions leave free stay locked
        sheet.set_row(number, None, working.note)
    sheet.set_row(heading_row, 30)
    sheet.write_row(heading_row, 0, [*context, *(f.heading for f in entries)], book.heading)
    sheet.freeze_panes(heading_row + 1, 2)  # the id and the title stay in sight

    first_row = heading_row + 1
    size = excel.WORKING_ROWS
    merges = sheet.merge  # XlsxWriter's list of merged ranges, which merge_range appends to
    for number, row in enumerate(rows):
        top, bottom = first_row + number * size, first_row + number * size + size - 1
        state = row.state
        cells = ((row.problem.id, working.context), (safe(row.problem.title), working.context),
                 (state.status.label, working.status[state.status]), (state.light.label, working.light[state.light]),
                 (state.percent, working.context), (row.step.name if row.step else "", working.context),
                 (state.deadline.isoformat(), working.context), (safe(_next_milestone(row)), working.context))
        for index, (value, cell_format) in enumerate(cells):
            sheet.write(top, index, value, cell_format)
            if size > 1:
                # merge_range without the blank cells it writes below the first (two thirds of this sheet's cells
                # at WORKING_ROWS = 3): a merged range shows its first cell's value and format throughout
                merges.append([top, index, bottom, index])
    last_row = first_row + len(rows) * size - 1
    if rows:
        _validate_entries(sheet, campaign, first_row, last_row, len(context))
    sheet.autofilter(heading_row, 0, max(last_row, heading_row), width - 1)
    working.protect(sheet)


def _validate_entries(sheet, campaign: Campaign, first_row: int, last_row: int, offset: int) -> None:
    """Data validation of the entry columns over every group's rows: dates, the drop-downs, 0-100."""
    start = campaign.portal.campaign_start
    lists = {"type": list(excel.ENTRY_TYPES), "step": [s.name for s in campaign.portal.steps],
             "outcome": list(excel.OUTCOMES), "revised_field": list(excel.REVISED_FIELDS)}
    for index, field in enumerate(excel.WORKING_ENTRY_FIELDS, start=offset):
        if field.kind == "date":
            rule = {"validate": "date", "criteria": "between", "minimum": start, "maximum": LAST_DAY,
                    "input_title": field.heading, "input_message": "日期，如 2026-11-30",
                    "error_title": "日期不对", "error_message": f"请填写 {start.isoformat()} 以后的日期，如 2026-11-30。"}
        elif field.kind in lists:
            rule = {"validate": "list", "source": lists[field.kind],
                    "error_title": f"{field.heading}不对", "error_message": "请从下拉列表中选择。"}
        elif field.kind == "int":
            rule = {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100,
                    "error_title": f"{field.heading}不对", "error_message": "请填写 0 到 100 的整数。"}
        else:
            continue
        sheet.data_validation(first_row, index, last_row, index, rule)


def ledger_workbook(campaign: Campaign, department: str | None = None) -> bytes:
    """The export: 汇总, one sheet per department (or only `department`), 工作记录 and 节点.

    XlsxWriter keeps a small tuple per cell: half a million of them over a 10,000-problem campaign set off
    the cyclic garbage collector again and again, which walked the whole campaign each time (half the
    export's time). The cells hold no cycles, so the collector waits until the workbook is written."""
    with collector_paused():
        book = _Book(campaign.portal.office, dt.datetime.combine(campaign.as_of, dt.time()))
        as_of = f"（数据截至{cn_date(campaign.as_of)}）"
        departments = [d for d in campaign.departments if department in (None, d.id)]
        rows = {d.id: campaign.by_department(d.id) for d in departments}
        _summary(book, campaign, departments, rows, as_of)
        _ledger_sheets(book, campaign, departments, rows, as_of)
        return book.close()


def _ledger_sheets(book: _Book, campaign: Campaign, departments: list[Department], rows: dict[str, list[Row]],
                   as_of: str, working: _Working | None = None) -> None:
    """The department sheets, 工作记录 and 节点: what the import reads back. In a working workbook (`working`)
    they are protected, but for the commitments a department may ask to revise and the completion date of a
    milestone not yet done."""
    status_at = columns.COLUMNS.index(columns.BY_KEY["status"])
    light_at = columns.COLUMNS.index(columns.BY_KEY["light"])
    headings = [c.heading for c in columns.COLUMNS]
    # each column's cell format: none (the column's own), or in a working workbook open to typing
    formats = [(working.open_wide if column.wide else working.open_plain) if working and column.key in REVISABLE
               else None for column in columns.COLUMNS]
    for unit in departments:
        sheet = book.sheet(excel.sheet_name(unit), f"{unit.name}问题整改台账{as_of}", headings,
                           [c.wide for c in columns.COLUMNS])
        sheet.freeze_panes(HEADING_ROW + 1, 2)  # the id and the title stay in sight
        number = HEADING_ROW
        write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
        for number, row in enumerate(rows[unit.id], start=HEADING_ROW + 1):
            row = _as_written(row, campaign)
            for index, value in enumerate(columns.cells(row)):  # cell by cell: a third of the cells are empty
                if isinstance(value, str):
                    if value and index != status_at and index != light_at:
                        write_string(number, index, safe(value), formats[index])
                    elif formats[index] is not None:  # an empty commitment open to typing (a plan)
                        write_blank(number, index, None, formats[index])
                elif value is not None:
                    write_number(number, index, value, formats[index])
            write_string(number, status_at, row.state.status.label, book.status[row.state.status])
            write_string(number, light_at, row.state.light.label, book.light[row.state.light])
        sheet.autofilter(HEADING_ROW, 0, number, len(headings) - 1)
        if working:
            working.protect(sheet)
    problems = [_as_written(row, campaign) for unit in departments for row in rows[unit.id]]
    log = _records(book, excel.LOG_SHEET, f"工作记录{as_of}", excel.LOG_FIELDS,
                   ((row.problem.id, entry.type, entry) for row in problems for entry in row.problem.log),
                   campaign.portal)
    milestones = _records(book, excel.MILESTONE_SHEET, f"倒排工期节点{as_of}", excel.MILESTONE_FIELDS,
                          ((row.problem.id, "milestone", m) for row in problems for m in row.problem.milestones),
                          campaign.portal, open_when_empty={"done": working.open_date} if working else None)
    if working:
        working.protect(log)
        working.protect(milestones)


def _as_written(row: Row, campaign: Campaign) -> Row:
    """A row whose ledger columns hold the file as written (the original commitments; the revisions are rows of
    the log sheet), so that the workbook imports back into the same file; status and light stay as derived."""
    written = revisions.as_written(row.problem)
    if written is row.problem:
        return row
    names = {d.id: d.name for d in campaign.departments}
    return dataclasses.replace(row, problem=written, cooperating=tuple(names.get(u, u) for u in written.cooperating))


def _summary(book: _Book, campaign: Campaign, departments: list[Department], rows: dict[str, list[Row]],
             as_of: str) -> None:
    headings = ["部门", Figure.TOTAL.label, *(s.label for s in Status), *(li.label for li in Light), Figure.SUPERVISED.label,
                f"{Figure.CLOSURE_RATE.label}（%）"]
    sheet = book.sheet(excel.SUMMARY_SHEET, f"{campaign.portal.title}{as_of}", headings,
                       [True] + [False] * (len(headings) - 1))
    sheet.set_column(0, 0, 24)
    for index, status in enumerate(Status, start=2):
        sheet.write(HEADING_ROW, index, status.label, book.status[status])
    for index, light in enumerate(Light, start=2 + len(Status)):
        sheet.write(HEADING_ROW, index, light.label, book.light[light])

    def figures(group: list[Row]) -> list[Any]:
        statuses = Counter(r.state.status for r in group)
        lights = Counter(r.state.light for r in group)
        closed = statuses[Status.CLOSED]
        return [len(group), *(statuses[s] for s in Status), *(lights[li] for li in Light),
                sum(1 for r in group if r.problem.supervision is not Supervision.NONE),
                round(100 * closed / len(group), 1) if group else None]

    number = HEADING_ROW
    for number, unit in enumerate(departments, start=HEADING_ROW + 1):
        sheet.write_row(number, 0, [unit.name, *figures(rows[unit.id])])
    everything = [row for unit in departments for row in rows[unit.id]]
    sheet.write_row(number + 1, 0, ["合计", *figures(everything)], book.bold)


def _cell(kind: str, value: Any, portal: Portal) -> Any:
    if value is None:
        return None
    if kind == "date":
        return value.isoformat()
    if kind == "list":
        return "\n".join(value) or None
    if kind == "step":
        return next((s.name for s in portal.steps if s.id == value), value)
    if kind in ("outcome", "revised_field"):
        return value.label
    return safe(value)


def _records(book: _Book, name: str, title: str, declared: tuple[excel.Field, ...],
             records: Iterable[tuple[str, str, Any]], portal: Portal, open_when_empty: dict[str, Any] | None = None):
    """One row per log entry or milestone, after its problem's id; a field of `open_when_empty` without a value
    is left open to typing in its format (a milestone's completion date, in the working workbook)."""
    sheet = book.sheet(name, title, [f.heading for f in declared], [f.kind == "text" for f in declared])
    sheet.freeze_panes(HEADING_ROW + 1, 1)
    labels = {value: label for label, value in excel.ENTRY_TYPES.items()}
    plan = {kind: [(index, f.kind, f.fields[kind]) for index, f in enumerate(declared) if kind in f.fields]
            for kind in {k for f in declared for k in f.fields}}
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, (problem_id, kind, record) in enumerate(records, start=HEADING_ROW + 1):
        # cell by cell, only the fields the record's kind has: most of a log row is empty
        write_string(number, 0, problem_id)
        for index, cell_kind, field_name in plan[kind]:
            if cell_kind == "type":
                value = labels[kind]
            elif cell_kind == "revised":  # a revision's from or to, in the form its field takes
                value = excel.revision_cell(record.field, getattr(record, "from_" if field_name == "from" else field_name))
            else:
                value = _cell(cell_kind, getattr(record, field_name), portal)
            if value is None:
                if open_when_empty and field_name in open_when_empty:
                    sheet.write_blank(number, index, None, open_when_empty[field_name])
                continue
            if isinstance(value, str):
                write_string(number, index, value)
            else:
                write_number(number, index, value)
    return sheet


def template_workbook(portal: Portal) -> bytes:
    """An empty 台账 in the headings the import reads, with a sheet that explains each heading."""
    book = _Book(portal.office, dt.datetime.combine(portal.campaign_start, dt.time()))
    keys = [excel.SERIAL, *(h.key for h in excel.HEADINGS if h.column is not None and h.column.field
                            and h.key not in ("id", "department", "imported")),
            excel.PROGRESS, excel.COMPLETION, excel.FINISHED_ON, excel.CLOSED, excel.CLOSED_ON,
            excel.CLOSE_DOCUMENT, excel.CLOSE_APPROVER]
    headings = [excel.BY_KEY[key].heading for key in keys]
    wide = [bool(columns.BY_KEY[key].wide) if key in columns.BY_KEY else key == excel.PROGRESS for key in keys]
    sheet = book.sheet("台账", "（单位名称）问题整改台账", headings, wide)
    sheet.set_column(0, 0, 6)
    choices = {"category": [c.name for c in portal.categories], "supervision": [s.label for s in Supervision],
               excel.CLOSED: ["是", "否"], excel.COMPLETION: ["已完成", "未完成"]}
    for index, key in enumerate(keys):
        if key in choices:
            sheet.data_validation(HEADING_ROW + 1, index, 1000, index,
                                  {"validate": "list", "source": choices[key], "error_type": "warning"})
    guide = book.sheet("填写说明", "填写说明：表头可以用“也可写作”中的任何一种写法；日期写成 2025-06-30 或 2025年6月30日",
                       ["表头", "也可写作", "必填", "说明"], [False, True, False, True])
    for number, row in enumerate(excel.guide_rows(), start=HEADING_ROW + 1):
        guide.write_row(number, 0, [row["heading"], row["variants"], "是" if row["required"] else "", row["note"]])
    return book.close()


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stable_zip(data: bytes, stamp: tuple) -> bytes:
    """Rewrite a zip with fixed member times, so the same ledger gives the same bytes."""
    stamp_text = dt.datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # the modified time is the save time: ours instead
                data = _MODIFIED.sub(rb"\g<1>" + stamp_text + rb"\g<2>", data)
            target.writestr(member, data)
    return out.getvalue()
