"""The conversion of one sheet: its heading row found, each data row made a new problem file (or noted why
not); a row of a problem already on the ledger (by its id, or the row it was imported from) goes, with the
workbook's 工作记录, 节点 and 本旬进展 sheets, to the update import (updating.py), which appends what is new.
No file is overwritten: a problem file only gains entries at the end of its log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from ..loading import layout
from ..loading.ledger import Ledger
from ..loading.problemfile import problem_text, usual_category, write_new
from ..model import columns, excel
from ..model.vocabulary import SourceKind
from . import exported, provenance, updating
from .headings import HeadingMap, choose_sheet
from .reading import Sheet, cell_text, find_heading_row
from .report import MISSING, ImportRefused, ImportReport, Note, Outcome, RowResult
from .rows import (
    Context,
    Row,
    check_log_dates,
    check_schema,
    log_from_columns,
    problem_fields,
    refuse_private,
    row_date,
)


def convert(ledger: Ledger, ledger_root: Path, department: str, sheets: list[Sheet], today: dt.date,
            sheet_name: str | None = None, heading_map: HeadingMap | None = None, dry_run: bool = False,
            force: bool = False) -> ImportReport:
    """Import one of `sheets` into `ledger_root/<department>/`, a department registered in `ledger` (whose
    portal.yml was read); raises ImportRefused when no sheet can be taken, never for a mistake in a row."""
    unit = ledger.departments[department]
    assert ledger.portal is not None, "the command refuses a ledger without a readable portal.yml"
    heading_map = heading_map or HeadingMap()

    def meaning(heading: str) -> str | None:
        return excel.meaning(heading, heading_map.headings)

    by_name = {s.name: s for s in sheets}
    try:
        sheet = choose_sheet(sheets, sheet_name, unit, meaning)
    except ImportRefused:
        if excel.WORKING_SHEET not in by_name or sheet_name is not None:
            raise
        sheet = None  # only the working sheet: updates alone
    found = find_heading_row(sheet, meaning, frozenset({excel.IGNORED})) if sheet is not None else (0, {})
    if found is None:
        raise ImportRefused(f"工作表“{sheet.name}”的前 20 行里没有表头行（至少要认出 3 个表头）；请用 --map 说明表头的含义。")
    heading_row, known = found
    report = ImportReport(sheet=sheet.name if sheet is not None else excel.WORKING_SHEET, dry_run=dry_run)
    if sheet is None:
        sheet = dataclasses.replace(by_name[excel.WORKING_SHEET], rows=((),))
    for c, cell in enumerate(sheet.rows[heading_row]):
        if not cell.empty and c not in known:
            reason = "与前面的列重复" if meaning(cell_text(cell.value)) else "不认识"
            report.notes.append(Note(sheet.where(heading_row, c), False,
                                     f"表头“{cell_text(cell.value)}”{reason}，这一列没有导入；可在 --map 的“表头”中指定它的含义。"))
    ctx = Context(
        ledger=ledger, department=department, prefix=unit.prefix,
        lookup=columns.Lookup.of(ledger.departments.values(), ledger.portal.categories),
        steps=tuple((s.id, s.name) for s in ledger.portal.steps), today=today,
        campaign_start=ledger.portal.campaign_start, defaults=heading_map.defaults,
        log_sheet=None, milestone_sheet=None)
    ctx = dataclasses.replace(  # an exported workbook's log and milestones, read with the steps known
        ctx, log_sheet=exported.records(by_name.get(excel.LOG_SHEET), excel.LOG_FIELDS, ctx, report),
        milestone_sheet=exported.records(by_name.get(excel.MILESTONE_SHEET), excel.MILESTONE_FIELDS, ctx, report))
    if "category" not in known.values() and "category" not in heading_map.defaults:
        usual = usual_category(ledger, department)
        if usual:
            report.notes.append(Note(sheet.where(heading_row), False,
                                     f"表格中没有类别一列，全部按本部门最常见的类别“{ctx.lookup.categories.get(usual, usual)}”记，请核对。"))
    folder = ledger_root / layout.department_folder(department)
    taken = set(ledger.problem_file_ids) | {p.stem for p in folder.glob(f"*{layout.SUFFIX}")}
    imported = provenance.imported_rows(ledger)
    width = len(sheet.rows[heading_row])
    serial_at = next((c for c, key in known.items() if key == excel.SERIAL), None)
    serials = [cell_text(sheet.rows[r][serial_at].value) for r in range(heading_row + 1, len(sheet.rows))] \
        if serial_at is not None else []
    repeated = {serial for serial, times in Counter(serials).items() if serial and times > 1}
    existing: dict[str, Row] = {}  # rows of problems on the ledger, for the update import
    listed: set[str] = set()  # every id the sheet's rows give
    for r in range(heading_row + 1, len(sheet.rows)):
        cells = {key: (c, sheet.rows[r][c].value) for c, key in known.items()
                 if key != excel.IGNORED and c < len(sheet.rows[r]) and not sheet.rows[r][c].empty}
        own = [c for c in range(width) if not sheet.rows[r][c].empty and not sheet.rows[r][c].filled]
        if not own or set(own) <= {c for c, key in known.items() if key == excel.SERIAL}:
            continue  # an empty row, or one with only merged cells' copies or a 序号
        row = Row(sheet, r, cells, {key: c for c, key in known.items()},
                   {key: cell_text(sheet.rows[heading_row][c].value) for c, key in known.items()})
        row.serial_unique = row.text(excel.SERIAL) not in repeated
        if len(own) == 1 and not any(key in cells for key in ("description", "title", "measures")):
            report.notes.append(Note(sheet.where(r), False, f"这一行只有一格有内容（“{cell_text(sheet.rows[r][own[0]].value)[:20]}”），"
                                                         "当作说明跳过。"))
            continue
        listed.add(row.text("id"))
        report.rows.append(_import_row(row, ctx, sheet, width, taken, imported, folder, dry_run, force, report, existing))
    working = exported.records(by_name.get(excel.WORKING_SHEET), excel.LOG_FIELDS, ctx, report)
    new_ids = {r.problem_id for r in report.rows if r.outcome in (Outcome.WRITTEN, Outcome.FORCED, Outcome.REFUSED)}
    for update in updating.updates(ctx, ledger_root, existing, _without(ctx.log_sheet, new_ids | listed - set(existing)),
                                   _without(ctx.milestone_sheet, new_ids | listed - set(existing)), working, report, width):
        if updating.write(update, ctx, report, dry_run):
            report.updates.append(update)
    read = {excel.WORKING_SHEET, excel.LOG_SHEET, excel.MILESTONE_SHEET, excel.SUMMARY_SHEET, report.sheet,
            *(excel.sheet_name(d) for d in ledger.departments.values())}
    for other in sheets:  # a sheet the import does not read must not hold rows a clerk thinks were taken
        if other.name not in read and any(not cell.empty for row in other.rows for cell in row):
            report.notes.append(Note(f"{other.file}:{other.name}", False,
                                     f"工作表“{other.name}”没有导入：只读部门表、“{excel.WORKING_SHEET}”“{excel.LOG_SHEET}”和"
                                     f"“{excel.MILESTONE_SHEET}”表；其中的内容请填到“{excel.WORKING_SHEET}”表里。"))
    updated = {u.problem_id for u in report.updates}
    for result in report.rows:
        if result.outcome == Outcome.ALREADY and result.problem_id in updated:
            result.outcome = Outcome.UPDATED
    return report


def _without(records: exported.Records | None, ids: set[str]) -> exported.Records | None:
    """A sheet's records but those of the problems the conversion itself writes (or refused) as new."""
    if records is None:
        return None
    kept = exported.Records()
    kept.update((k, v) for k, v in records.items() if k not in ids)
    kept.withheld.update((k, v) for k, v in records.withheld.items() if k not in ids)
    return kept


