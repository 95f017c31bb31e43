"""The bulletin as the issuing office prints it: the Word file rendered to PDF by LibreOffice and read back
with pypdf, as GB/T 9704-2012 lays an official document out (tables within the type area, header rows on
every page a table runs onto, no row split across pages, "— 1 —" at the outer foot, fixed line spacing, the
版记 at the foot of the last page).

Skipped with a message where LibreOffice (soffice) is missing; in CI (CI=true) they must run.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from generator.derivation.campaign import campaign_of
from generator.rendering.bulletinview import Piece, Table
from generator.rendering.markup import cn_date
from generator.rendering.wordfile import bulletin_docx
from generator.validation.report import validate

from .conftest import AS_OF, ROOT
from .test_bulletin_files import _bulletin

SOFFICE = shutil.which("soffice")
A4 = (595, 842)  # pt
MM = 72 / 25.4


@pytest.fixture(scope="module")
def campaign():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid()
    return campaign_of(report.ledger, AS_OF)


@pytest.fixture(scope="module")
def to_pdf(tmp_path_factory: pytest.TempPathFactory):
    """A function from a .docx's bytes to its pages as LibreOffice prints them (pypdf pages)."""
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI=true but LibreOffice is missing: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed (soffice); the Word bulletin's PDF tests are skipped. "
                    "Install: apt-get install libreoffice-writer-nogui poppler-utils")
    work = tmp_path_factory.mktemp("pdf")
    profile = (work / "profile").as_uri()  # its own profile: other soffice processes may be running

    def convert(data: bytes, name: str) -> list[pypdf.PageObject]:
        source = work / f"{name}.docx"
        source.write_bytes(data)
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(source)], check=True, capture_output=True, timeout=180)
        return list(pypdf.PdfReader(io.BytesIO((work / f"{name}.pdf").read_bytes())).pages)

    return convert


def _text(page: pypdf.PageObject) -> str:
    return page.extract_text()


def _squeezed(text: str) -> str:
    """Text without spaces, line ends or quotes (pypdf gives quotes and arrows out of order)."""
    return re.sub(r"[\s“”\"→]", "", text)


def _pieces(page: pypdf.PageObject) -> list[tuple[float, float, float, str]]:
    """Every run of text on a page as (x, y, font size, text)."""
    out = []

    def seen(text, cm, tm, font, size):
        if text.strip():
            out.append((tm[4], tm[5], size, text.strip()))
    page.extract_text(visitor_text=seen)
    return out


def _cycle_name(n: int) -> str:
    """The n-th name of the sixty-year cycle (甲子, 乙丑, ...) and 局: distinct names without figures, which
    LibreOffice would set apart with a space."""
    return "甲乙丙丁戊己庚辛壬癸"[n % 10] + "子丑寅卯辰巳午未申酉戌亥"[n % 12] + "局"


def _lines(page: pypdf.PageObject) -> list[tuple[float, str]]:
    """The page's lines as (y, text without spaces), top to bottom: runs on one baseline, left to right."""
    rows: dict[float, list] = {}
    for x, y, _, text in _pieces(page):
        rows.setdefault(round(y), []).append((x, text))
    return [(y, _squeezed("".join(t for _, t in sorted(rows[y])))) for y in sorted(rows, reverse=True)]


def _long_ranking(view, count: int = 40):
    """The view with a ranking of `count` departments (a city larger than the sample), named 甲子局, 乙丑局..."""
    sections = []
    for section in view.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Table) and block.css == "rc-ranking":
                rows = tuple((Piece(str(n)), Piece(_cycle_name(n)), *block.rows[n % len(block.rows)][2:])
                             for n in range(1, count + 1))
                block = dataclasses.replace(block, rows=rows)
            blocks.append(block)
        sections.append(dataclasses.replace(section, blocks=tuple(blocks)))
    return dataclasses.replace(view, sections=tuple(sections))


