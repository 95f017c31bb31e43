"""The monthly bulletin as a Word document laid out like an official document, because offices forward bulletins
as Word files: A4, margins and fonts in the spirit of GB/T 9704 (党政机关公文格式), made with python-docx. It walks
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
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from .bulletinview import BulletinView, Paragraph, Table
from .markup import cn_date

# GB/T 9704-2012: 天头 37 mm, 下白边 35 mm, 订口 28 mm, 翻口 26 mm; body 3号仿宋, title 2号小标宋.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_FONT, BODY_SIZE = "仿宋_GB2312", Pt(16)  # 三号
TITLE_FONT, TITLE_SIZE = "方正小标宋简体", Pt(22)  # 二号
HEADING_FONT = "黑体"  # 一、
SUBHEADING_FONT = "楷体_GB2312"  # the parts of a section
TABLE_SIZE = Pt(10.5)  # 五号: a ranking of eleven columns fits the type area
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
    normal.paragraph_format.line_spacing = Pt(28)  # 22 lines of 28 characters, as the standard's type area
    # the tables' cells: a paragraph style, not fonts set run by run (python-docx's per-run properties cost
    # milliseconds each, and a ranking of twenty departments has two hundred cells)
    cell_style = document.styles.add_style("通报表格", WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = normal
    cell_style.font.size = TABLE_SIZE
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
        _paragraph(document, part.heading, HEADING_FONT if part.level == 2 else SUBHEADING_FONT, BODY_SIZE,
                   WD_ALIGN_PARAGRAPH.LEFT)
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
    """A table of the view: its note, then its column headings and rows (or what is said when it has none)."""
    if table.note is not None:
        _body(document, table.note.text)
    if not table.rows and table.empty is not None:
        _body(document, table.empty)
        return
    width = len(table.columns)
    grid = document.add_table(rows=1 + len(table.rows), cols=width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = grid._cells  # every cell, row by row, listed once
    for cell, heading in zip(cells, table.headings, strict=False):
        _cell(cell, heading, style, bold=True)
    for index, row in enumerate(table.rows, start=1):
        for cell, piece in zip(cells[index * width:], row, strict=False):
            _cell(cell, piece.text, style, struck=piece.struck)


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