def _import_row(row: Row, ctx: Context, sheet: Sheet, width: int, taken: set[str],
                imported: dict[str, tuple[str, str]], folder: Path, dry_run: bool, force: bool,
                report: ImportReport, existing: dict[str, Row]) -> RowResult:
    place, fingerprint = provenance.reference(row)
    given_id = row.text("id")
    if given_id and given_id in taken:
        existing[given_id] = row  # what the row says that the file does not is the update import's
        return RowResult(row.where(), Outcome.ALREADY, given_id)
    same = next((problem_id for problem_id, before in imported.values() if before == fingerprint), None)
    if not given_id and same and place not in imported:  # the same row in a renamed or re-sorted file
        report.notes.append(Note(row.where(), False, f"这一行与此前导入的 {same} 内容相同，跳过。"))
        return RowResult(row.where(), Outcome.ALREADY, same)
    if not given_id and place in imported:
        problem_id, before = imported[place]
        if before != fingerprint:  # the row has changed since: its new progress, completion or commitments
            existing[problem_id] = row
        return RowResult(row.where(), Outcome.ALREADY, problem_id)
    refuse_private(row, sheet, width, ctx.today.year)
    values = problem_fields(row, ctx)
    deadline = row_date(row, "deadline", required=True, year=ctx.today.year)
    opened = row_date(row, "opened", required=False, year=deadline.year if deadline else ctx.today.year)
    year = (opened or deadline or ctx.today).year
    log = log_from_columns(row, ctx, year) if not given_id or ctx.log_sheet is None else \
        exported.of_problem(row, ctx.log_sheet, given_id, excel.LOG_SHEET)
    if given_id and row.text("imported"):
        values["imported"] = row.text("imported")  # a problem imported once keeps its source through an export
    if opened is None:
        # the earliest day the row knows of, and at the latest the campaign's start; never after the deadline
        known_dates = [d for d in (values.get("source", {}).get("date"), *(e["date"] for e in log)) if d]
        opened = min([*known_dates, ctx.campaign_start, ctx.today])
        opened = min(opened, deadline) if deadline else opened
        if "opened" not in row.cells:
            row.warn("opened", f"没有列入台账日期，按 {opened.isoformat()}（整改工作开始日期或更早的记录日期）记，请核对。")
    check_log_dates(row, ctx, log, opened)
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
        values["imported"] = provenance.kept(place, fingerprint)
    values["id"] = problem_id
    if ctx.milestone_sheet is not None and given_id:
        values["milestones"] = exported.of_problem(row, ctx.milestone_sheet, given_id, excel.MILESTONE_SHEET)
    values["log"] = log
    for key in row.missing:
        column = columns.BY_KEY.get(key)
        if column is not None and column.field and column.field.split(".")[0] not in values:
            name = column.field.split(".")[0]
            values[name] = [MISSING] if name == "measures" else (
                {"kind": SourceKind.INSPECTION.value, "name": MISSING} if name == "source" else MISSING)
    if not row.missing and not row.refused:
        check_schema(row, values)
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
        write_new(path, problem_text(values))
    return RowResult(row.where(), Outcome.FORCED if forced else Outcome.WRITTEN, problem_id, path)
