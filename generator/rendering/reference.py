"""The field reference of the filing guide, generated from the models so that it cannot drift."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel

from ..loading import layout
from ..model.schema import (
    Category,
    Close,
    Department,
    Extension,
    Indicator,
    IndicatorValue,
    Inspection,
    Milestone,
    Notice,
    NoticeRule,
    Portal,
    Problem,
    Progress,
    Reports,
    Review,
    Revision,
    Source,
    Step,
    Thresholds,
    Weights,
)


def _in_ledgers(path: object) -> str:
    """A path as the filing guide shows it: inside the repository's ledger folder."""
    return f"{layout.LEDGERS}/{path}"


SECTIONS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("问题文件", f"每个问题一个文件：`{_in_ledgers(layout.problem_path('部门编号', '问题编号'))}`。", Problem),
    ("问题来源（source）", "`source` 下的字段。", Source),
    ("节点（milestones 的每一项）", "倒排工期的节点，日期不得晚于完成时限。", Milestone),
    ("工作记录：整改进展（type: progress）", "log 中的一条进展记录。", Progress),
    ("工作记录：延期（type: extension）", "经批准延期时追加；不要修改原定的 `deadline`。", Extension),
    ("工作记录：整改结果公示（type: notice）", "销号前公示整改结果，公示期满后方可销号。", Notice),
    ("工作记录：销号（type: close）", "完成一项、销号一项。", Close),
    ("工作记录：回头看（type: review）", "对已销号问题的复查；结论为 rebound 时问题重新打开。", Review),
    ("工作记录：调整（type: revision）", "经专班办公室审核同意调整整改承诺时追加；不要直接修改台账上原来的内容。", Revision),
    (f"督查记录（{_in_ledgers(layout.inspection_path('编号'))}）", "由专班办公室维护。", Inspection),
    (f"门户设置（{_in_ledgers(layout.PORTAL)}）", "由专班办公室维护。", Portal),
    (f"问题类别（{layout.PORTAL} 的 categories）", "", Category),
    (f"“八步走”步骤（{layout.PORTAL} 的 steps）", "", Step),
    (f"亮灯阈值（{layout.PORTAL} 的 thresholds）", "", Thresholds),
    (f"整改结果公示要求（{layout.PORTAL} 的 notice）", "可选；要求销号前先公示时，公示期满后才能销号。", NoticeRule),
    (f"督查通报规则（{layout.PORTAL} 的 reports）", "可选；月度通报的排名、表扬和通报批评按这些规则产生，随每期通报公布。",
     Reports),
    (f"排名权重（{layout.PORTAL} 的 reports.weights）", "各项指标为 0 到 1 之间的比例；权重之和不必是 100。", Weights),
    (f"部门（{_in_ledgers(layout.DEPARTMENTS)} 的 departments）", "由专班办公室维护。", Department),
    (f"工作指标（{_in_ledgers(layout.INDICATORS)} 的 indicators）", "可选，由专班办公室维护。", Indicator),
    ("指标数值（indicators 的 values）", "", IndicatorValue),
)


@dataclass(frozen=True)
class FieldDoc:
    key: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    fields: tuple[FieldDoc, ...]


def type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return type_name(members[0])
        return "记录（type 决定种类，见下文各类工作记录）"
    if origin is list:
        return f"列表，每项为{type_name(args[0])}"
    if origin is typing.Literal:
        return "固定为 " + "、".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "可选值：" + "、".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "一组字段（见下文）"
    return {str: "文字", int: "整数", float: "数字", dt.date: "日期 YYYY-MM-DD", bool: "是/否"}.get(annotation, "文字")


def field_reference() -> list[Section]:
    sections = []
    for title, intro, model in SECTIONS:
        fields = tuple(
            FieldDoc(key, info.is_required(), type_name(info.annotation), info.description or "")
            for key, info in model.model_fields.items())
        sections.append(Section(title, intro, fields))
    return sections
