"""The spreadsheet bridge, declared once: what each heading of a 台账 spreadsheet means and how it is worded.

A heading is either a ledger column of model/columns.py (its heading first, then the wordings departments
use for it), a derived column of the export (read back as nothing), or one of the few headings that only an
imported spreadsheet has (序号, 整改进展, 完成情况, 是否销号 …), which become log entries. The import reads
through this table, the export and the template write its first wording, and the filing guide prints it.

The export's two other sheets, 工作记录 (one row per log entry) and 节点 (one row per milestone), are declared
here too, so that an exported workbook imports back into the same problems, log and all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from . import columns
from .schema import Close, Department, Extension, Notice, Problem, Progress, Review, Revision
from .vocabulary import EntryType, ReviewOutcome, RevisedField

# Import-only meanings: headings a department's own sheet has and the ledger keeps as log entries.
SERIAL = "serial"
PROGRESS = "progress"
COMPLETION = "completion"
FINISHED_ON = "finished_on"
CLOSED = "closed"
CLOSED_ON = "closed_on"
CLOSE_DOCUMENT = "close_document"
CLOSE_APPROVER = "close_approver"
REMARK = "remark"


# Required fields the import fills in when the sheet has no value: the next free id, the --department, the
# first sentence of the description, the department's usual category, the campaign's start.
FILLED_IN = frozenset({"id", "department", "title", "category", "opened"})


@dataclass(frozen=True)
class Heading:
    """One meaning a spreadsheet column can have, with every wording the import recognises for it."""

    key: str  # a column key of model/columns.py, or one of the import-only meanings above
    wordings: tuple[str, ...]  # the first is what the export and the template write
    note: str  # what the cell holds, for the filing guide's table

    @property
    def heading(self) -> str:
        return self.wordings[0]

    @property
    def column(self) -> columns.Column | None:
        return columns.BY_KEY.get(self.key)

    @property
    def required(self) -> bool:
        """Whether an imported row must have it: a required ledger field the import cannot fill in itself."""
        column = self.column
        if column is None or column.field is None or self.key in FILLED_IN:
            return False
        model, required = Problem, True
        for name in column.field.split("."):
            info = model.model_fields[name]
            required = required and info.is_required()
            model = info.annotation
        return required


def _ledger(key: str, *variants: str, note: str) -> Heading:
    return Heading(key, (columns.BY_KEY[key].heading, *variants), note)


HEADINGS: tuple[Heading, ...] = (
    _ledger("id", note="问题编号；导入新问题时留空，自动取下一个空闲编号"),
    _ledger("title", "问题标题", "问题概述", "问题题目", "问题简述",
            note="一句话说明是什么问题；留空时取问题描述的第一句"),
    _ledger("category", "问题类别", "问题类型", "类型", "所属领域", "领域",
            note="类别名称或编号；留空时取本部门最常见的类别"),
    _ledger("department", "牵头单位", "主责单位", "主责部门", note="牵头部门名称；导入时以 --department 为准"),
    _ledger("cooperating", "责任单位", "配合部门", "协办单位", "责任部门", "协同单位",
            note="其他单位，每行一个；合并单元格按每行都有处理"),
    _ledger("supervision", "督办级别", "是否挂牌督办", "挂牌督办级别", note="无、市级或省级（挂牌督办）"),
    _ledger("source", "来源", "问题来源渠道", "问题出处", "反馈来源", "交办来源",
            note="来源类别和名称，如“巡视巡察、督察反馈：2024年省生态环境保护督察反馈意见”；只写名称时按关键词判断类别"),
    _ledger("source_date", "反馈日期", "发现日期", "发现时间", note="日期（可选）"),
    _ledger("description", "问题内容", "存在问题", "具体问题", "问题表现", "问题情况", "主要问题",
            note="问题的具体表现"),
    _ledger("target", "目标", "整改要求", "整改目标要求", note="整改到什么程度算到位"),
    _ledger("measures", "措施", "主要措施", "整改举措", "具体措施", "整改措施及步骤",
            note="可写多条：1. 2.、1、 2、、（1）（2）、①②或每条一行，导入时自动拆分"),
    _ledger("plan", "方案", "整改方案文号", note="方案名称或文号（可选）"),
    _ledger("leader", "责任领导", "分管领导", "牵头领导", "包案领导", "挂帅县领导", note="职务与姓氏，名字用“某”或“*”代替"),
    _ledger("team", "专班", "整改专班", "工作班子", note="工作专班的名称或组成"),
    _ledger("section", "责任股室", "承办股室", "股室", "责任科室", "承办科室", "承担科室", note="承担的股室"),
    _ledger("responsible", "具体责任人", "负责人", "经办人", note="职务与姓氏，名字用“某”或“*”代替"),
    _ledger("opened", "列入日期", "交办日期", "交办时间", "建账日期", "登记日期",
            note="日期；留空时取整改工作开始日期（有更早的记录时取最早的记录日期）"),
    _ledger("deadline", "整改时限", "完成时限", "整改期限", "整改完成时限", "计划完成时间", "办结时限",
            note="日期：2025-06-30、2025.6.30、2025/6/30、2025年6月30日；“2025年6月底”按月末计并提醒核对"),
    _ledger("imported", note="从表格导入时自动填写，用来识别已导入的行，请勿修改"),
    Heading(SERIAL, ("序号", "顺序号"), "表格自己的序号，用来识别已导入的行，不写入台账"),
    Heading(PROGRESS, ("整改进展", "进展情况", "工作进展", "整改进展情况", "推进情况", "整改情况"),
            "每行一条，以日期开头的转为整改进展记录，如“2025年3月5日 完成排查，完成50%”"),
    Heading(COMPLETION, ("完成情况", "是否完成", "整改完成情况", "完成状态"),
            "“已完成”且有完成时间时，记一条完成度 100% 的进展"),
    Heading(FINISHED_ON, ("完成时间", "完成日期", "实际完成时间", "整改完成时间"), "整改完成的日期"),
    Heading(CLOSED, ("是否销号", "销号情况"), "“是”或“已销号”且有销号时间、文号和审核单位时，记一条销号"),
    Heading(CLOSED_ON, ("销号时间", "销号日期"), "销号的日期"),
    Heading(CLOSE_DOCUMENT, ("销号文号", "销号文件", "销号批复文号"), "销号文件的文号"),
    Heading(CLOSE_APPROVER, ("销号审核单位", "审核单位", "销号单位", "验收单位"), "审核销号的单位"),
    Heading(REMARK, ("备注",), "不导入（同样检查个人信息）"),
)
BY_KEY = {h.key: h for h in HEADINGS}
# The export's derived columns (状态, 亮灯 …): recognised when read back, and ignored.
DERIVED_HEADINGS = frozenset(c.heading for c in columns.DERIVED_COLUMNS) - {
    w for h in HEADINGS for w in h.wordings}

_NOTE = re.compile(r"[（(][^）)]*[）)]$")
_NOISE = re.compile(r"[\s*＊★☆:：]")


def normalise(heading: str) -> str:
    """A heading as compared: no spaces or line breaks, no required-marks, full-width brackets."""
    return _NOISE.sub("", str(heading)).replace("(", "（").replace(")", "）")


_WORDING: dict[str, str] = {}
for _h in HEADINGS:
    for _wording in _h.wordings:
        _WORDING.setdefault(normalise(_wording), _h.key)
_DERIVED = {normalise(h) for h in DERIVED_HEADINGS}
IGNORED = "ignored"  # a derived column of the export


def meaning(heading: str, extra: dict[str, str] | None = None) -> str | None:
    """The key a heading stands for; IGNORED for an export's derived column; None when unknown.

    `extra` is a department's own map (heading -> key), tried first. A note in brackets at the end
    ("整改时限（年月日）") is dropped when the heading is not known with it."""
    text = normalise(heading)
    if not text:
        return None
    for candidate in (text, _NOTE.sub("", text)):
        if extra and candidate in extra:
            return extra[candidate]
        if candidate in _WORDING:
            return _WORDING[candidate]
        if candidate in _DERIVED:
            return IGNORED
    return None


# ---------------------------------------------------------------- the export's log and milestone sheets

_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(department: Department) -> str:
    """A department's sheet in the export: its name, without the characters Excel refuses, at most 31 long."""
    return _SHEET_NAME.sub("", department.name)[:31]


