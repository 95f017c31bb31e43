# ruff: noqa: F811  (the fixtures imported from test_browser are parameters of the tests below)
"""Looking for a problem by what it is about: the finder's full-text search and the header's search box,
in a real browser on the built sample portal (fixtures from test_browser.py), its index cut into small
shards that the finder merges (generator/publishing/search.py), as a ledger of many thousand problems is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page

from generator.publishing.compress import precompress
from generator.publishing.search import SearchIndex, read_manifest, shard_of
from generator.rendering import urls

from .conftest import AS_OF, ROOT
from .sitebuild import build_site, serve
from .test_browser import Browser, Watched, browser, watched  # noqa: F401  (fixtures)

SHARDS = 8  # the sample's 66 problems in 8 shards (at most 9 problems a shard on average)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample portal, served compressed, with its index re-made in SHARDS shards after the build."""
    work = tmp_path_factory.mktemp("portal")
    server = serve(work / "site")
    address = f"http://127.0.0.1:{server.server_address[1]}"
    build_site(ROOT / "ledgers", work, AS_OF, site_url=address + "/")
    SearchIndex(work / "docs", size=9).finish(work / "site")
    precompress(work / "site", work / "site" / urls.SEARCH_FOLDER)
    assert len(read_manifest(work / "site")) == SHARDS
    yield address
    server.shutdown()


def _mentioning(word: str) -> set[str]:
    """The problems whose ledger file says `word` in any value (comments aside): what a reader expects to find."""
    def strings(value) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [str(value)]

    found = set()
    for path in (ROOT / "ledgers").glob("*/*.yml"):
        if path.parent.name != "inspections" and any(word in s for s in strings(yaml.safe_load(path.read_text("utf-8")))):
            found.add(path.stem)
    return found


def _results(page: Page) -> list[str]:
    """The ids the finder lists, after asking for more until it has shown them all."""
    page.wait_for_function("(() => { const t = document.querySelector('.rc-finder__count').textContent;"
                           " return t && !t.includes('正在'); })()", timeout=20000)
    more = page.locator(".rc-finder__more")
    while more.count() and more.is_visible():
        shown = page.locator(".rc-finder__results tbody tr").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.rc-finder__results tbody tr').length > {shown}")
    return page.locator(".rc-finder__results tbody tr td:nth-child(2) a").all_inner_texts()


def test_full_text_search_finds_every_problem_that_mentions_a_word(watched: Watched) -> None:
    for word in ("医院", "红包", "回访"):
        expected = _mentioning(word)
        assert expected, f"the sample mentions {word}"
        page = watched.open(f"/finder/?keyword={word}")
        found = _results(page)
        assert sorted(found) == sorted(expected), word
        assert f"找到 {len(expected)} 个问题" in page.inner_text(".rc-finder__count")
        marks = page.locator(".rc-finder__excerpt mark").all_inner_texts()
        assert marks and all(word in m or m in word for m in marks), "the words found are marked in the excerpts"
    assert watched.errors == [] and watched.outside() == []


def test_more_results_come_on_request_until_every_one_is_shown(watched: Watched) -> None:
    page = watched.open("/finder/?keyword=牵头部门")  # on every problem page (the line under its title)
    assert page.locator(".rc-finder__results tbody tr").count() < len(_mentioning(""))
    assert sorted(_results(page)) == sorted(_mentioning(""))
    assert not page.locator(".rc-finder__more").is_visible()


def test_a_problem_id_finds_that_problem_first(watched: Watched) -> None:
    page = watched.open("/finder/?keyword=WJW-2025-002")
    assert _results(page)[0] == "WJW-2025-002"
    page.locator(".rc-finder__results tbody tr a").first.click()
    page.wait_for_url(re.compile(r"/problems/WJW-2025-002/$"))
    assert "WJW-2025-002" in page.inner_text("article .rc-id")


def test_full_text_search_narrows_by_the_finder_s_filters(watched: Watched) -> None:
    page = watched.open("/finder/?keyword=医院")
    everything = _results(page)
    page.select_option("select[name=status]", "overdue")
    overdue = _results(page)
    assert overdue and set(overdue) < set(everything)
    assert set(page.locator(".rc-finder__results td .rc-status").all_inner_texts()) == {"逾期"}
    assert "status=overdue" in page.url and "keyword=" in page.url
    page.select_option("select[name=status]", "")
    page.select_option("select[name=supervision]", "any")
    supervised = _results(page)
    assert supervised and set(supervised) <= set(everything)


