"""What the loader reads through: the ledger folder on disk, or the ledger folder of one git commit.

A `LedgerTree` lists a folder, reads a file's bytes and names a file for messages. Paths are
relative to the ledger folder (`PurePosixPath`; the empty path is the ledger folder itself).
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import posixpath
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from ..clock import CITY_TZ
from . import layout
from .layout import ROOT

if TYPE_CHECKING:
    from dulwich.repo import Repo


class TreeError(Exception):
    """The ledger cannot be found where it was asked for; the message is for the clerk."""


class Kind(enum.Enum):
    FILE = "file"
    FOLDER = "folder"
    SYMLINK = "symlink"
    OTHER = "other"  # a device, a socket, a git submodule; or a link that leads nowhere


@dataclass(frozen=True)
class Entry:
    """One name in a folder: what it is as stored, and what it is once links are followed."""

    name: str
    kind: Kind  # a symlink is its own kind, so that a rule can refuse it
    resolved: Kind  # FILE, FOLDER or OTHER: what reading through the link would find

    @property
    def is_file(self) -> bool:
        return self.resolved is Kind.FILE

    @property
    def is_folder(self) -> bool:
        return self.resolved is Kind.FOLDER


class LedgerTree(Protocol):
    def entries(self, folder: PurePosixPath) -> list[Entry]:
        """The entries of a folder, sorted by name."""
        ...

    def read(self, path: PurePosixPath) -> bytes:
        ...

    def display(self, path: PurePosixPath) -> str:
        """How messages name the file or folder (the FILE of FILE:LINE:COL)."""
        ...


def display_path(path: Path) -> str:
    """The path as a clerk sees it: relative to where the command runs, with forward slashes."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    if not relative.startswith(".."):
        return Path(relative).as_posix()
    return (path.parent.resolve() / path.name).as_posix()  # the name itself unresolved: a link stays a link


