"""What the loader reads through: the ledger folder on disk (and, next, the ledger folder of a git commit).

A `LedgerTree` lists a folder, reads a file's bytes and names a file for messages. Paths are
relative to the ledger folder (`PurePosixPath`; the empty path is the ledger folder itself).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol


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
    return path.resolve().as_posix() if relative.startswith("..") else Path(relative).as_posix()


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


def as_tree(source: LedgerTree | Path | str) -> LedgerTree:
    """A tree for a folder path; a tree is returned as it is."""
    if isinstance(source, (str, os.PathLike)):
        return FolderTree(Path(source))
    return source