def test_the_header_search_box_leads_to_the_finder_s_results(watched: Watched) -> None:
    page = watched.open("/departments/")
    page.fill(".rc-search input[name=keyword]", "红包")
    page.press(".rc-search input[name=keyword]", "Enter")
    page.wait_for_url(re.compile(r"/finder/\?keyword="))
    assert "WJW-2025-003" in _results(page)
    assert page.input_value(".rc-finder input[name=keyword]") == "红包"
    assert not [u for u in watched.requests if "search_index.json" in u], "the theme's own index is not downloaded"
    assert watched.errors == [] and watched.outside() == []


def test_a_query_downloads_a_few_small_files(watched: Watched) -> None:
    sizes: dict[str, int] = {}
    watched.page.on("response", lambda r: "/pagefind/" in r.url and sizes.setdefault(r.url, len(r.body())))
    page = watched.open("/finder/?keyword=医院")
    _results(page)
    page.wait_for_timeout(300)
    assert any("/index/" in u for u in sizes) and any("/fragment/" in u for u in sizes)
    assert sum(sizes.values()) < 300_000, sizes


def test_search_results_are_cards_on_a_phone(browser: Browser, site: str) -> None:  # noqa: F811
    phone = Watched(browser, site, width=390)
    try:
        page = phone.open("/finder/?keyword=医院")
        assert _results(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        first = page.locator(".rc-finder__results tbody tr").first
        labels = first.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert "牵头部门" in labels and "完成时限" in labels
        shots = Path(ROOT / "build" / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "phone-search.png"), full_page=True)
    finally:
        phone.close()


def test_without_the_index_a_keyword_still_finds_ids_and_titles(watched: Watched) -> None:
    """The live preview (rectify serve) has no full-text index: the finder says so and matches what it can."""
    watched.page.route("**/pagefind/**", lambda route: route.abort())
    page = watched.open("/finder/?keyword=红包")
    page.wait_for_function("document.querySelector('.rc-finder__count').textContent.includes('未能载入')")
    assert _results(page) == ["WJW-2025-003"]  # the one whose title says 红包; JT-2025-006 says it only inside


# What a reader types and exactly the problems of the sample ledger that say it (as a phrase: a run of
# Chinese characters is never cut into characters); an empty list is a query that must find nothing.
QUERIES: list[tuple[str, list[str]]] = [
    ("不存在", []),
    ("量子计算机", []),
    ("县医院", []),  # no page says 县医院 (the ledgers write *县人民医院): the hospital problems are only nearest
    ("人民医院", ["WJW-2025-001", "WJW-2025-002", "WJW-2025-003", "WJW-2025-005"]),
    ("回访", ["FGW-2025-001", "SCJG-2025-001", "STHJ-2025-005", "STHJ-2025-006", "WJW-2025-003", "ZWFW-2025-001",
             "ZWFW-2025-002", "ZWFW-2026-002"]),
    ("过度检查", ["WJW-2025-002", "WJW-2026-002"]),
    ("号贩子", ["WJW-2025-005"]),
    ("违规收费", ["FGW-2025-001", "FGW-2025-003", "FGW-2026-001", "JT-2025-006", "JT-2026-001", "SCJG-2025-001",
               "SCJG-2025-002"]),
    ("医院 红包", ["WJW-2025-003"]),  # both words
    ("医院 号贩子&match=any", ["JT-2026-001", "WJW-2025-001", "WJW-2025-002", "WJW-2025-003", "WJW-2025-005",
                              "WJW-2026-001", "WJW-2026-002"]),  # either word, as the reader asked
]
HOSPITALS = ["JT-2026-001", "WJW-2025-001", "WJW-2025-002", "WJW-2025-003", "WJW-2025-005", "WJW-2026-001",
             "WJW-2026-002"]


