"""`rectify site`: publish the generated pages with `mkdocs build --strict`, stamped with the as-of day,
then write the problem pages into the page shell MkDocs rendered (generator/publishing/stitch.py), the
full-text index beside them (generator/publishing/search.py, which runs while MkDocs builds), the
problem pages' sitemaps (generator/publishing/sitemaps.py) and the compressed copies of the text files a
server sends as they are (generator/publishing/compress.py).

MkDocs stamps sitemap.xml.gz with SOURCE_DATE_EPOCH; taking it from the as-of day (clock.epoch_of)
makes the same ledgers and date give the same bytes, whenever the build runs.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from .. import clock
from ..publishing.compress import precompress
from ..publishing.search import SearchIndex, SearchIndexError
from ..publishing.sitemaps import write_sitemaps
from ..publishing.stitch import stitch
from ..rendering import urls


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
