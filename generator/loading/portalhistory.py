"""The report rules of portal.yml (`thresholds`, `reports`, `notice`) as each commit of the ledger's git history held them.

A past report must be the report that was published, so it is built with the rules that stood at its period's
end (derivation/rulebook.py chooses among the versions read here). The record is git's: every version of
portal.yml on the first-parent chain from HEAD, each in force from the day its commit reached that chain (its
committer time, in the city's time zone). The first-parent chain is the published branch's own history: a
pull request counts from the day it was merged (the merge commit's time, which the platform sets), not from
whatever date its author's commits carry. Where the history cannot be read whole (no repository, a shallow
clone, an old version the schema no longer reads), what was read is returned with the reason it stops, and the
build says so.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from ..clock import CITY_TZ
from ..model.schema import NoticeRule, Reports, Thresholds
from . import layout
from .yamlio import LoadError, document_from_bytes


@dataclass(frozen=True)
class RuleVersion:
    """One version of portal.yml's report rules, and since when it stands."""

    thresholds: Thresholds
    reports: Reports
    notice: NoticeRule
    since: dt.date | None  # the day its commit reached the branch (city time); None: today's file, history unread
    commit: str | None  # the commit that brought it (10 characters, as the pages show commits); None: not committed

    def same_rules(self, other: RuleVersion) -> bool:
        return (self.thresholds, self.reports, self.notice) == (other.thresholds, other.reports, other.notice)


@dataclass(frozen=True)
class PortalHistory:
    """The versions read, oldest first, each differing in its rules from the one before; and, when the record
    does not reach back to portal.yml's first version, why (a sentence for the build output and the pages)."""

    versions: list[RuleVersion] = field(default_factory=list)
    gap: str | None = None


def _rules_of(data: object) -> tuple[Thresholds, Reports, NoticeRule]:
    """The rules of a portal.yml's data (each section's defaults where it is absent). Raises ValueError."""
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    try:
        return (Thresholds.model_validate(data.get("thresholds") or {}),
                Reports.model_validate(data.get("reports") or {}),
                NoticeRule.model_validate(data.get("notice") or {}))
    except ValidationError as exc:
        raise ValueError(str(exc)) from None


def read_portal_history(ledgers: Path, city: str) -> PortalHistory:
    """Every version of `ledgers`/portal.yml's rules on the first-parent chain of HEAD of the repository holding
    `ledgers`. The walk stops at the commit before which the file did not exist, at a version that names another
    city (the record of the portal this one was forked from), at a version the schema no longer reads, and at a
    shallow clone's edge; the last two leave a gap."""
    from dulwich.errors import NotGitRepository  # imported here: a build from a folder need not load git
    from dulwich.repo import Repo

    try:
        repository = Repo.discover(str(ledgers))
    except (NotGitRepository, OSError):
        return PortalHistory(gap="台账目录不在 git 仓库中")
    with repository:
        try:
            head = repository.head()
        except KeyError:
            return PortalHistory(gap="git 仓库还没有提交")
        root = Path(repository.path).resolve()
        try:
            relative = Path(os.path.relpath(Path(ledgers).resolve(), root))
        except ValueError:
            return PortalHistory(gap="台账目录不在 git 仓库中")
        if relative.parts[:1] == ("..",):
            return PortalHistory(gap="台账目录不在 git 仓库中")
        path = PurePosixPath(relative.as_posix()) / layout.PORTAL
        return _walk(repository, head, path, city)


