"""Every chart of the sample portal drawn at the widths readers use (a small phone, a phone, a tablet, a
laptop): no axis label, legend item or annotation runs into another or out of the chart, and a wide table
says that it scrolls and can be scrolled from the keyboard.

The site, the browser and their skip rule are those of tests/test_browser.py.
"""

from __future__ import annotations

import pytest

# the browser tests' site (built once for this module), browser and skip rule (no Chromium: skipped)
from .test_browser import Watched, browser, charts_drawn, site  # noqa: F401

WIDTHS = (320, 390, 1024, 1280)
# one page of each kind with charts: the home page (status, lights, curve, trend, the indicators such as
# 回头看 and 清退), the department and category overviews and one of each (steps), the history of changes
# (weekly trend) and a problem with a 倒排工期 chart whose deadline lines lie close together
CHART_PAGES = ("/", "/departments/", "/departments/transport/", "/categories/", "/categories/ecology/",
               "/changes/", "/problems/JT-2025-002/")

# The text boxes of each drawn chart: every tick label, axis title, legend item (its symbol and words),
# annotation and pie slice label, in page coordinates, with the chart's own box. A label plotly hides (no text, or display none)
# is not counted.
LABEL_BOXES = r"""
figure => {
  const plot = figure.querySelector('.rc-chart__plot');
  const svg = plot.querySelector('svg.main-svg');
  const box = node => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = node => node.textContent.trim() !== '' && getComputedStyle(node).display !== 'none'
    && getComputedStyle(node).visibility !== 'hidden' && node.getBoundingClientRect().width > 0;
  // a label turned on its side (or slanted) makes a reader tilt their head; a turned "个" reads as an arrow
  const turned = node => /rotate\((?!0[,)])/.test(node.getAttribute('transform') || '');
  const labels = [];
  const add = (kind, node) => {
    if (shown(node)) labels.push({kind, text: node.textContent.trim(), box: box(node), turned: turned(node)});
  };
  plot.querySelectorAll('.xtick > text, .ytick > text').forEach(n => add('tick', n));
  plot.querySelectorAll('.g-xtitle text, .g-ytitle text').forEach(n => add('axis title', n));
  plot.querySelectorAll('.annotation-text-g text').forEach(n => add('annotation', n));
  plot.querySelectorAll('text.slicetext').forEach(n => add('slice label', n));
  plot.querySelectorAll('.legend .traces').forEach(item => {
    const text = item.querySelector('.legendtext');
    if (!text || !shown(text)) return;
    const parts = [text, ...item.querySelectorAll('.legendpoints path')].map(box);
    labels.push({kind: 'legend', text: text.textContent.trim(), box: [
      Math.min(...parts.map(p => p[0])), Math.min(...parts.map(p => p[1])),
      Math.max(...parts.map(p => p[2])), Math.max(...parts.map(p => p[3]))]});
  });
  return {chart: figure.id || figure.querySelector('figcaption').textContent.trim(), frame: box(svg), labels};
}
"""


