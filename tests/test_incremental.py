"""Incremental builds give a full build's bytes: problem files changed at random (an entry appended, a field edited,
a problem added or deleted, several at once), rebuilt from the last build's cache, against a full build of the same
ledgers, the same as-of date and the same today; and what the cache cannot vouch for is built in full."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.commands.site import make_site
from generator.writing import incremental
from generator.writing.build import build

from .conftest import AS_OF, ROOT, sample_as_published

SAMPLE = ROOT / "ledgers"
PROBLEMS = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.glob("*/*.yml") if p.parent.name != "inspections")
# problems no inspection record names, which can be deleted without making the ledger invalid
NAMED = set(re.findall(r"[A-Z]+-\d{4}-\d{3}", "".join(p.read_text(encoding="utf-8")
                                                      for p in (SAMPLE / "inspections").glob("*.yml"))))
DELETABLE = [p for p in PROBLEMS if Path(p).stem not in NAMED]
ENTRY = """  - date: {day}
    type: progress
    step: implement
    percent: {percent}
    summary: {summary}
"""


def _last_date(text: str) -> dt.date:
    return max(dt.date.fromisoformat(d) for d in re.findall(r"^  - date: (\d{4}-\d{2}-\d{2})", text, re.MULTILINE))


def append(ledgers: Path, problem: str, days_before: int, percent: int) -> None:
    """A progress entry after the last one (100 % once closed, as the rules ask; any share while open)."""
    path = ledgers / problem
    text = path.read_text(encoding="utf-8")
    day = max(_last_date(text), AS_OF - dt.timedelta(days=days_before))
    closed = "type: close" in text
    path.write_text(text + ENTRY.format(day=day.isoformat(), percent=100 if closed else percent,
                                        summary=f"测试追加的进展，完成度{percent}%。"), encoding="utf-8")


def edit(ledgers: Path, problem: str, words: str) -> None:
    path = ledgers / problem
    text = path.read_text(encoding="utf-8")
    quoted = r"^title: (\"?)(.*?)(\1)$"  # inside the quotes of a quoted title
    path.write_text(re.sub(quoted, lambda m: f"title: {m.group(1)}{m.group(2)}{words}{m.group(3)}", text, count=1,
                           flags=re.MULTILINE), encoding="utf-8")


def add(ledgers: Path, problem: str, number: int) -> None:
    """A new problem in the same department: a copy of `problem` under a new id."""
    source = ledgers / problem
    old = source.stem
    new = f"{old.rsplit('-', 1)[0]}-{900 + number:03d}"
    target = source.with_name(f"{new}.yml")
    if not target.exists():
        target.write_text(source.read_text(encoding="utf-8").replace(f"id: {old}", f"id: {new}"), encoding="utf-8")


def delete(ledgers: Path, problem: str) -> None:
    (ledgers / problem).unlink(missing_ok=True)


CHANGES = st.lists(st.one_of(
    st.tuples(st.just(append), st.sampled_from(PROBLEMS), st.integers(0, 40), st.integers(0, 100)),
    st.tuples(st.just(edit), st.sampled_from(PROBLEMS), st.sampled_from(["（已更新）", "与周边片区"])),
    st.tuples(st.just(add), st.sampled_from(PROBLEMS), st.integers(1, 9)),
    st.tuples(st.just(delete), st.sampled_from(DELETABLE)),
), min_size=1, max_size=4)


def apply(ledgers: Path, changes) -> None:
    for change, problem, *arguments in changes:
        if (ledgers / problem).exists():
            change(ledgers, problem, *arguments)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _docs(root: Path, docs: Path, memo=None, commit: str = "test"):
    return build(root / "ledgers", docs, AS_OF, commit, AS_OF, rule_history=False, git_history=False, memo=memo)


@pytest.fixture(scope="module")
def last_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, incremental.CachedBuild]:
    """The sample city built once (docs/ only), with what the build leaves in its cache."""
    root = sample_as_published(tmp_path_factory.mktemp("last") / "city")
    memo = incremental.parsed_files()
    result = _docs(root, root / "docs", memo)
    return root, incremental.record(result, memo, "inputs", root / "docs", None, "test")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, commit=st.sampled_from(["test", "next"]))
def test_a_rebuild_after_random_changes_to_problem_files_writes_a_full_builds_docs(
        last_build, tmp_path_factory: pytest.TempPathFactory, changes, commit: str) -> None:
    """`commit`: the ledger's version the pages show, the last build's or a new one (a pull request's preview)."""
    root, cached = last_build
    work = tmp_path_factory.mktemp("changed")
    shutil.copytree(root, work / "city")
    apply(work / "city" / "ledgers", changes)
    cached = incremental.CachedBuild(**{**cached.__dict__, "parsed": incremental.ParsedFiles(dict(cached.parsed.loaded))})
    try:
        rebuilt = incremental.rebuild(cached, work / "city" / "ledgers", work / "city" / "docs", AS_OF, commit, AS_OF,
                                      rule_history=False, git_history=False)
    except incremental.NotIncremental as reason:  # the one change only a full build places: make_site builds in full
        assert "督查周期的起始日变了" in str(reason)
        return
    _docs(work / "city", work / "full", commit=commit)
    assert files(work / "city" / "docs") == files(work / "full")
    touched = {Path(p).stem for p in rebuilt.written if p.startswith("problems/")} - {"_shell"}
    assert touched == set(rebuilt.changed)


def _site(work: Path, root: Path, cache: Path, full: bool = False, commit: str = "test"):
    """`rectify site` as the command runs it, in `work` (mkdocs.yml, overrides and docs/assets beside it)."""
    if not (work / "mkdocs.yml").exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
        shutil.copytree(ROOT / "overrides", work / "overrides")
        shutil.copytree(ROOT / "docs" / "assets", work / "docs" / "assets", ignore=shutil.ignore_patterns("vendor"))
    return make_site(root / "ledgers", work / "docs", work / "mkdocs.yml", AS_OF, AS_OF, commit, "",
                     incremental.BuildCache(cache), full=full)


def test_a_site_rebuilt_incrementally_is_the_bytes_of_a_full_build(tmp_path: Path, monkeypatch) -> None:
    """Every file of site/ (pages, stitched problem pages, search indexes, sitemaps, .gz and .br copies) after an
    incremental build of several changes at once, and a new commit, against a full build of the same ledgers
    elsewhere."""
    root = sample_as_published(tmp_path / "city")
    monkeypatch.chdir(tmp_path)
    made = _site(tmp_path / "incremental", root, tmp_path / "cache")
    assert made.code == 0 and made.full
    ledgers = root / "ledgers"
    apply(ledgers, [(append, PROBLEMS[3], 0, 60), (append, PROBLEMS[10], 30, 90), (edit, PROBLEMS[20], "（已更新）"),
                    (add, PROBLEMS[5], 1), (delete, DELETABLE[-1])])
    made = _site(tmp_path / "incremental", root, tmp_path / "cache", commit="next")
    assert made.code == 0 and made.full is None, made.full
    again = _site(tmp_path / "full", root, tmp_path / "other-cache", commit="next")
    assert again.code == 0 and again.full
    built, full = files(tmp_path / "incremental" / "site"), files(tmp_path / "full" / "site")
    assert built.keys() == full.keys()
    assert [p for p in full if built[p] != full[p]] == []
    assert files(tmp_path / "incremental" / "docs") == files(tmp_path / "full" / "docs")
    # nothing changed since: the cache vouches for the site, and nothing is written
    made = _site(tmp_path / "incremental", root, tmp_path / "cache", commit="next")
    assert made.full is None and made.written == 0


def test_what_the_cache_cannot_vouch_for_is_built_in_full(tmp_path: Path) -> None:
    root = sample_as_published(tmp_path / "city")
    ledgers, docs, site = root / "ledgers", tmp_path / "docs", tmp_path / "site"
    docs.mkdir()
    site.mkdir()
    (site / "index.html").write_text("<p>built</p>", encoding="utf-8")
    inputs = incremental.inputs_digest(ledgers, docs, None, AS_OF, AS_OF, "")
    cached = incremental.CachedBuild(inputs, incremental.ParsedFiles(), {}, AS_OF, "", ("", "", {}),
                                     incremental.listing(docs, []), incremental.listing(site))
    assert incremental.refusal(cached, inputs, docs, site) is None
    assert incremental.refusal(None, inputs, docs, site)
    # another as-of date, today or address
    for day, today, url in ((AS_OF - dt.timedelta(days=1), AS_OF, ""), (AS_OF, AS_OF + dt.timedelta(days=1), ""),
                            (AS_OF, AS_OF, "https://example.org/")):
        assert incremental.refusal(cached, incremental.inputs_digest(ledgers, docs, None, day, today, url), docs, site)
    # a registry, an inspection record or a snapshot changed; a problem file alone is not the inputs' business
    for path in (ledgers / "portal.yml", ledgers / "departments.yml", next((ledgers / "inspections").glob("*.yml")),
                 next((root / "snapshots").glob("*.json")), ledgers / PROBLEMS[0]):
        text = path.read_bytes()
        path.write_bytes(text + b"\n")
        changed = incremental.inputs_digest(ledgers, docs, None, AS_OF, AS_OF, "")
        assert (changed != inputs) == (path.suffix != ".yml" or path.parent.name in ("ledgers", "inspections")), path
        path.write_bytes(text)
    # the site edited by hand since
    (site / "index.html").write_text("<p>edited</p>", encoding="utf-8")
    assert "site" in incremental.refusal(cached, inputs, docs, site)
    # a corrupt cache is no cache
    cache = incremental.BuildCache(tmp_path / "cache")
    cache.save(cached)
    assert cache.load() == cached
    (tmp_path / "cache" / incremental.BuildCache.FILE).write_bytes(b"not a pickle")
    assert cache.load() is None
