"""check-ownership: who may change which files, judged by the owners the base commit declares.

A department's folder belongs to the owners listed for it in departments.yml, and so does its upload folder
(`submissions/<department>/`, the spreadsheets convert-submissions turns into problem files); the registries, the
inspection records and the weekly snapshots belong to the office's owners in portal.yml; and so does
everything outside the two data folders (code, workflows, CI scripts, the site's settings, dotfiles): a
department's pull request changes its own folder and nothing else. Git's own settings files (which can hide a
diff from the reviewer) are the office's wherever they lie, and a symbolic link or a submodule is refused
from anyone, since no reviewer can read what it points at. The base's registries are the ones that count: a
pull request cannot make its author an owner and use that in the same change.

An owner may be a person (`@sthj-clerk`) or a team (`@zhouzhou-city/sthj`). Teams given on the command line
count; otherwise the caller passes `is_member`, which asks the git platform (review/platforms.py) and raises
PlatformError when it cannot tell; that is E523, not a silent refusal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..loading import layout
from ..loading.layout import Kind, department_of, kind_of
from ..loading.ledger import Owners, owners_of
from ..loading.yamlio import Document, LoadError, document_from_bytes
from ..model.findings import Finding
from .changes import DELETED, ChangeSet, FileChange
from .platforms import PlatformError

CODES = ("E511", "E512", "E517", "E520", "E521", "E522", "E523", "E524")
# Entries a department writes but the office approves (延期、调整、销号): their `approved_by` is text the clerk types,
# so the office's own approval of the pull request is what makes them true. Without it a department could extend
# its own deadline, lower its own target or close its own problem with its own reviewer's approval.
SIGNED_OFF = {"extension": "延期", "revision": "调整", "close": "销号"}
# Files that change how git and the platforms show, compare or fetch other files (`.gitattributes` can mark a
# neighbour's folder `-diff` so that the reviewer sees no change): the office's, in whatever folder.
GIT_SETTINGS = frozenset({".gitattributes", ".gitmodules", ".gitignore", ".lfsconfig", ".mailmap"})
OFFICE = "专班办公室"


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


def is_team(handle: str) -> bool:
    """`@org/team` (GitHub) or `@group/subgroup` (GitLab); a handle without a slash is a person."""
    return "/" in normal(handle)


class _Judge:
    """Whether the author is one of a list of owners: by name, by a team given on the command line, or by a
    team the platform says the author belongs to (asked once per team)."""

    def __init__(self, author: str, teams: Iterable[str], is_member: Callable[[str], bool] | None):
        self.me = {normal(author), *(normal(team) for team in teams)} - {""}
        self.is_member = is_member
        self.asked: dict[str, bool] = {}
        self.unknown: dict[str, str] = {}  # team -> why the platform could not tell

    def allowed(self, handles: Iterable[str]) -> bool | None:
        """True or False; None when only a team the platform could not be asked about might allow it."""
        handles = [normal(h) for h in handles]
        if self.me & set(handles):
            return True
        if self.is_member is None:
            return False
        undecided = False
        for team in (h for h in handles if is_team(h)):
            if team not in self.asked and team not in self.unknown:
                try:
                    self.asked[team] = self.is_member("@" + team)
                except PlatformError as exc:
                    self.unknown[team] = str(exc)
            if self.asked.get(team):
                return True
            undecided = undecided or team in self.unknown
        return None if undecided else False


def check(changes: ChangeSet, author: str, teams: Iterable[str] = (),
          is_member: Callable[[str], bool] | None = None,
          office_approver: Callable[[list[str]], str | None] | None = None) -> tuple[list[Finding], list[Approval]]:
    """Every changed file against the base's owners; `teams` are groups the author is known to belong to,
    `is_member(team)` asks the platform about the others, and `office_approver(office_handles)` names an office
    owner who approved the pull request (None when none has; it raises PlatformError when it cannot tell)."""
    owners = owners_of(changes.base_ledger)
    judge = _Judge(author, teams, is_member)
    who = author or "（未知作者）"
    findings: list[Finding] = []
    counted: Counter[str] = Counter()  # changed files per owner
    uploads = [c for c in changes.outside if _uploaded(c, owners)]
    for change in [*changes.changes, *uploads]:
        for path in dict.fromkeys(p for p in (change.old, change.new) if p is not None):
            owner, name, handles = _owner_of(path, owners)
            if owner is None:
                continue
            if path.name in GIT_SETTINGS:
                owner, name, handles = OFFICE, OFFICE, owners.office
            counted[owner] += 1
            display = str(change.old if change.kind == DELETED else change.path)
            allowed = judge.allowed(handles)
            if allowed:
                continue
            shown = "、".join(handles) if handles else "未登记任何账号"
            if allowed is None:
                findings.append(_unresolved(judge, display, who, path, handles))
            elif path.name in GIT_SETTINGS:
                findings.append(_git_settings(display, who, path, shown))
            elif owner == OFFICE:
                findings.append(Finding.make(
                    "E512", display, (1, 1),
                    f"{who} 修改了 {path}，这是专班办公室管理的文件（登记表、督查记录或每周快照）；"
                    f"只有 portal.yml 中登记的 owners（{shown}）可以修改。请撤销这处改动，或请专班办公室提交。"))
            else:
                findings.append(Finding.make(
                    "E511", display, (1, 1),
                    f"{who} 修改了 {path}，它属于{name}（{owner}）；只有该部门在 departments.yml 中登记的 "
                    f"owners（{shown}）可以修改（部门未登记 owners 时由专班办公室的 owners 管理），"
                    "这处改动须经他们审核同意，或撤销。"))
    findings.extend(_sign_off(changes, owners, judge, office_approver))
    findings.extend(_outside([c for c in changes.outside if c not in uploads], owners, judge, who, counted))
    findings.extend(_links([*changes.data_links, *changes.changes, *changes.outside], who))
    approvals = []
    for owner, files in sorted(counted.items(), key=lambda item: (item[0] != OFFICE, item[0])):
        handles = owners.office if owner == OFFICE else owners.departments.get(owner) or owners.office
        name = OFFICE if owner == OFFICE else owners.names.get(owner, owner)
        approvals.append(Approval(owner, name, tuple(handles), files, bool(judge.allowed(handles))))
    return sorted(set(findings)), approvals


def _signed_entries(changes: ChangeSet) -> Iterable[tuple[str, Document, int, str]]:
    """(file, document, index, type) of each extension, revision and close-out a change appends to a problem."""
    for change in changes.changes:
        if change.kind == DELETED or kind_of(change.new) != Kind.PROBLEM:
            continue
        new = _document(changes.new_bytes(change), change.new)
        old = _document(changes.old_bytes(change), change.old) if change.old is not None else None
        log = new.data.get("log") if new is not None and isinstance(new.data, dict) else None
        if not isinstance(log, list):
            continue
        before = old.data.get("log") if old is not None and isinstance(old.data, dict) else None
        start = len(before) if isinstance(before, list) else 0  # what the history check lets through: an appended tail
        for index in range(start, len(log)):
            entry = log[index]
            if isinstance(entry, dict) and entry.get("type") in SIGNED_OFF:
                yield str(change.new), new, index, str(entry["type"])


def _document(raw: bytes, path: PurePosixPath) -> Document | None:
    try:
        return document_from_bytes(raw, path, str(path))
    except LoadError:
        return None


def _sign_off(changes: ChangeSet, owners: Owners, judge: _Judge,
              office_approver: Callable[[list[str]], str | None] | None) -> Iterable[Finding]:
    """Extensions, revisions and close-outs stand only with the office's approval of the pull request (E517)."""
    pending = list(_signed_entries(changes))
    if not pending or not owners.office or judge.allowed(owners.office):
        return  # nothing to sign, no office registered yet (E512 says so), or the office's own change
    shown = "、".join(owners.office) if owners.office else "未登记任何账号"
    try:
        approver = office_approver(owners.office) if office_approver is not None else None
        why = ("专班办公室还没有批准这个拉取请求（合并请求）；专班办公室的 owners 批准（Approve）后重新运行检查，即可通过"
               if office_approver is not None else
               "在本机运行时无法查询批准情况；提交拉取请求后，专班办公室批准（Approve），CI 中的检查即可通过")
    except PlatformError as exc:
        approver, why = None, f"无法查询拉取请求的批准情况（{exc}）"
    if approver is not None:
        return
    for display, document, index, kind in pending:
        yield Finding.make(
            "E517", display, document.locate(("log", index)),
            f"第 {index + 1} 条记录是{SIGNED_OFF[kind]}（type: {kind}），须经专班办公室（{shown}）审核同意，"
            f"记录里写的批准单位不能代替：{why}。", f"log[{index}]")