class FolderTree:
    """The ledger folder on disk. Links are followed, as the operating system does."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FolderTree({str(self.root)!r})"

    def entries(self, folder: PurePosixPath) -> list[Entry]:
        with os.scandir(self.root / folder) as scan:
            found = [_disk_entry(item) for item in scan]
        return sorted(found, key=lambda entry: entry.name)

    def read(self, path: PurePosixPath) -> bytes:
        return (self.root / path).read_bytes()

    def display(self, path: PurePosixPath) -> str:
        return display_path(self.root / path)


def _disk_entry(item: os.DirEntry) -> Entry:
    # DirEntry answers from the directory listing; only a link costs a stat call
    if item.is_file():
        resolved = Kind.FILE
    elif item.is_dir():
        resolved = Kind.FOLDER
    else:
        resolved = Kind.OTHER
    return Entry(item.name, Kind.SYMLINK if item.is_symlink() else resolved, resolved)


_MAX_LINKS = 40  # as Linux's ELOOP: a cycle of links ends here instead of looping


class GitTree:
    """The ledger folder of one commit of a git repository, read with dulwich (no git binary needed).

    `commit` is anything `git rev-parse` would take for a commit: `HEAD`, a branch, `origin/main`, a
    tag, a full or abbreviated sha. Messages name files by their path in the repository
    (`ledgers/ecology-env/STHJ-2025-001.yml`), which is what a folder shows when the command runs at
    the repository root. Links are followed inside the commit, as a checkout would. Use it in a `with`
    block (or call `close`) to release the pack files it opened.
    """

    def __init__(self, repository: Path | str | Repo, commit: str, subpath: str = layout.LEDGERS):
        from dulwich.errors import NotGitRepository  # imported here: a folder check need not load git
        from dulwich.repo import Repo

        self._owned = not isinstance(repository, Repo)
        if not self._owned:
            self.repository = repository
        else:
            try:
                self.repository = Repo(str(repository))
            except NotGitRepository:
                raise TreeError(f"“{repository}”不是 git 仓库。") from None
        try:
            self._open(commit, subpath)
        except BaseException:
            self.close()
            raise

    def _open(self, commit: str, subpath: str) -> None:
        found = resolve_commit(self.repository, commit)
        self.commit = found.id.decode("ascii")
        self.name = commit
        self._objects = self.repository.object_store
        # resolved repository path -> its tree's entries: each tree object is read once
        self._trees: dict[PurePosixPath, dict[str, tuple[int, bytes]]] = {ROOT: self._tree_entries(found.tree)}
        self._prefix = PurePosixPath(subpath)
        mode, _, _ = self._lookup(self._prefix)
        if mode is None or not stat.S_ISDIR(mode):
            raise TreeError(f"提交“{commit}”里没有台账目录 {self._prefix.as_posix()}。")

    def __repr__(self) -> str:
        return f"GitTree({self.repository.path!r}, {self.name!r})"

    def __enter__(self) -> GitTree:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Release the repository's open files, unless the caller passed in the repository it opened."""
        if self._owned:
            self.repository.close()

    def entries(self, folder: PurePosixPath) -> list[Entry]:
        mode, _, path = self._lookup(self._prefix / folder)
        if mode is None or not stat.S_ISDIR(mode):
            raise NotADirectoryError(self.display(folder))
        listing = self._listing(path) or {}
        return [self._entry(path, name, mode) for name, (mode, _) in sorted(listing.items())]

    def read(self, path: PurePosixPath) -> bytes:
        mode, sha, _ = self._lookup(self._prefix / path)
        if mode is None or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
            raise FileNotFoundError(self.display(path))
        return self._objects[sha].as_raw_string()

    def display(self, path: PurePosixPath) -> str:
        return (self._prefix / path).as_posix()

    def _entry(self, folder: PurePosixPath, name: str, mode: int) -> Entry:
        kind = _git_kind(mode)
        if kind is not Kind.SYMLINK:
            return Entry(name, kind, kind)
        target, _, _ = self._lookup(folder / name)
        return Entry(name, kind, Kind.OTHER if target is None else _git_kind(target))

    def _lookup(self, path: PurePosixPath, links: int = 0) -> tuple[int | None, bytes | None, PurePosixPath]:
        """(mode, sha, path with every link resolved) of a repository path; mode None when nothing is there."""
        here = ROOT
        parts = path.parts
        for index, name in enumerate(parts):
            listing = self._listing(here)
            if listing is None or name not in listing:
                return None, None, path
            mode, sha = listing[name]
            if stat.S_ISLNK(mode):
                target = self._objects[sha].as_raw_string().decode("utf-8", "surrogateescape")
                joined = posixpath.normpath(posixpath.join(here.as_posix(), target, *parts[index + 1:]))
                if links >= _MAX_LINKS or posixpath.isabs(target) or joined.startswith(".."):
                    return None, None, path  # a link out of the repository, or a cycle
                return self._lookup(PurePosixPath(joined), links + 1)
            here = here / name
        if here == ROOT:
            return stat.S_IFDIR, None, ROOT
        mode, sha = self._listing(here.parent)[here.name]
        return mode, sha, here

    def _listing(self, folder: PurePosixPath) -> dict[str, tuple[int, bytes]] | None:
        """The entries of a folder reached without links (callers resolve them), cached."""
        listing = self._trees.get(folder)
        if listing is None:
            parent = self._listing(folder.parent)
            if parent is None or folder.name not in parent or not stat.S_ISDIR(parent[folder.name][0]):
                return None
            listing = self._trees[folder] = self._tree_entries(parent[folder.name][1])
        return listing

    def _tree_entries(self, sha: bytes) -> dict[str, tuple[int, bytes]]:
        return {entry.path.decode("utf-8", "surrogateescape"): (entry.mode, entry.sha)
                for entry in self._objects[sha].iteritems()}


_ANCESTRY = re.compile(r"([~^])(\d*)$")


