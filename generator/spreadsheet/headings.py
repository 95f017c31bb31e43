"""What a sheet's headings mean: the department's own map (`--map`) and the choice of the sheet to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..loading.yamlio import LoadError, read_document
from ..model import columns, excel
from .reading import Sheet, cell_text, find_heading_row
from .report import ImportRefused


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


def choose_sheet(sheets: list[Sheet], name: str | None, department, meaning) -> Sheet:
    """The sheet named by --sheet; else the department's own sheet of an exported workbook; else the first
    sheet whose headings can be read (never another department's sheet of an export)."""
    if name is not None:
        for sheet in sheets:
            if sheet.name == name:
                return sheet
        raise ImportRefused(f"没有名为“{name}”的工作表；表格中有：{'、'.join(s.name for s in sheets)}。")
    for sheet in sheets:  # an exported workbook: one sheet per department
        if sheet.name in (department.name, department.short, excel.sheet_name(department)):
            return sheet
    own = (excel.SUMMARY_SHEET, excel.LOG_SHEET, excel.MILESTONE_SHEET, excel.WORKING_SHEET)
    if any(sheet.name == excel.LOG_SHEET for sheet in sheets):  # another department's sheet must not be taken
        raise ImportRefused(f"这是导出的台账工作簿，但其中没有“{department.name}”的工作表；"
                           f"表格中有：{'、'.join(s.name for s in sheets)}。请用 --sheet 指定。")
    for sheet in sheets:
        if sheet.name not in own and find_heading_row(sheet, meaning):
            return sheet
    raise ImportRefused(f"在 {'、'.join(s.name for s in sheets)} 中都没有找到表头行（至少要认出 3 个表头，"
                       f"如{'、'.join(h.heading for h in excel.HEADINGS[1:6])}）；请用 --sheet 指定工作表，"
                       "或用 --map 说明表头的含义。")
