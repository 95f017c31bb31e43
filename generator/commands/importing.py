"""`rectify import`: a department's 台账 spreadsheet into one problem file per row.

The command checks what it was given (a registered department, a readable portal.yml, a spreadsheet file)
and hands the workbook to the spreadsheet package, which converts it and reports by cell; cli.py prints
the report. Nothing is overwritten, and a second import of the same sheet writes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..loading.ledger import load_ledger
from ..spreadsheet.conversion import convert
from ..spreadsheet.headings import HeadingMap
from ..spreadsheet.reading import SpreadsheetError, read_workbook
from ..spreadsheet.report import ImportRefused, ImportReport
from ..validation import registered


def import_sheet(ledger_root: Path, file: Path, department: str, today: dt.date, sheet_name: str | None = None,
                 heading_map: HeadingMap | None = None, dry_run: bool = False, force: bool = False) -> ImportReport:
    """Import one sheet of `file` into `ledger_root/<department>/`; never raises for a mistake in the sheet."""
    ledger = load_ledger(ledger_root)
    try:
        registered.department(ledger, department)
    except registered.NotRegistered as exc:
        raise ImportRefused(str(exc)) from None
    if ledger.portal is None:
        raise ImportRefused("portal.yml 无法读取，请先运行 rectify validate。")
    if not file.is_file():
        raise ImportRefused(f"文件 {file} 不存在。")
    try:
        sheets = read_workbook(file)
    except SpreadsheetError as exc:
        raise ImportRefused(str(exc)) from None
    return convert(ledger, ledger_root, department, sheets, today, sheet_name, heading_map, dry_run, force)