def resolve_commit(repository: Repo, name: str):
    """The commit `name` names, with git's `~N` and `^N` suffixes (`HEAD^1`, `main~2`), which dulwich's
    parse_commit does not take: a pull request's base is often named as the first parent of a merge."""
    from dulwich.objectspec import parse_commit

    steps: list[tuple[str, int]] = []
    rest = name
    while (match := _ANCESTRY.search(rest)) and match.start() > 0:
        steps.append((match[1], int(match[2] or 1)))
        rest = rest[:match.start()]
    try:
        found = parse_commit(repository, rest)
        for kind, count in reversed(steps):
            if kind == "~":
                for _ in range(count):
                    found = repository[found.parents[0]]
            elif count:
                found = repository[found.parents[count - 1]]
    except (KeyError, ValueError, IndexError):  # unknown name, a blob or a tree, or no such parent
        raise TreeError(f"找不到提交“{name}”。") from None
    return found


def _git_kind(mode: int) -> Kind:
    if stat.S_ISDIR(mode):
        return Kind.FOLDER
    if stat.S_ISLNK(mode):
        return Kind.SYMLINK
    if stat.S_ISREG(mode):
        return Kind.FILE
    return Kind.OTHER  # a submodule (gitlink)


def as_tree(source: LedgerTree | Path | str) -> LedgerTree:
    """A tree for a folder path; a tree is returned as it is."""
    if isinstance(source, (str, os.PathLike)):
        return FolderTree(Path(source))
    return source


@dataclass(frozen=True)
class FolderVersion:
    """A folder as one commit holds it: the commit, when it was made, and each file's name and blob id."""

    commit: str
    committed: int  # seconds since the epoch (the commit's committer time)
    tree: bytes  # the folder's tree id: commits that leave the folder alone share it
    files: dict[str, bytes]  # name -> git blob id (hex, as bytes) of every regular file directly in the folder


def folder_history(repository: Repo, subpath: str) -> Iterator[FolderVersion]:
    """The folder `subpath` in each commit of the history of HEAD (all its ancestors, merges included), newest
    first; a folder that is the same tree as one already seen is listed once, so a long history of unrelated
    commits costs a commit and a few tree reads each. Commits without the folder yield nothing. The walk stops
    where the clone does: a shallow clone has only its newest commits."""
    objects = repository.object_store
    seen: dict[bytes, dict[str, bytes]] = {}
    parts = [p.encode("utf-8") for p in PurePosixPath(subpath).parts]
    for entry in repository.get_walker(include=[repository.head()]):
        commit = entry.commit
        sha = commit.tree
        try:
            for part in parts:
                mode, sha = objects[sha][part]
                if not stat.S_ISDIR(mode):
                    raise KeyError(part)
        except KeyError:
            continue
        files = seen.get(sha)
        if files is None:
            files = seen[sha] = {item.path.decode("utf-8", "surrogateescape"): item.sha
                                 for item in objects[sha].iteritems() if stat.S_ISREG(item.mode)}
        yield FolderVersion(commit.id.decode("ascii"), commit.commit_time, sha, files)


def commit_on(path: Path, day: dt.date) -> str:
    """The short commit (10 characters, as the pages show commits) the ledger's branch stood at on `day`: the
    newest commit on the first-parent chain of HEAD of the repository holding `path` whose committer time, in
    the city's time zone, is on or before `day` (`git log --first-parent --before`, by the city's days; the
    first-parent chain is the published branch's own history, as portalhistory reads it). "" outside a git
    checkout, and where the chain (or a shallow clone of it) has no commit that old."""
    from dulwich.errors import NotGitRepository  # imported here: a build from a folder need not load git
    from dulwich.repo import Repo

    try:
        repository = Repo.discover(str(path))
    except (NotGitRepository, OSError):
        return ""
    with repository:
        try:
            sha = repository.head()
        except KeyError:
            return ""  # no commit yet
        shallow = repository.get_shallow()
        while True:
            try:
                commit = repository[sha]
            except KeyError:
                return ""  # a partial clone
            if dt.datetime.fromtimestamp(commit.commit_time, CITY_TZ).date() <= day:
                return sha.decode("ascii")[:10]
            if not commit.parents or sha in shallow:
                return ""
            sha = commit.parents[0]
