"""The portal's full-text search: a Pagefind index of every problem page, with Chinese word segmentation.

Pagefind (PyPI `pagefind[extended]`: the extended binary segments Chinese) writes a static index cut into
chunks, so a query downloads the few chunks its words fall in and one small fragment per result shown,
however many problems there are. The finder (docs/assets/js/finder.js) loads it only when a reader types a
keyword, and filters by department, category, status, light and supervision through Pagefind's filters,
which the problem pages declare in `data-pagefind-*` attributes (templates/problem.md.j2).

It indexes the problem pages' own content files (docs/problems/<ID>.html, small HTML documents the build
writes), not the published pages: that needs no theme markup skipped, and it runs beside `mkdocs build`
instead of after it. The index is written outside the site (MkDocs empties site/ first) and moved in once
the site is built.

Pagefind writes its filter index from a hash map, so two runs give the same search but not the same bytes
(Pagefind issue 638). `_settle` rewrites the filter files with their values in order and renames them and
the files that point to them by their contents: the same ledgers and date give the same index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cbor2

from ..rendering import urls

# The files a reader's browser needs; Pagefind also writes ready-made search interfaces the finder does not use.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
_SIGNATURE = b"pagefind_dcd"


class SearchIndexError(Exception):
    """Pagefind failed; the message says why, in Chinese, with Pagefind's own output."""


class SearchIndex:
    """A Pagefind run over the problem pages' content files, started now and collected by `finish`."""

    def __init__(self, docs: Path) -> None:
        self.docs = docs
        self._work = Path(tempfile.mkdtemp(prefix="rectify-search-"))
        command = [sys.executable, "-m", "pagefind", "--site", str(docs), "--glob", f"{urls.PROBLEMS_FOLDER}/*.html",
                   "--force-language", "zh", "--output-path", str(self._work / "index"), "--silent"]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def finish(self, site: Path) -> Path:
        """Wait for the index, make its bytes stable and move it into the site; returns its folder there."""
        output, _ = self._process.communicate()
        try:
            if self._process.returncode != 0:
                raise SearchIndexError(f"全文检索索引（Pagefind）生成失败（退出码 {self._process.returncode}）：\n"
                                       + output.decode("utf-8", "replace"))
            index = self._work / "index"
            for name in _UNUSED:
                (index / name).unlink(missing_ok=True)
            _settle(index)
            target = site / urls.SEARCH_FOLDER
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(index), target)
            return target
        finally:
            shutil.rmtree(self._work, ignore_errors=True)

    def cancel(self) -> None:
        self._process.kill()
        self._process.wait()
        shutil.rmtree(self._work, ignore_errors=True)


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