def overlaps(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def inside(a: list[float], frame: list[float], slack: float = 0.5) -> bool:
    return a[0] >= frame[0] - slack and a[1] >= frame[1] - slack and a[2] <= frame[2] + slack and a[3] <= frame[3] + slack


def collisions(chart: dict) -> list[str]:
    """What a reader would see go wrong in one chart: labels on top of each other, cut off or turned."""
    found = []
    labels = chart["labels"]
    for i, first in enumerate(labels):
        if not inside(first["box"], chart["frame"]):
            found.append(f"{chart['chart']}: {first['kind']} “{first['text']}” is cut off by the chart's edge")
        if first.get("turned"):
            found.append(f"{chart['chart']}: {first['kind']} “{first['text']}” does not read horizontally")
        for second in labels[i + 1:]:
            if overlaps(first["box"], second["box"]):
                found.append(f"{chart['chart']}: {first['kind']} “{first['text']}” overlaps "
                             f"{second['kind']} “{second['text']}”")
    return found


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px", scope="module")
def reader(request: pytest.FixtureRequest, browser, site: str):  # noqa: F811
    watched = Watched(browser, site, width=request.param)
    yield watched
    watched.close()


@pytest.mark.parametrize("path", CHART_PAGES)
def test_no_chart_label_overlaps_another_or_leaves_the_chart(path: str, reader: Watched) -> None:
    page = reader.open(path)
    figures, drawn = charts_drawn(page)
    assert figures >= 1 and drawn >= figures
    charts = [page.locator(".rc-chart").nth(i).evaluate(LABEL_BOXES) for i in range(figures)]
    assert all(chart["labels"] for chart in charts), "every chart has labels to check"
    problems = [problem for chart in charts for problem in collisions(chart)]
    width = page.viewport_size["width"]
    assert not problems, f"{path} at {width}px:\n" + "\n".join(problems)
    assert reader.errors == []


# Report pages whose tables are wider than the text column on some widths: the monthly bulletin's ranking,
# a 旬 report's tables, the 回头看 page's lists.
TABLE_PAGES = ("/reports/monthly/2026-10/", "/reports/xun/2026-11-2/", "/reports/lookback/")

# Each table of the article: whether it is wider than what shows of it, and if so the box that scrolls it,
# whether that box takes the focus, and the cue shown just above it.
TABLES = r"""
() => Array.from(document.querySelectorAll('article table')).map((table, index) => {
  let box = table;
  while (box && box.tagName !== 'ARTICLE' && !(box.scrollWidth > box.clientWidth + 1
         && /auto|scroll/.test(getComputedStyle(box).overflowX))) box = box.parentElement;
  const article = table.closest('article').getBoundingClientRect();
  const cut = table.getBoundingClientRect().right > article.right + 1;
  if (!box || box.tagName === 'ARTICLE') return {index, scrolls: false, cut};
  box.setAttribute('data-test-box', String(index));
  const cue = box.previousElementSibling;
  const seen = cue && cue.classList.contains('rc-scroll-hint') && cue.getBoundingClientRect().height > 0
    && getComputedStyle(cue).visibility !== 'hidden';
  return {index, scrolls: true, cut: false, focusable: box.tabIndex >= 0, cue: seen ? cue.textContent.trim() : null};
})
"""


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_a_wide_table_says_it_scrolls_and_scrolls_from_the_keyboard(path: str, reader: Watched) -> None:
    page = reader.open(path)
    page.wait_for_timeout(300)  # page.js marks the boxes on the next frame after Material has wrapped the tables
    tables = page.evaluate(TABLES)
    assert tables, f"{path} has tables"
    width = page.viewport_size["width"]
    for table in tables:
        where = f"{path} at {width}px, table {table['index'] + 1}"
        assert not table["cut"], f"{where}: cut off at the text column's edge without scrolling"
        if not table["scrolls"]:
            continue
        assert table["cue"] and "左右滑动" in table["cue"], f"{where}: scrolls sideways with no visible cue"
        assert table["focusable"], f"{where}: its scrolling box cannot take the keyboard's focus"
        box = page.locator(f"[data-test-box='{table['index']}']")
        box.focus()
        page.keyboard.press("End")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        assert box.evaluate("node => node.scrollLeft") > 0, f"{where}: the keyboard does not scroll it"


# A date in a table cell: 2025-11-06, 2025年11月6日 or 11月6日.
DATE = r"^(\d{4}-\d{2}-\d{2}|(\d{4}年)?\d{1,2}月\d{1,2}日)$"
BROKEN_DATES = r"""
pattern => Array.from(document.querySelectorAll('article td')).filter(cell => {
  if (!new RegExp(pattern).test(cell.textContent.trim())) return false;
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size > 1;
}).map(cell => cell.textContent.trim())
"""


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_no_date_in_a_table_breaks_across_lines(path: str, reader: Watched) -> None:
    page = reader.open(path)
    assert page.evaluate(BROKEN_DATES, DATE) == [], f"{path} at {page.viewport_size['width']}px"
