"""The files made beside the bulletins: the Word bulletin read back with python-docx, the Atom feeds parsed strictly."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from docx import Document
from docx.shared import Pt
from lxml import etree

from generator.derivation.campaign import campaign_of
from generator.derivation.site import site_of
from generator.rendering import families, urls, wordfile
from generator.rendering.markup import cn_date
from generator.rendering.outputs import File, Page
from generator.rendering.wordfile import bulletin_docx
from generator.validation.report import validate
from generator.writing.writer import Writer

from .conftest import AS_OF, ROOT

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def ledger():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid()
    return report.ledger


@pytest.fixture(scope="module")
def campaign(ledger):
    return campaign_of(ledger, AS_OF)


def _bulletin(campaign, key: str):
    """The bulletin of month `key`, its view, and its page as the build writes it."""
    for output in families.outputs(site_of(campaign), [families.BY_NAME["bulletin"]], {"bulletin": {key}}):
        if isinstance(output, Page) and output.path == urls.bulletin(key):
            common = {"portal": campaign.portal, "commit": "test", "as_of": campaign.as_of,
                      "generated_on": None, "urls": urls}
            page = Writer(ROOT / "unused", common).render(output)
            return output.context["view"], page
    raise AssertionError(key)


def test_the_word_bulletin_reads_back_with_its_number_title_office_and_ranking(campaign) -> None:
    bulletins = site_of(campaign).bulletins
    october = next(b for b in bulletins if b.key == "2026-10")
    departments = {d.id: d for d in campaign.departments}
    view, _ = _bulletin(campaign, "2026-10")
    document = Document(io.BytesIO(bulletin_docx(view)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 (stored in twips)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    assert normal.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "仿宋_GB2312"
    texts = [p.text for p in document.paragraphs]
    assert "〔2026〕第 10 期" in texts
    assert "2026年10月问题整改工作通报" in texts
    assert any(t.startswith(campaign.portal.office) and t.endswith("2026年10月31日") for t in texts)  # masthead
    assert texts[-3:] == [campaign.portal.office, "2026年10月31日", ""]  # signed, dated; then the 版记's table
    title = next(p for p in document.paragraphs if p.text == "2026年10月问题整改工作通报")
    assert title.runs[0].font.size == Pt(22)  # 二号
    table = document.tables[1]  # after the overview's table of figures
    header = [c.text for c in table.rows[0].cells]
    assert header[:3] == ["名次", "部门", "得分"] and "按期完成率" in header
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(body) == len(campaign.departments)
    expected = [(str(s.rank), departments[s.department_id].short, f"{s.score:.2f}") for s in october.standings]
    assert [tuple(row[:3]) for row in body] == expected
    assert document.core_properties.title == "2026年10月问题整改工作通报"
    praised = "、".join(f"{departments[s.department_id].name}（{s.score:.2f} 分）" for s in october.praised)
    assert any(praised in t for t in texts if t.startswith("表扬（得分不低于"))


def _page_tables(page: str) -> list[list[list[str]]]:
    """The page's HTML tables as the reader sees them: rows of cell texts, the headings first."""
    tables = []
    for table in re.findall(r"<table>(.*?)</table>", page, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        tables.append([[html.unescape(re.sub(r"<[^>]+>", "", cell).strip())
                        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows])
    return tables


@pytest.mark.parametrize("key", ["2026-10", "2026-11"])
def test_the_page_and_the_word_file_carry_the_same_sections_headings_and_figures(campaign, key: str) -> None:
    """Both are written from one view: the Word file read back says what the page says, section by section,
    with the same tables cell for cell (结果公示 included, which the Word file once left out)."""
    view, page = _bulletin(campaign, key)
    document = Document(io.BytesIO(bulletin_docx(view)))
    page_headings = re.findall(r"^#{2,3} (.+)$", page, re.M)
    word_headings = [p.text for p in document.paragraphs
                     if p.runs and p.runs[0].font.name in (wordfile.HEADING_FONT, wordfile.SUBHEADING_FONT)]
    assert word_headings == page_headings == [s.heading for s in view.sections]
    assert page_headings[:2] == ["一、总体情况", "二、部门排名"] and "五、本月督查情况" in page_headings
    word_tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert word_tables[:-1] == _page_tables(page)  # the last is the 版记, which only the Word file has
    assert word_tables[-1][-1] == [campaign.portal.office, f"{cn_date(view.cut)}印发"]
    texts = "\n".join(p.text for p in document.paragraphs)
    city = next(b for b in site_of(campaign).bulletins if b.key == key).report.city
    for said in (f"结果公示 {city.notices} 个", f"销号率 {city.closure_rate * 100:.1f}%", "本月督查、明察暗访等记录"):
        assert said in texts and said in page
    overview = _page_tables(page)[0]
    assert [row[0] for row in overview[1:]] == ["问题总数", "已销号", "逾期", "红灯", "黄灯", "超期未更新"]


def test_the_word_bulletin_is_the_same_bytes_on_every_build(campaign) -> None:
    view, _ = _bulletin(campaign, "2026-09")
    assert bulletin_docx(view) == bulletin_docx(view)


def _feeds(campaign, history=None) -> dict[str, bytes]:
    feeds = families.outputs(site_of(campaign, history=history), [families.BY_NAME["feeds"]])
    return {o.path: o.data for o in feeds if isinstance(o, File)}


def test_the_feeds_are_atom_with_stable_unique_ids_and_ledger_dates(ledger, campaign) -> None:
    feeds = _feeds(campaign)
    assert set(feeds) == {urls.FEED, *(urls.department_feed(d.id) for d in campaign.departments)}
    for path, data in feeds.items():
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        assert root.tag == f"{ATOM}feed", path
        for name in ("id", "title", "updated"):
            assert root.find(f"{ATOM}{name}") is not None, (path, name)
        assert root.find(f"{ATOM}author/{ATOM}name") is not None
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
        updated = [dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in entries]
        assert all(u.tzinfo is not None and u.date() <= AS_OF for u in updated)
        assert updated == sorted(updated, reverse=True)  # newest first
        assert dt.datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == max(updated)
        for entry in entries:
            assert entry.findtext(f"{ATOM}title") and entry.find(f"{ATOM}link").get("href")
    city = etree.fromstring(feeds[urls.FEED])
    titles = [e.findtext(f"{ATOM}title") for e in city.findall(f"{ATOM}entry")]
    assert "〔2026〕第 10 期 2026年10月问题整改工作通报" in titles
    assert not any("2026年11月" in t and "通报" in t for t in titles)  # the month in progress is not announced yet
    links = [e.find(f"{ATOM}link").get("href") for e in city.findall(f"{ATOM}entry")]
    assert "reports/monthly/2026-10/" in links

    # a later build announces the same bulletin under the same id
    earlier = etree.fromstring(_feeds(campaign_of(ledger, dt.date(2026, 11, 5)))[urls.FEED])
    ids = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in earlier.findall(f"{ATOM}entry")}
    now = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in city.findall(f"{ATOM}entry")}
    assert ids["〔2026〕第 10 期 2026年10月问题整改工作通报"] == now["〔2026〕第 10 期 2026年10月问题整改工作通报"]


