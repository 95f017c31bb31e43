"""The portal's full-text search: a Pagefind index of every problem page, with Chinese word segmentation, in shards.

Pagefind (PyPI `pagefind[extended]`: the extended binary segments Chinese) writes a static index cut into
chunks, so a query downloads the few chunks its words fall in and one small fragment per result shown,
however many problems there are. The finder (docs/assets/js/finder.js) loads it only when a reader types a
keyword, and filters by department, category, status, light and supervision through Pagefind's filters,
which the problem pages declare in `data-pagefind-*` attributes (templates/problem.md.j2).

It indexes the problem pages' own content files (docs/problems/<ID>.html, small HTML documents the build
writes), not the published pages: that needs no theme markup skipped, and it runs beside `mkdocs build`
instead of after it. The index is written outside the site (MkDocs empties site/ first) and moved in once
the site is built.

Shards (issue 21). Pagefind holds every page's words at once (968 MiB at 10,000 problems, so about 10 GiB
at 100,000) and has no incremental mode, so the index is cut into shards, each a whole Pagefind bundle of
its own problems, made one Pagefind run after another (`at_once` at a time): memory is that of one shard
however long the ledger, and a changed problem re-indexes its shard alone. `shard_of` puts a problem in a
shard by a hash of its id, and `shard_count` grows the number of shards with the ledger, doubling it so
that each shard keeps, on average, at most `SHARD_PROBLEMS` problems (a doubling re-indexes everything,
a handful of times over a campaign). The browser merges the shards (Pagefind's `mergeIndex`); the site's
search folder holds:

    pagefind/pagefind.js, pagefind-worker.js   Pagefind's script, one copy for every shard
    pagefind/bundles.json                      the manifest: a JSON array of the bundle folders, relative
                                               to pagefind/ and ending in "/", in order
    pagefind/16-03/ ...                        a bundle (shard 3 of 16): pagefind-entry.json, its metadata,
                                               index/, filter/, fragment/ and Pagefind's WebAssembly,
                                               which the first bundle, the one the others merge into, loads

The finder, and a province portal merging a city's index, read the manifest and nothing else. A
bundle's folder names the number of shards, so a build after a doubling leaves no folder of the old cut.

Pagefind writes its filter index from a hash map, so two runs give the same search but not the same bytes
(Pagefind issue 638). `_settle` rewrites the filter files with their values in order and renames them and
the files that point to them by their contents: the same ledgers and date give the same index, and a
shard's bundle depends only on its own problems, so re-indexing one shard gives the bytes a full index has.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import cbor2

from ..rendering import urls

# The problems in one shard, on average at most (half as many just after a doubling): 4 shards of 2,500 at
# 10,000 problems, 32 of 3,125 at 100,000. Measured (bench/README.md, issue 21): Pagefind's peak memory grows
# with the shard (166 MiB at 1,250 problems, 276 at 2,500, 340 at 3,125, 915 at 10,000), and so does the time
# to re-index one; a first query costs every shard its entry, its metadata and one to three chunks of words
# (10 to 20 KB each), so fewer, larger shards cost a reader less.
SHARD_PROBLEMS = 4000
MANIFEST = "bundles.json"
# Pagefind's script, written once at the top of the search folder for every bundle.
_SCRIPTS = ("pagefind.js", "pagefind-worker.js")
# The files a reader's browser needs; Pagefind also writes ready-made search interfaces the finder does not use.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
_SIGNATURE = b"pagefind_dcd"


class SearchIndexError(Exception):
    """Pagefind failed, or shards were asked of an index cut otherwise; the message says why, in Chinese."""


def shard_count(problems: int, size: int = SHARD_PROBLEMS) -> int:
    """The number of shards for `problems` problem pages: the least power of two that leaves at most `size`
    problems a shard on average. A power of two, so that a doubling splits each shard in two (`shard_of`)."""
    count = 1
    while count * size < problems:
        count *= 2
    return count


def shard_of(problem_id: str, count: int) -> int:
    """The shard (0 to count - 1) that indexes the problem: a hash of its id, so that it never moves while
    the number of shards stays, and the problems spread evenly whatever their departments and years."""
    digest = hashlib.sha256(problem_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def bundle_folder(shard: int, count: int) -> str:
    """The shard's folder in the search folder, as the manifest lists it: "16-03/" is shard 3 of 16."""
    return f"{count}-{shard:0{len(str(count - 1))}d}/"


