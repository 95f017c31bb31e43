"""The published weekly snapshots: read from snapshots/ beside the ledger folder (derivation/snapshot.py
says what is in them), and every version of them ever committed to the git history of the branch. Only
names of the form YYYY-Www.json are read; anything else is left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import layout

NAME = re.compile(r"^\d{4}-W\d{2}\.json$")
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class SnapshotFile:
    """A snapshot as published: its file name and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CommittedSnapshot:
    """A version of a snapshot file that a commit of the branch's history holds."""

    name: str
    data: bytes
    commit: str  # the oldest commit of the history holding this version
    committed: dt.date  # that commit's date, in Beijing time


@dataclass(frozen=True)
class GitRecord:
    """What the git history says about the snapshot folder: whether there is a history to read, and every
    version of a snapshot file ever committed that the folder no longer holds byte for byte.

    The record reaches as far back as the clone does: a shallow clone (CI's default) sees only its newest
    commits, and a rewritten git history (a force-push) no longer holds what it removed; an outside copy of
    the published digests (the feed, `rectify verify`) is what covers that."""

    available: bool = False  # the folder lies in a git repository with a HEAD
    shallow: bool = False
    versions: int = 0  # distinct snapshot file versions found in the history
    gone: tuple[CommittedSnapshot, ...] = field(default=())


def folder_beside(ledgers: Path) -> Path:
    """snapshots/ lies at the repository root, beside the ledger folder."""
    return ledgers.resolve().parent / layout.SNAPSHOTS


def read_folder(folder: Path) -> list[SnapshotFile]:
    """Every snapshot in `folder`, by name (which is week order); none when the folder does not exist."""
    if not folder.is_dir():
        return []
    return sorted((SnapshotFile(path.name, path.read_bytes()) for path in folder.iterdir()
                   if NAME.match(path.name) and path.is_file() and not path.is_symlink()), key=lambda f: f.name)


def blob_id(data: bytes) -> bytes:
    """The id git gives a file with these bytes (hex, as dulwich writes it)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest().encode("ascii")


def git_record(folder: Path, present: Sequence[SnapshotFile]) -> GitRecord:
    """Every snapshot version committed in the history of HEAD of the repository holding `folder` that is not
    among `present` (same name, same bytes), oldest commit first per version; an empty record outside git."""
    from dulwich.errors import NotGitRepository  # imported here: reading a folder need not load git
    from dulwich.repo import Repo

    from .tree import folder_history

    try:
        repository = Repo.discover(str(folder.parent if not folder.exists() else folder))
    except (NotGitRepository, OSError):
        return GitRecord()
    with repository:
        try:
            root = Path(repository.path).resolve()
            subpath = folder.resolve().relative_to(root).as_posix()
            repository.head()
        except (ValueError, KeyError, OSError):
            return GitRecord()
        have = {(f.name, blob_id(f.data)) for f in present}
        oldest: dict[tuple[str, bytes], tuple[str, int]] = {}  # (name, blob) -> (commit, time), oldest seen
        for version in folder_history(repository, subpath):
            for name, blob in version.files.items():
                if NAME.match(name):
                    oldest[(name, blob)] = (version.commit, version.committed)
        gone = []
        for (name, blob), (commit, seconds) in sorted(oldest.items()):
            if (name, blob) in have:
                continue
            data = repository.object_store[blob].as_raw_string()
            gone.append(CommittedSnapshot(name, data, commit, dt.datetime.fromtimestamp(seconds, BEIJING).date()))
        return GitRecord(True, bool(repository.get_shallow()), len(oldest), tuple(gone))


def head_commit(path: Path) -> str | None:
    """The full commit id of HEAD of the git repository holding `path`, read with dulwich; None outside one."""
    from dulwich.errors import NotGitRepository  # imported here: reading a folder need not load git
    from dulwich.repo import Repo

    try:
        with Repo.discover(str(path)) as repository:
            return repository.head().decode("ascii")
    except (NotGitRepository, KeyError, OSError):
        return None
