"""Reading a ledger folder: every file loaded strictly and checked against its schema."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..model.schema import Department, Departments, Indicator, Indicators, Inspection, Portal, Problem
from ..validation.findings import Finding
from ..validation.schemacheck import check_model
from .yamlio import Document, LoadError, read_document

REGISTRIES = ("portal.yml", "departments.yml", "indicators.yml")
INSPECTIONS = "inspections"
IGNORED_NAMES = {"README.md", ".gitkeep", ".DS_Store"}


@dataclass(frozen=True)
class ProblemFile:
    """A valid problem with the document it came from (for positions in later findings)."""

    document: Document
    problem: Problem


@dataclass(frozen=True)
class InspectionFile:
    document: Document
    inspection: Inspection


@dataclass
class Ledger:
    root: Path
    portal: Portal | None = None
    portal_document: Document | None = None
    departments: dict[str, Department] = field(default_factory=dict)
    departments_document: Document | None = None
    indicators: list[Indicator] = field(default_factory=list)
    indicators_document: Document | None = None
    problems: list[ProblemFile] = field(default_factory=list)
    inspections: list[InspectionFile] = field(default_factory=list)
    problem_files: int = 0  # every problem file found, valid or not
    # the id each problem file claims (its name), valid or not: an inspection that names a problem whose
    # file has an error must not also be told that the problem does not exist
    problem_file_ids: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The path as a clerk sees it: relative to where the command runs, with forward slashes."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.resolve().as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _read(path: Path, findings: list[Finding]) -> Document | None:
    try:
        return read_document(path, display_path(path))
    except LoadError as exc:
        findings.extend(exc.findings)
        return None


def load_ledger(root: Path) -> Ledger:
    """Load every file under `root`; findings collect all that is wrong, nothing stops at the first."""
    ledger = Ledger(root=root)
    findings = ledger.findings

    for name, required in (("portal.yml", True), ("departments.yml", True), ("indicators.yml", False)):
        path = root / name
        if not path.is_file():
            if required:
                findings.append(Finding.make("E320", display_path(path), (1, 1),
                                             f"找不到登记表 {name}；台账目录 {display_path(root)} 里必须有这个文件。"))
            continue
        document = _read(path, findings)
        if document is None:
            continue
        if name == "portal.yml":
            model, errors = check_model(document, Portal)
            ledger.portal, ledger.portal_document = model, document
        elif name == "departments.yml":
            model, errors = check_model(document, Departments)
            ledger.departments_document = document
            if model is not None:
                for unit in model.departments:  # a duplicate (E318) must not replace the first entry
                    ledger.departments.setdefault(unit.id, unit)
        else:
            model, errors = check_model(document, Indicators)
            ledger.indicators_document = document
            if model is not None:
                ledger.indicators = list(model.indicators)
        findings.extend(errors)

    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED_NAMES or entry.name in REGISTRIES:
            continue
        if entry.is_file() and _looks_like_ledger(entry):
            findings.append(_unread(entry, "台账根目录只放 portal.yml、departments.yml、indicators.yml；"
                                           "问题文件请放进牵头部门的文件夹"))
        elif entry.is_file():
            findings.append(_unexpected(entry, "台账根目录只放 portal.yml、departments.yml、indicators.yml 和各部门文件夹"))
        elif entry.name == INSPECTIONS:
            _load_inspections(entry, ledger)
        else:
            _load_problems(entry, ledger)
    return ledger


def _yml_files(folder: Path, ledger: Ledger) -> list[Path]:
    files = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED_NAMES:
            continue
        if entry.is_file() and entry.suffix == ".yml":
            files.append(entry)
        elif entry.is_file() and _looks_like_ledger(entry):
            ledger.findings.append(_unread(entry, f"扩展名应为小写的 .yml，请改名为 {entry.stem}.yml"))
        elif entry.is_dir():
            hidden = sorted(p for p in entry.rglob("*") if p.is_file() and _looks_like_ledger(p))
            for path in hidden:
                ledger.findings.append(_unread(path, f"问题文件不能放在子文件夹里，请移到 {display_path(folder)}/ 下"))
            if not hidden:
                ledger.findings.append(_unexpected(entry, "部门文件夹里不要再建子文件夹，问题文件直接放在部门文件夹里"))
        else:
            ledger.findings.append(_unexpected(entry, "部门文件夹里只放“问题编号.yml”文件"))
    return files


def _looks_like_ledger(path: Path) -> bool:
    return path.suffix.lower() in (".yml", ".yaml") and not path.name.startswith(".")


def _unread(path: Path, why: str) -> Finding:
    """A ledger file nobody will read is an error: its problem would silently miss the portal."""
    return Finding.make("E322", display_path(path), (1, 1), f"这个台账文件不会被读取，其中的内容不会发布：{why}。")


def _unexpected(path: Path, why: str) -> Finding:
    what = "文件夹" if path.is_dir() else "文件"
    return Finding.make("W403", display_path(path), (1, 1), f"这个{what}没有被读取：{why}。")


def _load_problems(folder: Path, ledger: Ledger) -> None:
    for path in _yml_files(folder, ledger):
        ledger.problem_files += 1
        ledger.problem_file_ids.add(path.stem)
        document = _read(path, ledger.findings)
        if document is None:
            continue
        problem, errors = check_model(document, Problem)
        ledger.findings.extend(errors)
        if problem is not None:
            ledger.problems.append(ProblemFile(document, problem))


def _load_inspections(folder: Path, ledger: Ledger) -> None:
    for path in _yml_files(folder, ledger):
        document = _read(path, ledger.findings)
        if document is None:
            continue
        inspection, errors = check_model(document, Inspection)
        ledger.findings.extend(errors)
        if inspection is not None:
            ledger.inspections.append(InspectionFile(document, inspection))
