"""The export's own sheets read back: the 工作记录 (log) and 节点 (milestones) sheets of a workbook
`rectify export` wrote, as records by problem id, so that an exported workbook imports into the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import excel
from .reading import DateProblem, Sheet, cell_text, find_heading_row, parse_date
from .report import ImportReport, Note
from .rows import Context, Row, private_cells


def _typed(kind: str, value: Any, ctx: Context) -> Any:
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


@dataclass
class Record:
    """One row of a log or milestone sheet: the entry's or milestone's fields, and where each came from."""

    values: dict[str, Any]
    sheet: Sheet
    row: int
    columns: dict[str, int] = field(default_factory=dict)  # field name -> column index

    def where(self, name: str | None = None) -> str:
        return self.sheet.where(self.row, self.columns.get(name) if name else None)


class Records(dict):
    """A sheet's records by problem id; `withheld`, the problems one of whose rows held private data, with the
    notes at its cells: the row is left out, and the import of that problem reports them (another department's
    rows in an export are not this import's to judge)."""

    def __init__(self) -> None:
        super().__init__()
        self.withheld: dict[str, list[Note]] = {}


def records(sheet: Sheet | None, declared: tuple[excel.Field, ...], ctx: Context,
            report: ImportReport) -> Records | None:
    """An exported workbook's log or milestone sheet (or the working sheet, whose entry columns are the log
    sheet's): records by problem id, in the sheet's order; a row with nothing but its problem's id (the working
    sheet's empty rows) is none. A row with private data is left out, and its problem `withheld` with the notes
    at its cells: a new problem is not imported without it, an update takes the problem's other rows."""
    if sheet is None:
        return None
    wanted = {excel.normalise(f.heading): f for f in declared}
    found = find_heading_row(sheet, lambda h: excel.normalise(h) if excel.normalise(h) in wanted else None)
    if found is None:
        return None
    heading_row, known = found
    out = Records()
    for r in range(heading_row + 1, len(sheet.rows)):
        cells = [(wanted[key], sheet.rows[r][c].value) for c, key in known.items()]
        problem_id = next((cell_text(v) for f, v in cells if f.kind == "id"), "")
        if all(cell_text(v) == "" for f, v in cells if f.kind != "id"):
            continue  # an empty row, or the working sheet's row left for the next entry
        if not problem_id:
            report.refuse(sheet.where(r), f"“{sheet.name}”的这一行填了内容，但没有问题编号，不知道是哪个问题的记录，没有导入；"
                                          "请写在该问题的行里（或填上问题编号）。")
            continue
        private = private_cells(sheet, r, range(len(sheet.rows[r])), ctx.today.year)
        if private:
            out.withheld.setdefault(problem_id, []).extend(private)
            continue
        kind = "milestone" if declared is excel.MILESTONE_FIELDS else excel.ENTRY_TYPES.get(
            cell_text(next((v for f, v in cells if f.kind == "type"), "")), "")
        record: dict[str, Any] = {}
        at: dict[str, int] = {}
        for (c, _), (f, value) in zip(known.items(), cells, strict=True):
            name = f.fields.get(kind)
            if name is None:
                continue
            at[name] = c
            try:
                typed = _typed(f.kind, value, ctx)
            except (DateProblem, ValueError):
                typed = cell_text(value)  # the schema check names it
            else:
                if f.kind == "date" and typed is not None and parse_date(value)[1]:  # "11月底": its last day, said
                    report.notes.append(Note(sheet.where(r, c), False, f"{f.heading}{parse_date(value)[1]}。"))
            if typed is not None and typed != []:
                record[name] = typed
        typed_as = next(((c, cell_text(v)) for (c, _), (f, v) in zip(known.items(), cells, strict=True)
                         if f.kind == "type"), (None, ""))
        if kind == "" and typed_as[1]:  # a type the sheet names but the ledger does not know: the check names it
            record["type"], at["type"] = typed_as[1], typed_as[0]
        if kind == "revision":  # from and to take the form of the field they revise
            for side in ("from", "to"):
                record[side] = excel.revision_value(str(record.get("field", "")), str(record.get(side, excel.NOTHING)))
        out.setdefault(problem_id, []).append(Record(record, sheet, r, at))
    return out


def of_problem(row: Row, records: Records, problem_id: str, sheet: str) -> list[dict]:
    """A problem's records from the export's log or milestone sheet; none when one of them held private data."""
    found = records.get(problem_id, [])
    if problem_id in records.withheld:
        row.notes.extend(records.withheld[problem_id])
        row.error(None, f"“{sheet}”工作表中这个问题的记录含个人信息（见上），这个问题没有导入。")
        row.refused = True
        return []
    return [record.values for record in found]
