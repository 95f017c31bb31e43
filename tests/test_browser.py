"""The built sample portal in a real browser (Debian's Chromium driven by Playwright).

Skipped with a message where /usr/bin/chromium is missing; in CI (CI=true) they must run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import AS_OF, ROOT
from .sitebuild import build_site, first_visit, serve

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but Chromium is missing: apt-get install chromium fonts-wqy-microhei")
    pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests skipped. "
                "Install: apt-get install chromium fonts-wqy-microhei", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "build" / "screenshots"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample portal served as nginx with gzip_static serves it (the .gz copies rectify site writes)."""
    work = tmp_path_factory.mktemp("portal")
    server = serve(work / "site")
    address = f"http://127.0.0.1:{server.server_address[1]}"
    build_site(ROOT / "ledgers", work, AS_OF, site_url=address + "/")
    yield address
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with every request and console error recorded."""

    def __init__(self, browser: Browser, site: str, width: int = 1280, javascript: bool = True,
                 color_scheme: str = "light"):
        # color_scheme is the reader's system setting; Material picks its palette from it on a first visit
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript,
                                           color_scheme=color_scheme)
        self.page: Page = self.context.new_page()
        self.site = site
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, path: str) -> Page:
        self.page.goto(self.site + path, wait_until="networkidle")
        return self.page

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.site) and not u.startswith("data:")]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Browser, site: str) -> Iterator[Watched]:
    w = Watched(browser, site)
    yield w
    w.close()


def charts_drawn(page: Page) -> tuple[int, int]:
    """Scroll to each chart of the page in turn and wait until it is drawn (a chart is drawn only once it
    comes near the screen), then back to the top once the header has settled; returns (charts, drawn SVG
    charts)."""
    page.wait_for_function("document.querySelectorAll('.rc-chart').length > 0", timeout=20000)
    for i in range(page.locator(".rc-chart").count()):
        figure = page.locator(".rc-chart").nth(i)
        figure.scroll_into_view_if_needed()
        page.wait_for_function("figure => figure.classList.contains('is-drawn')", arg=figure.element_handle(),
                               timeout=20000)
    page.evaluate("window.scrollTo(0, 0)")
    # the header's tabs fade out on the way down and back in at the top, one after the other
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    return page.locator(".rc-chart").count(), page.locator(".rc-chart.is-drawn .rc-chart__plot svg.main-svg").count()


def plotly_requests(watched: Watched) -> list[str]:
    return [u for u in watched.requests if u.endswith("/assets/vendor/plotly.min.js")]


def test_home_page_draws_every_chart_without_errors_or_outside_requests(watched: Watched) -> None:
    page = watched.open("/")
    figures, svgs = charts_drawn(page)
    assert figures >= 5 and svgs >= figures
    assert "数据截至" in page.inner_text(".rc-asof")
    assert watched.errors == []
    assert watched.outside() == []
    assert any(u.endswith("/assets/vendor/plotly.min.js") for u in watched.requests)


@pytest.mark.parametrize("width", [390, 1280])
def test_plotly_is_loaded_only_when_a_chart_nears_the_screen(browser: Browser, site: str, width: int) -> None:
    """A problem page's chart sits below the first screen: plotly.js (the largest file of the site) is not
    downloaded until the reader scrolls towards it; the chart's table is there before it arrives."""
    watched = Watched(browser, site, width=width)
    try:
        page = watched.open("/problems/FGW-2025-001/")
        figure = page.locator(".rc-chart").first
        assert figure.evaluate("node => node.getBoundingClientRect().top") > 900 + 300, "the chart must start below"
        page.wait_for_timeout(1500)  # time enough to have asked for it, were it asked for on load
        assert plotly_requests(watched) == []
        assert figure.locator(".rc-chart__table[open] tbody tr").count() >= 1
        figures, svgs = charts_drawn(page)
        assert figures == 1 and svgs >= 1
        assert len(plotly_requests(watched)) == 1
        assert watched.errors == [] and watched.outside() == []
    finally:
        watched.close()


