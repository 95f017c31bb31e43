"""A problem file lives in its department's folder, is named after its id, and uses that department's prefix."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ...loading import layout
from ...loading.ledger import Ledger
from ...model.findings import Finding


def _misnamed(ledger: Ledger, path, problem_id: str, department) -> str:
    """E302's advice: rename the file to its id, unless another file already has that name (a copied file
    whose id was not changed); then change the id: to the file's own name when that is a free id of the
    department, else to the next free one."""
    said = f"文件名是“{path.name}”，但问题编号（id）是“{problem_id}”；"
    if problem_id not in ledger.problem_file_ids:
        return said + f"文件名应为“{problem_id}{layout.SUFFIX}”。"
    own = layout.claimed_id(path)
    taken = (ledger.problem_file_ids | {item.problem.id for item in ledger.problems}) - {own}
    prefix, year = problem_id.split("-")[:2]
    if department is not None:
        prefix = department.prefix
    if re.fullmatch(rf"{re.escape(prefix)}-\d{{4}}-\d{{3,5}}", own) and own not in taken:
        advice = f"请把 id 改为“{own}”，与文件名一致。"
    else:
        free = layout.next_free_id(taken, prefix, int(year))
        advice = f"请把 id 改为下一个空闲编号“{free}”，文件名也改为“{free}{layout.SUFFIX}”。"
    return said + f"编号“{problem_id}”已是另一个文件的编号（多半是复制文件后忘了改 id）。" + advice


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
        department = known.get(problem.department)
        if layout.claimed_id(document.path) != problem.id:
            yield Finding.make("E302", document.display, document.locate(("id",)),
                               _misnamed(ledger, document.path, problem.id, department), "id")
        if department is not None and problem.id.split("-")[0] != department.prefix:
            yield Finding.make(
                "E304", document.display, document.locate(("id",)),
                f"问题编号“{problem.id}”的前缀与牵头部门{department.name}登记的前缀“{department.prefix}”不符；"
                f"应为“{department.prefix}-年份-序号”。", "id")
