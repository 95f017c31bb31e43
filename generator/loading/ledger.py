"""Reading a ledger, from a folder or a git commit: every file loaded strictly and checked against its schema;
and, leniently, the owners its registries declare (for CODEOWNERS and check-ownership)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..model.findings import Finding
from ..model.schema import Department, Departments, Indicator, Indicators, Inspection, Portal, Problem
from ..parallel import fork_map
from . import layout
from .layout import ROOT
from .schemacheck import check_loaded, check_model
from .tree import Entry, FolderTree, Kind, LedgerTree, as_tree
from .yamlio import MAX_FILE_BYTES, Document, LoadError, document_from_bytes

# Problem files from which loading is shared between processes (about 0.5 s of parsing on one core).
PARALLEL_FROM = 1000


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
    root: LedgerTree
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
    # files that did not pass, for the rules that read every file whatever its state (privacy): the documents
    # that parsed, and the text of those that did not
    rejected: list[Document] = field(default_factory=list)
    unparsed: list[RawFile] = field(default_factory=list)


@dataclass(frozen=True)
class RawFile:
    """A ledger file that is not YAML (a syntax error, another encoding): only its text can be read."""

    display: str
    text: str


@dataclass
class Refused:
    """What loading a file that did not pass leaves: its findings, and what can still be read of it."""

    findings: list[Finding] = field(default_factory=list)
    rejected: list[Document] = field(default_factory=list)
    unparsed: list[RawFile] = field(default_factory=list)

    def into(self, ledger: Ledger) -> None:
        ledger.findings.extend(self.findings)
        ledger.rejected.extend(self.rejected)
        ledger.unparsed.extend(self.unparsed)


@dataclass
class ParsedFiles:
    """Problem files as loading left them (their problems, or what was refused), by path, name in messages and
    SHA-256 of their bytes: a rebuild (writing/incremental.py keeps one between builds) parses again only the
    files whose bytes changed. Valid only with the registries it was made with: a problem file is checked
    against portal.yml's and departments.yml's ids, so a cache made under other registries must not be used."""

    loaded: dict[tuple[str, str, str], tuple[list[ProblemFile], Refused]] = field(default_factory=dict)
    parsed: int = 0  # files parsed by the last load, the others taken from `loaded`


def load_ledger(source: LedgerTree | Path, only: Collection[str] | None = None,
                memo: ParsedFiles | None = None) -> Ledger:
    """Load every file of the ledger (a tree, or a folder's path); findings collect all that is wrong,
    nothing stops at the first. With `only`, the problem files of those departments' folders alone are read (the
    others are listed, so every id is known): what a department's update import needs of a province's ledger.
    With `memo`, problem files whose bytes it holds are taken from it, and it is left holding exactly this
    ledger's problem files."""
    tree = as_tree(source)
    ledger = Ledger(root=tree)
    findings = ledger.findings
    top = _entries(tree, ROOT, findings)
    top_files = {entry.name for entry in top if entry.is_file}

    for name in layout.REGISTRIES:
        path = PurePosixPath(name)
        if name not in top_files:
            if name in layout.REQUIRED_REGISTRIES:
                findings.append(Finding.make("E320", tree.display(path), (1, 1),
                                             f"找不到登记表 {name}；台账目录 {tree.display(ROOT)} 里必须有这个文件。"))
            continue
        model_of = {layout.PORTAL: Portal, layout.DEPARTMENTS: Departments}.get(name, Indicators)
        refused = Refused()
        document = _read(tree, path, model_of, {}, refused)
        refused.into(ledger)
        if document is None:
            continue
        if name == layout.PORTAL:
            model, errors = check_model(document, Portal)
            ledger.portal, ledger.portal_document = model, document
        elif name == layout.DEPARTMENTS:
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
        findings.extend(errors)  # the registry's document is kept, valid or not: the rules read it

    problem_folders = []
    for entry in top:
        if layout.is_ignored(entry.name) or entry.name in layout.REGISTRIES:
            continue
        path = PurePosixPath(entry.name)
        if entry.is_file and layout.looks_like_ledger(entry.name):
            findings.append(_unread(tree, path, "台账根目录只放 portal.yml、departments.yml、indicators.yml；"
                                                "问题文件请放进牵头部门的文件夹"))
        elif entry.is_file:
            findings.append(_unexpected(tree, path, entry,
                                        "台账根目录只放 portal.yml、departments.yml、indicators.yml 和各部门文件夹"))
        elif not entry.is_folder:
            findings.append(_unexpected(tree, path, entry, "台账目录里只放登记表和各部门文件夹"))
        elif entry.name == layout.INSPECTIONS:
            _load_inspections(path, ledger)
        else:
            problem_folders.append(path)
    _load_problems(problem_folders, ledger, only, memo)
    return ledger