def test_a_long_ranking_repeats_its_header_on_every_page_and_keeps_each_row_whole(campaign, to_pdf) -> None:
    view, _ = _bulletin(campaign, "2026-10")
    long = _long_ranking(view)
    pages = to_pdf(bulletin_docx(long), "ranking")
    ranking = next(b for s in long.sections for b in s.blocks if isinstance(b, Table) and b.css == "rc-ranking")
    spanned = [i for i, page in enumerate(pages) if re.search(r"^\d+ ..局 ", _text(page), re.M)]
    assert len(spanned) >= 2, "the test needs a ranking that runs onto a second page"
    for index in spanned:
        lines = _text(pages[index]).splitlines()
        first_row = next(n for n, line in enumerate(lines) if re.match(r"\d+ ..局 ", line))
        heading = _squeezed("".join(lines[max(0, first_row - 3):first_row]))
        assert "名次部门得分" in heading and heading.endswith("符合度"), \
            f"page {index + 1}: the ranking's rows are not under its header row: {lines[:first_row]}"
    found = {}
    for index in spanned:
        for line in _text(pages[index]).splitlines():
            if match := re.match(r"\d+ (..局) ", line):
                found[match[1]] = line.split()
    # every row on one line of one page: no cell wrapped ("100.0/%", "发展改/革"), no row split across pages
    assert found == {row[1].text: [p.text for p in row] for row in ranking.rows}


def test_the_word_bulletin_prints_as_an_official_document(campaign, to_pdf) -> None:
    view, _ = _bulletin(campaign, "2026-10")
    pages = to_pdf(bulletin_docx(view), "bulletin")
    texts = [_text(page) for page in pages]
    assert 3 <= len(pages) <= 8
    for number, page in enumerate(pages, start=1):
        assert tuple(round(float(v)) for v in page.mediabox.upper_right) in (A4, (595, 841), (596, 842))
        # "— 1 —" under the type area, at the outer edge: right on odd pages, left on even ones
        mark = [p for p in _pieces(page) if re.fullmatch(rf"—\s*{number}\s*—", p[3]) or p[3] == str(number)]
        assert mark, f"no page number on page {number}"
        x, y = mark[-1][0], mark[-1][1]
        assert y < 35 * MM - 7 * MM + 2, f"page {number}: the number is not under the type area ({y:.0f} pt)"
        assert (x > A4[0] / 2) == (number % 2 == 1), f"page {number}: the number is not at the outer edge ({x:.0f})"
    # fixed line spacing: body lines (三号, 16 pt) stand 28.95 pt apart, 22 to the type area
    gaps = []
    for page in pages:
        rows = sorted({round(y, 1) for x, y, size, _ in _pieces(page) if round(size) == 16}, reverse=True)
        gaps += [a - b for a, b in zip(rows, rows[1:], strict=False) if a - b < 40]  # lines of one run of text
    assert len(gaps) >= 10 and all(g == pytest.approx(28.95, abs=0.3) for g in gaps), gaps
    # the ranking within the type area, its names and figures whole
    squeezed = [_squeezed(t) for t in texts]
    for row in ("1发展改革81.43+3.76275.0%50.0%100.0%100.0%100.0%89.3%", "9农业农村51.10-4.03940.0%12.5%87.5%"):
        assert any(row in s for s in squeezed), f"a ranking row is broken up: {row}"
    # 挂牌督办: every row (its title runs over lines) whole on one page, the header over it on each page
    marks = next(b for s in view.sections for b in s.blocks if isinstance(b, Table) and b.css.endswith("rc-marks"))
    carrying = set()
    for row in marks.rows:
        whole = _squeezed("".join(p.text for p in row))
        on = [i for i, s in enumerate(squeezed) if row[1].text in s]
        assert len(on) == 1 and _squeezed("".join(p.text for p in row[1:4])) in squeezed[on[0]], \
            f"{row[1].text} is split across pages or broken"
        assert whole.replace(row[0].text, "", 1)[:8] in squeezed[on[0]]
        carrying.add(on[0])
    for index in carrying:
        assert "亮灯编号问题牵头部门" in squeezed[index], f"page {index + 1} of 挂牌督办 has no header row"
    # the 版记 at the foot of the last page: 抄送, then the office and the date it was issued, between rules
    last = squeezed[-1]
    assert "抄送：" in last and last.index("抄送：") < last.index(f"{_squeezed(view.office)}{cn_date(view.cut)}印发")
    lines = _lines(pages[-1])
    foot = [y for y, text in lines if text == f"{_squeezed(view.office)}{cn_date(view.cut)}印发"]
    signature = [y for y, text in lines if text == _squeezed(view.office)]
    assert foot and foot[0] < 35 * MM + 30, f"the 版记 is not at the foot of the last page ({foot})"
    assert signature and signature[0] > foot[0]


