"""`rectify site`: publish the generated pages with `mkdocs build --strict`, stamped with the as-of day,
then write the problem pages into the page shell MkDocs rendered (generator/publishing/stitch.py), the
full-text index beside them (generator/publishing/search.py, which runs while MkDocs builds), the
problem pages' sitemaps (generator/publishing/sitemaps.py) and the compressed copies of the text files a
server sends as they are (generator/publishing/compress.py).

MkDocs stamps sitemap.xml.gz with SOURCE_DATE_EPOCH; taking it from the as-of day (clock.epoch_of)
makes the same ledgers and date give the same bytes, whenever the build runs.

`make_site` builds incrementally when the build cache (writing/incremental.py) vouches for the last site:
docs/ gets only the outputs the changed problem files touch, and `publish_changes` publishes only those:
`mkdocs build --dirty` for the other pages rewritten (MkDocs' search index then holds only the pages it
rebuilt, so the last one's entries of the others are put back in their places), the changed problem pages
stitched into the shell, the full-text index made again (`_reindex`), the sitemaps when problems came or
went, and the compressed copies of the files that changed. The same bytes as a full build
(tests/test_incremental.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..loading.tree import commit_on
from ..publishing.compress import COMPRESSORS, SMALLEST, TEXT_SUFFIXES, precompress
from ..publishing.search import SearchIndex, SearchIndexError, shard_count, shard_of
from ..publishing.search import problem_ids as search_problem_ids
from ..publishing.sitemaps import write_sitemaps
from ..publishing.stitch import read_shell, stitch, stitch_page
from ..rendering import urls
from ..writing import incremental
from ..writing.build import BuildError, BuildResult, build


class PublishError(Exception):
    """The site was built but is not whole; the message says why, in Chinese."""


class EarlySearch:
    """The full-text index, started as soon as the build has written the problem pages (`start`, which the
    build calls) rather than once MkDocs is running: Pagefind then indexes on the second core while the
    other pages are written and the site is built (issue 9). `publish` collects it."""

    def __init__(self, docs: Path) -> None:
        self.docs = docs
        self.index: SearchIndex | None = None

    def start(self) -> None:
        if any((self.docs / urls.PROBLEMS_FOLDER).glob("*.html")):
            self.index = SearchIndex(self.docs)

    def take(self) -> SearchIndex | None:
        index, self.index = self.index, None
        return index

    def cancel(self) -> None:
        if self.index is not None:
            self.take().cancel()


def publish(config: Path, as_of: dt.date, *, quiet: bool = False, site_url: str | None = None,
            search: SearchIndex | None = None) -> int:
    """Run `mkdocs build --strict` on `config`, stitch the problem pages into the site and index them, write
    their sitemaps and the .gz and .br copies of the site's text files; returns mkdocs' exit code (its messages
    go to the terminal). `search` is the index already started on `config`'s docs folder (EarlySearch), if
    any. Raises PublishError if a problem page was not published or the index could not be made."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(clock.epoch_of(as_of))}
    if site_url:
        env["SITE_URL"] = site_url
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    if quiet:
        command.append("--quiet")
    try:
        docs, site, configured_url = _folders(config)
        stitched = (docs / urls.PROBLEM_SHELL).exists()  # a build for the live preview has no shell: MkDocs renders them
        if search is not None and (not stitched or search.docs.resolve() != docs.resolve()):
            search.cancel()  # started on another folder than the one MkDocs publishes
            search = None
        # no problem on record yet (the campaign's first day): no index to make, and the finder says there is none
        if search is None and stitched and any((docs / urls.PROBLEMS_FOLDER).glob("*.html")):
            search = SearchIndex(docs)
        code = subprocess.run(command, env=env, cwd=config.resolve().parent, check=False).returncode
        if code != 0:
            return code
        if stitched:
            check_published(stitch(docs, site), site)
        write_sitemaps(site, site_url or configured_url, published_ids(site))
        # the site's copies are made while Pagefind still indexes (a core it leaves idle at scale), the
        # index's own once it is in the site
        precompress(site)
        if search is not None:
            search.finish(site)
            search = None
            precompress(site, site / urls.SEARCH_FOLDER)
    except SearchIndexError as error:
        raise PublishError(str(error)) from None
    finally:
        if search is not None:
            search.cancel()
    return 0


def site_address(config: Path) -> str:
    """The portal's published address as MkDocs reads it from `config` (its site_url, which may name SITE_URL);
    "" when it has none, the file is not there, or MkDocs does not take it (mkdocs build says why)."""
    from mkdocs.exceptions import MkDocsException

    if not config.is_file():
        return ""
    try:
        return _folders(config)[2]
    except MkDocsException:  # a site_url it refuses (no scheme): Abort
        return ""


