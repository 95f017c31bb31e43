"""The .gz and .br copies `rectify site` writes beside the site's text files for nginx gzip_static/brotli_static."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

from generator.publishing.compress import precompress

from .conftest import AS_OF, ROOT
from .sitebuild import build_site

TEXT = "<p>整改公示 问题清单</p>\n" * 200


def _site(root: Path) -> Path:
    site = root / "site"
    for name in ("index.html", "assets/js/charts.js", "data/finder.json", "search/search_index.json",
                 "assets/css/portal.css", "sitemap.xml", "robots.txt", "problems/JT-2025-001/index.html"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(TEXT, encoding="utf-8")
    (site / "tiny.js").write_text("var a = 1;\n", encoding="utf-8")
    (site / "data" / "problems.xlsx").write_bytes(TEXT.encode() * 2)
    (site / "data" / "snapshots").mkdir()
    (site / "data" / "snapshots" / "2026-W47.json").write_text(TEXT, encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(TEXT.encode(), mtime=1))  # MkDocs' own copy
    return site


def test_each_text_file_gets_a_gzip_and_a_brotli_copy_of_the_same_bytes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    precompress(site)
    for name in ("index.html", "assets/js/charts.js", "data/finder.json", "search/search_index.json",
                 "assets/css/portal.css", "robots.txt"):
        original = (site / name).read_bytes()
        packed = (site / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == original
        assert packed[4:8] == b"\0\0\0\0", "gzip carries no modification time: the same file, the same bytes"
        assert brotli.decompress((site / f"{name}.br").read_bytes()) == original
        assert len(packed) < len(original) / 5


def test_problem_pages_snapshots_tiny_and_binary_files_and_mkdocs_own_copies_are_left_alone(tmp_path: Path) -> None:
    site = _site(tmp_path)
    mkdocs_copy = (site / "sitemap.xml.gz").read_bytes()
    precompress(site)
    assert not list((site / "problems").rglob("*.gz")) and not list((site / "problems").rglob("*.br"))
    assert sorted(p.name for p in (site / "data" / "snapshots").iterdir()) == ["2026-W47.json"]
    assert not (site / "tiny.js.gz").exists() and not (site / "data" / "problems.xlsx.gz").exists()
    assert (site / "sitemap.xml.gz").read_bytes() == mkdocs_copy


def test_compressing_in_two_processes_gives_the_bytes_of_one(tmp_path: Path, monkeypatch) -> None:
    from generator import parallel
    from generator.publishing import compress

    one = _site(tmp_path / "one")
    two = _site(tmp_path / "two")
    precompress(one)
    monkeypatch.setattr(compress, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    precompress(two)
    copies = sorted(p.relative_to(one) for p in one.rglob("*") if p.suffix in (".gz", ".br"))
    assert len(copies) == 2 * 6 + 1
    assert copies == sorted(p.relative_to(two) for p in two.rglob("*") if p.suffix in (".gz", ".br"))
    assert all((one / p).read_bytes() == (two / p).read_bytes() for p in copies)


def test_the_published_sample_site_has_compressed_copies_of_its_first_visit(tmp_path: Path) -> None:
    site = build_site(ROOT / "ledgers", tmp_path, AS_OF)
    for name in ("index.html", "assets/vendor/plotly.min.js", "assets/js/charts.js", "search/search_index.json",
                 "data/finder.json"):
        assert (site / f"{name}.gz").is_file() and (site / f"{name}.br").is_file(), name
    stylesheets = list((site / "assets" / "stylesheets").glob("main.*.min.css"))
    assert stylesheets and all(Path(f"{s}.gz").is_file() for s in stylesheets)


def test_files_added_after_a_first_pass_get_their_copies_from_a_second_over_their_folder(tmp_path: Path) -> None:
    site = _site(tmp_path)
    precompress(site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.suffix in (".gz", ".br")}
    (site / "pagefind").mkdir()
    (site / "pagefind" / "pagefind.js").write_text(TEXT, encoding="utf-8")
    (site / "later.js").write_text(TEXT, encoding="utf-8")  # outside the folder: not this pass's
    assert precompress(site, site / "pagefind") == 2
    assert gzip.decompress((site / "pagefind" / "pagefind.js.gz").read_bytes()) == TEXT.encode()
    assert not (site / "later.js.gz").exists()
    assert {p: p.read_bytes() for p in before} == before
