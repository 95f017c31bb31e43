"""What a city published, read from its address or from a folder: only the files the province needs.

A city's portal is read as any reader would read it: its open data (`data/problems.json`, and the finder's
`data/finder.json` for the departments' names, if there), its snapshot
digests (`data/snapshots/SHA256SUMS`) and the newest snapshot they name, and its Pagefind bundle(s). Older
snapshots are never read (their full files may be replaced by deltas). A site may split its index into
bundles listed in `pagefind/bundles.json` (folders relative to `pagefind/`, each ending in "/"); without that
file, `pagefind/` is the one bundle. Every file of a bundle is named by its entry file and its metadata
(Pagefind's own format), so a bundle is copied whole from an address as from a folder.

`save` writes what was read into a folder under the same paths: the artifact a CI job passes on, which is
read again like any published site (`FolderSource`).
"""

from __future__ import annotations

import concurrent.futures
import gzip
import json
import re
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import cbor2

from ..loading.snapshots import SUMS
from ..rendering import urls

PROBLEMS = urls.data("problems.json")
FINDER = urls.data("finder.json")  # optional: the departments' names (the open data names them by id)
SNAPSHOTS = urls.data("snapshots/")
SEARCH = f"{urls.SEARCH_FOLDER}/"
BUNDLES = f"{SEARCH}bundles.json"
READERS = 8  # files of an index read at once
FETCH_LIMIT = 1024 * 2**20  # one file; problems.json of 20,000 problems is about 50 MB
_SIGNATURE = b"pagefind_dcd"
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](\S+)$")
_BUNDLE = re.compile(r"^(?:[A-Za-z0-9_.-]+/)*$")  # a relative folder ending in "/", no "..", no scheme


class SourceError(Exception):
    """A city's published file cannot be read; the message says which and why, in Chinese."""


class Source:
    """Where a city's site is read from."""

    where: str

    def read(self, path: str) -> bytes:
        raise NotImplementedError

    def optional(self, path: str) -> bytes | None:
        raise NotImplementedError


class AddressSource(Source):
    """A published site at an http(s) or file: address, read with urllib."""

    def __init__(self, address: str, opener=None) -> None:
        self.where = address
        self._open = opener or urllib.request.urlopen

    def _get(self, path: str) -> bytes | None:
        url = urljoin(self.where, path)
        try:
            with self._open(url, timeout=60) as response:  # noqa: S310 (schemes are checked in config.py)
                data = response.read(FETCH_LIMIT + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise SourceError(f"读取 {url} 失败：服务器答复 {exc.code}。") from None
        except FileNotFoundError:
            return None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, FileNotFoundError) or urlsplit(url).scheme == "file":
                return None
            raise SourceError(f"无法读取 {url}：{exc.reason}。") from None
        except (OSError, ValueError) as exc:
            raise SourceError(f"无法读取 {url}：{exc}。") from None
        if len(data) > FETCH_LIMIT:
            raise SourceError(f"{url} 超过 {FETCH_LIMIT // 2**20} MB，没有读取。")
        return data

    def read(self, path: str) -> bytes:
        data = self._get(path)
        if data is None:
            raise SourceError(f"{urljoin(self.where, path)} 不存在（该市门户没有发布这个文件）。")
        return data

    def optional(self, path: str) -> bytes | None:
        return self._get(path)


class FolderSource(Source):
    """A built site (or a saved copy of the files the province reads) in a local folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = str(folder)

    def _path(self, path: str) -> Path:
        target = (self.folder / path).resolve()
        if not target.is_relative_to(self.folder.resolve()):
            raise SourceError(f"{path} 指向文件夹 {self.folder} 以外。")
        return target

    def read(self, path: str) -> bytes:
        data = self.optional(path)
        if data is None:
            raise SourceError(f"{self.folder / path} 不存在（该市的站点里没有这个文件）。")
        return data

    def optional(self, path: str) -> bytes | None:
        target = self._path(path)
        if not target.is_file():
            if not self.folder.is_dir():
                raise SourceError(f"文件夹 {self.folder} 不存在。")
            return None
        if target.stat().st_size > FETCH_LIMIT:
            raise SourceError(f"{target} 超过 {FETCH_LIMIT // 2**20} MB，没有读取。")
        return target.read_bytes()


@dataclass(frozen=True)
class Digest:
    name: str
    sha256: str


@dataclass
class Published:
    """The files a city published that the province reads, by their path in the site."""

    files: dict[str, bytes] = field(default_factory=dict)
    chain: tuple[Digest, ...] = ()
    bundles: tuple[str, ...] = ()  # each "pagefind/…/" folder, relative to the site root
    search_error: str | None = None  # the index could not be read (the city still counts; its search is missing)

    @property
    def latest(self) -> Digest | None:
        return self.chain[-1] if self.chain else None


def parse_sums(data: bytes) -> tuple[Digest, ...]:
    """SHA256SUMS as sha256sum writes it, in the order written; raises SourceError on a line it cannot read."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _SUM_LINE.match(line.strip())
        if match is None or "/" in match.group(2):
            raise SourceError(f"{SUMS} 第 {number} 行不是“SHA-256  文件名”的格式：{line[:80]}")
        out.append(Digest(match.group(2), match.group(1)))
    return tuple(out)