def test_a_chart_just_below_the_first_screen_waits_for_the_reader_to_scroll(watched: Watched) -> None:
    """On opening, only a chart on the screen is drawn (the first seconds go to what the reader sees); once
    the reader scrolls, a chart 300 px ahead is drawn before it arrives."""
    page = watched.page
    top = None
    for _ in range(2):  # the second time at a height that leaves the chart 100 px below the first screen
        if top is not None:
            page.set_viewport_size({"width": 1280, "height": top - 100})
        page.goto(watched.site + "/problems/FGW-2025-001/", wait_until="networkidle")
        top = page.locator(".rc-chart").first.evaluate("node => Math.round(node.getBoundingClientRect().top)")
    page.wait_for_timeout(1000)
    assert plotly_requests(watched) == []
    page.mouse.wheel(0, 20)
    page.wait_for_function("document.querySelector('.rc-chart').classList.contains('is-drawn')", timeout=20000)
    assert page.evaluate("window.scrollY") < 100, "drawn before the reader reached it"
    assert len(plotly_requests(watched)) == 1 and watched.errors == []


@pytest.mark.parametrize("path", ["/finder/", "/lists/overdue/", "/rules/", "/downloads/"])
def test_a_page_without_charts_never_loads_plotly(watched: Watched, path: str) -> None:
    page = watched.open(path)
    assert page.locator(".rc-chart").count() == 0
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(1000)
    assert plotly_requests(watched) == []
    assert watched.errors == []