LOG_SHEET = "工作记录"
MILESTONE_SHEET = "节点"
SUMMARY_SHEET = "汇总"


@dataclass(frozen=True)
class Field:
    """One column of the log sheet: the entry field it holds, per entry type that has it."""

    heading: str
    fields: dict[str, str]  # entry type -> field name
    kind: str = "text"  # text, date, int, list, step, type, outcome


LOG_FIELDS: tuple[Field, ...] = (
    Field("问题编号", {}, "id"),
    Field("日期", {t.value: "date" for t in EntryType}, "date"),
    Field("记录类型", {t.value: "type" for t in EntryType}, "type"),
    Field("所处步骤", {"progress": "step"}, "step"),
    Field("完成度（%）", {"progress": "percent"}, "int"),
    Field("内容", {"progress": "summary", "notice": "summary", "close": "summary", "review": "findings"}),
    Field("佐证材料", {"progress": "evidence"}, "list"),
    Field("新完成时限", {"extension": "deadline", "review": "deadline"}, "date"),  # a rebound sets one too
    Field("延期理由", {"extension": "reason"}),
    Field("批准或审核单位", {"extension": "approved_by", "close": "approved_by", "revision": "approved_by"}),
    Field("文号", {"extension": "document", "close": "document", "revision": "document"}),
    Field("公示截止日期", {"notice": "until"}, "date"),
    Field("公示渠道", {"notice": "channel"}),
    Field("回头看结论", {"review": "outcome"}, "outcome"),
    Field("群众满意度（%）", {"review": "satisfaction"}, "int"),
    Field("调整的内容", {"revision": "field"}, "revised_field"),
    Field("调整前", {"revision": "from"}, "revised"),
    Field("调整后", {"revision": "to"}, "revised"),
    Field("调整理由", {"revision": "reason"}),
)
MILESTONE_FIELDS: tuple[Field, ...] = (
    Field("问题编号", {}, "id"),
    Field("节点内容", {"milestone": "title"}),
    Field("计划完成日期", {"milestone": "due"}, "date"),
    Field("实际完成日期", {"milestone": "done"}, "date"),
)
# ---------------------------------------------------------------- the department's working sheet