def _walk(repository, head: bytes, path: PurePosixPath, city: str) -> PortalHistory:
    """Newest first along first parents; a run of commits holding the same blob is one version, in force from
    the oldest commit of the run. Objects are read raw (a commit's header lines, a tree through dulwich's C
    parser): building dulwich's objects took most of the walk's time, about 0.2 ms a commit."""
    store = repository.object_store
    shallow = repository.get_shallow()
    parts = [part.encode("utf-8") for part in path.parts]
    runs: list[tuple[bytes, bytes, int]] = []  # (blob, oldest commit holding it, its commit time), newest first
    folders: dict[bytes, bytes | None] = {}  # the ledger folder's tree -> the blob in it (most commits touch neither)
    gap: str | None = None
    sha: bytes | None = head
    while sha is not None:
        try:
            tree, parent, committed = _commit_header(store.get_raw(sha)[1])
            blob = _blob_at(store, tree, parts, folders)
        except (KeyError, ValueError):
            gap = "git 历史不完整（缺少提交或目录对象，例如部分克隆）"
            break
        if blob is None:
            break  # portal.yml did not exist before: the record starts with the run above
        if runs and runs[-1][0] == blob:
            runs[-1] = (blob, sha, committed)
        else:
            runs.append((blob, sha, committed))
        if sha in shallow:
            if parent is not None:
                gap = "仓库是浅克隆（shallow clone），只有最近的提交"
            break
        sha = parent

    versions: list[RuleVersion] = []
    parsed: dict[bytes, tuple | None] = {}
    for blob, commit, committed in runs:  # newest first
        if blob not in parsed:
            try:
                parsed[blob] = _parse(store.get_raw(blob)[1], path)
            except KeyError:  # a partial clone (--filter=blob:none) has no old file contents
                gap = f"git 历史不完整（缺少提交 {commit.decode('ascii')[:10]} 中 portal.yml 的内容，例如部分克隆）"
                break
        found = parsed[blob]
        if found is None:
            gap = f"提交 {commit.decode('ascii')[:10]} 中的 portal.yml 按现在的格式读不出规则"
            break
        data_city, rules = found
        if data_city != city:
            break  # another portal's record: this one begins with the version after it
        since = dt.datetime.fromtimestamp(committed, CITY_TZ).date()
        versions.append(RuleVersion(*rules, since=since, commit=commit.decode("ascii")[:10]))
    versions.reverse()
    return PortalHistory(_merged(versions), gap)


def _commit_header(raw: bytes) -> tuple[bytes, bytes | None, int]:
    """A raw commit's tree, first parent and committer time (seconds since the epoch)."""
    tree = parent = committed = None
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"tree ") and tree is None:
            tree = line[5:]
        elif line.startswith(b"parent ") and parent is None:
            parent = line[7:]
        elif line.startswith(b"committer ") and committed is None:
            committed = int(line.rsplit(b" ", 2)[1])
    if tree is None or committed is None:
        raise ValueError("not a commit")
    return tree, parent, committed


def _merged(versions: list[RuleVersion]) -> list[RuleVersion]:
    """Oldest first: a version whose rules equal its predecessor's is no change (a new category, a new title);
    a commit dated before its parent (a wrong clock) takes its parent's day, so days never go back; of versions
    reaching the branch on the same day, the day's last stands (the first on record is kept all the same: it
    is the one the days before the record began are reported with)."""
    kept: list[RuleVersion] = []
    latest: dt.date | None = None  # the latest day of any commit so far, a change of other keys included
    for version in versions:
        if latest is not None and version.since < latest:
            version = RuleVersion(version.thresholds, version.reports, version.notice, latest, version.commit)
        latest = version.since
        if kept and version.same_rules(kept[-1]):
            continue
        if len(kept) > 1 and version.since == kept[-1].since:
            kept.pop()
            if version.same_rules(kept[-1]):
                continue
        kept.append(version)
    return kept


def _blob_at(store, tree: bytes, parts: list[bytes], folders: dict[bytes, bytes | None]) -> bytes | None:
    """The blob at `parts` below `tree`; None where nothing (or not a plain file) is there. `folders` remembers
    the answer by the tree of the file's folder."""
    *folder_names, name = parts
    sha = tree
    for folder in folder_names:
        mode, sha = _tree_entry(store, sha, folder)
        if sha is None or not stat.S_ISDIR(mode):
            return None
    if sha not in folders:
        mode, blob = _tree_entry(store, sha, name)
        folders[sha] = blob if blob is not None and stat.S_ISREG(mode) else None
    return folders[sha]


def _tree_entry(store, tree: bytes, name: bytes) -> tuple[int, bytes | None]:
    from dulwich.objects import parse_tree  # dulwich's C parser where it is built

    for entry, mode, sha in parse_tree(store.get_raw(tree)[1], len(tree) // 2):
        if entry == name:
            return mode, sha
    return 0, None


def _parse(raw: bytes, path: PurePosixPath) -> tuple[str | None, tuple] | None:
    try:
        data = document_from_bytes(raw, path, path.as_posix()).data
        rules = _rules_of(data)
    except (LoadError, ValueError):
        return None
    return data.get("city"), rules
