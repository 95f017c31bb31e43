"""The published weekly snapshots: read from snapshots/ beside the ledger folder (derivation/snapshot.py
says what is in them). Only names of the form YYYY-Www.json are read; anything else is left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import layout

NAME = re.compile(r"^\d{4}-W\d{2}\.json$")


@dataclass(frozen=True)
class SnapshotFile:
    """A snapshot as published: its file name and its bytes."""

    name: str
    data: bytes


def folder_beside(ledgers: Path) -> Path:
    """snapshots/ lies at the repository root, beside the ledger folder."""
    return ledgers.resolve().parent / layout.SNAPSHOTS


def read_folder(folder: Path) -> list[SnapshotFile]:
    """Every snapshot in `folder`, by name (which is week order); none when the folder does not exist."""
    if not folder.is_dir():
        return []
    return sorted((SnapshotFile(path.name, path.read_bytes()) for path in folder.iterdir()
                   if NAME.match(path.name) and path.is_file() and not path.is_symlink()), key=lambda f: f.name)


def head_commit(path: Path) -> str | None:
    """The full commit id of HEAD of the git repository holding `path`, read with dulwich; None outside one."""
    from dulwich.errors import NotGitRepository  # imported here: reading a folder need not load git
    from dulwich.repo import Repo

    try:
        with Repo.discover(str(path)) as repository:
            return repository.head().decode("ascii")
    except (NotGitRepository, KeyError, OSError):
        return None
