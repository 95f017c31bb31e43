"""`rectify new`: a new problem file with every field and a comment per field, under the next free id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..loading import layout
from ..loading.ledger import load_ledger
from ..loading.problemfile import problem_template, usual_category, write_new
from ..validation import registered


class ScaffoldError(Exception):
    """The file cannot be created; the message is for the clerk."""


def next_problem_id(department_folder: Path, prefix: str, year: int) -> str:
    taken = (p.name.removesuffix(layout.SUFFIX) for p in department_folder.glob(f"*{layout.SUFFIX}"))
    return layout.next_free_id(taken, prefix, year)


def new_problem(ledger_root: Path, department: str, category: str | None, opened: dt.date) -> Path:
    """The scaffold of the department's next problem, listed on `opened`; `category` defaults to the department's
    usual one. Raises NotRegistered for a department or category the registries do not hold."""
    ledger = load_ledger(ledger_root)
    unit = registered.department(ledger, department)
    if category is not None:
        registered.category(ledger, category)
    return create_problem(ledger_root, department, unit.prefix, category or usual_category(ledger, department), opened)


def create_problem(ledger_root: Path, department: str, prefix: str, category: str, opened: dt.date) -> Path:
    folder = ledger_root / layout.department_folder(department)
    problem_id = next_problem_id(folder, prefix, opened.year)
    path = ledger_root / layout.problem_path(department, problem_id)
    if path.exists():  # pragma: no cover - next_problem_id never returns a taken id
        raise ScaffoldError(f"文件 {path} 已经存在，不会覆盖。")
    write_new(path, problem_template(problem_id, department, category, opened))
    return path
