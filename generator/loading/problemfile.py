"""New problem files as the tools write them for a clerk: the `rectify new` scaffold and the file `rectify import`
writes, each field under its comment, never over a file that exists."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from ..model.columns import LEDGER_COLUMNS
from ..model.schema import Problem
from ..model.vocabulary import SourceKind, Supervision
from .yamlio import dump

BY_FIELD = {column.field: column for column in LEDGER_COLUMNS}


def _comment(field: str) -> str:
    return f"# {Problem.model_fields[field].description}"


def _placeholder(field: str) -> str:
    """What the clerk replaces, as declared with the field's column."""
    return BY_FIELD[field].placeholder


def problem_template(problem_id: str, department: str, category: str, opened: dt.date) -> str:
    """The text of a new problem file: real keys, placeholder values a clerk replaces."""
    c = _comment
    ask = _placeholder
    return f"""# yaml-language-server: $schema=../../schema/problem.schema.json
# 新问题台账。请把“请填写”替换为实际内容；以 # 开头的行是说明，可以保留。
{c("id")}
id: {problem_id}
{c("title")}
title: {ask('title')}
{c("category")}
category:{f" {category}" if category else ""}
{c("source")}
source:
  # {SourceKind.choices()}
  kind: {SourceKind.INSPECTION.value}
  name: {ask('source')}
{c("description")}
description: {ask('description')}
{c("department")}
department: {department}
{c("cooperating")}
cooperating: []
{c("leader")}
leader: {ask('leader')}
{c("team")}
team: {ask('team')}
{c("section")}
section: {ask('section')}
{c("responsible")}
responsible: {ask('responsible')}
{c("target")}
target: {ask('target')}
{c("measures")}
measures:
  - {ask('measures')}
{c("plan")}
# plan: {ask('plan')}
{c("opened")}
opened: {opened.isoformat()}
{c("deadline")}
deadline:
{c("supervision")}
supervision: {Supervision.NONE.value}
{c("milestones")}
milestones: []
#  - title: 请填写节点内容
#    due: {opened.isoformat()}
{c("log")}
# 每次有进展，在末尾追加一条，例如：
#  - date: {opened.isoformat()}
#    type: progress
#    step: analysis
#    percent: 10
#    summary: 请填写本次完成的工作
log: []
"""


IMPORTED_HEADER = """# yaml-language-server: $schema=../../schema/problem.schema.json
# 由 rectify import 从 Excel 台账导入。以 # 开头的行是说明，可以保留；“待补充”处请换成实际内容。
"""


def problem_text(values: dict, header: str = IMPORTED_HEADER) -> str:
    """A problem file from its values, in the schema's order, each field under its comment like the scaffold's:
    what `rectify import` writes, for the clerk to go on editing."""
    parts = [header]
    for name in Problem.model_fields:
        if name in values:
            parts.append(_comment(name) + "\n" + dump({name: values[name]}))
    return "".join(parts)


def write_new(path: Path, text: str) -> None:
    """Write a new problem file, its department's folder made if need be; FileExistsError rather than overwrite,
    even a file written meanwhile ("x" refuses under a race too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(text)


def usual_category(ledger, department: str) -> str:
    """The category most of the department's problems have (ties: the earlier in portal.yml), or "" for the
    clerk to fill: a guess from another department (the first category) would pass unnoticed."""
    counts = Counter(item.problem.category for item in ledger.problems if item.problem.department == department)
    if not counts or ledger.portal is None:
        return ""
    order = {c.id: i for i, c in enumerate(ledger.portal.categories)}
    return min(counts, key=lambda c: (-counts[c], order.get(c, len(order))))
