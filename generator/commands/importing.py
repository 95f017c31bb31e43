"""`rectify import`: a department's 台账 spreadsheet into its problem files.

The command checks what it was given (a registered department, a readable portal.yml, a spreadsheet file)
and hands the workbook to the spreadsheet package, which converts it and reports by cell: a row of a new
problem becomes its file, and what the sheet adds to a problem already on the ledger is appended to its log
(spreadsheet/updating.py). cli.py prints the report, and `changes` says what was appended in the words of the
pull request's summary. Nothing is overwritten, and a second import of the same sheet writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..loading.ledger import load_ledger
from ..model.schema import Thresholds
from ..rendering.summary import sections
from ..review.summary import Summary, add_problem
from ..spreadsheet.conversion import convert
from ..spreadsheet.headings import HeadingMap
from ..spreadsheet.reading import Sheet, SpreadsheetError, read_workbook
from ..spreadsheet.report import ImportRefused, ImportReport
from ..validation import registered


def import_sheet(ledger_root: Path, file: Path, department: str, today: dt.date, sheet_name: str | None = None,
                 heading_map: HeadingMap | None = None, dry_run: bool = False, force: bool = False) -> ImportReport:
    """Import one sheet of `file` into `ledger_root/<department>/`; never raises for a mistake in the sheet."""
    if not file.is_file():
        raise ImportRefused(f"文件 {file} 不存在。")
    try:
        sheets = read_workbook(file)
    except SpreadsheetError as exc:
        raise ImportRefused(str(exc)) from None
    ledger = load_ledger(ledger_root, only=_departments_named(ledger_root, department, sheets))
    try:
        registered.department(ledger, department)
    except registered.NotRegistered as exc:
        raise ImportRefused(str(exc)) from None
    if ledger.portal is None:
        raise ImportRefused("portal.yml 无法读取，请先运行 rectify validate。")
    report = convert(ledger, ledger_root, department, sheets, today, sheet_name, heading_map, dry_run, force)
    report.thresholds = ledger.portal.thresholds
    return report


_PROBLEM_ID = re.compile(r"([A-Z]{2,8})-\d{4}-\d{3,5}")


def _departments_named(ledger_root: Path, department: str, sheets: list[Sheet]) -> set[str] | None:
    """The departments whose problem files the import reads: its own, and those whose problem ids the workbook
    names (an export holds every department's log); None (all) when a registry cannot be read here."""
    prefixes = {match[1] for sheet in sheets for row in sheet.rows for cell in row
                if isinstance(cell.value, str) and (match := _PROBLEM_ID.fullmatch(cell.value.strip()))}
    try:
        registry = load_ledger(ledger_root, only=()).departments
    except OSError:
        return None
    return {department} | {unit.id for unit in registry.values() if unit.prefix in prefixes}


def changes(report: ImportReport, today: dt.date, plain: bool = False) -> str:
    """What the import appends to problems on the ledger, as the pull request's summary will say it once the
    files are committed (new red lights, moved states, extensions, revisions, close-outs, new entries); `plain`
    drops Markdown's escapes, for a terminal."""
    summary = Summary(today=today, base="")
    thresholds = getattr(report, "thresholds", None) or Thresholds()
    for update in report.updates:
        if update.after is not None:
            add_problem(summary, update.before, update.after, thresholds)
    lines = sections(summary)
    if not lines:
        return ""
    title = "## 导入将追加的内容（试运行，没有写入）" if report.dry_run else "## 导入追加的内容"
    text = "\n".join([title, "", *lines]).rstrip("\n") + "\n"
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", r"\1", text) if plain else text
