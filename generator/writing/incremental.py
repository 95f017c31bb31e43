"""Incremental builds: what the last build of a site leaves in a cache, and the rebuild of docs/ it allows when
only problem files changed.

A build writes its cache (`BuildCache`, outside the repository) once its site is published: a digest of every
input but the problem files (`inputs_digest`: the generator's code and templates, mkdocs.yml, the theme
overrides, the hand-written docs/ files, portal.yml, departments.yml, indicators.yml, the inspection records, the
snapshots, the as-of date, today and the site's address), the problem files as loading
left them (loading/ledger.py ParsedFiles, by the SHA-256 of their bytes), the problems as the campaign held them,
what the history check found, the commit the pages showed, and the size and modification time of every file in
docs/ and site/.

The next build trusts the cache only if all of that still holds (`refusal` says why not, in one line); then it
parses again only the changed problem files, runs the rules across files over all of them, derives the site,
asks the page families which outputs the changed problems touch (derivation.site `changes`, rendering/families
`affected`) and writes only those (`rebuild`). A new commit (every pull request's preview has one) is shown on
every page but the problem pages: those pages are all written again, the problem pages only where changed. Anything the cache cannot vouch for is a full build: a stale,
missing or corrupt cache only costs time. tests/test_incremental.py changes problem files at random and compares
every file with a full build's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ..derivation import periods
from ..derivation.campaign import campaign_of
from ..derivation.rulebook import current_only
from ..derivation.site import NOT_DERIVED, Part, ProblemChange, problem_change, site_of
from ..derivation.snapshot import HistoryCheck
from ..loading import layout
from ..loading.ledger import ParsedFiles
from ..loading.snapshots import folder_beside
from ..model.calendar import months, xuns
from ..model.schema import Problem
from ..parallel import collector_paused
from ..rendering import families, urls
from ..validation.report import validate
from ..validation.rules.published import published_history
from .build import BuildError, BuildResult, _check_nothing_lost, _writer, check_as_of, rules_through_time
from .writer import MANIFEST, WriteError

CACHE_FORMAT = 1  # a cache written by another format is not read
GENERATOR = Path(__file__).resolve().parent.parent  # the generator package: its code and templates


class NotIncremental(Exception):  # noqa: N818 -- not an error: the build goes on, in full
    """The rebuild cannot vouch for its result; the message says why, in one Chinese line, and the build is made in full."""


@dataclass
class CachedBuild:
    """What one build leaves for the next (see the module's docstring)."""

    inputs: str
    parsed: ParsedFiles
    problems: dict[str, Problem]  # as the campaign held them, by id
    cycle_start: dt.date
    rules: str  # digest of portal.yml's report rules through time
    history: tuple[str, str, dict[str, str]]  # digests of the history check (`_history_digests`)
    docs: dict[str, tuple[int, int]]  # the generated files of docs/: size and modification time
    site: dict[str, tuple[int, int]]  # every file of site/: likewise
    commit: str = ""  # the ledger's version the pages showed
    format: int = CACHE_FORMAT


class BuildCache:
    """One site's cache: a folder outside the repository holding one pickle, replaced whole (never half written)."""

    FILE = "build.pickle"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def default(cls, ledgers: Path, config: Path) -> BuildCache:
        """Under $XDG_CACHE_HOME/rectify (~/.cache/rectify), one folder per ledger folder and site configuration
        (which names the docs and site folders)."""
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rectify"
        key = hashlib.sha256(f"{ledgers.resolve()}\0{config.resolve()}".encode()).hexdigest()[:20]
        return cls(base / key)

    def load(self) -> CachedBuild | None:
        """The last build's record; None when there is none or it cannot be read (any reason: it only costs time)."""
        try:
            with collector_paused():
                cached = pickle.loads((self.folder / self.FILE).read_bytes())
        except Exception:  # noqa: BLE001 -- a corrupt cache (truncated, another version's classes) is no cache
            return None
        return cached if isinstance(cached, CachedBuild) and cached.format == CACHE_FORMAT else None

    def save(self, cached: CachedBuild) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{self.FILE}.{os.getpid()}"
        partial.write_bytes(pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(self.folder / self.FILE)

    def forget(self) -> None:
        """Drop the record before docs/ or site/ is touched: a build that stops halfway leaves nothing to trust."""
        (self.folder / self.FILE).unlink(missing_ok=True)


def _digest_files(digest, root: Path, skip: frozenset[str] = frozenset()) -> None:
    """Add every file under `root` (its path relative to `root` and its bytes) to `digest`; a missing root adds its absence."""
    if root.is_file():
        digest.update(b"file\0" + root.read_bytes())
        return
    if not root.is_dir():
        digest.update(b"missing\0")
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(names):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if relative in skip or name.endswith(".pyc"):
                continue
            digest.update(f"{relative}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())


def inputs_digest(ledgers: Path, docs: Path, config: Path | None, as_of: dt.date, today: dt.date, site_url: str,
                  options: tuple = ()) -> str:
    """A digest of everything a build reads but the problem files and the commit (see the module's docstring)."""
    digest = hashlib.sha256()
    digest.update(repr((CACHE_FORMAT, sys.version, as_of, today, site_url, options, os.getcwd())).encode())
    _digest_files(digest, GENERATOR)
    for name in (*layout.REGISTRIES, layout.INSPECTIONS):
        digest.update(f"\0ledger:{name}\0".encode())
        _digest_files(digest, ledgers / name)
    digest.update(b"\0snapshots\0")
    _digest_files(digest, folder_beside(ledgers))
    if config is not None:
        digest.update(b"\0config\0")
        _digest_files(digest, config)
        digest.update(b"\0overrides\0")
        _digest_files(digest, config.resolve().parent / "overrides")
    digest.update(b"\0docs\0")  # the hand-written part of docs/: all but what the build writes
    _digest_files(digest, docs, frozenset(_manifest(docs)) | {MANIFEST})
    return digest.hexdigest()


def _manifest(docs: Path) -> list[str]:
    try:
        return (docs / MANIFEST).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return []


def listing(root: Path, paths: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under `root` (of `paths` only, if given)."""
    found = {}
    if paths is not None:
        for path in paths:
            try:
                stat = (root / path).stat()
            except FileNotFoundError:
                continue
            found[path] = (stat.st_size, stat.st_mtime_ns)
        return found
    for folder, _, names in os.walk(root):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), root)] = (stat.st_size, stat.st_mtime_ns)
    return found


def refusal(cached: CachedBuild | None, inputs: str, docs: Path, site: Path | None) -> str | None:
    """Why the cache cannot vouch for a rebuild (one line, for the person running it), or None when it can."""
    if cached is None:
        return "没有可用的上次生成记录"
    if cached.inputs != inputs:
        return "台账的登记表、督查记录、快照、生成程序、页面模板或发布设置有变化，或数据截至日期不同"
    if listing(docs, _manifest(docs)) != cached.docs:
        return f"{docs} 在上次生成之后被改动过"
    if site is not None and listing(site) != cached.site:
        return f"{site} 在上次生成之后被改动过"
    return None


def _history_digests(check: HistoryCheck | None) -> tuple[str, str, dict[str, str]]:
    """Digests of a history check: of what the snapshots themselves give (which weeks, which files, what git
    holds), of all it found, and of what it found of each problem. What else it finds (a replaced version that
    no longer reproduces, the figures through time) follows from the problems, and the pages showing it are those
    every changed problem touches (the families reading Part.HISTORY, made from Part.PROBLEMS)."""
    if check is None:
        return "none", "none", {}
    given = (check.weeks, check.digests, check.pending, check.git, check.shallow, check.committed_versions)
    found = (check.discrepancies, check.figures, check.last_two, check.by_week, check.replaced)
    return (hashlib.sha256(repr(given).encode()).hexdigest(), hashlib.sha256(repr(found).encode()).hexdigest(),
            {pid: hashlib.sha256(repr(check.for_problem(pid)).encode()).hexdigest() for pid in check.problems})


def _rules_digest(rules) -> str:
    return hashlib.sha256(repr(rules).encode()).hexdigest()


def record(result: BuildResult, parsed: ParsedFiles, inputs: str, docs: Path, site: Path | None,
           commit: str) -> CachedBuild:
    """What a finished build leaves for the next one (`site`: the published folder, None for docs/ alone)."""
    campaign = result.campaign
    return CachedBuild(inputs, parsed, {r.problem.id: r.problem for r in campaign.rows},
                       periods.cycle_start(campaign), _rules_digest(result.site.rules),
                       _history_digests(result.site.history), listing(docs, _manifest(docs)),
                       listing(site) if site is not None else {}, commit)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild changed in docs/: the paths written, and the problems added, changed and removed."""

    result: BuildResult
    written: tuple[str, ...]
    changed: tuple[str, ...]  # ids of problems whose page was written (added or changed)
    removed: tuple[str, ...]  # ids of problems no longer on record

    @property
    def nothing(self) -> bool:
        return not self.written and not self.removed


def rebuild(cached: CachedBuild, ledgers: Path, docs: Path, as_of: dt.date, commit: str, today: dt.date,
            stitch: bool = True, rule_history: bool = True, git_history: bool = True,
            site_url: str = "") -> Rebuilt:
    """Write again into docs/ only what the problem files changed since the cached build touch. Raises BuildError
    as a full build would (invalid ledgers), NotIncremental when the change is one only a full build places."""
    with collector_paused():
        return _rebuild(cached, ledgers, docs, as_of, commit, today, stitch, rule_history, git_history, site_url)


def _rebuild(cached: CachedBuild, ledgers: Path, docs: Path, as_of: dt.date, commit: str, today: dt.date,
             stitch: bool, rule_history: bool, git_history: bool, site_url: str) -> Rebuilt:
    check_as_of(as_of, today, None)
    parsed = cached.parsed
    report = validate(ledgers, today, memo=parsed)
    if not report.valid():
        raise BuildError(f"台账校验未通过（{len(report.errors)} 个错误），门户没有生成。", report)
    check_as_of(as_of, today, report.ledger.portal.campaign_start)
    portal = report.ledger.portal
    rules = rules_through_time(ledgers, portal, today) if rule_history else current_only(portal)
    if _rules_digest(rules) != cached.rules:
        raise NotIncremental("门户设置的规则历史有变化")
    campaign = campaign_of(report.ledger, as_of)
    if periods.cycle_start(campaign) != cached.cycle_start:
        raise NotIncremental("督查周期的起始日变了，旬报告和通报的期数随之变化")
    now = {r.problem.id: r.problem for r in campaign.rows}
    found = (problem_change(cached.problems.get(pid), now.get(pid)) for pid in sorted(cached.problems.keys() | now))
    changed: list[ProblemChange] = [c for c in found if c is not None]
    site = site_of(campaign, rules, history=NOT_DERIVED, derive=frozenset(), site_url=site_url, today=today)
    removed = sorted(cached.problems.keys() - now.keys())
    ids = {c.id for c in changed}
    keys = families.affected(changed, _periods(campaign))
    if commit != cached.commit:  # shown on every page but the problem pages
        keys |= {f.name: _every_key(f, campaign) for f in families.FAMILIES if f.per is not families.Per.PROBLEM}
    # As the full build does: the outputs that do not show the history check are written in a forked process
    # (which derives the cycle) while it is made here; then those that show it and the cycle in another, and
    # the others here.
    shown = frozenset({Part.HISTORY})
    plain = [f for f in families.FAMILIES if not (f.reads | f.index_reads) & shown and f.name in keys]
    writer = _writer(docs, site, commit, stitch)
    started = [writer.start(families.outputs(site, plain, keys))] if plain else []
    try:
        history = published_history(report.ledger, ledgers, until=as_of, today=today, git=git_history)
        given, whole, per_problem = _history_digests(history)
        moved = {pid for pid in per_problem.keys() | cached.history[2].keys()
                 if per_problem.get(pid) != cached.history[2].get(pid)}
        if given != cached.history[0] or moved - ids or (not changed and whole != cached.history[1]):
            raise NotIncremental("已发布快照的核验结果有变化")
    except BaseException:
        for other in started:
            other.result()  # what it wrote is written again by the full build that follows
        raise
    site = site.with_history(history)
    result = BuildResult(site, 0, len(now))
    if not changed and commit == cached.commit:
        return Rebuilt(result, (), (), ())
    showing = [f for f in families.FAMILIES if f not in plain and f.name in keys]
    cyclic = [f for f in showing if Part.CYCLE in f.reads | f.index_reads]
    writer = _writer(docs, site, commit, stitch)
    if cyclic:
        started.append(writer.start(families.outputs(site, cyclic, keys)))
    place = urls.fragment if stitch else (lambda path: path)
    try:
        written = writer.write_changed(
            families.outputs(site, [f for f in showing if f not in cyclic], keys),
            added={place(urls.problem(pid)) for pid in now.keys() - cached.problems.keys()},
            removed={place(urls.problem(pid)) for pid in removed}, started=started)
    except WriteError as error:
        raise NotIncremental(f"改动产生了新的页面或文件（{error}）") from None
    _check_nothing_lost(campaign, docs, report, ".html" if stitch else ".md")
    result = dataclasses.replace(result, pages=len(written))
    return Rebuilt(result, tuple(written), tuple(sorted(ids - set(removed))), tuple(removed))


def _periods(campaign) -> SimpleNamespace:
    """What `families.affected` reads of the cycle, the key and the cut of every 旬 and month report, without
    deriving the reports (periods.cycle: the same periods, each cut at its end or the as-of date)."""
    start, as_of = periods.cycle_start(campaign), campaign.as_of

    def cut(period):
        return SimpleNamespace(period=period, key=period.key, cut=min(period.end, as_of))

    return SimpleNamespace(cycle=SimpleNamespace(xuns=[cut(p) for p in xuns(start, as_of)]),
                           bulletins=[SimpleNamespace(key=p.key, report=cut(p)) for p in months(start, as_of)])


def _every_key(family: families.Family, campaign) -> set[str]:
    """Every output of a family, as keys: its site-wide ones and one per department, category, 旬 or month."""
    start, as_of = periods.cycle_start(campaign), campaign.as_of
    per = {families.Per.SITE: (), families.Per.DEPARTMENT: [d.id for d in campaign.departments],
           families.Per.CATEGORY: [c.id for c in campaign.portal.categories],
           families.Per.XUN: [p.key for p in xuns(start, as_of)],
           families.Per.MONTH: [p.key for p in months(start, as_of)]}[family.per]
    return {families.INDEX, *per}


def parsed_files() -> ParsedFiles:
    """An empty record of parsed problem files, for a full build to fill."""
    return ParsedFiles()


