"""The monthly bulletin as a Word document laid out as an official document, because offices forward bulletins
as Word files: GB/T 9704-2012 (党政机关公文格式), made with python-docx. A4, the standard's margins, fixed line
spacing (22 lines of 28 characters), page numbers "— 1 —" at the outer foot, a 版记 between rules at the end,
and tables that fit the type area with sized columns, repeat their header row and never split a row. It walks
the bulletin's view (bulletinview.py), as the page does, so the two say the same.

Deterministic: the document's dates are the bulletin's, and the zip entries carry a fixed timestamp, so the
same ledger gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips

from .bulletinview import BulletinView, Paragraph, Table
from .markup import cn_date

# GB/T 9704-2012: 天头 37 mm, 下白边 35 mm, 订口 28 mm, 翻口 26 mm; body 3号仿宋, title 2号小标宋.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TYPE_WIDTH = Mm(210 - 28 - 26)  # the type area (版心), 156 mm
LINE_PITCH = Twips(579)  # 28.95 pt: the type area's 225 mm hold 22 lines (5.2.1 of the standard)
BODY_FONT, BODY_SIZE = "仿宋_GB2312", Pt(16)  # 三号
TITLE_FONT, TITLE_SIZE = "方正小标宋简体", Pt(22)  # 二号
HEADING_FONT = "黑体"  # 一、
SUBHEADING_FONT = "楷体_GB2312"  # the parts of a section
NOTE_SIZE = Pt(14)  # 四号: the page numbers and the 版记
PAGE_NUMBER_FONT = "宋体"  # 7.5: 4号半角宋体阿拉伯数字, an em dash (一字线) either side
# Tables: 五号, or smaller where a table's unbreakable cells would not fit the type area at 五号
TABLE_SIZES = (Pt(10.5), Pt(9), Pt(7.5))  # 五号, 小五, 六号
CELL_MARGIN = Twips(57)  # 1 mm either side of a cell's text
TEXT_CAP = 8  # a column of text (titles, reasons) may wrap at this many characters; names and figures never do
RED = RGBColor(0xC0, 0x00, 0x00)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def bulletin_docx(view: BulletinView) -> bytes:
    """The bulletin's view (bulletinview.py) as a Word document: the page's sections, headings, paragraphs and
    tables, under the issuing office's masthead."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, BODY_SIZE)
    body = normal.paragraph_format
    body.line_spacing = LINE_PITCH  # exact: 22 lines a page whatever the font
    body.space_before = body.space_after = Pt(0)  # the template's 10 pt after each paragraph breaks the grid
    body.widow_control = False  # the grid counts lines; Word's widow control would leave pages a line short
    _page_numbers(document, section)
    # the tables' cells: a paragraph style, not fonts set run by run (python-docx's per-run properties cost
    # milliseconds each, and a ranking of twenty departments has two hundred cells)
    cell_style = document.styles.add_style("通报表格", WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = normal
    cell_style.font.size = TABLE_SIZES[0]
    cell_style.paragraph_format.line_spacing = 1.0
    cell_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    issued = view.cut
    # 版头: the issuing mark in red, the number, then the office and date over a red rule
    _paragraph(document, "问题整改工作通报", TITLE_FONT, Pt(36), WD_ALIGN_PARAGRAPH.CENTER, colour=RED)
    _paragraph(document, view.number_text, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    masthead = _paragraph(document, f"{view.office}\t{cn_date(issued)}", BODY_FONT, Pt(14), WD_ALIGN_PARAGRAPH.LEFT)
    masthead.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right-aligned at the type area's edge
    _red_rule(masthead)
    _paragraph(document, "", BODY_FONT, BODY_SIZE)
    _paragraph(document, view.title, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    if view.in_progress:
        _paragraph(document, f"（本月尚未结束，数据截至{cn_date(view.cut)}，为阶段性数据）", BODY_FONT, BODY_SIZE,
                   WD_ALIGN_PARAGRAPH.CENTER)

    for part in view.sections:
        heading = _paragraph(document, part.heading, HEADING_FONT if part.level == 2 else SUBHEADING_FONT, BODY_SIZE,
                             WD_ALIGN_PARAGRAPH.LEFT)
        heading.paragraph_format.keep_with_next = True  # never alone at a page's foot
        for block in part.blocks:
            if isinstance(block, Paragraph):
                _body(document, block.text)
            elif isinstance(block, Table):
                _table(document, block, cell_style)
            else:
                for item in block.items:
                    _body(document, "".join(piece.text for piece in item))
                if not block.items:
                    _body(document, block.empty)

    _paragraph(document, "", BODY_FONT, BODY_SIZE)
    _paragraph(document, view.office, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, cn_date(issued), BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    _colophon(document, view)

    moment = dt.datetime.combine(issued, dt.time())
    properties = document.core_properties
    properties.title = view.title
    properties.subject = view.number_text
    properties.author = view.office
    properties.last_modified_by = view.office
    properties.created = properties.modified = moment
    properties.revision = 1
    properties.comments = ""
    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _table(document, table: Table, style) -> None:
    """A table of the view: its note, then its column headings and rows (or what is said when it has none), as
    one piece of XML: the type area's width divided among sized columns (figures narrow, names wide), the header
    row repeated on every page the table runs onto, no row split across pages."""
    if table.note is not None:
        _body(document, table.note.text)
    if not table.rows and table.empty is not None:
        _body(document, table.empty)
        return
    size, widths = _layout(table)
    wraps = [_wraps(table, index) for index in range(len(table.columns))]
    border = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    xml = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           f'<w:tblCellMar><w:left w:w="{CELL_MARGIN.twips}" w:type="dxa"/>'
           f'<w:right w:w="{CELL_MARGIN.twips}" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>',
           *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    # the header row keeps with the first row, so it never sits alone at a page's foot
    xml.append(_row([(h, False) for h in table.headings], widths, [False] * len(widths), style, size, header=True))
    for row in table.rows:
        xml.append(_row([(piece.text, piece.struck) for piece in row], widths, wraps, style, size))
    xml.append("</w:tbl>")
    document.element.body.sectPr.addprevious(parse_xml("".join(xml)))


def _row(cells, widths, wraps, style, size, header: bool = False) -> str:
    """A table row's XML: each cell's width, a paragraph in the cells' style, the text bold in the header."""
    out = ['<w:tr><w:trPr><w:cantSplit/>' + ('<w:tblHeader/>' if header else '') + '</w:trPr>']
    sized = "" if size == TABLE_SIZES[0] else f'<w:sz w:val="{int(size.pt * 2)}"/><w:szCs w:val="{int(size.pt * 2)}"/>'
    for (text, struck), width, wrap in zip(cells, widths, wraps, strict=False):
        properties = ("<w:b/>" if header else "") + ("<w:strike/>" if struck else "") + sized
        paragraph = (f'<w:pPr><w:pStyle w:val="{escape(style.style_id)}"/>' + ("<w:keepNext/>" if header else "")
                     + ('<w:jc w:val="left"/>' if wrap and not header else "") + "</w:pPr>")
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                   f'<w:p>{paragraph}<w:r>' + (f"<w:rPr>{properties}</w:rPr>" if properties else "")
                   + f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>')
    out.append("</w:tr>")
    return "".join(out)


def _ems(text: str) -> float:
    """The width of `text` in ems: a Chinese character (or full-width sign) one, a Latin letter, digit or sign
    half, as the GB fonts draw them. Measured wider (and % as a whole em): where the 仿宋 font is missing, Latin
letters and figures fall back to a font whose digits are 0.6 em wide, and a figure must still not wrap."""
    return sum(1.0 if ord(c) > 0x2E7F or c in "—…“”‘’→%" else 0.62 for c in text)


def _wraps(table: Table, index: int) -> bool:
    """Whether column `index` holds running text (a title, a reason), which may wrap, rather than names, figures
    and problem numbers: Chinese longer than TEXT_CAP characters."""
    texts = [row[index].text for row in table.rows if len(row) > index]
    return not table.columns[index].numeric and any(_ems(t) > TEXT_CAP and any(ord(c) > 0x2E7F for c in t)
                                                    for t in texts)


def _layout(table: Table) -> tuple[Pt, list[int]]:
    """The font size and column widths (twips) of a table within the type area. Each column needs its widest
    name or figure whole (running text may wrap at TEXT_CAP characters, a heading into three lines); what is
    left of the width goes to the columns that would use it, most to the longest texts. At 五号 if the needs
    fit, else at the first smaller size where they do."""
    available = TYPE_WIDTH.twips
    padding = 2 * CELL_MARGIN.twips + 20  # the cell's margins and its borders
    for size in TABLE_SIZES:
        em = size.twips
        needs, wants = [], []
        for index, column in enumerate(table.columns):
            cells = [_ems(row[index].text) for row in table.rows if len(row) > index]
            widest = max(cells, default=0)
            wraps = _wraps(table, index)
            heading = _ems(column.heading)
            needs.append(int(max(min(widest, TEXT_CAP) if wraps else widest, -(-heading // 3), 2) * em) + padding)
            # running text wants its whole length (it gets most of what is left); a heading one line
            wants.append(int(max(widest, heading if not wraps else 0) * em) + padding)
        if sum(needs) <= available or size == TABLE_SIZES[-1]:
            break
    spare = available - sum(needs)
    if spare < 0:  # more columns than 六号 can hold whole: every column narrowed alike, figures wrap
        return size, [n * available // sum(needs) for n in needs]
    if sum(wants) <= available:  # everything on one line, and room to spare: share it out evenly
        return size, [w + (available - sum(wants)) // len(wants) for w in wants]
    more = [w - n for w, n in zip(wants, needs, strict=True)]
    return size, [n + spare * m // sum(more) for n, m in zip(needs, more, strict=True)]


def _page_numbers(document, section) -> None:
    """Page numbers as 7.5 of the standard lays them out: "— 1 —" in 四号 宋体 under the type area, at the
    outer edge one character in: right on odd pages, left on even ones (a PAGE field, so Word counts)."""
    document.settings.odd_and_even_pages_header_footer = True
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7) - Pt(14 * 1.3)  # the dashes 7 mm under the type area
    size = int(NOTE_SIZE.pt * 2)
    fonts = (f'<w:rPr><w:rFonts w:ascii="{PAGE_NUMBER_FONT}" w:hAnsi="{PAGE_NUMBER_FONT}" '
             f'w:eastAsia="{PAGE_NUMBER_FONT}"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')
    for footer, side, indent in ((section.footer, "right", "right"), (section.even_page_footer, "left", "left")):
        footer.is_linked_to_previous = False
        paragraph = parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Footer"/><w:spacing w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:{indent}="{NOTE_SIZE.twips}"/><w:jc w:val="{side}"/></w:pPr>'
            f'<w:r>{fonts}<w:t xml:space="preserve">— </w:t></w:r>'
            f'<w:r>{fonts}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{fonts}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            f'<w:r>{fonts}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{fonts}<w:t>1</w:t></w:r>'
            f'<w:r>{fonts}<w:fldChar w:fldCharType="end"/></w:r>'
            f'<w:r>{fonts}<w:t xml:space="preserve"> —</w:t></w:r></w:p>')
        element = footer._element
        for old in element.findall(qn("w:p")):
            element.remove(old)
        element.append(paragraph)


def _colophon(document, view: BulletinView) -> None:
    """The 版记 (7.4 of the standard): 抄送 and then the issuing office and the date it was issued (印发), in 四号
    仿宋 one character in from either side (a 抄送 line that runs on aligns after its colon), between rules as wide
    as the type area: thick first and last, thin between. A table floated to the foot of the last page's type
    area; anchored to the page's left edge, as LibreOffice floats a table as wide as the type area only then."""
    size = int(NOTE_SIZE.pt * 2)
    run = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    width, indent = TYPE_WIDTH.twips, NOTE_SIZE.twips
    issued = cn_date(view.cut) + "印发"
    dated = int((_ems(issued) + 1.5) * indent) + indent  # the date whole, and the gaps between Han and figures
    copied = f"抄送：{'，'.join(view.copied_to)}。" if view.copied_to else ""

    def cell(text: str, cell_width: int, side: str, span: int = 1, hanging: int = 0, left: int = indent,
             right: int = indent) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:w="{cell_width}" w:type="dxa"/>'
                + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + "</w:tcPr>"
                f'<w:p><w:pPr><w:ind w:left="{left + hanging}" w:right="{right}" w:hanging="{hanging}"/>'
                f'<w:jc w:val="{side}"/>'
                f'</w:pPr><w:r>{run}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>')

    rules = ('<w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'  # 0.35 mm
             '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
             '<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/>')  # 0.25 mm
    table = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr>'
        '<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
        f'w:vertAnchor="margin" w:tblpYSpec="bottom" w:horzAnchor="page" w:tblpX="{Mm(MARGINS_MM["left"]).twips}"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>{rules}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        f'</w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="{width - dated}"/><w:gridCol w:w="{dated}"/>'
        '</w:tblGrid>'
        + (f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell(copied, width, "left", 2, 3 * indent)}</w:tr>' if copied else "")
        + f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell(view.office, width - dated, "left", right=0)}'
        f'{cell(issued, dated, "right", left=0)}</w:tr></w:tbl>')
    document.element.body.sectPr.addprevious(table)
    document.add_paragraph()  # a document ends with a paragraph: Word and LibreOffice drop a table that ends it


def _font(font, element, name: str, size) -> None:
    font.name = name
    font.size = size
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)  # Chinese characters take the East Asian font, not `name` alone


def _paragraph(document, text: str, font: str, size, align=WD_ALIGN_PARAGRAPH.JUSTIFY, colour=None):
    """A paragraph; its run gets its own font only where it differs from the body's (Normal)."""
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(text)
        if (font, size) != (BODY_FONT, BODY_SIZE):
            _font(run.font, run._element, font, size)
        if colour is not None:
            run.font.color.rgb = colour
    return paragraph


def _body(document, text: str) -> None:
    paragraph = _paragraph(document, text, BODY_FONT, BODY_SIZE)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters


def _cell(cell, text: str, style, bold: bool = False, struck: bool = False) -> None:
    """A cell's paragraph written as XML in one piece: python-docx's element-by-element calls cost about a
    millisecond per cell, and the bulletins of two years hold thousands of cells."""
    run_properties = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:strike/>" if struck else "") + "</w:rPr>" \
        if bold or struck else ""
    paragraph = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{escape(style.style_id)}"/></w:pPr>'
                          f'<w:r>{run_properties}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')
    tc = cell._tc
    tc.replace(tc.p_lst[0], paragraph)


def _red_rule(paragraph) -> None:
    """The red line under the masthead (分隔线)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _fixed_times(data: bytes) -> bytes:
    """The same document with every zip entry dated 1980-01-01, in the same order: zipfile stamps the wall clock."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