def test_date_axes_and_hover_labels_speak_chinese(watched: Watched) -> None:
    """plotly.js is given the zh-CN locale: a date axis without a fixed format reads 2026年1月, not Jan 2026."""
    page = watched.open("/problems/JT-2025-005/")
    charts_drawn(page)
    ticks = page.locator(".rc-chart .xtick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d{4}年\d{1,2}月", t) for t in ticks), ticks
    point = page.locator(".rc-chart .scatterlayer .point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".hoverlayer .hovertext")
    hover = page.text_content(".hoverlayer .hovertext")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", hover), hover
    assert page.evaluate("document.querySelector('.rc-chart__plot')._context.locale") == "zh-CN"


FIRST_VISIT_LIMIT = 600 * 1000  # issue 9: bytes over the wire, the site served compressed


@pytest.mark.parametrize("path", ["/", "/problems/FGW-2025-001/"])
def test_a_first_visit_served_compressed_transfers_at_most_600_kb(browser: Browser, site: str, path: str) -> None:
    """Bytes over the wire when the site is served as README says (nginx gzip_static), scrolled down to every
    chart so that plotly.js counts."""
    watched = Watched(browser, site, width=390)
    try:
        total, requests, plain = first_visit(watched.page, site + path)
        assert watched.errors == [] and watched.outside() == []
    finally:
        watched.close()
    assert total <= FIRST_VISIT_LIMIT, f"{path}: {total:,} bytes in {requests} requests"
    # every large text file goes compressed, except the problem page itself (the server gzips HTML as it sends it)
    assert [u for u in plain if "/problems/" not in u] == []


def test_department_page_draws_after_instant_navigation(watched: Watched) -> None:
    page = watched.open("/")
    charts_drawn(page)
    page.click("a.md-tabs__link:has-text('部门')")
    page.wait_for_url(re.compile(r"/departments/$"))
    page.locator("article a[href*='/']").filter(has_text="局").first.click()
    page.wait_for_url(re.compile(r"/departments/[a-z-]+/$"))
    figures, svgs = charts_drawn(page)
    assert figures >= 3 and svgs >= figures
    plotly_loads = plotly_requests(watched)
    assert len(plotly_loads) == 1, "plotly.js must be loaded once for the whole visit"
    assert watched.errors == [] and watched.outside() == []


def test_finder_filters_by_department_status_and_text(watched: Watched) -> None:
    page = watched.open("/finder/")
    count = page.locator(".rc-finder__count")
    page.wait_for_function("!document.querySelector('.rc-finder__count').textContent.includes('载入')")
    total = int(re.search(r"找到 (\d+) 个", count.inner_text()).group(1))
    assert total >= 60
    page.select_option("select[name=status]", "overdue")
    overdue = int(re.search(r"找到 (\d+) 个", count.inner_text()).group(1))
    assert 0 < overdue < total
    statuses = page.locator(".rc-finder__results td .rc-status").all_inner_texts()
    assert statuses and set(statuses) == {"逾期"}
    page.select_option("select[name=status]", "")
    page.fill(".rc-finder input[name=keyword]", "金矿")
    page.wait_for_function("document.querySelector('.rc-finder__count').textContent.includes('全文检索')")
    rows = page.locator(".rc-finder__results tbody tr td:nth-child(3)").all_inner_texts()
    assert rows and all("金矿" in t for t in rows), "each problem found says 金矿 in its title or its excerpt"
    assert "keyword=" in page.url, "the filters are kept in the address so a search can be shared"
    assert watched.errors == [] and watched.outside() == []


def test_markup_in_a_ledger_shows_literally_and_runs_nothing(watched: Watched) -> None:
    xss = next(p for p in (ROOT / "ledgers").rglob("*.yml") if "<script>" in p.read_text(encoding="utf-8"))
    page = watched.open(f"/problems/{xss.stem}/")
    title = page.inner_text("article h1")
    assert "<script>alert('xss')</script>" in title
    assert watched.dialogs == []
    assert page.locator("article script").count() == 0
    # plotly draws <b> in hover text as bold; a milestone title must show its tags as written
    charts_drawn(page)
    point = page.locator(".rc-chart .scatterlayer .point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".hoverlayer .hovertext")
    assert "<b>恶意内容</b>" in page.text_content(".hoverlayer .hovertext")
    assert page.locator(".hoverlayer tspan[style*='bold']").count() == 0
    finder = watched.open(f"/finder/?keyword={xss.stem}")
    finder.wait_for_function("document.querySelectorAll('.rc-finder__results tbody tr').length === 1")
    assert "<script>" in finder.inner_text(".rc-finder__results tbody tr")
    assert watched.dialogs == []


@pytest.mark.parametrize("width", [320, 360])
def test_charts_fit_the_narrowest_phones(browser: Browser, site: str, width: int) -> None:
    """Two charts side by side need 360 px each; below that each takes a row as wide as the screen."""
    phone = Watched(browser, site, width=width)
    try:
        for path in ("/", "/departments/health/", "/problems/FGW-2025-001/"):
            page = phone.open(path)
            charts_drawn(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is wider than a {width} px screen by {overflow}px"
            widest = page.evaluate("Math.max(...[...document.querySelectorAll('.rc-chart .main-svg')]"
                                   ".map(svg => svg.getBoundingClientRect().right))")
            assert widest <= width, f"{path}: a chart reaches {widest}px"
        assert phone.errors == []
    finally:
        phone.close()


def test_phone_layout_has_no_horizontal_scroll(browser: Browser, site: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = Watched(browser, site, width=390)
    try:
        for path, name in (("/", "home"), ("/departments/", "departments"), ("/finder/", "finder")):
            page = phone.open(path)
            if name != "finder":
                charts_drawn(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is wider than a phone screen by {overflow}px"
            page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)
        assert phone.errors == [] and phone.outside() == []
    finally:
        phone.close()


def test_history_page_on_a_phone_is_a_summary_with_the_digests_folded(browser: Browser, site: str) -> None:
    """Issue 19: the history page was 10,400 px of digest cards on a phone. Its result and newest snapshot come
    first; the 92 digests unfold on demand."""
    phone = Watched(browser, site, width=390)
    try:
        page = phone.open("/history/")
        assert page.evaluate("document.documentElement.scrollHeight") < 2500
        assert page.get_by_text("核验通过").first.is_visible()
        assert page.get_by_text("最新一份快照：").first.is_visible()
        digests = page.locator("details.rc-chain code.rc-digest")
        assert digests.count() == 92 and not digests.first.is_visible()
        page.locator("details.rc-chain > summary").click()
        assert digests.first.is_visible() and "2026年第 47 周（11月16日—11月22日）" in digests.first.locator(
            "xpath=ancestor::tr").inner_text()
    finally:
        phone.close()


def test_tables_are_there_without_javascript(browser: Browser, site: str) -> None:
    plain = Watched(browser, site, javascript=False)
    try:
        page = plain.open("/")
        tables = page.locator(".rc-chart__table[open] table")
        assert tables.count() >= 5
        assert tables.first.is_visible()
        page = plain.open("/departments/")
        assert page.locator("article table").count() >= 1
        assert plain.outside() == []
    finally:
        plain.close()


def test_palette_toggle_recolours_the_charts(watched: Watched) -> None:
    page = watched.open("/")
    charts_drawn(page)
    before = page.evaluate("getComputedStyle(document.querySelector('.rc-chart .xtick text, .rc-chart .ytick text')).fill")
    page.click("label.md-header__button[for^='__palette']:visible")
    page.wait_for_function(f"getComputedStyle(document.querySelector('.rc-chart .xtick text, .rc-chart .ytick text')).fill !== '{before}'")
    assert watched.errors == []


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def test_badges_and_timeline_show_the_declared_colours(watched: Watched) -> None:
    """The generated stylesheet wins over the portal's defaults: what a reader sees is the declaration."""
    from generator.model.vocabulary import EntryType, Light, Status

    page = watched.open("/problems/FGW-2025-002/")
    dot = page.evaluate("""selector => getComputedStyle(document.querySelector(selector), '::before')
                           .backgroundColor""", ".rc-timeline__item--extension")
    assert dot == _rgb(EntryType.EXTENSION.colour)
    status = page.locator(".rc-badges .rc-status").first
    value = status.get_attribute("class").split("rc-status--")[1]
    assert status.evaluate("node => getComputedStyle(node).backgroundColor") == _rgb(Status(value).badge)
    light = page.locator(".rc-badges .rc-light").first
    value = light.get_attribute("class").split("rc-light--")[1]
    assert light.evaluate("node => getComputedStyle(node).color") == _rgb(Light(value).ink)


def test_a_department_s_overdue_card_opens_its_overdue_problems(watched: Watched) -> None:
    page = watched.open("/departments/health/")
    page.click("a.rc-card--red")
    # instant navigation swaps the page without a load event: wait for the address, then for the table; the
    # finder writes its filters back into the address in the form's order as soon as it starts
    page.wait_for_url(re.compile(r"/finder/\?(?=.*\bstatus=overdue\b)(?=.*\bdepartment=health\b)"), wait_until="commit")
    page.wait_for_selector(".rc-finder__table")
    rows = page.locator(".rc-finder__table tbody tr")
    assert rows.count() >= 1
    assert all("逾期" in rows.nth(i).inner_text() and "卫生" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert watched.errors == [] and watched.outside() == []


def test_a_table_sorts_by_a_column_heading(watched: Watched) -> None:
    page = watched.open("/departments/")
    table = page.locator("article table").first
    heading = table.locator("th", has_text="逾期").first
    heading.locator("button.rc-sort").click()
    assert heading.get_attribute("aria-sort") == "ascending"
    column = [th.inner_text().strip() for th in table.locator("thead th").all()].index("逾期")
    values = [int(row.locator("td").nth(column).inner_text()) for row in table.locator("tbody tr").all()]
    assert values == sorted(values) and len(values) == 9
    heading.locator("button.rc-sort").click()
    assert heading.get_attribute("aria-sort") == "descending"
    values = [int(row.locator("td").nth(column).inner_text()) for row in table.locator("tbody tr").all()]
    assert values == sorted(values, reverse=True)
    assert watched.errors == []


def test_the_ranking_prints_on_a4_without_cutting_columns(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 718, "height": 1000})  # A4's printable width at 96 dpi
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(site + "/departments/", wait_until="networkidle")
    table = page.locator("article table").first
    widths = table.evaluate("t => [t.scrollWidth, t.getBoundingClientRect().width, "
                            "t.closest('article').getBoundingClientRect().width]")
    assert widths[0] <= widths[1] + 1 and widths[1] <= widths[2] + 1, widths
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    context.close()


def test_the_vendored_bundle_registers_every_trace_type_the_charts_use(watched: Watched, sample_docs: Path) -> None:
    from .test_vendor import chart_trace_types

    page = watched.open("/")
    charts_drawn(page)
    registered = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
    used = chart_trace_types(sample_docs)
    assert used and used <= registered, used - registered


@pytest.mark.parametrize("path, facts", [
    ("/lists/overdue/", ("牵头部门", "完成度", "超期天数")),
    ("/departments/", ("销号率", "逾期", "红灯")),
    ("/finder/?status=overdue", ("牵头部门", "完成度", "完成时限")),
])
def test_on_a_phone_every_row_shows_its_key_facts_without_sideways_scrolling(
        browser: Browser, site: str, path: str, facts: tuple[str, ...]) -> None:
    watched = Watched(browser, site, width=390)
    page = watched.open(path)
    page.wait_for_selector("table[data-labelled]")
    rows = page.locator("article table[data-labelled]").first.locator("tbody tr")  # the page's own table
    assert rows.count() >= 3
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        labels = [cells.nth(j).get_attribute("data-label") for j in range(cells.count())]
        assert set(facts) <= set(labels), labels
        for j in range(cells.count()):
            box = cells.nth(j).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, (labels[j], box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    watched.close()


@pytest.mark.parametrize("path", ["/departments/", "/rules/", "/downloads/", "/lists/overdue/"])
def test_on_a_wide_screen_table_cells_stand_apart(watched: Watched, path: str) -> None:
    """The phone-card marking must not cost a table its look on a wide screen: neighbouring figures of the
    ranking (已销号 3, 销号率 50.0%) ran together as "350.0%" when it stripped Material's cell padding."""
    page = watched.open(path)
    page.wait_for_selector("article table[data-labelled]")
    cells = page.evaluate("""Array.from(document.querySelectorAll('article table')).map(t => {
        const cell = t.querySelector('tbody td'), style = getComputedStyle(cell);
        return [parseFloat(style.paddingLeft) + parseFloat(style.paddingRight), style.borderTopStyle];
    })""")
    assert cells and all(padding >= 10 and border == "solid" for padding, border in cells), cells


def test_a_finder_link_with_a_keyword_does_not_open_the_site_search(watched: Watched) -> None:
    """Material opens its search overlay for ?q=; the finder's own keyword must not trigger it."""
    page = watched.open("/finder/?keyword=%E9%87%91%E7%9F%BF")
    page.wait_for_selector(".rc-finder__table")
    assert page.input_value(".rc-finder input[name=keyword]") == "金矿"
    assert not page.locator("[data-md-toggle=search]").is_checked()
    assert "没有找到" not in page.inner_text("body")


def test_problem_page_written_into_the_shell_works_like_the_others(watched: Watched) -> None:
    """Problem pages are stitched into the theme's page shell: opened directly or from the finder, they show
    their content, table of contents and chart; palette, the header's search and instant navigation work
    from them.

    Reaching one is a full page load: problem pages are left out of sitemap.xml, which Material's instant
    navigation takes as the list of pages it may load without a reload (overrides/sitemap.xml)."""
    page = watched.open("/problems/FGW-2025-001/")
    assert "FGW-2025-001" in page.title()
    assert "整改进度" in page.locator("nav.md-nav--secondary").inner_text()
    figures, svgs = charts_drawn(page)
    assert figures >= 1 and svgs >= figures
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.click("label.md-header__button[for^='__palette']:visible")
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{scheme}'")
    page.evaluate("window.rcMarker = 1")  # kept by instant navigation, gone after a full reload
    page.click("a.md-tabs__link:has-text('部门')")
    page.wait_for_function("location.pathname.endsWith('/departments/') && document.querySelector('.rc-chart')")
    assert page.evaluate("window.rcMarker") == 1, "instant navigation from a problem page fell back to a reload"
    charts_drawn(page)

    finder = watched.open("/finder/")
    finder.wait_for_function("!document.querySelector('.rc-finder__count').textContent.includes('载入')")
    finder.fill(".rc-finder input[name=keyword]", "JT-2025-002")
    finder.wait_for_function("document.querySelectorAll('.rc-finder__results tbody tr').length === 1")
    # clicking leaves the box, which fires `change`: the finder must not redraw the row under the click
    finder.locator(".rc-finder__results tbody tr a").first.click()
    finder.wait_for_function("location.pathname.endsWith('/problems/JT-2025-002/') && "
                             "document.title.includes('JT-2025-002') && document.querySelector('article h1')")
    assert "整改进度" in finder.locator("nav.md-nav--secondary").inner_text()
    figures, svgs = charts_drawn(finder)
    assert figures >= 1 and svgs >= figures
    finder.fill(".rc-search input[name=keyword]", "红包")  # the header's search box, from a stitched page
    finder.press(".rc-search input[name=keyword]", "Enter")
    finder.wait_for_url(re.compile(r"/finder/\?keyword="))
    finder.wait_for_selector(".rc-finder__results tbody tr")
    assert watched.errors == [] and watched.outside() == []


def test_plotly_is_told_no_outside_host(watched: Watched) -> None:
    """Asked of plotly itself, after drawing: its cloud and map-outline addresses point nowhere outside."""
    page = watched.open("/")
    charts_drawn(page)
    context = page.evaluate("""() => { const c = document.querySelector('.rc-chart__plot')._context;
        return [c.plotlyServerURL, c.topojsonURL, c.displaylogo, c.showSendToCloud, c.displayModeBar]; }""")
    server, topojson, *flags = context
    assert server == "" and topojson.startswith(watched.site + "/")
    assert flags == [False, False, False]
    assert watched.outside() == []


def test_a_bulletin_prints_on_a4_with_its_ranking_whole(watched: Watched) -> None:
    """The bulletin printed to PDF by Chromium, read back with pypdf: A4 pages, readable Chinese, the ranking table
    within the printed width and on one page, no site chrome. A PNG of the first page is kept for a look."""
    import io

    import pypdf

    page = watched.open("/reports/monthly/2026-10/")
    page.emulate_media(media="print")
    widths = page.evaluate("""() => { const t = document.querySelector('.rc-ranking table');
        return [t.getBoundingClientRect().right, document.querySelector('article').getBoundingClientRect().right,
                t.scrollWidth, t.clientWidth]; }""")
    assert widths[0] <= widths[1] + 1 and widths[2] <= widths[3] + 1, f"the ranking overflows the page: {widths}"
    assert page.locator(".md-header").is_hidden() and page.locator(".md-sidebar--primary").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(SCREENSHOTS / "bulletin-print.png"))
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert 2 <= len(reader.pages) <= 8
    for sheet in reader.pages:
        assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (596, 843)  # A4 in pt
    texts = [" ".join(sheet.extract_text().split()) for sheet in reader.pages]
    squeezed = [t.replace(" ", "") for t in texts]
    assert "〔2026〕第10期" in squeezed[0] and "2026年10月问题整改工作通报" in squeezed[0]
    assert "整改公示" not in squeezed[0].split("问题整改工作通报")[0]  # no site header above the masthead
    ranking = next(i for i, t in enumerate(squeezed) if "序时进度符合度" in t and "名次" in t)
    for name in ("发展改革", "农业农村", "生态环境", "政务服务"):
        assert name in squeezed[ranking], f"{name} is not on the ranking's page"
    assert "农村81.43" not in squeezed[ranking]  # cells are not run together into nonsense by cut columns
    assert watched.outside() == []


def test_every_page_announces_the_feed_and_the_home_page_links_the_latest_reports(watched: Watched) -> None:
    page = watched.open("/")
    feed = page.locator("head link[rel=alternate][type='application/atom+xml']")
    assert feed.count() == 1
    href = page.evaluate("document.querySelector(\"head link[type='application/atom+xml']\").href")  # resolved
    assert href == watched.site + "/feed.xml"
    response = page.request.get(href)
    assert response.ok and b"<feed" in response.body()
    latest = page.locator(".rc-latest a")
    assert latest.first.inner_text().startswith("〔2026〕第 10 期")
    latest.first.click()
    page.wait_for_function("location.pathname.endsWith('/reports/monthly/2026-10/')")
    assert page.locator(".rc-ranking tbody tr").count() == 9
    problem = watched.open("/problems/FGW-2025-002/")
    assert problem.locator("head link[rel=alternate][type='application/atom+xml']").count() == 1


@pytest.mark.parametrize("width", [1280, 390])
def test_a_bulletin_reads_at_desktop_and_phone_width(browser, site: str, width: int) -> None:
    watched = Watched(browser, site, width=width)
    try:
        page = watched.open("/reports/monthly/2026-10/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("h1").inner_text() == "2026年10月问题整改工作通报"
        assert page.locator(".rc-ranking").is_visible()
        for selector, magic in (("a[href$='.docx']", b"PK"), ("a[href$='bulletin-2026-10.csv']", "\ufeff名次".encode())):
            response = page.request.get(page.evaluate(f"document.querySelector(\"{selector}\").href"))
            assert response.ok and response.body().startswith(magic), selector
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"bulletin-{width}.png"), full_page=True)
        assert watched.errors == [] and watched.outside() == []
    finally:
        watched.close()
