"""Reading a 台账 spreadsheet (.xlsx or the old .xls): its sheets as grids of cells, merged cells filled in,
the heading row found under the title rows, and the cell values as the ledger reads them (dates, text).

python-calamine reads both formats (and .xlsm, .ods) with one API, reports merged ranges for .xlsx and
.xls alike, and gives an Excel date cell as a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine

from ..loading.layout import SPREADSHEET_SUFFIXES
from ..model.calendar import month_of

SUFFIXES = SPREADSHEET_SUFFIXES  # declared with the folders, where convert-submissions asks too
HEADING_SEARCH_ROWS = 20  # title rows, notes and two-level headings sit above the heading row
MIN_HEADINGS = 3  # a row with fewer known headings is not the heading row


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet; the message is for the clerk."""


@dataclass(frozen=True)
class Cell:
    value: Any  # str, float, int, bool, dt.date, dt.datetime, dt.time or "" for an empty cell
    filled: bool = False  # copied from the first cell of a merged range

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `rows[r][c]`, 0-based, the whole area from A1; merged ranges filled in."""

    file: str  # the file's name, as reports name it
    name: str
    rows: tuple[tuple[Cell, ...], ...]

    def where(self, row: int, column: int | None = None) -> str:
        """How a report names a cell (`台账.xlsx:Sheet1!F12`) or, as Excel does, a whole row (`台账.xlsx:Sheet1!12:12`)."""
        if column is None:
            return f"{self.file}:{self.name}!{row + 1}:{row + 1}"
        return f"{self.file}:{self.name}!{column_letter(column)}{row + 1}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_workbook(path: Path) -> list[Sheet]:
    """Every worksheet of the file, in order."""
    if path.suffix.lower() not in SUFFIXES:
        raise SpreadsheetError(f"{path.name} 不是 Excel 表格：只能导入 {'、'.join(SUFFIXES)} 文件"
                               "（WPS 表格请先“另存为”Excel 格式）。")
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            values = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
            sheets.append(_filled(path.name, name, values, merged))
        return sheets
    except python_calamine.PasswordError:
        raise SpreadsheetError(f"{path.name} 设置了打开密码，请先取消密码再导入。") from None
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise SpreadsheetError(f"{path.name} 无法作为 Excel 表格读取（{exc}）；请用 Excel 或 WPS 打开后另存为 .xlsx 再试。") from None


def _filled(file: str, name: str, values: list[list[Any]], merged) -> Sheet:
    """Copy the first cell of each merged range into the rest: a 责任单位 merged down over five rows holds
    for each of the five problems."""
    height = max([len(values)] + [end[0] + 1 for _, end in merged])
    width = max([len(row) for row in values] + [end[1] + 1 for _, end in merged] + [0])
    grid = [[Cell(row[c] if c < len(row) else "") for c in range(width)] for row in values]
    grid += [[Cell("") for _ in range(width)] for _ in range(height - len(grid))]
    for (top, left), (bottom, right) in sorted(merged):
        first = grid[top][left].value
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    grid[r][c] = Cell(first, filled=True)
    return Sheet(file, name, tuple(tuple(row) for row in grid))


def find_heading_row(sheet: Sheet, meaning: Callable[[str], str | None],
                     repeatable: frozenset[str] = frozenset()) -> tuple[int, dict[int, str]] | None:
    """The heading row (the one among the first rows with the most known headings, at least MIN_HEADINGS)
    and its known columns (index -> key; a key not in `repeatable` is taken from its first column only);
    None when no row looks like headings."""
    best: tuple[int, dict[int, str]] | None = None
    for r, row in enumerate(sheet.rows[:HEADING_SEARCH_ROWS]):
        known: dict[int, str] = {}
        for c, cell in enumerate(row):
            if cell.empty or not isinstance(cell.value, str):
                continue
            key = meaning(cell.value)
            if key is not None and (key in repeatable or key not in known.values()):
                known[c] = key
        if len(known) >= MIN_HEADINGS and (best is None or len(known) > len(best[1])):
            best = (r, known)
    return best


# ---------------------------------------------------------------- cell values


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (序号 1, not 1.0), dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class DateProblem(ValueError):
    """A cell that is not a date; the message says what was expected."""


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")
_YMD = re.compile(r"^(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})\s*(?:[-./]|月)\s*(\d{1,2})\s*日?(?:前|之前|以前)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_END = re.compile(r"^(?:(\d{4})\s*(?:年|[-./]))?\s*(\d{1,2})\s*(?:月|月份)?\s*(底|末|前|以前|之前|)$")
_YEAR_END = re.compile(r"^(\d{4})\s*年\s*(?:底|末|年底|年末)$")
DATE_FORMS = "2025-03-01、2025.3.1、2025/3/1、2025年3月1日，或“2025年6月底”"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any, year: int | None = None) -> tuple[dt.date, str | None]:
    """A cell as a date, and a warning when the day was not written (月底 -> the month's last day).

    `year` is the year to take for a cell that names only a month ("6月底"). Raises DateProblem."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number (1954-2119) in a cell not formatted as a date
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), None
        raise DateProblem(f"“{cell_text(value)}”不是日期，应为 {DATE_FORMS}")
    text = cell_text(value).translate(_FULL_WIDTH_DIGITS).replace(" ", "").replace("\u3000", "")
    if not text:
        raise DateProblem(f"没有填写日期，应为 {DATE_FORMS}")
    for pattern in (_YMD, _COMPACT):
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3])), None
            except ValueError:
                raise DateProblem(f"“{text}”日历上没有这一天") from None
    match = _YEAR_END.match(text)
    if match:
        return dt.date(int(match[1]), 12, 31), f"“{text}”没有写到日，按 {match[1]}-12-31 计，请核对"
    match = _MONTH_END.match(text)
    if match and (match[1] or year) and 1 <= int(match[2]) <= 12 and (match[1] or match[3] or "月" in text):
        y, m = int(match[1] or year), int(match[2])
        day = month_of(dt.date(y, m, 1)).end
        guessed = "" if match[1] else f"，年份按 {y} 年"
        return day, f"“{text}”没有写到日，按当月最后一天 {day.isoformat()} 计{guessed}，请核对"
    raise DateProblem(f"“{text}”不是日期，应为 {DATE_FORMS}")


_LEADING_DATE = re.compile(
    r"^\s*[（(]?\s*(\d{4}\s*(?:[-./]|年)\s*\d{1,2}\s*(?:[-./]|月)\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[）)]?\s*[，,：:、]?\s*")
_SHORT = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def leading_date(line: str, year: int) -> tuple[dt.date | None, str]:
    """A progress line's date, when it starts with one ("2025年3月5日，完成排查" or "3月5日：…"), and the rest."""
    match = _LEADING_DATE.match(line.translate(_FULL_WIDTH_DIGITS))
    if not match:
        return None, line.strip()
    written = match[1].replace(" ", "")
    rest = line.translate(_FULL_WIDTH_DIGITS)[match.end():].strip()
    short = _SHORT.match(written)
    try:
        if short:
            return dt.date(year, int(short[1]), int(short[2])), rest
        return parse_date(written)[0], rest
    except (DateProblem, ValueError):
        return None, line.strip()
