"""The full-text index in shards (generator/publishing/search.py): which shard indexes a problem, re-indexing
some shards into a published index, and the manifest the finder and a province portal read."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from generator.publishing.search import (
    MANIFEST,
    SearchIndex,
    SearchIndexError,
    bundle_folder,
    problem_ids,
    read_manifest,
    shard_count,
    shard_of,
)
from generator.rendering import urls
from generator.writing.build import build

from .conftest import AS_OF, ROOT

SIZE = 9  # problems a shard on average, at most: the sample's 66 problems in COUNT shards
COUNT = 8


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The problem pages' content files the build writes for the sample city (what the index reads)."""
    folder = tmp_path_factory.mktemp("built") / "docs"
    build(ROOT / "ledgers", folder, AS_OF, "test")
    return folder


@pytest.fixture(scope="module")
def published(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's index in small shards, as a build publishes it."""
    site = tmp_path_factory.mktemp("published")
    SearchIndex(docs, size=SIZE).finish(site)
    return site


def _copy(docs: Path, target: Path) -> Path:
    shutil.copytree(docs / urls.PROBLEMS_FOLDER, target / urls.PROBLEMS_FOLDER)
    return target


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _indexed(bundle: Path) -> set[str]:
    """The problems a bundle's fragments are the pages of."""
    found = set()
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        found.add(json.loads(data[data.index(b"{"):])["url"].removeprefix("/problems/").removesuffix(".html"))
    return found


def test_the_number_of_shards_doubles_as_the_ledger_grows_and_a_problem_keeps_its_half() -> None:
    assert [shard_count(n) for n in (0, 1, 4000, 4001, 10_000, 100_000)] == [1, 1, 1, 2, 4, 32]
    assert shard_count(66, SIZE) == COUNT
    for problem_id in ("WJW-2025-001", "JT-2026-001", "DAA-2024-001"):
        assert 0 <= shard_of(problem_id, 8) < 8
        assert shard_of(problem_id, 16) % 8 == shard_of(problem_id, 8), "a doubling splits each shard in two"
    # the assignment is part of the published layout (an incremental build relies on it): it must not drift
    # (the first 8 bytes of the id's SHA-256, big-endian, modulo the number of shards)
    assert [shard_of(i, 16) for i in ("WJW-2025-001", "JT-2026-001", "DAA-2024-001")] == [10, 7, 12]
    assert bundle_folder(3, 16) == "16-03/" and bundle_folder(0, 1) == "1-0/"


def test_each_problem_is_in_the_bundle_of_its_shard_and_the_manifest_lists_exactly_the_bundles(
        docs: Path, published: Path) -> None:
    folder = published / urls.SEARCH_FOLDER
    manifest = read_manifest(published)
    present = sorted(f"{p.name}/" for p in folder.iterdir() if p.is_dir())
    assert manifest == present and len(manifest) >= 2
    assert all(not name.startswith("/") and name.endswith("/") for name in manifest)
    ids = problem_ids(docs)
    assert len(ids) == 66
    for name in manifest:
        shard = int(name.removesuffix("/").split("-")[1])
        assert _indexed(folder / name) == {i for i in ids if shard_of(i, COUNT) == shard}, name
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["bundles.json", "pagefind-worker.js",
                                                                         "pagefind.js"]
    # the first bundle loads Pagefind's WebAssembly; every bundle has it, so any can be the one merged into
    assert all((folder / name / "wasm.unknown.pagefind").exists() for name in manifest)


def test_re_indexing_the_shards_of_changed_problems_gives_the_bytes_of_a_full_index(
        docs: Path, published: Path, tmp_path: Path) -> None:
    changed = _copy(docs, tmp_path / "docs")
    problems = changed / urls.PROBLEMS_FOLDER
    edited, removed = "WJW-2025-003", "JT-2026-001"
    page = problems / f"{edited}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</h1>", "</h1><p>量子计算机</p>", 1), encoding="utf-8")
    (problems / f"{removed}.html").unlink()
    assert shard_count(65, SIZE) == COUNT, "the same number of shards: only theirs change"

    full = tmp_path / "full"
    SearchIndex(changed, size=SIZE).finish(full)
    partial = tmp_path / "partial"
    shutil.copytree(published, partial)
    touched = {shard_of(edited, COUNT), shard_of(removed, COUNT)}
    before = _files(partial / urls.SEARCH_FOLDER)
    SearchIndex(changed, shards=touched, size=SIZE).finish(partial)
    after = _files(partial / urls.SEARCH_FOLDER)

    assert after == _files(full / urls.SEARCH_FOLDER)
    moved = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    assert {name.split("/")[0] for name in moved} == {bundle_folder(s, COUNT).removesuffix("/") for s in touched}
    assert edited in _indexed(partial / urls.SEARCH_FOLDER / bundle_folder(shard_of(edited, COUNT), COUNT))
    assert removed not in _indexed(partial / urls.SEARCH_FOLDER / bundle_folder(shard_of(removed, COUNT), COUNT))


def test_a_shard_left_without_problems_loses_its_bundle_and_its_line_in_the_manifest(
        docs: Path, published: Path, tmp_path: Path) -> None:
    changed = _copy(docs, tmp_path / "docs")
    shard = shard_of("WJW-2025-001", COUNT)
    gone = [i for i in problem_ids(changed) if shard_of(i, COUNT) == shard]
    for problem_id in gone:
        (changed / urls.PROBLEMS_FOLDER / f"{problem_id}.html").unlink()
    site = tmp_path / "site"
    shutil.copytree(published, site)
    SearchIndex(changed, shards=[shard], size=SIZE).finish(site)
    assert bundle_folder(shard, COUNT) not in read_manifest(site)
    assert not (site / urls.SEARCH_FOLDER / bundle_folder(shard, COUNT)).exists()
    assert json.loads((site / urls.SEARCH_FOLDER / MANIFEST).read_text(encoding="utf-8")) == sorted(
        f"{p.name}/" for p in (site / urls.SEARCH_FOLDER).iterdir() if p.is_dir())


def test_shards_of_another_cut_are_refused(docs: Path, published: Path, tmp_path: Path) -> None:
    """Re-indexing some shards of a ledger that now needs more or fewer shards would mix two cuts, and into a
    site without the other shards' bundles would publish part of an index."""
    fewer = _copy(docs, tmp_path / "docs")
    for problem_id in problem_ids(fewer)[:30]:
        (fewer / urls.PROBLEMS_FOLDER / f"{problem_id}.html").unlink()
    site = tmp_path / "site"
    shutil.copytree(published, site)
    with pytest.raises(SearchIndexError, match="只能重新生成全部索引"):
        SearchIndex(fewer, shards=[0], size=SIZE).finish(site)
    with pytest.raises(SearchIndexError, match="缺少分片"):  # no index published yet: a few shards are not one
        SearchIndex(docs, shards=[0], size=SIZE).finish(tmp_path / "nothing")
    assert not (tmp_path / "nothing" / urls.SEARCH_FOLDER / MANIFEST).exists()
    with pytest.raises(SearchIndexError, match=f"没有分片 {COUNT}"):
        SearchIndex(docs, shards=[COUNT], size=SIZE)