def _entries(tree: LedgerTree, folder: PurePosixPath, findings: list[Finding]) -> list[Entry]:
    """The entries of a folder, less its links: a link is reported (E328) and never followed, since it
    could bring in a file from outside the ledger that no reviewer of the pull request would see."""
    kept = []
    for entry in tree.entries(folder):
        if entry.kind is Kind.SYMLINK and not layout.is_ignored(entry.name):
            findings.append(Finding.make(
                "E328", tree.display(folder / entry.name), (1, 1),
                "这是一个链接（符号链接），不是文件本身；台账不读取链接，它指向的内容不会校验也不会发布。"
                "请删去链接，把文件本身放在这里。"))
        elif entry.kind is not Kind.SYMLINK:
            kept.append(entry)
    return kept


def _read(tree: LedgerTree, path: PurePosixPath, model, choices: dict, refused: Refused) -> Document | None:
    """The document of a file that loads; for one that does not, its findings and every other finding its
    schema `model` allows from what can still be read of it, in `refused`."""
    display = tree.display(path)
    raw = tree.read(path)
    try:
        return document_from_bytes(raw, path, display)
    except LoadError as exc:
        refused.findings.extend(exc.findings)
        refused.findings.extend(check_loaded(exc, model, choices))
        if exc.whole and exc.salvaged is not None:
            refused.rejected.append(exc.salvaged)
        else:  # the text itself, even not UTF-8 (the digits of a number are ASCII in any encoding)
            text = raw[:4 * MAX_FILE_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
            refused.unparsed.append(RawFile(display, text))
        return None


def _yml_files(folder: PurePosixPath, ledger: Ledger) -> list[PurePosixPath]:
    tree = ledger.root
    files = []
    for entry in _entries(tree, folder, ledger.findings):
        if layout.is_ignored(entry.name):
            continue
        path = folder / entry.name
        if entry.is_file and layout.is_ledger_name(entry.name):
            files.append(path)
        elif entry.is_file and layout.looks_like_ledger(entry.name):
            ledger.findings.append(_unread(tree, path, f"扩展名应为小写的 .yml，请改名为 {path.stem}.yml"))
        elif entry.is_folder:
            hidden = sorted(p for p in _files_below(tree, path) if layout.looks_like_ledger(p.name))
            for hidden_path in hidden:
                ledger.findings.append(_unread(tree, hidden_path,
                                               f"问题文件不能放在子文件夹里，请移到 {tree.display(folder)}/ 下"))
            if not hidden:
                ledger.findings.append(_unexpected(tree, path, entry,
                                                   "部门文件夹里不要再建子文件夹，问题文件直接放在部门文件夹里"))
        else:
            ledger.findings.append(_unexpected(tree, path, entry, "部门文件夹里只放“问题编号.yml”文件"))
    return files


def _files_below(tree: LedgerTree, folder: PurePosixPath) -> Iterator[PurePosixPath]:
    """Every file at any depth; links are not followed (the folder's own listing reports them)."""
    for entry in tree.entries(folder):
        if entry.kind is Kind.FILE:
            yield folder / entry.name
        elif entry.kind is Kind.FOLDER:
            yield from _files_below(tree, folder / entry.name)


def _unread(tree: LedgerTree, path: PurePosixPath, why: str) -> Finding:
    """A ledger file nobody will read is an error: its problem would silently miss the portal."""
    return Finding.make("E322", tree.display(path), (1, 1), f"这个台账文件不会被读取，其中的内容不会发布：{why}。")


def _unexpected(tree: LedgerTree, path: PurePosixPath, entry: Entry, why: str) -> Finding:
    what = "文件夹" if entry.is_folder else "文件"
    return Finding.make("W403", tree.display(path), (1, 1), f"这个{what}没有被读取：{why}。")


def _choices(ledger: Ledger) -> dict[str, list[tuple[str, str]]]:
    """The registered ids, with their names, that fields referring to a registry must take."""
    departments = [(d.id, d.name) for d in ledger.departments.values()]
    choices = {"department": departments, "departments": departments}
    if ledger.portal is not None:
        choices["category"] = [(c.id, c.name) for c in ledger.portal.categories]
        choices["step"] = [(s.id, s.name) for s in ledger.portal.steps]
    return choices


def _load_problems(folders: list[PurePosixPath], ledger: Ledger, only: Collection[str] | None = None,
                   memo: ParsedFiles | None = None) -> None:
    """Every problem file of the departments' folders, in order. At scale, from a folder on disk, the files are
    shared between forked processes (generator/parallel.py): parsing is most of the time a build takes to
    validate, and each process sends back only its documents and models."""
    paths = [path for folder in folders for path in _yml_files(folder, ledger)]
    ledger.problem_files += len(paths)
    ledger.problem_file_ids.update(layout.claimed_id(path) for path in paths)
    if only is not None:
        paths = [path for path in paths if path.parts[0] in only]
    load = functools.partial(_load_each, tree=ledger.root, choices=_choices(ledger))
    # a repository's objects are read through one open pack file, whose position forked readers would share
    on_disk = isinstance(ledger.root, FolderTree)
    keys = [_memo_key(ledger.root, path) for path in paths] if memo is not None else []
    known = memo.loaded if memo is not None else {}
    missing = [path for i, path in enumerate(paths) if memo is None or keys[i] not in known]
    parsed = iter([one for part in fork_map(load, missing, worth_it=on_disk and len(missing) >= PARALLEL_FROM)
                   for one in part])
    results = [next(parsed) if memo is None or keys[i] not in known else known[keys[i]] for i in range(len(paths))]
    for problems, refused in results:
        ledger.problems.extend(problems)
        refused.into(ledger)
    if memo is not None:
        memo.loaded = dict(zip(keys, results, strict=True))
        memo.parsed = len(missing)


def _memo_key(tree: LedgerTree, path: PurePosixPath) -> tuple[str, str, str]:
    return str(path), tree.display(path), hashlib.sha256(tree.read(path)).hexdigest()


def _load_each(paths: Sequence[PurePosixPath], tree: LedgerTree, choices: dict
               ) -> list[tuple[list[ProblemFile], Refused]]:
    """Each file loaded alone: what it gave, file by file."""
    return [_load_problem_files([path], tree, choices) for path in paths]


def _load_problem_files(paths: Sequence[PurePosixPath], tree: LedgerTree, choices: dict
                        ) -> tuple[list[ProblemFile], Refused]:
    problems: list[ProblemFile] = []
    refused = Refused()
    for path in paths:
        document = _read(tree, path, Problem, choices, refused)
        if document is None:
            continue
        problem, errors = check_model(document, Problem, choices)
        refused.findings.extend(errors)
        if problem is not None:
            problems.append(ProblemFile(document, problem))
        else:
            refused.rejected.append(document)
    return problems, refused


def _load_inspections(folder: PurePosixPath, ledger: Ledger) -> None:
    for path in _yml_files(folder, ledger):
        refused = Refused()
        document = _read(ledger.root, path, Inspection, _choices(ledger), refused)
        refused.into(ledger)
        if document is None:
            continue
        inspection, errors = check_model(document, Inspection, _choices(ledger))
        ledger.findings.extend(errors)
        if inspection is not None:
            ledger.inspections.append(InspectionFile(document, inspection))
        else:
            ledger.rejected.append(document)


@dataclass
class Owners:
    """Who owns what, as a ledger's registries declare it."""

    office: list[str] = field(default_factory=list)
    departments: dict[str, list[str]] = field(default_factory=dict)  # id -> owners, in registry order
    names: dict[str, str] = field(default_factory=dict)  # id -> the department's name


def owners_of(tree: LedgerTree | None) -> Owners:
    """The owners a ledger declares (none without a ledger); read leniently (values as written), since a
    broken registry is validate's to report and must not let every change through."""
    found = Owners()
    if tree is None:
        return found
    portal = _registry_data(tree, layout.PORTAL)
    if isinstance(portal, dict):
        found.office = _handles(portal.get("owners"))
    registry = _registry_data(tree, layout.DEPARTMENTS)
    units = registry.get("departments") if isinstance(registry, dict) else None
    for unit in units if isinstance(units, list) else []:
        if isinstance(unit, dict) and isinstance(unit.get("id"), str) and unit["id"] not in found.departments:
            found.departments[unit["id"]] = _handles(unit.get("owners"))
            found.names[unit["id"]] = str(unit.get("name") or unit["id"])
    return found


def _registry_data(tree: LedgerTree, name: str):
    path = PurePosixPath(name)
    try:
        return document_from_bytes(tree.read(path), path, tree.display(path)).data
    except (LoadError, FileNotFoundError):
        return None


def _handles(value) -> list[str]:
    return [str(item).strip() for item in value if str(item).strip()] if isinstance(value, list) else []
