"""Problem pages written into the page shell are the pages MkDocs renders itself, trimmed: the same bytes.

The sample portal is built twice, once with the problem pages stitched (as `rectify site` does) and once
with MkDocs rendering them from Markdown (as the live preview does). A theme upgrade that moves the
title, the canonical link, the table of contents or the content, or a template change that makes the
HTML content differ from what python-markdown makes of the Markdown page, fails here. The stitched pages
are trimmed of the templates' indentation (`stitch.trim`), so MkDocs' own pages are compared trimmed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import parallel
from generator.publishing import stitch
from generator.publishing.stitch import Shell, StitchError, read_shell, stitch_page, trim

from .conftest import AS_OF, ROOT
from .sitebuild import build_site


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    with pytest.MonkeyPatch.context() as patch:  # the pages shared between forked processes, as at scale
        patch.setattr(stitch, "PARALLEL_FROM", 0)
        patch.setattr(parallel, "cores", lambda: 2)
        stitched = build_site(ROOT / "ledgers", tmp_path_factory.mktemp("stitched"), AS_OF)
    rendered = build_site(ROOT / "ledgers", tmp_path_factory.mktemp("rendered"), AS_OF, stitch=False)
    return stitched, rendered


def _files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_stitched_problem_pages_are_the_pages_mkdocs_renders(both: tuple[Path, Path]) -> None:
    stitched, rendered = both
    pages = [f for f in _files(rendered) if f.startswith("problems/") and f.endswith(".html")]
    assert len(pages) > 60
    different = [f for f in pages if _text(stitched / f) != trim(_text(rendered / f))]
    assert different == [], f"{len(different)} problem pages differ from MkDocs' own, e.g. {different[:3]}"
    # trimmed, not the same page: MkDocs' own carries the templates' indentation
    assert all(len(_text(stitched / f)) < len(_text(rendered / f)) for f in pages)


def test_trimming_keeps_what_the_browser_shows() -> None:
    page = ('<head>\n    <meta charset="utf-8">\n  </head>\n  <p>\n      甲 <b>乙</b>\n\n   丙</p>\n'
            '<pre>\n  一\n    二\n</pre>\n   <script>\n  var a = 1;\n</script>  \n<textarea>\n  x</textarea>')
    assert trim(page) == ('<head>\n<meta charset="utf-8">\n</head>\n<p>\n甲 <b>乙</b>\n丙</p>\n'
                          '<pre>\n  一\n    二\n</pre>\n<script>\n  var a = 1;\n</script>\n<textarea>\n  x</textarea>')
    assert trim(trim(page)) == trim(page)


def test_the_rest_of_the_site_is_the_same_and_the_shell_is_not_published(both: tuple[Path, Path]) -> None:
    stitched, rendered = both
    # the full-text index is made from the problem pages' content files, which only a stitched build has
    index = [f for f in _files(stitched) if f.startswith("pagefind/")]
    assert "pagefind/pagefind.js" in index
    assert [f for f in _files(stitched) if f not in index] == _files(rendered)
    assert not (stitched / "problems" / "_shell").exists()
    different = [f for f in _files(rendered) if (stitched / f).read_bytes() != (rendered / f).read_bytes()
                 and not f.startswith("problems/")]
    assert different == []


def test_a_shell_without_its_markers_is_refused() -> None:
    with pytest.raises(StitchError):
        read_shell("<html><title>整改公示</title></html>", "problems/_shell/")


def test_page_content_the_shell_cannot_hold_is_refused() -> None:
    shell = Shell(("<title>", "title", '</title><meta content="', "description", '">'), "")
    head = ('<!doctype html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>A</title>\n'
            '<meta name="description" content="甲">\n</head>\n<body>\n')
    tail = "</body>\n</html>\n"
    assert (stitch_page(shell, head + '<h1>A</h1>\n<h2 id="_1">一</h2>' + tail, "A")
            == '<title>A</title><meta content="甲">')
    for content in ('<h1>A</h1>\n<h2 id="_1">一</h2>\n',  # not a document
                    head.replace('<meta name="description" content="甲">\n', "") + '<h2 id="_1">一</h2>' + tail,
                    head + '<h2 id="_1">一</h2>\n',  # not the whole document
                    head + "<h1>A</h1>" + tail,  # no heading
                    head + '<h2 id="_1">一</h2>\n<h3 id="_2">二</h3>' + tail):  # deeper than h2
        with pytest.raises(StitchError):
            stitch_page(shell, content, "A")
