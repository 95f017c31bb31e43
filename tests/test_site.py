"""The published site of the sample city: byte-identical rebuilds, one page per problem, nothing from outside."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import AS_OF, ROOT
from .sitebuild import build_site


class _Fetches(HTMLParser):
    """The addresses a page makes the browser fetch: src of any element, href of stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("src"):
            self.urls.append(values["src"])
        if tag == "link" and values.get("rel") not in ("canonical", "alternate", "prev", "next") and values.get("href"):
            self.urls.append(values["href"])


def fetched(html: str) -> list[str]:
    parser = _Fetches()
    parser.feed(html)
    return parser.urls


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = build_site(ROOT / "ledgers", tmp_path_factory.mktemp("first"), AS_OF)
    second = build_site(ROOT / "ledgers", tmp_path_factory.mktemp("second"), AS_OF)
    return first, second


def test_same_ledgers_and_date_give_the_same_bytes(sites: tuple[Path, Path]) -> None:
    first, second = sites
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def test_every_problem_file_is_one_published_page(sites: tuple[Path, Path]) -> None:
    site = sites[0]
    files = sorted(p.stem for p in (ROOT / "ledgers").glob("*/*.yml") if p.parent.name != "inspections")
    pages = sorted(p.parent.name for p in (site / "problems").glob("*/index.html"))
    assert pages == files


def test_problem_pages_stay_out_of_search_and_sitemap(sites: tuple[Path, Path]) -> None:
    site = sites[0]
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d["location"] for d in index["docs"] if d["location"].startswith("problems/")]
    assert "/problems/" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_no_page_loads_anything_from_another_host(sites: tuple[Path, Path]) -> None:
    site = sites[0]
    offenders = []
    for page in site.rglob("*.html"):
        urls = fetched(page.read_text(encoding="utf-8"))
        assert urls, f"{page} fetches nothing at all: the parser is not seeing the page"
        offenders += [f"{page.relative_to(site)}: {url}" for url in urls if url.startswith(("http:", "https:", "//"))]
    assert offenders == []
    assert "fonts.googleapis" not in (site / "index.html").read_text(encoding="utf-8")


def test_not_found_page_is_chinese_and_leads_home(sites: tuple[Path, Path]) -> None:
    page = (sites[0] / "404.html").read_text(encoding="utf-8")
    assert "找不到这个页面" in page
    assert '<a href="/">返回首页</a>' in page