def _folders(config: Path) -> tuple[Path, Path, str]:
    """docs_dir, site_dir and site_url as MkDocs reads them from `config` (with SITE_URL from the environment)."""
    from mkdocs.config import load_config

    loaded = load_config(str(config))
    return Path(loaded.docs_dir), Path(loaded.site_dir), loaded.site_url or ""


def published_ids(site: Path) -> list[str]:
    """The ids of the problem pages in the built site."""
    return sorted(p.parent.name for p in (site / urls.PROBLEMS_FOLDER).glob("*/index.html"))


def check_published(ids: list[str], site: Path) -> None:
    """Every problem page the build wrote is one published page, and no other is there."""
    published = published_ids(site)
    if published != ids:
        missing = sorted(set(ids) - set(published))
        extra = sorted(set(published) - set(ids))
        raise PublishError(f"发布的问题页面（{len(published)} 个）与生成的问题页面（{len(ids)} 个）不一致；"
                           f"缺少：{'、'.join(missing[:20]) or '无'}；多出：{'、'.join(extra[:20]) or '无'}。")


@dataclass(frozen=True)
class Made:
    """A site built (`code`: mkdocs' exit code), and how: `full` is None for an incremental build, else why not
    (one line for the person running it)."""

    result: BuildResult
    code: int
    full: str | None
    written: int = 0  # outputs written again into docs/ by an incremental build


def make_site(ledgers: Path, docs: Path, config: Path, as_of: dt.date, today: dt.date, commit: str | None,
              site_url: str, cache: incremental.BuildCache | None, full: bool = False,
              problem_pages_written=None, search: SearchIndex | None = None) -> Made:
    """Build docs/ and publish the site: incrementally when `cache` vouches for the last build (and `full` is
    not asked for), in full otherwise; then leave the cache for the next build. Raises BuildError as `build`
    does and PublishError as `publish` does; the cache is dropped before anything is written, so a build that
    fails leaves none."""
    commit = commit_on(ledgers, as_of) if commit is None else commit
    site = _folders(config)[1] if config.is_file() else None

    def inputs_of() -> str:  # taken again once built: what docs/ holds by hand is what the build did not write
        return incremental.inputs_digest(ledgers, docs, config, as_of, today, site_url)

    inputs = inputs_of()
    cached = cache.load() if cache is not None and not full else None
    why = "要求完整生成（--full）" if full else incremental.refusal(cached, inputs, docs, site)
    if cache is not None:
        cache.forget()
    if why is None:
        try:
            try:
                rebuilt = incremental.rebuild(cached, ledgers, docs, as_of, commit, today, site_url=site_url)
            except BuildError as error:
                if error.report is not None:  # invalid ledgers, found before anything was written: the cache holds
                    cache.save(cached)
                raise
            code = publish_changes(config, as_of, rebuilt, site_url=site_url)
            if code == 0 and cache is not None:
                cache.save(incremental.record(rebuilt.result, cached.parsed, inputs_of(), docs, site, commit))
            return Made(rebuilt.result, code, None, len(rebuilt.written))
        except incremental.NotIncremental as reason:
            why = str(reason)
    memo = incremental.parsed_files()
    result = build(ledgers, docs, as_of, commit, today, problem_pages_written=problem_pages_written,
                   site_url=site_url, memo=memo)
    code = publish(config, result.campaign.as_of, search=search() if callable(search) else search)
    if code == 0 and cache is not None:
        cache.save(incremental.record(result, memo, inputs_of(), docs, site, commit))
    return Made(result, code, why)


# MkDocs' own build with --dirty, which builds only the pages whose source is newer than their output; its
# warning that a dirty build may leave navigation stale is true of the navigation alone, which no problem
# changes, and must not fail the strict build.
_DIRTY_BUILD = """
import logging, sys
from mkdocs.__main__ import ColorFormatter
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
handler = logging.StreamHandler()
handler.setFormatter(ColorFormatter())
logging.getLogger("mkdocs").addHandler(handler)
logging.getLogger("mkdocs").setLevel(logging.WARNING)
logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
config = load_config(sys.argv[1], strict=True)
config.plugins.on_startup(command="build", dirty=True)
try:
    build(config, dirty=True)
except Abort as abort:
    print(abort, file=sys.stderr)
    sys.exit(1)
finally:
    config.plugins.on_shutdown()
"""
MKDOCS_SEARCH = "search/search_index.json"