def test_the_city_feed_carries_the_snapshot_digests_and_the_history_notice(campaign) -> None:
    """Each weekly snapshot's SHA-256 (subscribers keep an outside copy of the chain), and a 历史记录变更公示 entry
    once the history check finds a published past that the ledger no longer gives."""
    import hashlib

    from generator.derivation.snapshot import Discrepancy, HistoryCheck

    names = ("2026-W46.json", "2026-W47.json")
    digests = tuple((n, hashlib.sha256((ROOT / "snapshots" / n).read_bytes()).hexdigest()) for n in names)
    weeks = (("2026-W46", dt.date(2026, 11, 15)), ("2026-W47", dt.date(2026, 11, 22)))
    intact = HistoryCheck(weeks=weeks, discrepancies=(), digests=digests)
    feed = etree.fromstring(_feeds(campaign, intact)[urls.FEED])
    summaries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") for e in feed.findall(f"{ATOM}entry")}
    assert summaries["每周快照：2026年第 47 周（11月16日—11月22日）"].endswith(digests[1][1])
    assert "历史记录变更公示" not in summaries
    rewritten = HistoryCheck(weeks=weeks, digests=digests, discrepancies=(
        Discrepancy("2026-W46", "2026-W46.json", "JT-2025-002", "percent", "90", "95"),))
    feed = etree.fromstring(_feeds(campaign, rewritten)[urls.FEED])
    notice = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "历史记录变更公示")
    assert notice.find(f"{ATOM}link").get("href") == "history/" and "1 个问题" in notice.findtext(f"{ATOM}summary")


def test_the_word_bulletin_declares_the_official_layout_where_word_reads_it(campaign) -> None:
    """What Word and LibreOffice lay out from (checked as printed in test_bulletin_print.py where LibreOffice is
    installed): fixed 28.95 pt lines with no space after paragraphs, tables within the type area with a header row
    repeated on each page and rows that never split, a PAGE field in odd and even footers at the outer edge."""
    view, _ = _bulletin(campaign, "2026-10")
    document = Document(io.BytesIO(bulletin_docx(view)))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    spacing = document.styles["Normal"].element.pPr.find(f"{w}spacing")
    assert (spacing.get(f"{w}line"), spacing.get(f"{w}lineRule"), spacing.get(f"{w}after")) == ("579", "exact", "0")
    type_width = round((210 - 28 - 26) / 25.4 * 1440)
    for table in document.tables[:-1]:
        grid = [int(c.get(f"{w}w")) for c in table._tbl.tblGrid.findall(f"{w}gridCol")]
        assert sum(grid) <= type_width, grid
        assert len(set(grid)) > 1, grid  # sized to what they hold, not equal columns
        rows = table._tbl.findall(f"{w}tr")
        assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None
        assert all(r.find(f"{w}trPr/{w}cantSplit") is not None for r in rows)
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and f'w:jc w:val="{side}"' in xml and "— " in xml


def test_a_table_too_wide_for_any_size_still_fits_the_type_area() -> None:
    from generator.rendering.bulletinview import Column, Piece, Table

    table = Table(tuple(Column(f"第{n}项指标", True) for n in range(30)), ((Piece("100.0%"),) * 30,))
    size, widths = wordfile._layout(table)
    assert size == wordfile.TABLE_SIZES[-1] and sum(widths) <= wordfile.TYPE_WIDTH.twips
