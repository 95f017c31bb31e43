"""A problem file lives in its department's folder, is named after its id, and uses that department's prefix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...loading import layout
from ...loading.ledger import Ledger
from ..findings import Finding


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    known = ledger.departments
    for item in ledger.problems:
        problem, document = item.problem, item.document
        folder = layout.folder_of(document.path)
        if problem.department not in known:
            if known:
                yield Finding.make(
                    "E305", document.display, document.locate(("department",)),
                    f"牵头部门“{problem.department}”没有在 departments.yml 中登记；"
                    f"已登记的部门有：{'、'.join(known)}。", "department")
        elif folder != problem.department:
            yield Finding.make(
                "E301", document.display, document.locate(("department",)),
                f"文件放在文件夹“{folder}”里，但牵头部门（department）是“{problem.department}”；"
                f"请把文件移到 {problem.department}/ 文件夹，或改正 department。", "department")
        if layout.claimed_id(document.path) != problem.id:
            yield Finding.make(
                "E302", document.display, document.locate(("id",)),
                f"文件名是“{document.path.name}”，但问题编号（id）是“{problem.id}”；文件名应为“{problem.id}{layout.SUFFIX}”。", "id")
        department = known.get(problem.department)
        if department is not None and problem.id.split("-")[0] != department.prefix:
            yield Finding.make(
                "E304", document.display, document.locate(("id",)),
                f"问题编号“{problem.id}”的前缀与牵头部门{department.name}登记的前缀“{department.prefix}”不符；"
                f"应为“{department.prefix}-年份-序号”。", "id")
