"""The ledger as an Excel workbook a department recognises, and the empty template to fill in.

The export (`rectify export`, and the portal's XLSX download): a summary sheet, one sheet per department in
the headings of model/columns.py (the ones the import reads), status and light coloured as on the portal
(model/vocabulary.py), and the 工作记录 and 节点 sheets that carry each problem's log and milestones, so
the file imports back into the same problems. The as-of date is in every sheet's title row.

Written with XlsxWriter, which takes a column's format for every cell written without one: at 10,000
problems, styling cell by cell with openpyxl was a third of a build (issue 9).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
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
from ..model.schema import Department, Portal
from ..model.vocabulary import LIGHT_TINT, Figure, Light, Status, Supervision
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


def ledger_workbook(campaign: Campaign, department: str | None = None) -> bytes:
    """The export: 汇总, one sheet per department (or only `department`), 工作记录 and 节点.

    XlsxWriter keeps a small tuple per cell: half a million of them over a 10,000-problem campaign set off
    the cyclic garbage collector again and again, which walked the whole campaign each time (half the
    export's time). The cells hold no cycles, so the collector waits until the workbook is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _ledger_workbook(campaign, department)
    finally:
        if enabled:
            gc.enable()


def _ledger_workbook(campaign: Campaign, department: str | None) -> bytes:
    book = _Book(campaign.portal.office, dt.datetime.combine(campaign.as_of, dt.time()))
    as_of = f"（数据截至{cn_date(campaign.as_of)}）"
    departments = [d for d in campaign.departments if department in (None, d.id)]
    rows = {d.id: campaign.by_department(d.id) for d in departments}
    _summary(book, campaign, departments, rows, as_of)
    status_at = columns.COLUMNS.index(columns.BY_KEY["status"])
    light_at = columns.COLUMNS.index(columns.BY_KEY["light"])
    headings = [c.heading for c in columns.COLUMNS]
    for unit in departments:
        sheet = book.sheet(excel.sheet_name(unit), f"{unit.name}问题整改台账{as_of}", headings,
                           [c.wide for c in columns.COLUMNS])
        sheet.freeze_panes(HEADING_ROW + 1, 2)  # the id and the title stay in sight
        number = HEADING_ROW
        write_string, write_number = sheet.write_string, sheet.write_number
        for number, row in enumerate(rows[unit.id], start=HEADING_ROW + 1):
            row = _as_written(row, campaign)
            for index, value in enumerate(columns.cells(row)):  # cell by cell: a third of the cells are empty
                if isinstance(value, str):
                    if value and index != status_at and index != light_at:
                        write_string(number, index, safe(value))
                elif value is not None:
                    write_number(number, index, value)
            write_string(number, status_at, row.state.status.label, book.status[row.state.status])
            write_string(number, light_at, row.state.light.label, book.light[row.state.light])
        sheet.autofilter(HEADING_ROW, 0, number, len(headings) - 1)
    problems = [_as_written(row, campaign) for unit in departments for row in rows[unit.id]]
    _records(book, excel.LOG_SHEET, f"工作记录{as_of}", excel.LOG_FIELDS,
             ((row.problem.id, entry.type, entry) for row in problems for entry in row.problem.log), campaign.portal)
    _records(book, excel.MILESTONE_SHEET, f"倒排工期节点{as_of}", excel.MILESTONE_FIELDS,
             ((row.problem.id, "milestone", m) for row in problems for m in row.problem.milestones), campaign.portal)
    return book.close()


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
             records: Iterable[tuple[str, str, Any]], portal: Portal) -> None:
    """One row per log entry or milestone, after its problem's id."""
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
                continue
            if isinstance(value, str):
                write_string(number, index, value)
            else:
                write_number(number, index, value)


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