def _outside(outside: list[FileChange], owners: Owners, judge: _Judge, who: str,
             counted: Counter[str]) -> Iterable[Finding]:
    """Code, workflows, settings and dotfiles: the office's to change, whoever asks."""
    shown = "、".join(owners.office) if owners.office else "未登记任何账号"
    for change in outside:
        counted[OFFICE] += 1
        allowed = judge.allowed(owners.office)
        if allowed:
            continue
        display = str(change.path)
        if allowed is None:
            yield _unresolved(judge, display, who, change.path, owners.office)
        elif change.path.name in GIT_SETTINGS:
            yield _git_settings(display, who, change.path, shown)
        else:
            verb = {DELETED: "删除了"}.get(change.kind, "改动了")
            if change.path.parts[0] == layout.SUBMISSIONS:
                yield Finding.make(
                    "E520", display, (1, 1),
                    f"{who} {verb} {change.path}：上传的表格只能放在已登记部门的文件夹 {layout.SUBMISSIONS}/部门编号/ 里"
                    f"（部门编号见 departments.yml），{layout.SUBMISSIONS}/ 下的其他位置由专班办公室（{shown}）管理。"
                    "请把表格移到本部门的文件夹。")
                continue
            yield Finding.make(
                "E520", display, (1, 1),
                f"{who} {verb} {change.path}，这不是台账文件，而是{_what(change.path)}：它决定检查怎样运行、门户怎样生成，"
                f"只能由专班办公室（portal.yml 中登记的 owners：{shown}）修改或审核同意。"
                f"部门的拉取请求只应改动 {layout.LEDGERS}/本部门编号/ 下的问题文件，或把填好的表格上传到 "
                f"{layout.SUBMISSIONS}/本部门编号/；请撤销这处改动。")