def test_where_libreoffice_is_missing_the_tests_say_how_to_install_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for packages in ("libreoffice-writer-nogui", "poppler-utils"):
        assert packages in readme and packages in run
    assert "command -v soffice" in run  # a machine without LibreOffice installs it before the tests



# ---------------------------------------------------------------- the web bulletin printed by the browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    """The 2026-10 bulletin page printed to A4 by Chromium with the site's print stylesheet: the pages of the
    PDF (pypdf) and the widths of the page's tables as printed."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI=true but Chromium is missing: apt-get install chromium fonts-wqy-microhei")
        pytest.skip("Chromium is not installed (/usr/bin/chromium); the printed bulletin is not tested. "
                    "Install: apt-get install chromium fonts-wqy-microhei")
    from playwright.sync_api import sync_playwright

    from .sitebuild import build_site, serve

    work = tmp_path_factory.mktemp("portal")
    server = serve(work / "site")
    address = f"http://127.0.0.1:{server.server_address[1]}"
    build_site(ROOT / "ledgers", work, AS_OF, site_url=address + "/")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 718, "height": 1000})  # A4's printable width at 96 dpi
            page.goto(address + "/reports/monthly/2026-10/", wait_until="networkidle")
            page.emulate_media(media="print")
            widths = page.evaluate("""() => [...document.querySelectorAll('article table')].map(t =>
                [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right,
                 document.querySelector('article').getBoundingClientRect().right])""")
            pdf = page.pdf(format="A4", print_background=True)
            browser.close()
    finally:
        server.shutdown()
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages), widths


def test_the_printed_web_bulletin_repeats_table_headers_keeps_rows_whole_and_drops_the_chrome(campaign,
                                                                                               printed) -> None:
    pages, widths = printed
    view, _ = _bulletin(campaign, "2026-10")
    assert widths and all(scroll <= client + 1 and right <= article + 1 for scroll, client, right, article in widths), \
        f"a table is wider than the printed page: {widths}"
    squeezed = [_squeezed(page.extract_text()) for page in pages]
    for page in pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) in ((595, 842), (596, 843))
    marks = next(b for s in view.sections for b in s.blocks if isinstance(b, Table) and b.css.endswith("rc-marks"))
    carrying = set()
    for row in marks.rows:
        title = _squeezed(row[2].text)
        on = [i for i, s in enumerate(squeezed) if title in s]
        assert len(on) == 1 and row[1].text in squeezed[on[0]], f"{row[1].text} is split across pages"
        carrying.add(on[0])
    assert len(carrying) >= 2, "the test needs the 挂牌督办 table to run onto a second page"
    for index in carrying:  # the headings on each page, with their text (not blank boxes)
        assert "亮灯编号问题牵头部门" in squeezed[index], f"printed page {index + 1} has 挂牌督办 rows without headings"
    whole = "".join(squeezed)
    for chrome in ("主办：", "联系与反映问题", "部门填报指南", _squeezed(campaign.portal.title), "全部督查通报"):
        assert chrome not in whole, f"the printed bulletin carries the site's {chrome}"
    assert "问题整改工作通报" in squeezed[0] and _squeezed(view.office) in squeezed[-1]