def test_a_query_finds_exactly_the_problems_that_say_it(watched: Watched) -> None:
    for query, expected in QUERIES:
        page = watched.open(f"/finder/?keyword={query}")
        assert sorted(_results(page)) == expected, query
        count = page.inner_text(".rc-finder__count")
        words = query.split("&")[0]
        if expected:
            assert f"找到 {len(expected)} 个问题" in count, query
        else:
            assert f"没有问题包含“{words}”" in count and "找到" not in count, query
    assert set(HOSPITALS) == _mentioning("医院"), "the hospital problems are those that say 医院"
    assert watched.errors == [] and watched.outside() == []


def test_a_query_that_finds_nothing_offers_the_nearest_apart_and_labelled(watched: Watched) -> None:
    page = watched.open("/finder/?keyword=县医院")
    assert _results(page) == []
    near = page.locator(".rc-finder__nearest")
    assert "不包含“县医院”" in near.inner_text() and "不是检索结果" in near.inner_text()
    assert sorted(near.locator("li a").all_inner_texts()) == HOSPITALS
    for nothing in ("不存在", "量子计算机"):  # no longer word inside to suggest by
        page = watched.open(f"/finder/?keyword={nothing}")
        assert _results(page) == [] and page.locator(".rc-finder__nearest").count() == 0, nothing


def test_excerpts_are_clean_sentences_that_say_the_words(watched: Watched) -> None:
    for word in ("医院", "人民医院", "回访", "违规收费"):
        page = watched.open(f"/finder/?keyword={word}")
        _results(page)
        rows = page.locator(".rc-finder__results tbody tr")
        for i in range(rows.count()):
            problem = rows.nth(i).locator("td:nth-child(2)").inner_text()
            title = rows.nth(i).locator("td:nth-child(3)")
            excerpt = title.locator(".rc-finder__excerpt")
            said = excerpt.inner_text() if excerpt.count() else title.inner_text()
            assert word in said, (word, problem, said)
            if excerpt.count():
                text = excerpt.inner_text()
                assert ". " not in text and not re.search(r"\d{3}\.", text), (problem, text)
                assert problem not in text and problem.split("-")[-1] + "." not in text, (problem, text)
                assert word in excerpt.locator("mark").all_inner_texts(), (problem, text)


def test_on_a_phone_the_results_come_first_and_the_filters_fold(browser: Browser, site: str) -> None:  # noqa: F811
    phone = Watched(browser, site, width=390)
    try:
        page = phone.open("/finder/?keyword=医院")
        assert _results(page)
        first = page.locator(".rc-finder__results tbody tr").first.bounding_box()
        assert first and first["y"] + first["height"] <= 844, "the whole first result on a 390 × 844 phone's first screen"
        boxes = ["department", "category", "status", "light", "supervision"]
        assert not any(page.locator(f"select[name={b}]").is_visible() for b in boxes)
        page.click(".rc-finder__filters summary")
        assert all(page.locator(f"select[name={b}]").is_visible() for b in boxes)
        page.select_option("select[name=status]", "overdue")
        _results(page)
        shared = phone.open(page.url.replace(phone.site, ""))  # a shared link shows the filter it sets
        assert shared.locator("select[name=status]").is_visible()
        shots = Path(ROOT / "build" / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        phone.open("/finder/?keyword=县医院")
        _results(phone.page)
        phone.page.screenshot(path=str(shots / "phone-search-nearest.png"), full_page=True)
    finally:
        phone.close()
    wide = Watched(browser, site, width=1280)
    try:
        page = wide.open("/finder/")
        assert page.locator("select[name=department]").is_visible(), "on a wide screen the filters are open"
    finally:
        wide.close()


def test_a_problem_is_found_whichever_shard_indexes_it(watched: Watched) -> None:
    """One problem of every shard, found by a word only its page says (its id), and by a word many say."""
    ids = sorted(_mentioning(""))
    firsts = {}
    for problem_id in ids:
        firsts.setdefault(shard_of(problem_id, SHARDS), problem_id)
    assert sorted(firsts) == list(range(SHARDS))
    for problem_id in firsts.values():
        page = watched.open(f"/finder/?keyword={problem_id}")
        assert _results(page)[0] == problem_id, problem_id
    page = watched.open("/finder/?keyword=牵头部门")  # every page: every shard answers
    assert sorted(_results(page)) == ids
    assert {shard_of(i, SHARDS) for i in ids} == set(range(SHARDS))
    assert watched.errors == [] and watched.outside() == []
