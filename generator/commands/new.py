"""`rectify new`: a new problem file with every field and a comment per field, under the next free id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..loading import layout
from ..loading.problemfile import problem_template, write_new


class ScaffoldError(Exception):
    """The file cannot be created; the message is for the clerk."""


def next_problem_id(department_folder: Path, prefix: str, year: int) -> str:
    taken = (p.name.removesuffix(layout.SUFFIX) for p in department_folder.glob(f"*{layout.SUFFIX}"))
    return layout.next_free_id(taken, prefix, year)


def create_problem(ledger_root: Path, department: str, prefix: str, category: str, today: dt.date) -> Path:
    folder = ledger_root / layout.department_folder(department)
    problem_id = next_problem_id(folder, prefix, today.year)
    path = ledger_root / layout.problem_path(department, problem_id)
    if path.exists():  # pragma: no cover - next_problem_id never returns a taken id
        raise ScaffoldError(f"文件 {path} 已经存在，不会覆盖。")
    write_new(path, problem_template(problem_id, department, category, today))
    return path