def publish_changes(config: Path, as_of: dt.date, rebuilt: incremental.Rebuilt, site_url: str = "") -> int:
    """Publish what `rebuilt` wrote into docs/ over the site the last build published; returns mkdocs' exit
    code. Raises NotIncremental when MkDocs rebuilt a page the last site did not have (the site is then made
    in full), PublishError as `publish` does."""
    if rebuilt.nothing:
        return 0
    docs, site, configured_url = _folders(config)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(clock.epoch_of(as_of))}
    if site_url:
        env["SITE_URL"] = site_url
    started = time.time_ns()
    index = site / MKDOCS_SEARCH
    before = json.loads(index.read_text(encoding="utf-8")) if index.is_file() else None
    code = subprocess.run([sys.executable, "-c", _DIRTY_BUILD, str(config)], env=env,
                          cwd=config.resolve().parent, check=False).returncode
    if code != 0:
        return code
    if before is not None:
        _merge_search_index(index, before)
    shell_dir = site / urls.site_url(urls.PROBLEM_SHELL)
    shell = read_shell((shell_dir / "index.html").read_text(encoding="utf-8"), urls.site_url(urls.PROBLEM_SHELL))
    for problem_id in rebuilt.changed:
        fragment = (docs / urls.fragment(urls.problem(problem_id))).read_text(encoding="utf-8")
        target = site / urls.site_url(urls.problem(problem_id)) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(stitch_page(shell, fragment, problem_id), encoding="utf-8")
    shutil.rmtree(shell_dir)
    for problem_id in rebuilt.removed:
        shutil.rmtree(site / urls.site_url(urls.problem(problem_id)), ignore_errors=True)
    ids = sorted(p.stem for p in (docs / urls.PROBLEMS_FOLDER).glob("*.html"))
    check_published(ids, site)
    if rebuilt.changed or rebuilt.removed:
        _reindex(docs, site, [*rebuilt.changed, *rebuilt.removed])
    write_sitemaps(site, site_url or configured_url, ids)
    _precompress_since(site, started)
    return 0


def _reindex(docs: Path, site: Path, problem_ids: list[str]) -> None:
    """The full-text index made again after the problem pages `problem_ids` changed (or went): only the shards
    they fall in (publishing/search.py), or the whole of it when the ledger now needs another number of shards
    or the published index is not the one those shards fit into."""
    try:
        if not any((docs / urls.PROBLEMS_FOLDER).glob("*.html")):
            shutil.rmtree(site / urls.SEARCH_FOLDER, ignore_errors=True)
            return
        count = shard_count(len(search_problem_ids(docs)))
        try:
            SearchIndex(docs, shards={shard_of(problem_id, count) for problem_id in problem_ids}).finish(site)
        except SearchIndexError:  # cut into another number of shards (or not there): index it all
            SearchIndex(docs).finish(site)
    except SearchIndexError as error:
        raise PublishError(str(error)) from None


def _merge_search_index(index: Path, before: dict) -> None:
    """MkDocs' search index after a dirty build holds only the pages it rebuilt: put back the last build's entries
    of every other page, in their places (the order of a full build)."""
    after = json.loads(index.read_text(encoding="utf-8"))
    rebuilt = _by_page(after["docs"])
    pages = _by_page(before["docs"])
    if not rebuilt.keys() <= pages.keys():
        raise incremental.NotIncremental("MkDocs 生成了上次没有的页面")
    entries = [entry for page, old in pages.items() for entry in rebuilt.get(page, old)]
    index.write_text(json.dumps({"config": after["config"], "docs": entries}, separators=(",", ":"), default=str),
                     encoding="utf-8")


def _by_page(entries: list[dict]) -> dict[str, list[dict]]:
    pages: dict[str, list[dict]] = {}
    for entry in entries:
        pages.setdefault(entry["location"].split("#")[0], []).append(entry)
    return pages


def _precompress_since(site: Path, started: int) -> None:
    """The .gz and .br copies of the text files written since `started` (ns), as `precompress` makes them: none
    for the problem pages and the weekly snapshots, none beside a file whose .gz MkDocs wrote itself, none that
    is not smaller."""
    skipped = (site / urls.PROBLEMS_FOLDER, site / urls.snapshot("x").rpartition("/")[0])
    for folder, subfolders, names in os.walk(site):
        if Path(folder) in skipped:
            subfolders.clear()
            continue
        for name in names:
            path = Path(folder, name)
            if path.suffix not in TEXT_SUFFIXES or path.stat().st_mtime_ns < started:
                continue
            own = Path(folder, name + ".gz")
            if own.exists() and own.stat().st_mtime_ns >= started:
                continue  # MkDocs' sitemap.xml.gz
            data = path.read_bytes()
            for suffix, compressor in COMPRESSORS.items():
                target = Path(folder, name + suffix)
                target.unlink(missing_ok=True)
                if len(data) >= SMALLEST and len(packed := compressor(data)) < len(data):
                    target.write_bytes(packed)
