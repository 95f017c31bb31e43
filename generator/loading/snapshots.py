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

from ..model.calendar import WEEK_FILE_PATTERN, Week
from . import layout

NAME = re.compile(rf"^{WEEK_FILE_PATTERN}$")
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
        trees: dict[bytes, tuple[dict[str, bytes], str, int]] = {}
        for version in folder_history(repository, subpath):  # newest first: the oldest commit of each tree stays
            trees[version.tree] = (version.files, version.commit, version.committed)
        oldest: dict[tuple[str, bytes], tuple[str, int]] = {}  # (name, blob) -> the oldest commit holding it
        for files, commit, seconds in trees.values():
            for name, blob in files.items():
                if NAME.match(name) and ((name, blob) not in oldest or seconds < oldest[(name, blob)][1]):
                    oldest[(name, blob)] = (commit, seconds)
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


# ---------------------------------------------------------------- saved copies of what was published

SUMS = "SHA256SUMS"  # beside the published snapshots (data/snapshots/): `digest  name` per line, as sha256sum writes
_FEED_DIGEST = re.compile(rf"快照文件 ({WEEK_FILE_PATTERN}) 的 SHA-256：([0-9a-f]{{64}})")
_SUM_LINE = re.compile(rf"^([0-9a-f]{{64}}) [ *]({WEEK_FILE_PATTERN})$")
FETCH_LIMIT = 256 * 2**20


class SavedCopyError(Exception):
    """A saved copy cannot be read as published snapshots or their digests; the message says why, in Chinese."""


@dataclass(frozen=True)
class SavedDigest:
    """A snapshot's digest as published then: from a feed, a SHA256SUMS file, or the saved file itself (`data`)."""

    name: str
    sha256: str
    data: bytes | None = None


def fetch_url(url: str) -> bytes:
    """The bytes at `url` (http or https), at most FETCH_LIMIT of them."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the scheme is checked by the caller)
            data = response.read(FETCH_LIMIT + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SavedCopyError(f"无法下载 {url}：{exc}") from None
    if len(data) > FETCH_LIMIT:
        raise SavedCopyError(f"{url} 超过 {FETCH_LIMIT // 2**20} MB，不像是订阅源或快照文件。")
    return data


def read_saved(saved: str, fetch=fetch_url) -> list[SavedDigest]:
    """The snapshot digests a saved copy holds: a feed (feed.xml), a folder of snapshots (a saved
    data/snapshots/, with its SHA256SUMS if kept), one snapshot file, a SHA256SUMS file, or the address of any
    of these (a folder's address ends with `/`: its SHA256SUMS is fetched). `fetch` reads an address."""
    if saved.startswith(("http://", "https://")):
        address = saved + SUMS if saved.endswith("/") else saved
        return _parse_saved(address.rpartition("/")[2], fetch(address), saved)
    path = Path(saved)
    if path.is_dir():
        found: dict[str, SavedDigest] = {}
        if (path / SUMS).is_file():
            found.update((d.name, d) for d in _parse_saved(SUMS, (path / SUMS).read_bytes(), saved))
        for file in read_folder(path):
            found[file.name] = SavedDigest(file.name, hashlib.sha256(file.data).hexdigest(), file.data)
        if not found:
            raise SavedCopyError(f"文件夹 {saved} 里没有周快照（YYYY-Www.json）或 {SUMS}。")
        return sorted(found.values(), key=lambda d: d.name)
    if not path.is_file():
        raise SavedCopyError(f"找不到 {saved}：请给出保存的订阅源（feed.xml）、快照文件夹或网址。")
    return _parse_saved(path.name, path.read_bytes(), saved)


def _parse_saved(name: str, data: bytes, source: str) -> list[SavedDigest]:
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if NAME.match(name) or text.lstrip().startswith("{"):
        import json

        try:
            week = json.loads(text).get("week")
        except (ValueError, AttributeError):
            raise SavedCopyError(f"{source} 不是可读的周快照文件。") from None
        if not NAME.match(name):  # saved under another name: named after the week it records
            week = Week.parse(week) if isinstance(week, str) else None
            if week is None:
                raise SavedCopyError(f"{source} 不是周快照文件（没有 week）。")
            name = week.file_name
        return [SavedDigest(name, hashlib.sha256(data).hexdigest(), data)]
    if text.lstrip().startswith("<"):
        found = _feed_digests(text, source)
    else:
        found = {}
        for line in text.splitlines():
            match = _SUM_LINE.match(line.strip())
            if match:
                found[match[2]] = match[1]
    if not found:
        raise SavedCopyError(f"{source} 里没有周快照的 SHA-256 摘要：请给出门户的订阅源（feed.xml）、"
                             f"快照文件夹（data/snapshots/）或其中的 {SUMS}。")
    return [SavedDigest(n, d) for n, d in sorted(found.items())]


def _feed_digests(text: str, source: str) -> dict[str, str]:
    """The snapshot digests an Atom feed announced (each 每周快照 entry's summary)."""
    import xml.etree.ElementTree as ElementTree  # a feed has no DTD; expat refuses entity expansion attacks

    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise SavedCopyError(f"{source} 不是可读的订阅源（XML 有误：{exc}）。") from None
    found = {}
    for element in root.iter():
        if element.tag.endswith("summary") or element.tag.endswith("content"):
            for match in _FEED_DIGEST.finditer(element.text or ""):
                found[match[1]] = match[2]
    return found
