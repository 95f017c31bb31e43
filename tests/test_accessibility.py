"""axe-core on every kind of page of the built sample portal: no serious or critical violation, at desktop and
phone width, in the light and the dark (slate) palette.

axe-core comes bundled in PyPI `axe-playwright-python` and runs inside the page Playwright opened; the site,
the browser and their skip rule are those of tests/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe

# the browser tests' site (built once for this module), browser and skip rule (no Chromium: skipped)
from .test_browser import Watched, browser, charts_drawn, site  # noqa: F401

# One page of each kind; a finder with results (filtered through its form, see below).
PAGES = {
    "home": "/",
    "departments": "/departments/",
    "department": "/departments/ecology-env/",
    "categories": "/categories/",
    "category": "/categories/ecology/",
    "problem": "/problems/FGW-2025-002/",
    "reviewed problem": "/problems/FGW-2025-001/",  # a 回头看 entry: the 整改成效巩固 tag
    "supervised": "/lists/supervised/",
    "overdue": "/lists/overdue/",
    "rebound": "/lists/rebound/",
    "notice": "/lists/notice/",
    "inspections": "/inspections/",
    "reports": "/reports/",
    "bulletin": "/reports/monthly/2026-10/",
    "xun": "/reports/xun/2026-11-2/",
    "lookback": "/reports/lookback/",
    "finder": "/finder/",
    "search": "/finder/?keyword=%E5%8C%BB%E9%99%A2",  # 医院: full-text results, with the words marked
    "nearest": "/finder/?keyword=%E5%8E%BF%E5%8C%BB%E9%99%A2",  # 县医院: none, and the nearest apart
    "downloads": "/downloads/",
    "rules": "/rules/",
    "history": "/history/",
    "changes": "/changes/",
    "guide": "/guide/",
    "excel-guide": "/excel-guide/",
    "404": "/404.html",
}
WIDTHS = {"desktop": 1280, "phone": 390}
SCHEMES = {"light": "default", "dark": "slate"}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture(params=list(SCHEMES), scope="module")
def scheme(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=list(WIDTHS), scope="module")
def visitor(request: pytest.FixtureRequest, browser, site: str, scheme: str) -> Iterator[Watched]:  # noqa: F811
    """One browser context per width and palette; Material's `media` palettes in mkdocs.yml follow the
    reader's system setting on a first visit, which the context sets."""
    watched = Watched(browser, site, width=WIDTHS[request.param], color_scheme=scheme)
    yield watched
    watched.close()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_or_critical_axe_violation(kind: str, visitor: Watched, scheme: str, axe: Axe) -> None:
    page = visitor.open(PAGES[kind])
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]
    if page.locator(".rc-chart").count():
        charts_drawn(page)  # the drawn charts are what a reader meets, mode bar or not
    if kind == "finder":
        page.wait_for_function("!document.querySelector('.rc-finder__count').textContent.includes('载入')")
        if not page.locator("select[name=status]").is_visible():  # folded on a phone: the reader opens it
            page.click(".rc-finder__filters summary")
        page.select_option("select[name=status]", "overdue")
        assert page.locator(".rc-finder__results tbody tr").count() > 0
    if kind == "search":
        page.wait_for_selector(".rc-finder__excerpt mark")
    if kind == "nearest":
        page.wait_for_selector(".rc-finder__nearest mark")
    if kind == "home" and scheme == "dark":
        # the palette toggle itself, too: back to light and to dark again, and the page still passes
        page.click("label.md-header__button[for^='__palette']:visible")
        page.click("label.md-header__button[for^='__palette']:visible")
    blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{PAGES[kind]} at {visitor.page.viewport_size['width']}px, {scheme}:\n" + describe(blocking)
    assert visitor.outside() == []


@pytest.fixture(scope="module")
def rewritten_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample portal after someone changed an old log entry: the history notice is on three kinds of page."""
    from .conftest import AS_OF, sample_as_published
    from .sitebuild import build_site, serve

    work = tmp_path_factory.mktemp("rewritten")
    sample_as_published(work / "repo")
    problem = work / "repo" / "ledgers" / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")
    server = serve(work / "site")  # its address first: the site is built for it (instant navigation)
    address = f"http://127.0.0.1:{server.server_address[1]}"
    build_site(work / "repo" / "ledgers", work, AS_OF, site_url=address + "/")
    yield address
    server.shutdown()


@pytest.mark.parametrize("path", ["/", "/history/", "/problems/JY-2025-005/"])
def test_the_history_notice_has_no_serious_or_critical_axe_violation(
        path: str, browser, rewritten_site: str, scheme: str, axe: Axe) -> None:  # noqa: F811
    watched = Watched(browser, rewritten_site, width=WIDTHS["desktop"], color_scheme=scheme)
    try:
        page = watched.open(path)
        assert page.locator(".rc-history-notice").count() == 1
        if page.locator(".rc-chart").count():
            charts_drawn(page)
        blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
        assert not blocking, f"{path}, {scheme}:\n" + describe(blocking)
    finally:
        watched.close()