def _what(path: PurePosixPath) -> str:
    top = path.parts[0]
    if top in (".github", ".gitlab", ".gitlab-ci.yml", ".ci"):
        return "持续集成的工作流或脚本"
    if top in ("generator", "tests", "bench", "schema"):
        return "门户程序的代码"
    if top in ("Makefile", "pyproject.toml", "constraints.txt", "mkdocs.yml"):
        return "构建和安装门户的设置"
    if top in ("docs", "overrides"):
        return "门户的页面模板或样式"
    if top.startswith("."):
        return "仓库的配置文件"
    return "台账目录以外的文件"


def _git_settings(display: str, who: str, path: PurePosixPath, shown: str) -> Finding:
    return Finding.make(
        "E522", display, (1, 1),
        f"{who} 改动了 {path}：这是 git 的设置文件，会改变 git 和代码托管平台显示、比较文件的方式"
        "（例如让别的部门文件的改动在审核页面上不显示差异）；不论放在哪个文件夹，都只能由专班办公室"
        f"（{shown}）修改。请撤销这处改动。")


def _unresolved(judge: _Judge, display: str, who: str, path: PurePosixPath, handles: list[str]) -> Finding:
    teams = [h for h in handles if normal(h) in judge.unknown]
    reasons = "；".join(dict.fromkeys(judge.unknown[normal(t)] for t in teams))
    return Finding.make(
        "E523", display, (1, 1),
        f"{path} 的 owners 是 {'、'.join(handles)}，需要确认 {who} 是否属于团队 {'、'.join(teams)}，但无法查询：{reasons}"
        "。请专班办公室的技术人员按 README 的“Pull requests and CI”一节配置令牌后重新运行检查；在此之前这处改动不能通过。")


def _links(changes: Iterable[FileChange], who: str) -> Iterable[Finding]:
    for change in changes:
        link = change.makes_link
        if link is None:
            continue
        what = "符号链接（symlink）" if link == "symlink" else "git 子模块（submodule）"
        yield Finding.make(
            "E521", str(change.path), (1, 1),
            f"{who} 在 {change.path} 加入了{what}：它指向的内容不在这次改动里，审核人看不到，检查也读不到，"
            "因此不论谁提交都不接受。请删去它，把文件本身放进来。")


def _uploaded(change: FileChange, owners: Owners) -> bool:
    """A file in a registered department's upload folder (`submissions/<department>/`): the department's, as its
    ledger folder is. Anywhere else under submissions/ it is the office's, like any file outside the data."""
    return all(layout.submission_department(p) in owners.departments for p in (change.old, change.new) if p is not None)


def _owner_of(path: PurePosixPath, owners: Owners) -> tuple[str | None, str, list[str]]:
    kind = kind_of(path)
    department = department_of(path) or layout.submission_department(path)
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