def problem_ids(docs: Path) -> list[str]:
    """The problems whose content files the build wrote (docs/problems/<ID>.html): what the index covers."""
    return sorted(path.stem for path in (docs / urls.PROBLEMS_FOLDER).glob("*.html"))


def read_manifest(site: Path) -> list[str]:
    """The bundle folders a published site's manifest lists ([] when it has no index)."""
    path = site / urls.SEARCH_FOLDER / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


class SearchIndex:
    """Pagefind runs over the problem pages' content files, started now in the background and collected by
    `finish`. `shards` names the shards to index (all by default): the incremental build passes those of the
    problems it changed, added or removed (`shard_of(id, shard_count(len(problem_ids(docs))))`), and
    `finish` then replaces only their folders in a site published before with the same number of shards.
    `size` is the shard size (tests make small shards); `at_once` the Pagefind runs at the same time."""

    def __init__(self, docs: Path, shards: Iterable[int] | None = None, *, size: int = SHARD_PROBLEMS,
                 at_once: int = 1) -> None:
        self.docs = docs
        ids = problem_ids(docs)
        self.count = shard_count(len(ids), size)
        self.members: dict[int, list[str]] = {}
        for problem_id in ids:
            self.members.setdefault(shard_of(problem_id, self.count), []).append(problem_id)
        self.partial = shards is not None
        self.shards = sorted(set(shards) if shards is not None else self.members)
        wrong = [shard for shard in self.shards if not 0 <= shard < self.count]
        if wrong:
            raise SearchIndexError(f"全文检索索引只有 {self.count} 个分片（0 至 {self.count - 1}），没有分片 "
                                   f"{'、'.join(map(str, wrong))}。")
        self._work = Path(tempfile.mkdtemp(prefix="rectify-search-"))
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._cancelled = False
        self._errors: list[str] = []
        todo = [shard for shard in self.shards if shard in self.members]
        self._threads = [threading.Thread(target=self._index, args=(todo[i::at_once],), daemon=True)
                         for i in range(max(1, min(at_once, len(todo))))]
        for thread in self._threads:
            thread.start()

    def _index(self, shards: list[int]) -> None:
        for shard in shards:
            if self._cancelled or self._errors:
                return
            try:
                self._index_one(shard)
            except Exception as error:  # noqa: BLE001 - reported by finish, in the main thread
                self._errors.append(str(error))

    def _index_one(self, shard: int) -> None:
        """One Pagefind run over the shard's pages, seen through a folder of links to them (Pagefind takes a
        folder and a glob, not a list of files; the links keep each page's address, problems/<ID>.html)."""
        pages = self._work / f"pages-{shard}"
        (pages / urls.PROBLEMS_FOLDER).mkdir(parents=True)
        source = (self.docs / urls.PROBLEMS_FOLDER).resolve()
        for problem_id in self.members[shard]:
            os.symlink(source / f"{problem_id}.html", pages / urls.PROBLEMS_FOLDER / f"{problem_id}.html")
        output = self._work / "bundles" / bundle_folder(shard, self.count)
        command = [sys.executable, "-m", "pagefind", "--site", str(pages), "--glob", f"{urls.PROBLEMS_FOLDER}/*.html",
                   "--force-language", "zh", "--output-path", str(output), "--silent"]
        with self._lock:
            if self._cancelled:
                return
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self._running.add(process)
        said, _ = process.communicate()
        with self._lock:
            self._running.discard(process)
        shutil.rmtree(pages, ignore_errors=True)
        if self._cancelled:
            return
        if process.returncode != 0:
            raise SearchIndexError(f"全文检索索引（Pagefind）生成失败（分片 {shard}，退出码 {process.returncode}）：\n"
                                   + said.decode("utf-8", "replace"))
        for name in _UNUSED:
            (output / name).unlink(missing_ok=True)
        scripts = self._work / "scripts"
        scripts.mkdir(exist_ok=True)
        for name in _SCRIPTS:  # the same bytes from every run
            os.replace(output / name, scripts / name)
        _settle(output)

    def finish(self, site: Path) -> Path:
        """Wait for the shards, make their bytes stable and move them into the site, with the script and the
        manifest; returns the search folder there. A full index replaces the folder; shards named at the start
        replace only their own bundles (a shard now without problems loses its bundle), in a site whose index
        is cut into as many shards."""
        try:
            for thread in self._threads:
                thread.join()
            if self._errors:
                raise SearchIndexError(self._errors[0])
            target = site / urls.SEARCH_FOLDER
            if self.partial:
                _check_cut(target, self.count, [shard for shard in self.members if shard not in self.shards])
            elif target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True, exist_ok=True)
            for name in _SCRIPTS:
                if (self._work / "scripts" / name).exists():
                    shutil.move(str(self._work / "scripts" / name), target / name)
            for shard in self.shards:
                folder = target / bundle_folder(shard, self.count)
                if folder.exists():
                    shutil.rmtree(folder)
                if shard in self.members:
                    shutil.move(str(self._work / "bundles" / bundle_folder(shard, self.count)), folder)
            _write_manifest(target)
            return target
        finally:
            shutil.rmtree(self._work, ignore_errors=True)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            for process in self._running:
                process.kill()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._work, ignore_errors=True)


