"""The published weekly snapshots: read from snapshots/ beside the ledger folder (derivation/snapshot.py
says what is in them), and every version of them ever committed to the git history of the branch. Only
names of the form YYYY-Www.json are read; anything else is left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model import delta
from ..model.calendar import WEEK_FILE_PATTERN, Week, week_label, week_name
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


class MissingFile(SavedCopyError):
    """An address that holds nothing (404 or 410): a file the published folder does not have."""


@dataclass(frozen=True)
class SavedDigest:
    """A snapshot's digest as published then: from a feed, a SHA256SUMS file, or the saved file itself (`data`,
    also when rebuilt from the published deltas and found to have that digest)."""

    name: str
    sha256: str
    data: bytes | None = None


@dataclass(frozen=True)
class CopyIssue:
    """Something wrong inside a saved copy of the published snapshot folder itself, about one week: a file
    missing, a delta that does not apply or rebuilds other bytes than SHA256SUMS names, a broken chain."""

    week: str
    message: str  # in Chinese, a sentence naming the files concerned


@dataclass(frozen=True)
class SavedCopy:
    """What a saved copy holds: the digests published then, and what is wrong inside the copy itself."""

    digests: tuple[SavedDigest, ...]
    issues: tuple[CopyIssue, ...] = ()


def fetch_url(url: str) -> bytes:
    """The bytes at `url` (http or https), at most FETCH_LIMIT of them; MissingFile when the server has none."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the scheme is checked by the caller)
            data = response.read(FETCH_LIMIT + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise MissingFile(f"{url} 不存在（HTTP {exc.code}）。") from None
        raise SavedCopyError(f"无法下载 {url}：{exc}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SavedCopyError(f"无法下载 {url}：{exc}") from None
    if len(data) > FETCH_LIMIT:
        raise SavedCopyError(f"{url} 超过 {FETCH_LIMIT // 2**20} MB，不像是订阅源或快照文件。")
    return data


def read_saved(saved: str, fetch=fetch_url) -> list[SavedDigest]:
    """The snapshot digests a saved copy holds (read_saved_copy), without what is wrong inside the copy."""
    return list(read_saved_copy(saved, fetch).digests)


def read_saved_copy(saved: str, fetch=fetch_url, known: Mapping[str, bytes] | None = None) -> SavedCopy:
    """The snapshot digests a saved copy holds: a feed (feed.xml), a folder of snapshots (a saved
    data/snapshots/: SHA256SUMS, the newest week's file and the older weeks' deltas, or older weeks' full files
    as published before the deltas), one snapshot file, a SHA256SUMS file, or the address of any of these (a
    folder's address ends with `/`: its SHA256SUMS, newest file and deltas are fetched). `fetch` reads an address.

    A folder's weeks are rebuilt from its deltas, newest first, each checked against SHA256SUMS and the chain
    (rebuild_weeks); `known` (SHA-256 -> bytes: the files the repository holds) stands in for a week the copy
    cannot give, so that one broken delta leaves the older weeks verifiable."""
    known = known or {}
    if saved.startswith(("http://", "https://")):
        if not saved.endswith("/"):
            return SavedCopy(tuple(_parse_saved(saved.rpartition("/")[2], fetch(saved), saved)))
        sums = _parse_saved(SUMS, fetch(saved + SUMS), saved + SUMS)

        def fetched(name: str) -> bytes | None:
            try:
                return fetch(saved + name)
            except MissingFile:
                return None

        return rebuild_weeks([(d.name, d.sha256) for d in sums], fetched, known)
    path = Path(saved)
    if path.is_dir():
        sums = _parse_saved(SUMS, (path / SUMS).read_bytes(), saved) if (path / SUMS).is_file() else []
        held = {f.name for f in read_folder(path)} | {
            p.name.removesuffix(delta.SUFFIX) for p in path.iterdir()
            if p.name.endswith(delta.SUFFIX) and NAME.match(p.name.removesuffix(delta.SUFFIX))}
        if not held and sums:  # only the digest list was kept: the digests are what there is to verify
            return SavedCopy(tuple(sums))
        names = {d.name for d in sums} | held
        if not names:
            raise SavedCopyError(f"文件夹 {saved} 里没有周快照（YYYY-Www.json）、差量文件或 {SUMS}。")
        claimed = {d.name: d.sha256 for d in sums}
        return rebuild_weeks([(n, claimed.get(n)) for n in sorted(names)], lambda name: _read(path / name), known)
    if not path.is_file():
        raise SavedCopyError(f"找不到 {saved}：请给出保存的订阅源（feed.xml）、快照文件夹或网址。")
    return SavedCopy(tuple(_parse_saved(path.name, path.read_bytes(), saved)))


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def rebuild_weeks(sums: Sequence[tuple[str, str | None]], read: Callable[[str], bytes | None],
                  known: Mapping[str, bytes] | None = None) -> SavedCopy:
    """Every week of a published snapshot folder, rebuilt and checked: `sums` are the weeks in order with the
    digest SHA256SUMS names (None: no SHA256SUMS, the rebuilt file's own digest stands), `read` gives a file of
    the folder by name (None: not there).

    An older week's delta (model/delta.py) is applied to the next week's file; without a delta, the week's full
    file is taken as it is (the newest week's always is).
    Each file got is checked against its digest; a week after it must record that digest as `previous` (the
    first week none). A file that does not match is not used to rebuild the week before it: the repository's
    file with the right digest (`known`) is, if there is one, else those weeks are reported as not rebuildable."""
    known = known or {}
    found: dict[str, bytes | None] = {}  # the bytes of each week that have its digest
    issues: dict[str, list[str]] = {}
    stranded: list[list[str]] = []  # runs of weeks, newest first, whose delta has no next week's file to apply to
    base: tuple[str, bytes] | None = None  # the next week's name and right bytes, for the delta of the week before
    digests: dict[str, str | None] = dict(sums)
    later: str | None = None
    for name, claimed in reversed(sums):
        week, patch_name = week_label(name), delta.delta_name(name)
        # an older week's delta first (the folder as published now), else its full file (as published before)
        patch = read(patch_name) if later is not None else None
        got, source, rebuilt = read(name) if patch is None else None, f"完整文件 {name} 的 SHA-256", False
        if got is None and later is None:
            issues.setdefault(week, []).append(f"缺少最新一周的完整快照文件 {name}")
        elif got is None:
            if patch is None:
                issues.setdefault(week, []).append(f"既没有差量文件 {patch_name}，也没有完整文件 {name}")
            elif base is None:
                if not stranded or stranded[-1][-1] != later:
                    stranded.append([])
                stranded[-1].append(name)
            else:
                source, rebuilt = f"由差量文件 {patch_name} 重建出的文件的 SHA-256", True
                try:
                    got = delta.apply(base[1], patch)
                except delta.DeltaError as exc:
                    issues.setdefault(week, []).append(f"差量文件 {patch_name} 无法应用于后一周的文件 {base[0]}：{exc}")
        good = None
        if got is not None:
            actual = hashlib.sha256(got).hexdigest()
            recorded = _previous(base[1]) if base is not None and base[0] == later else _UNREAD
            if claimed is None:
                digests[name] = claimed = actual
            if actual == claimed:
                good = found[name] = got
            elif recorded == actual:
                issues.setdefault(week, []).append(
                    f"{source} 是 {actual[:16]}…，正是后一周的快照记着的前一份摘要，而 {SUMS} 所列的是 "
                    f"{claimed[:16]}…：{SUMS} 中这一周的摘要被改动过")
                good = got
            else:
                agrees = f"后一周的快照记着的前一份摘要与 {SUMS} 相符" if recorded == claimed else ""
                if rebuilt:  # the next week's file has its digest: what changed is the delta
                    blame = f"后一周的文件 {later} 与它的摘要相符{'，' + agrees if agrees else ''}，所以是差量文件 {patch_name} 被改动过"
                elif later is None:
                    blame = f"最新一周的完整文件或 {SUMS} 被改动过"
                else:
                    blame = f"{agrees}，所以是这个文件被改动过" if agrees else f"这个文件或 {SUMS} 被改动过"
                issues.setdefault(week, []).append(
                    f"{source} 是 {actual[:16]}…，与 {SUMS} 所列的 {claimed[:16]}… 不符：{blame}")
        if good is not None:
            base = (name, good)
        elif claimed is not None and claimed in known:
            base = (name, known[claimed])
        else:
            base = None
        later = name
    for run in stranded:
        newest, oldest = week_label(run[0]), week_label(run[-1])
        span = week_name(oldest) if len(run) == 1 else f"{week_name(oldest)}至{week_name(newest)}（{len(run)} 周）"
        issues.setdefault(newest, []).append(
            f"{span}的差量文件要套用在后一周的文件上，而后一周的文件得不到或不符，这些周无法由差量文件核对")
    _check_chain(sums, digests, found, issues, known)
    saved = tuple(SavedDigest(name, digests[name], found.get(name)) for name, _ in sums if digests[name] is not None)
    flat = tuple(CopyIssue(week, message) for week in sorted(issues) for message in issues[week])
    return SavedCopy(saved, flat)


def _previous(data: bytes | None) -> object:
    """The `previous` a snapshot file records; a marker of its own when it cannot be read."""
    if data is None:
        return _UNREAD
    import json

    try:
        snapshot = json.loads(data)
    except ValueError:
        return _UNREAD
    return snapshot.get("previous", _UNREAD) if isinstance(snapshot, dict) else _UNREAD


_UNREAD = object()


def _week_of(data: bytes | None) -> str | None:
    """The week a snapshot file says it records; None when it cannot be read."""
    import json

    try:
        week = json.loads(data).get("week") if data is not None else None
    except (ValueError, AttributeError):
        return None
    return week if isinstance(week, str) else None


def _check_chain(sums: Sequence[tuple[str, str | None]], digests: Mapping[str, str | None],
                 found: Mapping[str, bytes | None], issues: dict[str, list[str]], known: Mapping[str, bytes]) -> None:
    """Each week's file (as found, with its digest) records the digest of the week before it in the folder; the
    first records none. A week already reported is not reported again for the link that follows from it. A link
    to a file the repository holds (`known`) names the week that file records: a week taken out of the folder."""
    before: str | None = None
    for name, _ in sums:
        week = week_label(name)
        recorded = _previous(found.get(name))
        if recorded is not _UNREAD and week_label(before or "") not in issues:
            expected = digests.get(before) if before is not None else None
            if recorded != expected:
                if before is None:
                    issues.setdefault(week, []).append(
                        f"快照链的开头不完整：{name} 记录的前一份摘要是 {str(recorded)[:16]}…，"
                        f"而 {SUMS} 里没有更早的周：更早的周被删去了")
                else:
                    then = f"{str(recorded)[:16]}…" if recorded else "（没有记录）"
                    gone = _week_of(known.get(recorded)) if isinstance(recorded, str) else None
                    where = (f"：那是 {gone} 周的快照，{SUMS} 里没有这一周，它被删去了" if gone and gone != week_label(before)
                             else "：其间有一周被删去、替换或插入")
                    issues.setdefault(week, []).append(
                        f"快照链断裂：{name} 记录的前一份摘要是 {then}，而 {SUMS} 所列前一份 {before} 的摘要是 "
                        f"{str(expected)[:16]}…{where}")
        before = name


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
