"""The tabular view of a problem, declared once: one `Column` per heading, in order.

Each column names the ledger field it shows (or none, for a derived figure), its Chinese heading,
how to write a value as a cell and, for ledger fields, how to read a cell back into the field's
value. The CSV, XLSX and JSON downloads, the field table of a problem page, the finder's fields and
the `new` scaffold all take their columns from here, and the Excel import reads spreadsheets back
through the same declaration (tests/test_columns.py checks that every ledger column round-trips).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .schema import Category, Department, Problem, Step
from .vocabulary import Light, SourceKind, Status, Supervision

PLACEHOLDER = "请填写"  # every placeholder starts so; the validator refuses a value that still does (E329)
TO_COMPLETE = "待补充"  # what `rectify import --force` writes for a value the sheet lacked; refused too (E330)
LIST_SEPARATOR = "\n"  # one unit a line: a unit's own name may hold "、" (沿线*镇、*镇人民政府)
REASON_SEPARATOR = "；"
SOURCE_SEPARATOR = "："
# Where a numbered measure starts: "1." "1、" "1．" "（1）" "(1)" "①", at the start of the text or after
# a break or a sentence's end; "2025.3" (a date) and "3.5 亿" (an amount) are not numbers of measures.
_MEASURE_START = re.compile(
    r"(?:(?:^|(?<=[\n。；;！!，,\s]))\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)])|[\u2460-\u2473])\s*")


class State(Protocol):
    """The derived figures of a problem that the columns show (derivation/state.py's `ProblemState` is one)."""

    @property
    def status(self) -> Status: ...
    @property
    def light(self) -> Light: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    @property
    def percent(self) -> int: ...
    @property
    def schedule(self) -> int: ...
    @property
    def deadline(self) -> dt.date: ...
    @property
    def extensions(self) -> int: ...
    @property
    def done_on(self) -> dt.date | None: ...
    @property
    def closed_on(self) -> dt.date | None: ...
    @property
    def last_entry(self) -> dt.date | None: ...


class Row(Protocol):
    """What a column reads of one problem: the problem, its registry entries and its derived state.

    Declared here, as the shape the columns need, so that the contract does not depend on the derivation that
    produces it (derivation/campaign.py's `Row` is one)."""

    @property
    def problem(self) -> Problem: ...
    @property
    def state(self) -> State: ...
    @property
    def department(self) -> Department: ...
    @property
    def category(self) -> Category: ...
    @property
    def step(self) -> Step | None: ...
    @property
    def cooperating(self) -> tuple[str, ...]: ...  # cooperating units by name


@dataclass(frozen=True)
class Lookup:
    """Registry names and ids, to write a department or category by name and read it back."""

    departments: Mapping[str, str]  # id -> full name
    categories: Mapping[str, str]  # id -> name

    @classmethod
    def of(cls, departments: Iterable, categories: Iterable) -> Lookup:
        return cls({d.id: d.name for d in departments}, {c.id: c.name for c in categories})

    def department_id(self, name: str) -> str:
        return _id_of(self.departments, name)

    def category_id(self, name: str) -> str:
        return _id_of(self.categories, name)


def _id_of(names: Mapping[str, str], name: str) -> str:
    """The id whose name is `name`; a cell that already holds an id, or an unknown name, stays as written
    (the validator then names it)."""
    for key, value in names.items():
        if value == name:
            return key
    return name


@dataclass(frozen=True)
class Column:
    key: str  # stable name in the JSON download and the finder
    heading: str  # Chinese heading in the spreadsheets and on the page
    cell: Callable[[Row], Any]  # the cell's value: text, a number, or a date (None when there is none)
    field: str | None = None  # the ledger field it shows (dotted); None for a derived figure
    read: Callable[[str, Lookup], Any] | None = None  # a cell back into the field's value
    data: Callable[[Row], Any] | None = None  # the JSON value, when it differs from the cell
    label: Callable[[Row], str] | None = None  # the Chinese label of a coded value, beside it in JSON
    wide: bool = False  # a long text: a wide, wrapped spreadsheet column
    placeholder: str | None = None  # what `rectify new` writes for the clerk to replace

    @property
    def derived(self) -> bool:
        return self.field is None

    def json(self, row: Row) -> Any:
        value = (self.data or self.cell)(row)
        return value.isoformat() if isinstance(value, dt.date) else value


def text(value: Any) -> Any:
    """A cell for a file: dates as YYYY-MM-DD, nothing as an empty cell; numbers stay numbers."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _date(text: str, lookup: Lookup) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _text(text: str, lookup: Lookup) -> str:
    return text.strip()


def _optional_text(text: str, lookup: Lookup) -> str | None:
    return text.strip() or None


def _measures(row: Row) -> str:
    return "\n".join(f"{i}. {m}" for i, m in enumerate(row.problem.measures, 1))


def split_measures(text: str) -> list[str]:
    """The measures of one cell: numbered ("1. … 2. …", "1、", "（1）", "①…②…") or one a line."""
    measures = []
    for line in text.splitlines():
        parts = _MEASURE_START.split(line)
        for index, part in enumerate(parts):
            if index < len(parts) - 1:  # a separator typed before the next number belongs to neither
                part = part.rstrip().rstrip("；;，,")
            if part.strip():
                measures.append(part.strip())
    return measures


def _read_measures(text: str, lookup: Lookup) -> list[str]:
    return split_measures(text)


def _read_cooperating(text: str, lookup: Lookup) -> list[str]:
    return [lookup.department_id(unit.strip()) for unit in text.splitlines() if unit.strip()]


def _source(row: Row) -> str:
    return f"{row.problem.source.kind.label}{SOURCE_SEPARATOR}{row.problem.source.name}"


def _read_source(text: str, lookup: Lookup) -> dict:
    label, _, name = text.partition(SOURCE_SEPARATOR)
    kinds = {kind.label: kind.value for kind in SourceKind}
    return {"kind": kinds.get(label.strip(), label.strip()), "name": name.strip()}


def _optional_date(text: str, lookup: Lookup) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text.strip() else None


def _read_supervision(text: str, lookup: Lookup) -> str:
    levels = {level.label: level.value for level in Supervision}
    return levels.get(text.strip(), text.strip())


COLUMNS: tuple[Column, ...] = (
    Column("id", "问题编号", lambda r: r.problem.id, "id", _text),
    Column("title", "问题名称", lambda r: r.problem.title, "title", _text, wide=True, placeholder="请填写问题名称"),
    Column("category", "类别", lambda r: r.category.name, "category", lambda t, lk: lk.category_id(t.strip()),
           data=lambda r: r.category.id),
    Column("department", "牵头部门", lambda r: r.department.name, "department",
           lambda t, lk: lk.department_id(t.strip()), data=lambda r: r.department.id),
    Column("cooperating", "配合单位", lambda r: LIST_SEPARATOR.join(r.cooperating), "cooperating", _read_cooperating,
           data=lambda r: list(r.problem.cooperating), wide=True),
    Column("status", "状态", lambda r: r.state.status.label, data=lambda r: r.state.status.value,
           label=lambda r: r.state.status.label),
    Column("light", "亮灯", lambda r: r.state.light.label, data=lambda r: r.state.light.value,
           label=lambda r: r.state.light.label),
    Column("light_reasons", "亮灯原因", lambda r: REASON_SEPARATOR.join(r.state.reasons),
           data=lambda r: list(r.state.reasons), wide=True),
    Column("percent", "完成度（%）", lambda r: r.state.percent),
    Column("schedule", "序时进度（%）", lambda r: r.state.schedule),
    Column("step", "所处步骤", lambda r: r.step.name if r.step else "", data=lambda r: r.step.id if r.step else None),
    Column("supervision", "挂牌督办", lambda r: r.problem.supervision.label, "supervision", _read_supervision,
           data=lambda r: r.problem.supervision.value),
    Column("source", "问题来源", _source, "source", _read_source, wide=True, placeholder="请填写来源名称"),
    Column("source_date", "来源日期", lambda r: r.problem.source.date, "source.date", _optional_date),
    Column("description", "问题描述", lambda r: r.problem.description, "description", _text, wide=True,
           placeholder="请填写问题的具体表现"),
    Column("target", "整改目标", lambda r: r.problem.target, "target", _text, wide=True, placeholder="请填写整改目标"),
    Column("measures", "整改措施", _measures, "measures", _read_measures, data=lambda r: list(r.problem.measures),
           wide=True, placeholder="请填写第一条整改措施"),
    Column("plan", "整改方案", lambda r: r.problem.plan, "plan", _optional_text, wide=True,
           placeholder="请填写整改方案名称或文号"),
    Column("leader", "挂帅领导", lambda r: r.problem.leader, "leader", _text, placeholder="请填写挂帅领导"),
    Column("team", "工作专班", lambda r: r.problem.team, "team", _text, placeholder="请填写工作专班"),
    Column("section", "承担股室", lambda r: r.problem.section, "section", _text, placeholder="请填写承担股室"),
    Column("responsible", "责任人", lambda r: r.problem.responsible, "responsible", _text, placeholder="请填写责任人"),
    Column("opened", "列入台账日期", lambda r: r.problem.opened, "opened", _date),
    Column("deadline", "原定完成时限", lambda r: r.problem.deadline, "deadline", _date),
    Column("effective_deadline", "现行完成时限", lambda r: r.state.deadline),
    Column("extensions", "延期次数", lambda r: r.state.extensions),
    Column("revisions", "调整情况", lambda r: "、".join(_revised(r)) or None, data=lambda r: _revised(r)),
    Column("done_on", "完成日期", lambda r: r.state.done_on),
    Column("closed_on", "销号日期", lambda r: r.state.closed_on),
    Column("last_entry", "最近记录日期", lambda r: r.state.last_entry),
    Column("imported", "导入来源", lambda r: r.problem.imported, "imported", _optional_text, wide=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
LEDGER_COLUMNS = tuple(c for c in COLUMNS if not c.derived)
DERIVED_COLUMNS = tuple(c for c in COLUMNS if c.derived)

# The finder's compact index: these columns, in this order (finder.js looks each up by its key).
FINDER_KEYS = ("id", "title", "department", "category", "status", "light", "supervision", "percent",
               "effective_deadline")
# The field table of a problem page, in reading order; a column without a value (no plan) is left out.
# The deadline row, with the original struck through beside each extension, is the page's own.
PAGE_KEYS = ("description", "source", "source_date", "target", "leader", "team", "section", "responsible",
             "cooperating", "plan", "supervision", "opened")
PAGE_COLUMNS = tuple(BY_KEY[key] for key in PAGE_KEYS)


def _revised(row: Row) -> list[str]:
    """The commitments the log revises (调整), in the order first revised: the problem's fields hold the content
    in force, so a reader of a table learns here that it was not what was first promised."""
    return list(dict.fromkeys(entry.field.label for entry in row.problem.log if entry.type == "revision"))


def cells(row: Row) -> list[Any]:
    """A row for CSV and XLSX."""
    return [text(column.cell(row)) for column in COLUMNS]


def derived(row: Row) -> dict[str, Any]:
    """The derived figures of a row for the JSON download: each value, and the label of a coded one."""
    out: dict[str, Any] = {}
    for column in DERIVED_COLUMNS:
        out[column.key] = column.json(row)
        if column.label:
            out[f"{column.key}_label"] = column.label(row)
    return out


def read_problem(row: Mapping[str, str], lookup: Lookup) -> dict[str, Any]:
    """The ledger fields of one spreadsheet row (heading -> cell text), as a problem file would hold them.

    Only the ledger columns present in `row` are read; an empty optional cell is left out."""
    problem: dict[str, Any] = {}
    for column in LEDGER_COLUMNS:
        cell = row.get(column.heading)
        if cell is None or column.read is None:
            continue
        value = column.read(str(cell), lookup)
        if value is None:
            continue
        *parents, name = column.field.split(".")
        target = problem
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = value
    return problem
