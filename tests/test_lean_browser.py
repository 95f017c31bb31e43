"""A lean problem page (issue 21) in the browser: the drawer menu at phone width, the tabs at desktop width, the
palette toggle and the header's search, with the icons drawn from the stylesheet, and instant navigation away
from it and back. The fixtures and the watched page are tests/test_browser.py's (skipped, with its message,
where Chromium is missing)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from .test_browser import Watched, browser, site  # noqa: F401 - the fixtures, shared

PROBLEM = "/problems/FGW-2025-001/"


def _icon_drawn(page: Page, selector: str, size: int = 24) -> bool:
    """The icon (an empty <svg> painted through its shape) is on screen, square at the theme's size, with a shape."""
    return page.evaluate("""([selector, size]) => { const icon = document.querySelector(selector);
        const box = icon.getBoundingClientRect(), style = getComputedStyle(icon);
        return box.width === size && box.height === size && style.maskImage.startsWith('url("data:image/svg+xml')
            && style.backgroundColor !== 'rgba(0, 0, 0, 0)'; }""", [selector, size])


def test_on_a_phone_the_drawer_lists_the_sections_and_leads_to_them(browser: Browser, site: str) -> None:  # noqa: F811
    phone = Watched(browser, site, width=390)
    try:
        page = phone.open(PROBLEM)
        assert not page.locator(".md-tabs").is_visible()
        assert _icon_drawn(page, "label.md-header__button[for=__drawer] svg")
        page.click("label.md-header__button[for=__drawer]")
        drawer = page.locator(".md-sidebar--primary nav.md-nav--primary")
        drawer.locator("a.md-nav__link", has_text="亮灯规则").wait_for(state="visible")
        names = [t.strip() for t in drawer.locator(".md-nav__list a.md-nav__link").all_inner_texts()]
        assert names == ["首页", "部门", "分类", "重点关注", "督查通报", "问题查询", "数据下载", "亮灯规则"]
        assert _icon_drawn(page, ".md-sidebar--primary .md-nav__title .md-logo svg", size=48)
        page.evaluate("window.rcMarker = 1")  # kept by instant navigation, gone after a full reload
        drawer.locator("a.md-nav__link", has_text="重点关注").click()
        page.wait_for_function("location.pathname.endsWith('/lists/') && document.querySelector('article h1')")
        assert page.evaluate("window.rcMarker") == 1, "instant navigation from a problem page fell back to a reload"
        # on the lists page the drawer holds the whole menu again, the section's pages too
        page.click("label.md-header__button[for=__drawer]")
        page.locator(".md-sidebar--primary a.md-nav__link", has_text="逾期问题").wait_for(state="visible")
        assert phone.errors == [] and phone.outside() == []
    finally:
        phone.close()


def test_on_a_wide_screen_the_tabs_the_palette_and_the_search_work(browser: Browser, site: str) -> None:  # noqa: F811
    wide = Watched(browser, site, width=1280)
    try:
        page = wide.open(PROBLEM)
        tabs = [t.strip() for t in page.locator("a.md-tabs__link").all_inner_texts()]
        assert tabs == ["首页", "部门", "分类", "重点关注", "督查通报", "问题查询", "数据下载", "亮灯规则"]
        assert not page.locator(".md-sidebar--primary").is_visible()
        assert page.locator("nav.md-nav--secondary").is_visible()
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
        assert _icon_drawn(page, "label.md-header__button[for=__palette_1] svg")
        page.click("label.md-header__button[for=__palette_1]")
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        assert _icon_drawn(page, "label.md-header__button[for=__palette_0] svg")
        page.click("label.md-header__button[for=__palette_0]")
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
        page.fill(".rc-search input[name=keyword]", "红包")
        page.press(".rc-search input[name=keyword]", "Enter")
        page.wait_for_url(re.compile(r"/finder/\?keyword="))
        page.wait_for_selector(".rc-finder__results tbody tr")
        assert wide.errors == [] and wide.outside() == []
    finally:
        wide.close()


def test_the_search_opens_from_a_phone_s_header_and_the_top_button_shows_its_arrow(
        browser: Browser, site: str) -> None:  # noqa: F811
    phone = Watched(browser, site, width=390)
    try:
        page = phone.open(PROBLEM)
        assert _icon_drawn(page, "label.md-header__button[for=__search] svg")
        page.click("label.md-header__button[for=__search]")
        box = page.locator(".rc-search input[name=keyword]")
        box.wait_for(state="visible")
        assert _icon_drawn(page, ".md-search__icon[for=__search] svg.rc-icon--material-arrow-left")
        box.fill("FGW-2025-001")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/finder/\?keyword=FGW-2025-001"))
        page.wait_for_selector(".rc-finder__results tbody tr")
        page.go_back()
        page.wait_for_function("location.pathname.endsWith('/problems/FGW-2025-001/')")
        page.mouse.wheel(0, 3000)
        page.mouse.wheel(0, -300)  # the theme shows its back-to-top button on the way up
        page.locator("button.md-top").wait_for(state="visible")
        assert page.evaluate("getComputedStyle(document.querySelector('button.md-top svg')).maskImage") != "none"
        assert phone.errors == [] and phone.outside() == []
    finally:
        phone.close()


def test_the_header_search_leads_to_the_finder_after_instant_navigation(browser: Browser, site: str) -> None:  # noqa: F811
    """The header's search form names the finder by a relative address; instant navigation keeps the header
    and moves the address, so after it a relative address would lead to /lists/finder/ (a 404)."""
    wide = Watched(browser, site, width=1280)
    try:
        page = wide.open("")
        page.evaluate("window.rcMarker = 1")  # kept by instant navigation, gone after a full reload
        page.click("a.md-tabs__link:text-is('重点关注')")
        page.wait_for_function("location.pathname.endsWith('/lists/') && document.querySelector('article h1')")
        assert page.evaluate("window.rcMarker") == 1, "the tab was followed by a reload, not instant navigation"
        page.fill(".rc-search input[name=keyword]", "红包")
        page.press(".rc-search input[name=keyword]", "Enter")
        page.wait_for_url(re.compile(r"/finder/\?keyword="))
        assert page.url.startswith(site.rstrip("/") + "/finder/?keyword="), page.url
        page.wait_for_selector(".rc-finder__results tbody tr")
        assert wide.errors == [] and wide.outside() == []
    finally:
        wide.close()