def read_published(source: Source) -> Published:
    """Read a city's open data, its chain of digests with the newest snapshot, and its search bundles.
    Raises SourceError when the data or the digests cannot be read; a missing or unreadable index is recorded,
    not raised (the city's figures are still verifiable)."""
    published = Published()
    published.files[PROBLEMS] = source.read(PROBLEMS)
    finder = source.optional(FINDER)
    if finder is not None:
        published.files[FINDER] = finder
    sums = source.read(SNAPSHOTS + SUMS)
    published.files[SNAPSHOTS + SUMS] = sums
    published.chain = parse_sums(sums)
    if published.latest is not None:
        published.files[SNAPSHOTS + published.latest.name] = source.read(SNAPSHOTS + published.latest.name)
    try:
        published.bundles = read_bundles(source, published.files)
    except SourceError as exc:
        published.search_error = str(exc)
    return published


def read_bundles(source: Source, files: dict[str, bytes]) -> tuple[str, ...]:
    """Every file of every Pagefind bundle, into `files`; returns the bundle folders."""
    manifest = source.optional(BUNDLES)
    if manifest is None:
        folders = [SEARCH]
    else:
        files[BUNDLES] = manifest
        try:
            listed = json.loads(manifest)
        except ValueError:
            raise SourceError(f"{BUNDLES} 不是 JSON。") from None
        if not isinstance(listed, list) or not listed or not all(
                isinstance(f, str) and f.endswith("/") and _BUNDLE.match(f) and ".." not in f.split("/") for f in listed):
            raise SourceError(f"{BUNDLES} 应当是相对 pagefind/ 的文件夹列表，每项以 / 结尾，如 [\"a/\", \"b/\"]。")
        folders = [SEARCH + f for f in listed]
    wanted: list[str] = []
    for folder in folders:
        read, names = bundle_files(source, folder)
        files.update(read)
        wanted += [name for name in names if name not in files]
    # one request per file (a fragment per problem page): a few at a time, as a browser would fetch them
    with concurrent.futures.ThreadPoolExecutor(READERS) as pool:
        for name, data in zip(wanted, pool.map(source.read, wanted), strict=True):
            files[name] = data
    return tuple(folders)


def bundle_files(source: Source, folder: str) -> tuple[dict[str, bytes], list[str]]:
    """One bundle's entry and metadata, read (by their paths), and the paths of its other files they list."""
    entry_path = folder + "pagefind-entry.json"
    entry_data = source.optional(entry_path)
    if entry_data is None:
        raise SourceError(f"全文检索索引 {entry_path} 不存在。")
    read = {entry_path: entry_data}
    try:
        entry = json.loads(entry_data)
        languages = entry["languages"]
    except (ValueError, KeyError, TypeError):
        raise SourceError(f"{entry_path} 不是 Pagefind 的索引入口文件。") from None
    # only the index's data: a bundle's code (pagefind.js, its worker, its WebAssembly) is never taken from a
    # city, the province's own runs its search (portal.RUNTIME), and a sharded city keeps its script beside the bundles
    names: list[str] = []
    for _, about in sorted(languages.items()):
        meta_path = f"{folder}pagefind.{about['hash']}.pf_meta"
        meta_data = source.read(meta_path)
        read[meta_path] = meta_data
        try:
            raw = gzip.decompress(meta_data)
            if not raw.startswith(_SIGNATURE):
                raise ValueError
            meta = cbor2.loads(raw[len(_SIGNATURE):])
            _, pages, chunks, filters = meta[0], meta[1], meta[2], meta[3]
            names += [f"{folder}fragment/{page[0]}.pf_fragment" for page in pages]
            names += [f"{folder}index/{chunk[2]}.pf_index" for chunk in chunks]
            names += [f"{folder}filter/{item[1]}.pf_filter" for item in filters]
        except (ValueError, IndexError, TypeError, OSError, cbor2.CBORDecodeError):
            raise SourceError(f"{meta_path} 不是可读的 Pagefind 索引（版本不同？）。") from None
    return read, names


def save(published: Published, folder: Path) -> None:
    """Write what was read into `folder` under the same paths (a CI artifact, read again by FolderSource)."""
    if folder.exists():
        shutil.rmtree(folder)
    for name, data in sorted(published.files.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if published.bundles and not (folder / BUNDLES).exists() and published.bundles != (SEARCH,):
        (folder / BUNDLES).write_text(json.dumps([b[len(SEARCH):] for b in published.bundles]), encoding="utf-8")
