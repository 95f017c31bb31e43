"""What a pull request changes: the files under ledgers/ and snapshots/ that differ from the base commit, and,
for check-ownership, every other file of the tree that differs.

The base is read through git (dulwich); the new side is a commit or the working folder. The two data folders
are compared file by file (renames detected from content, as git does), and dulwich's tree diff skips every
folder whose tree is unchanged, so a ten-file change to a 10,000-problem ledger reads ten pairs of files. The
rest of the tree (code, workflows, settings, dotfiles) is compared only when asked (`outside`), and always
between commits: with the working folder as the new side, its committed HEAD stands for it, since an
uncommitted .venv/ or site/ is not part of any pull request.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dulwich.object_store import MemoryObjectStore

from ..loading import layout
from ..loading.tree import GitTree, TreeError, resolve_commit

DATA_FOLDERS = (layout.LEDGERS, layout.SNAPSHOTS)  # what check-history judges entry by entry
ADDED, MODIFIED, DELETED, RENAMED = "add", "modify", "delete", "rename"
SYMLINK_MODE, GITLINK_MODE = 0o120000, 0o160000  # a git tree's modes for a symbolic link and a submodule


@dataclass(frozen=True)
class FileChange:
    """One file that differs; paths are relative to the repository root."""

    kind: str
    old: PurePosixPath | None
    new: PurePosixPath | None
    old_sha: bytes | None = None
    new_sha: bytes | None = None
    old_mode: int | None = None
    new_mode: int | None = None

    @property
    def path(self) -> PurePosixPath:
        """The path a message names: the new one, or the old one for a deletion."""
        return self.new or self.old

    @property
    def makes_link(self) -> str | None:
        """"symlink" or "submodule" when the new side is one (what a reviewer cannot read in a diff), else None."""
        if self.new is None or self.new_mode is None:
            return None
        if stat.S_IFMT(self.new_mode) == SYMLINK_MODE:
            return "symlink"
        if stat.S_IFMT(self.new_mode) == GITLINK_MODE:
            return "submodule"
        return None


class ChangeSet:
    """The changed data files between a base commit and a head (a commit, or the working folder when None).

    Use it in a `with` block: it holds the repository's pack files open."""

    def __init__(self, repository: Path | str, base: str, head: str | None = None):
        from dulwich.errors import NotGitRepository
        from dulwich.object_store import OverlayObjectStore
        from dulwich.repo import Repo

        self.root = Path(repository)
        try:
            self.repository = Repo(str(self.root))
        except NotGitRepository:
            raise TreeError(f"“{repository}”不是 git 仓库（请在台账仓库的根目录运行，或用 --repo 指定）。") from None
        try:
            self._memory = _Objects()
            self.store = OverlayObjectStore([self._memory, self.repository.object_store], add_store=self._memory)
            base_commit = resolve_commit(self.repository, base)
            self.base = base_commit.id.decode("ascii")
            self.base_name = base
            self.head_name = head
            self._base_tree = base_commit.tree
            old_root = self._data_tree(self.repository[base_commit.tree])
            if head is None:
                new_root = self._folder_root()
            else:
                self._head_tree = resolve_commit(self.repository, head).tree
                new_root = self._data_tree(self.repository[self._head_tree])
            compared = self._compare(old_root, new_root)
            # a submodule's content is not in this repository: the data rules cannot read it, ownership flags it
            self.data_links = [c for c in compared if c.makes_link == "submodule"]
            self.changes = [c for c in compared if c.makes_link != "submodule"]
            self._outside: list[FileChange] | None = None
            self._base_ledger: GitTree | None | bool = False  # not opened yet
        except BaseException:
            self.repository.close()
            raise

    def __enter__(self) -> ChangeSet:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.repository.close()

    @property
    def base_ledger(self) -> GitTree | None:
        """The ledger folder of the base commit; None when the base has none yet (the first pull request)."""
        if self._base_ledger is False:
            try:
                self._base_ledger = GitTree(self.repository, self.base)
            except TreeError:
                self._base_ledger = None
        return self._base_ledger

    @property
    def outside(self) -> list[FileChange]:
        """The changed files outside the data folders (code, workflows, settings, dotfiles, a data folder
        replaced by a link), between the base commit and the head commit (HEAD for the working folder)."""
        if self._outside is None:
            if self.head_name is None:
                try:
                    head_tree = self.repository[self.repository.head()].tree
                except KeyError:  # no commit yet beyond the base's repository state
                    head_tree = self._base_tree
            else:
                head_tree = self._head_tree
            old_root = self._rest_tree(self.repository[self._base_tree])
            new_root = self._rest_tree(self.repository[head_tree])
            self._outside = self._compare(old_root, new_root, renames=False)
        return self._outside

    def old_bytes(self, change: FileChange) -> bytes:
        return self.store[change.old_sha].as_raw_string()

    def new_bytes(self, change: FileChange) -> bytes:
        return self.store[change.new_sha].as_raw_string()

    def base_files(self, folder: str) -> list[PurePosixPath]:
        """The names of the files in a top-level folder of the base commit (`snapshots`)."""
        tree = self.repository[self.repository[self.base.encode()].tree]
        try:
            _, sha = tree.lookup_path(self.repository.object_store.__getitem__, folder.encode())
        except KeyError:
            return []
        listing = self.repository[sha]
        if listing.type_name != b"tree":
            return []
        return [PurePosixPath(folder, item.path.decode("utf-8", "surrogateescape")) for item in listing.iteritems()]

    # ---------------------------------------------------------------- building the two trees

    def _data_tree(self, root) -> bytes:
        """A tree holding only the data folders of a commit's root tree."""
        from dulwich.objects import Tree

        kept = Tree()
        for name in DATA_FOLDERS:
            if name.encode() in root:
                mode, sha = root[name.encode()]
                if stat.S_ISDIR(mode):
                    kept.add(name.encode(), mode, sha)
        self._memory.add_object(kept)
        return kept.id

    def _rest_tree(self, root) -> bytes:
        """A commit's root tree without its data folders (a data folder that is not a folder stays in)."""
        from dulwich.objects import Tree

        kept = Tree()
        for item in root.iteritems():
            if item.path.decode("utf-8", "surrogateescape") in DATA_FOLDERS and stat.S_ISDIR(item.mode):
                continue
            kept.add(item.path, item.mode, item.sha)
        self._memory.add_object(kept)
        return kept.id

    def _folder_root(self) -> bytes:
        from dulwich.objects import Tree

        kept = Tree()
        for name in DATA_FOLDERS:
            folder = self.root / name
            if folder.is_dir() and not folder.is_symlink():
                sha = self._folder_tree(folder)
                if sha is not None:
                    kept.add(name.encode(), stat.S_IFDIR, sha)
        self._memory.add_object(kept)
        return kept.id

    def _folder_tree(self, folder: Path) -> bytes | None:
        """The tree git would record for a folder of the working copy (None for an empty one, as git keeps none)."""
        from dulwich.objects import Blob, Tree

        tree = Tree()
        with os.scandir(folder) as scan:
            items = list(scan)
        for item in items:
            name = os.fsencode(item.name)
            if item.is_symlink():
                blob = Blob.from_string(os.fsencode(os.readlink(item.path)))
                self._memory.add_object(blob)
                tree.add(name, stat.S_IFLNK, blob.id)
            elif item.is_dir():
                sha = self._folder_tree(Path(item.path))
                if sha is not None:
                    tree.add(name, stat.S_IFDIR, sha)
            elif item.is_file():
                with open(item.path, "rb") as handle:
                    blob = Blob.from_string(handle.read())
                self._memory.add_object(blob)
                # the executable bit is not asked (a stat call per file): a data file never has it, and a
                # mode change alone leaves the content, which is all the checks compare, as it was
                tree.add(name, 0o100644, blob.id)
        if not len(tree):
            return None
        self._memory.add_object(tree)
        return tree.id

    def _compare(self, old_root: bytes, new_root: bytes, renames: bool = True) -> list[FileChange]:
        from dulwich.diff_tree import RenameDetector, tree_changes

        # rewrite_threshold None: a heavily edited file stays one modification, judged entry by entry
        detector = RenameDetector(self.store, rewrite_threshold=None) if renames else None
        found = []
        for change in tree_changes(self.store, old_root, new_root, rename_detector=detector):
            old = _path(change.old.path) if change.old and change.old.path else None
            new = _path(change.new.path) if change.new and change.new.path else None
            kind = {"add": ADDED, "modify": MODIFIED, "delete": DELETED, "rename": RENAMED}.get(change.type)
            if kind is None:  # a copy: the new file is an addition
                kind, old = ADDED, None
            if kind == MODIFIED and _mode_is_tree(change.old.mode) != _mode_is_tree(change.new.mode):
                continue  # a file became a folder or back: the files inside are listed on their own
            found.append(FileChange(kind, old, new, change.old.sha if old else None, change.new.sha if new else None,
                                    change.old.mode if old else None, change.new.mode if new else None))
        return sorted(found, key=lambda c: (str(c.path), c.kind))


class _Objects(MemoryObjectStore):
    """An object store in memory for the working folder's blobs and trees. dulwich's MemoryObjectStore copies
    every object it is given; these are made here and never changed, so they are kept as they are (at
    10,000 files the copies were a third of a check's time)."""

    def add_object(self, obj) -> None:
        self._data[obj.id] = obj


def _path(raw: bytes) -> PurePosixPath:
    return PurePosixPath(raw.decode("utf-8", "surrogateescape"))


def _mode_is_tree(mode: int | None) -> bool:
    return mode is not None and stat.S_ISDIR(mode)
