"""Where ledger files live, declared once: the loader, the rules and the scaffold all ask here.

Paths are relative to the ledger folder and use forward slashes (`PurePosixPath`), the same whether
the ledger is read from a folder on disk or from a git commit; `kind_of` and `department_of` classify a path
of the repository instead (`ledgers/...`, `snapshots/...`), as a change against a base lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

LEDGERS = "ledgers"  # the ledger folder, at the repository root
SNAPSHOTS = "snapshots"  # weekly snapshots, at the repository root beside ledgers/
# Spreadsheets a department uploads through the platform's web page (`submissions/<department>/台账.xlsx`), for
# `rectify convert-submissions` to turn into problem files; never read by the site, never published.
SUBMISSIONS = "submissions"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")  # compared in lower case

SUFFIX = ".yml"  # the only suffix a ledger file may have: lower case, not .yaml
LEDGER_LIKE_SUFFIXES = (".yml", ".yaml")  # compared in lower case: a file meant as a ledger file

PORTAL = "portal.yml"
DEPARTMENTS = "departments.yml"
INDICATORS = "indicators.yml"
REGISTRIES = (PORTAL, DEPARTMENTS, INDICATORS)
REQUIRED_REGISTRIES = (PORTAL, DEPARTMENTS)

INSPECTIONS = "inspections"  # the inspection records' folder; every other folder is a department's
IGNORED_NAMES = frozenset({"README.md", ".gitkeep", ".DS_Store"})  # and every name starting with a dot

# Ids the portal uses itself: departments/index.md and categories/index.md are the ranking pages, and
# ledgers/inspections/ is not a department.
RESERVED_IDS = {"departments": ("index", INSPECTIONS), "categories": ("index",)}

ROOT = PurePosixPath()


def repository_of(ledger_folder: Path) -> Path | None:
    """The repository whose `ledgers/` folder this is (its CODEOWNERS files must then match the registries), or
    None for a ledger folder named otherwise, which no repository's checks apply to."""
    folder = ledger_folder.resolve()
    return folder.parent if folder.name == LEDGERS else None


def is_ignored(name: str) -> bool:
    """Files that may sit in any ledger folder without being read or reported."""
    return name.startswith(".") or name in IGNORED_NAMES


def is_ledger_name(name: str) -> bool:
    """A name the loader reads: `<id>.yml`."""
    return PurePosixPath(name).suffix == SUFFIX


def looks_like_ledger(name: str) -> bool:
    """A name that was meant as a ledger file (`.yml` or `.yaml`, any case), read or not."""
    return PurePosixPath(name).suffix.lower() in LEDGER_LIKE_SUFFIXES and not name.startswith(".")


def department_folder(department: str) -> PurePosixPath:
    """A department's problem files lie in a folder named after its id."""
    return PurePosixPath(department)


def problem_path(department: str, problem_id: str) -> PurePosixPath:
    return department_folder(department) / (problem_id + SUFFIX)


def inspection_path(inspection_id: str) -> PurePosixPath:
    return PurePosixPath(INSPECTIONS, inspection_id + SUFFIX)


def folder_of(path: PurePosixPath) -> str:
    """The folder a file lies in: for a problem file, the department it is filed under."""
    return path.parent.name


def claimed_id(path: PurePosixPath) -> str:
    """The id a file claims by its name."""
    return path.stem


def next_free_id(taken: Iterable[str], prefix: str, year: int) -> str:
    """The next problem id of a department for a year: one after the highest number taken, three digits at least."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{year}-(\d{{3,5}})$")
    numbers = [int(m[1]) for problem_id in taken if (m := pattern.match(problem_id))]
    return f"{prefix}-{year}-{max(numbers, default=0) + 1:03d}"


class Kind:
    """What a repository path holds: a problem file, an inspection record, a registry, a weekly snapshot, or else."""

    PROBLEM, INSPECTION, REGISTRY, SNAPSHOT, OTHER = "problem", "inspection", "registry", "snapshot", "other"


def kind_of(path: PurePosixPath) -> str:
    """What a repository path holds, by where it lies."""
    parts = path.parts
    if parts[0] == SNAPSHOTS:
        return Kind.SNAPSHOT
    if parts[0] != LEDGERS or len(parts) < 2 or is_ignored(path.name):
        return Kind.OTHER
    if len(parts) == 2:
        return Kind.REGISTRY if parts[1] in REGISTRIES else Kind.OTHER
    if len(parts) == 3 and is_ledger_name(path.name):
        return Kind.INSPECTION if parts[1] == INSPECTIONS else Kind.PROBLEM
    return Kind.OTHER


def department_of(path: PurePosixPath) -> str | None:
    """The department folder a path lies in (`ledgers/<department>/...`), or None."""
    parts = path.parts
    if len(parts) >= 3 and parts[0] == LEDGERS and parts[1] != INSPECTIONS:
        return parts[1]
    return None


def submission_department(path: PurePosixPath) -> str | None:
    """The department folder an uploaded file lies in (`submissions/<department>/...`), or None (a file directly
    under submissions/, or elsewhere)."""
    parts = path.parts
    if len(parts) >= 3 and parts[0] == SUBMISSIONS:
        return parts[1]
    return None