def _bundles(folder: Path) -> list[str]:
    """The bundle folders in a search folder, in order."""
    return sorted(f"{path.parent.name}/" for path in folder.glob("*/pagefind-entry.json"))


def _write_manifest(folder: Path) -> None:
    """bundles.json: exactly the bundles present (a stale .gz or .br copy of an older one goes with it)."""
    for copy in (".gz", ".br"):
        (folder / f"{MANIFEST}{copy}").unlink(missing_ok=True)
    (folder / MANIFEST).write_text(json.dumps(_bundles(folder)), encoding="utf-8")


def _check_cut(folder: Path, count: int, kept: list[int]) -> None:
    """Some shards re-indexed go only into an index cut into as many shards that has the bundles of the
    others (`kept`, those with problems): a build's index is whole, or it is not published."""
    counts = {int(name.split("-")[0]) for name in _bundles(folder)}
    if counts and counts != {count}:
        raise SearchIndexError(f"已发布的全文检索索引分为 {'、'.join(map(str, sorted(counts)))} 个分片，现在的问题数"
                               f"需要 {count} 个：只能重新生成全部索引。")
    missing = [shard for shard in kept if not (folder / bundle_folder(shard, count) / "pagefind-entry.json").exists()]
    if missing:
        raise SearchIndexError(f"已发布的全文检索索引缺少分片 {'、'.join(map(str, missing))}：只能重新生成全部索引。")


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"全文检索索引文件 {path.name} 的格式与预期不符（Pagefind 版本变化？）。")
    return cbor2.loads(data[len(_SIGNATURE):])


def _write(folder: Path, prefix: str, digits: int, suffix: str, value) -> str:
    """Write `value` as Pagefind does (signature, CBOR, gzip), named by its contents; returns the name's hash."""
    data = gzip.compress(_SIGNATURE + cbor2.dumps(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def _settle(index: Path) -> None:
    """Put every filter's values in order, and name the filter files, the metadata file that lists them and
    the entry file that points to the metadata by their new contents."""
    entry_path = index / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, about in sorted(entry["languages"].items()):
        meta_path = index / f"pagefind.{about['hash']}.pf_meta"
        meta = _read(meta_path)
        renamed = {}
        for old in sorted((index / "filter").glob(f"{language}_*.pf_filter")):
            name, values = _read(old)
            renamed[old.stem] = _write(index / "filter", language, len(old.stem) - len(language) - 1, ".pf_filter",
                                       [name, sorted(values, key=lambda value: value[0])])
            old.unlink()
        meta = [_in_order(part, set(renamed.values())) for part in _replace(meta, renamed)]
        meta_path.unlink()
        prefix = f"pagefind.{language}"
        new_meta = _write(index, prefix, len(about["hash"]) - len(language) - 1, ".pf_meta", meta)
        about["hash"] = language + new_meta[len(prefix):]
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _in_order(part, filter_files: set[str]):
    """The metadata's list of filters ([name, file] pairs, in hash-map order) sorted by name; any other part as it is."""
    if (isinstance(part, list) and part and all(isinstance(item, list) and len(item) == 2 and item[1] in filter_files
                                                for item in part)):
        return sorted(part)
    return part


def _replace(value, names: dict[str, str]):
    """`value` (decoded CBOR) with every string that is an old file name replaced by its new one."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_replace(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, names) for key, item in value.items()}
    return value
