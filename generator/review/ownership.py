"""check-ownership: who may change which data files, judged by the owners the base commit declares.

A department's folder belongs to the owners listed for it in departments.yml; the registries, the
inspection records and the weekly snapshots belong to the office's owners in portal.yml. The base's
registries are the ones that count: a pull request cannot make its author an owner and use that in the
same change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..loading import layout
from ..loading.tree import LedgerTree
from ..loading.yamlio import LoadError, document_from_bytes
from ..validation.findings import Finding
from .changes import DELETED, ChangeSet
from .history import Kind, department_of, kind_of

CODES = ("E511", "E512")
OFFICE = "专班办公室"


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
    portal = _data(tree, layout.PORTAL)
    if isinstance(portal, dict):
        found.office = _handles(portal.get("owners"))
    registry = _data(tree, layout.DEPARTMENTS)
    units = registry.get("departments") if isinstance(registry, dict) else None
    for unit in units if isinstance(units, list) else []:
        if isinstance(unit, dict) and isinstance(unit.get("id"), str) and unit["id"] not in found.departments:
            found.departments[unit["id"]] = _handles(unit.get("owners"))
            found.names[unit["id"]] = str(unit.get("name") or unit["id"])
    return found


def _data(tree: LedgerTree, name: str):
    path = PurePosixPath(name)
    try:
        return document_from_bytes(tree.read(path), path, tree.display(path)).data
    except (LoadError, FileNotFoundError):
        return None


def _handles(value) -> list[str]:
    return [str(item).strip() for item in value if str(item).strip()] if isinstance(value, list) else []


def normal(handle: str) -> str:
    """Handles compare as the platforms do: without the leading @, in any case."""
    return handle.strip().lstrip("@").lower()


@dataclass(frozen=True)
class Approval:
    """Who must approve the part of a change that touches one owner's files."""

    owner: str  # a department's id, or OFFICE
    name: str
    handles: tuple[str, ...]
    files: int
    allowed: bool  # the author is one of the handles


def check(changes: ChangeSet, author: str, teams: Iterable[str] = ()) -> tuple[list[Finding], list[Approval]]:
    """Every changed data file against the base's owners; `teams` are the groups the author belongs to."""
    owners = owners_of(changes.base_ledger)
    me = {normal(author), *(normal(team) for team in teams)} - {""}
    findings: list[Finding] = []
    counted: Counter[str] = Counter()  # changed files per owner
    for change in changes.changes:
        for path in dict.fromkeys(p for p in (change.old, change.new) if p is not None):
            owner, name, handles = _owner_of(path, owners)
            if owner is None:
                continue
            allowed = bool(me & {normal(h) for h in handles})
            counted[owner] += 1
            if allowed:
                continue
            shown = "、".join(handles) if handles else "未登记任何账号"
            display = str(change.old if change.kind == DELETED else change.path)
            if owner == OFFICE:
                findings.append(Finding.make(
                    "E512", display, (1, 1),
                    f"{author or '（未知作者）'} 修改了 {path}，这是专班办公室管理的文件（登记表、督查记录或每周快照）；"
                    f"只有 portal.yml 中登记的 owners（{shown}）可以修改。请撤销这处改动，或请专班办公室提交。"))
            else:
                findings.append(Finding.make(
                    "E511", display, (1, 1),
                    f"{author or '（未知作者）'} 修改了 {path}，它属于{name}（{owner}）；只有该部门在 departments.yml 中登记的 "
                    f"owners（{shown}）可以修改（部门未登记 owners 时由专班办公室的 owners 管理），"
                    "这处改动须经他们审核同意，或撤销。"))
    approvals = []
    for owner, files in sorted(counted.items(), key=lambda item: (item[0] != OFFICE, item[0])):
        handles = owners.office if owner == OFFICE else owners.departments.get(owner) or owners.office
        name = OFFICE if owner == OFFICE else owners.names.get(owner, owner)
        approvals.append(Approval(owner, name, tuple(handles), files, bool(me & {normal(h) for h in handles})))
    return sorted(set(findings)), approvals


def _owner_of(path: PurePosixPath, owners: Owners) -> tuple[str | None, str, list[str]]:
    kind = kind_of(path)
    department = department_of(path)
    if kind in (Kind.REGISTRY, Kind.INSPECTION, Kind.SNAPSHOT):
        return OFFICE, OFFICE, owners.office
    if department is not None and department in owners.departments:
        # a department that lists no owners is managed by the office, as CODEOWNERS says
        return department, owners.names[department], owners.departments[department] or owners.office
    if path.parts[0] in (layout.LEDGERS, layout.SNAPSHOTS):
        return OFFICE, OFFICE, owners.office  # anything else in the data folders is the office's to place
    return None, "", []


def approval_notes(approvals: list[Approval]) -> tuple[str, ...]:
    """One line per owner a change touches: whose approval it needs, and whether the author has it."""
    if not approvals:
        return ()
    lines = [f"本次改动涉及 {len(approvals)} 个管理单位：" if len(approvals) > 1 else "本次改动涉及 1 个管理单位："]
    for item in approvals:
        shown = "、".join(item.handles) if item.handles else "未登记任何账号"
        state = "作者是其 owner" if item.allowed else "须经其 owner 审核同意"
        label = item.name if item.owner == OFFICE else f"{item.name}（{item.owner}）"
        lines.append(f"- {label}：{item.files} 个文件，审核人 {shown}；{state}。")
    return tuple(lines)
