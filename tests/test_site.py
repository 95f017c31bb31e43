"""The published site of the sample city: byte-identical rebuilds, one page per problem, nothing from outside."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from .conftest import AS_OF, ROOT
from .sitebuild import build_site

EARLIER = dt.date(2025, 6, 30)


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


def _problem_files() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (ROOT / "ledgers").glob("*/*.yml") if p.parent.name != "inspections"}


def test_crawlers_find_every_problem_page_and_instant_navigation_does_not_download_them(
        sites: tuple[Path, Path]) -> None:
    site = sites[0]
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    named = [line.removeprefix("Sitemap: ") for line in robots.splitlines() if line.startswith("Sitemap: ")]
    base = named[0].removesuffix("sitemap.xml")
    assert named[0] == base + "sitemap.xml" and len(named) == 2
    listed = re.findall(r"<loc>(.*?)</loc>", (site / named[1].removeprefix(base)).read_text(encoding="utf-8"))
    assert sorted(listed) == sorted(f"{base}problems/{problem_id}/" for problem_id in _problem_files())
    # Material's instant navigation downloads sitemap.xml on every first visit: it lists overview pages only
    assert "/problems/" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def _head(page: Path) -> dict[str, str]:
    html = page.read_text(encoding="utf-8")
    head = html[:html.index("</head>")]
    found = dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', head))
    found["canonical"] = re.search(r'<link rel="canonical" href="([^"]+)"', head).group(1)
    found["title"] = re.search(r"<title>(.*?)</title>", head).group(1)
    return found


def test_a_shared_problem_page_says_what_the_problem_is(sites: tuple[Path, Path]) -> None:
    """WeChat, Weibo and search engines show a page's title and description: each problem page has its own."""
    site = sites[0]
    departments = {d["id"]: d["name"] for d in
                   yaml.safe_load((ROOT / "ledgers" / "departments.yml").read_text(encoding="utf-8"))["departments"]}
    site_description = _head(site / "index.html")["description"]
    descriptions = set()
    for problem_id, problem in _problem_files().items():
        head = _head(site / "problems" / problem_id / "index.html")
        assert head["og:title"].startswith(problem_id) and head["title"].startswith(head["og:title"])
        assert head["og:description"] == head["description"] != site_description
        assert head["description"].startswith(departments[problem["department"]] + "牵头整改")
        assert problem["description"].split("，")[0][:10].replace("<", "＜") in head["description"]
        assert head["og:url"] == head["canonical"] and head["canonical"].endswith(f"/problems/{problem_id}/")
        assert head["og:type"] == "article"
        descriptions.add(head["description"])
    assert len(descriptions) == len(_problem_files())
    assert "problems" not in _head(site / "index.html")["og:url"]


def test_the_header_search_box_opens_the_finder_without_the_theme_s_search(sites: tuple[Path, Path]) -> None:
    page = (sites[0] / "departments" / "index.html").read_text(encoding="utf-8")
    form = re.search(r'<form class="md-search__form rc-search" action="([^"]+)" method="get">', page)
    assert form and form.group(1) == "../finder/"
    assert 'name="keyword"' in page
    # no form named "search": the theme neither mounts its search nor downloads search_index.json
    assert 'name="search"' not in page and 'data-md-component="search"' not in page


def test_no_page_loads_anything_from_another_host(sites: tuple[Path, Path]) -> None:
    site = sites[0]
    offenders = []
    for page in site.rglob("*.html"):
        urls = fetched(page.read_text(encoding="utf-8"))
        assert urls, f"{page} fetches nothing at all: the parser is not seeing the page"
        offenders += [f"{page.relative_to(site)}: {url}" for url in urls if url.startswith(("http:", "https:", "//"))]
        html = page.read_text(encoding="utf-8")
        # any link to "//x" names another host, even one a browser does not fetch at once (a feed link)
        offenders += [f"{page.relative_to(site)}: //" for attribute in ('href="//', 'src="//') if attribute in html]
    assert offenders == []
    assert "fonts.googleapis" not in (site / "index.html").read_text(encoding="utf-8")


def test_not_found_page_is_chinese_and_leads_home(sites: tuple[Path, Path]) -> None:
    page = (sites[0] / "404.html").read_text(encoding="utf-8")
    assert "找不到这个页面" in page
    assert '<a href="/">返回首页</a>' in page


def test_the_campaign_s_first_day_publishes_without_a_search_index(tmp_path: Path) -> None:
    """Before any problem is on record there is nothing to index: the portal still publishes."""
    start = yaml.safe_load((ROOT / "ledgers" / "portal.yml").read_text(encoding="utf-8"))["campaign_start"]
    site = build_site(ROOT / "ledgers", tmp_path, start)
    assert not list((site / "problems").glob("*/index.html"))
    assert not (site / "pagefind").exists()
    assert (site / "finder" / "index.html").exists() and (site / "robots.txt").exists()


def _indexed(site: Path) -> set[str]:
    """The problems the full-text index can return: the page of each fragment of each shard's bundle."""
    import gzip
    import json

    urls = set()
    for fragment in (site / "pagefind").glob("*/fragment/*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return {re.sub(r"^/problems/(.+)\.html$", r"\1", url) for url in urls}


def test_the_index_starts_on_the_new_problem_pages_only_not_on_those_the_last_build_left(tmp_path: Path) -> None:
    """The index starts as soon as this build's problem pages are written, before the rest of the site: a
    problem the previous build (a later day) published and this one does not must not be found."""
    later = build_site(ROOT / "ledgers", tmp_path, AS_OF)
    assert "STHJ-2026-001" in _indexed(later)
    earlier = build_site(ROOT / "ledgers", tmp_path, EARLIER)
    pages = {p.parent.name for p in (earlier / "problems").glob("*/index.html")}
    assert "STHJ-2026-001" not in pages
    assert _indexed(earlier) == pages


class _Content(HTMLParser):
    """The links and images of a page's article (Material's .md-content), where the page's own text is."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article":
            self.depth += 1
        if self.depth and tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if self.depth and tag == "img":
            self.images.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1


def test_the_excel_guide_links_working_sheets_the_build_wrote_and_shows_framed_screenshots(
        sites: tuple[Path, Path]) -> None:
    from generator.loading.layout import SUBMISSIONS
    from generator.rendering import urls

    site = sites[0]
    page = site / urls.site_url(urls.EXCEL_GUIDE) / "index.html"
    html = page.read_text(encoding="utf-8")
    content = _Content()
    content.feed(html)
    departments = [d["id"] for d in yaml.safe_load((ROOT / "ledgers" / "departments.yml").read_text(encoding="utf-8"))
                   ["departments"]]
    sheets = [link for link in content.links if link.endswith(".xlsx")]
    assert sorted(sheets) == sorted(f"../{urls.working_sheet(d)}" for d in departments)
    assert all((page.parent / link).resolve().is_file() for link in sheets)
    assert all(f"<code>{SUBMISSIONS}/{d}/</code>" in html for d in departments)
    assert len(content.images) == 3
    for image in content.images:
        assert len(image.get("alt") or "") > 10 and re.search(r"[\u4e00-\u9fff]", image["alt"])  # what it shows, in Chinese
        path = (page.parent / image["src"]).resolve()
        assert path.suffix == ".png" and path.is_file() and path.stat().st_size < 150 * 1024
        assert image["src"] in content.links  # a tap opens it at full size