# `rectify export --department X` (and each department's download on the portal) is the clerk's working
# workbook for the next 旬: this sheet first, then the department's sheet, 工作记录 and 节点 as the export has
# them. Instructions take the first rows (at most WORKING_NOTE_ROWS, above the heading row); then one group of
# WORKING_ROWS rows per problem: the CONTEXT columns (locked, filled on the group's first row and merged down
# over the group, so every row reads as its problem's) and the log sheet's entry columns, LOG_FIELDS after 问题编号
# (unlocked, with data validation: dates, drop-downs for 记录类型 and 所处步骤, 0-100 for 完成度). Each row a
# clerk fills becomes one log entry of its problem, appended in date order by the update import
# (spreadsheet/updating.py), which reads this sheet through the same LOG_FIELDS as the 工作记录 sheet.
WORKING_SHEET = "本旬进展"
WORKING_NOTE_ROWS = 8
WORKING_ROWS = 3  # empty entry rows per problem
WORKING_CONTEXT = ("问题编号", "问题名称", "当前状态", "亮灯", "当前完成度（%）", "当前步骤", "有效完成时限", "下一个节点")
WORKING_ENTRY_FIELDS = LOG_FIELDS[1:]
ENTRY_TYPES = {t.label: t.value for t in EntryType}
REVISED_FIELDS = {f.label: f.value for f in RevisedField}
NOTHING = "（无）"  # a revision's side that is empty (a plan added where there was none)
MILESTONE_PARTS = " | "  # a milestone in a revision's cell: title | due | done, one per line


def revision_cell(field: str, value: Any) -> str:
    """A revision's `from` or `to` in one cell, so that `revision_value` reads it back: text as it is, a list
    one item a line, milestones one a line as title | due | done."""
    if value is None:
        return NOTHING
    if field == RevisedField.MILESTONES:
        return "\n".join(MILESTONE_PARTS.join([m.title, m.due.isoformat() if m.due else "", m.done.isoformat() if m.done else ""])
                         for m in value) or NOTHING
    if isinstance(value, list):
        return "\n".join(str(item) for item in value) or NOTHING
    return str(getattr(value, "value", value))


def revision_value(field: str, text: str) -> Any:
    """A cell written by `revision_cell` as the revision entry holds it, as YAML would read it (dates as dates)."""
    if text.strip() == NOTHING:
        return [] if field in LIST_REVISIONS else None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if field == RevisedField.MILESTONES:
        milestones = []
        for line in lines:
            title, due, done = ([part.strip() for part in line.split(MILESTONE_PARTS.strip())] + ["", ""])[:3]
            milestones.append({"title": title, **({"due": _day(due)} if due else {}), **({"done": _day(done)} if done else {})})
        return milestones
    if field in LIST_REVISIONS:
        return lines
    return text.strip()


def _day(text: str) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # the schema check names it


LIST_REVISIONS = {RevisedField.MEASURES.value, RevisedField.COOPERATING.value, RevisedField.MILESTONES.value}
OUTCOMES = {o.label: o.value for o in ReviewOutcome}


def guide_rows() -> list[dict]:
    """The filing guide's table: heading, other wordings, ledger field, required, what the cell holds."""
    rows = []
    for h in HEADINGS:
        column = h.column
        rows.append({"heading": h.heading, "variants": "、".join(h.wordings[1:]),
                     "field": column.field if column else "", "required": h.required, "note": h.note})
    return rows


ENTRY_MODELS = {EntryType.PROGRESS: Progress, EntryType.EXTENSION: Extension, EntryType.NOTICE: Notice,
                EntryType.CLOSE: Close, EntryType.REVIEW: Review, EntryType.REVISION: Revision}


def working_entry_rows() -> list[dict]:
    """What a row of 本旬进展 needs per 记录类型, for the Excel guide: the columns the entry type reads (after 日期 and
    记录类型, which every row has), split by whether the schema requires the field. Read from LOG_FIELDS and the
    entry models, so the guide names exactly the columns the import reads."""
    rows = []
    for entry_type, model in ENTRY_MODELS.items():
        by_name = {info.alias or name: info for name, info in model.model_fields.items()}
        required, optional = [], []
        for column in WORKING_ENTRY_FIELDS:
            name = column.fields.get(entry_type.value)
            if name is None or name in ("date", "type"):
                continue
            (required if by_name[name].is_required() else optional).append(column.heading)
        rows.append({"type": entry_type.value, "label": entry_type.label, "required": required, "optional": optional})
    return rows
