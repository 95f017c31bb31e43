"""What a file refers to exists: categories, steps, departments and problems named in other files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ...loading import layout
from ...loading.ledger import Ledger
from ...model.findings import Finding
from ...model.schema import Progress, Revision
from ...model.vocabulary import RevisedField

# A cooperating unit written like a department id (ASCII slug) must be one; Chinese names are free text.
_LOOKS_LIKE_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def _cooperating(units: list[str], lead: str, departments, document, at: tuple) -> Iterator[Finding]:
    field = f"log[{at[1]}].to" if at[0] == "log" else at[0]
    for index, unit in enumerate(units):
        if _LOOKS_LIKE_ID.match(unit) and unit not in departments:
            yield Finding.make(
                "E305", document.display, document.locate((*at, index)),
                f"配合单位“{unit}”像是部门编号，但没有在 departments.yml 中登记；"
                "已登记部门请写其编号，其他单位请写中文全称。", f"{field}[{index}]")
        elif unit == lead:
            yield Finding.make(
                "E305", document.display, document.locate((*at, index)),
                f"配合单位“{unit}”就是牵头部门本身；请只列其他单位。", f"{field}[{index}]")


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    departments = ledger.departments
    categories = {c.id: c for c in ledger.portal.categories} if ledger.portal else {}
    steps = {s.id: s for s in ledger.portal.steps} if ledger.portal else {}
    for item in ledger.problems:
        problem, document = item.problem, item.document
        if categories and problem.category not in categories:
            yield Finding.make(
                "E306", document.display, document.locate(("category",)),
                f"类别“{problem.category}”没有在 portal.yml 中登记；可选的类别有："
                f"{'、'.join(f'{c.id}（{c.name}）' for c in categories.values())}。", "category")
        if departments:
            yield from _cooperating(problem.cooperating, problem.department, departments, document, ("cooperating",))
            for index, entry in enumerate(problem.log):  # a revision's new units are held to the same rule
                if isinstance(entry, Revision) and entry.field == RevisedField.COOPERATING and isinstance(entry.to, list):
                    units = [str(unit).strip() for unit in entry.to]
                    yield from _cooperating(units, problem.department, departments, document, ("log", index, "to"))
        if steps:
            for index, entry in enumerate(problem.log):
                if isinstance(entry, Progress) and entry.step not in steps:
                    yield Finding.make(
                        "E314", document.display, document.locate(("log", index, "step")),
                        f"步骤“{entry.step}”不在“八步走”步骤中；可选：" +
                        "、".join(f"{s.id}（{s.name}）" for s in steps.values()) + "。",
                        f"log[{index}].step")

    problem_ids = {item.problem.id for item in ledger.problems} | ledger.problem_file_ids
    for item in ledger.inspections:
        inspection, document = item.inspection, item.document
        if layout.claimed_id(document.path) != inspection.id:
            yield Finding.make(
                "E302", document.display, document.locate(("id",)),
                f"文件名是“{document.path.name}”，但督查记录编号（id）是“{inspection.id}”；"
                f"文件名应为“{inspection.id}{layout.SUFFIX}”。", "id")
        if departments:
            for index, department in enumerate(inspection.departments):
                if department not in departments:
                    yield Finding.make(
                        "E305", document.display, document.locate(("departments", index)),
                        f"部门“{department}”没有在 departments.yml 中登记。", f"departments[{index}]")
        for index, problem_id in enumerate(inspection.problems):
            if problem_id not in problem_ids:
                yield Finding.make(
                    "E315", document.display, document.locate(("problems", index)),
                    f"问题编号“{problem_id}”在台账中不存在。", f"problems[{index}]")
