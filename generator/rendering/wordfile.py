"""The monthly bulletin as a Word document laid out like an official document, because offices forward bulletins
as Word files: A4, margins and fonts in the spirit of GB/T 9704 (党政机关公文格式), made with python-docx.

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

from ..derivation import revisions
from ..derivation.periods import Bulletin, ScoreInput
from ..model.schema import Department, Portal
from .markup import cn_date, pct

# GB/T 9704-2012: 天头 37 mm, 下白边 35 mm, 订口 28 mm, 翻口 26 mm; body 3号仿宋, title 2号小标宋.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_FONT, BODY_SIZE = "仿宋_GB2312", Pt(16)  # 三号
TITLE_FONT, TITLE_SIZE = "方正小标宋简体", Pt(22)  # 二号
HEADING_FONT = "黑体"
TABLE_SIZE = Pt(10.5)  # 五号: a ranking of ten columns fits the type area
RED = RGBColor(0xC0, 0x00, 0x00)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def bulletin_docx(bulletin: Bulletin, portal: Portal, departments: dict[str, Department]) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing = Pt(28)  # 22 lines of 28 characters, as the standard's type area
    # the ranking's cells: a paragraph style, not fonts set run by run (python-docx's per-run properties cost
    # milliseconds each, and a ranking of twenty departments has two hundred cells)
    cell_style = document.styles.add_style("通报表格", WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = normal
    cell_style.font.size = TABLE_SIZE
    cell_style.paragraph_format.line_spacing = 1.0
    cell_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    report = bulletin.report
    issued = report.cut
    # 版头: the issuing mark in red, the number, then the office and date over a red rule
    _paragraph(document, "问题整改工作通报", TITLE_FONT, Pt(36), WD_ALIGN_PARAGRAPH.CENTER, colour=RED)
    _paragraph(document, bulletin.number_text, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    masthead = _paragraph(document, f"{portal.office}\t{cn_date(issued)}", BODY_FONT, Pt(14), WD_ALIGN_PARAGRAPH.LEFT)
    masthead.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right-aligned at the type area's edge
    _red_rule(masthead)
    _paragraph(document, "", BODY_FONT, BODY_SIZE)
    _paragraph(document, bulletin.title, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    if report.in_progress:
        _paragraph(document, f"（本月尚未结束，数据截至{cn_date(report.cut)}，为阶段性数据）", BODY_FONT, BODY_SIZE,
                   WD_ALIGN_PARAGRAPH.CENTER)

    city = report.city
    _heading(document, "一、总体情况")
    _body(document, f"截至{cn_date(report.cut)}，全市台账共有问题 {city.total} 个，已销号 {city.closed} 个，"
                    f"销号率 {pct(city.closure_rate)}；逾期 {city.overdue} 个，亮红灯 {city.red} 个。本月新列入台账 "
                    f"{city.new} 个，记录整改进展 {city.progress} 条，销号 {city.closes} 个，批准延期 {city.extensions} 次，"
                    f"调整整改承诺 {city.revisions} 项，"
                    f"回头看发现反弹 {city.rebounds} 个。")
    if bulletin.previous is not None:
        before = bulletin.previous.city
        _body(document, f"与上月末相比，已销号问题{_change(city.closed - before.closed)}，逾期问题"
                        f"{_change(city.overdue - before.overdue)}，红灯问题{_change(city.red - before.red)}。")

    _heading(document, "二、部门排名")
    rules = report.rules.reports  # as they stood at the bulletin's cut
    weights = rules.weights.model_dump()
    _body(document, "得分 = 100 × Σ（权重 × 指标）÷ Σ 权重，各项指标为 0 到 1 之间的比例：" + "；".join(
        f"{item.label}（权重 {weights[item.value]}）" for item in ScoreInput) + "。各部门的原始数据随通报在门户公开。"
        + bulletin.rules_note)
    headers = ["名次", "部门", "得分", *(item.label for item in ScoreInput)]
    table = document.add_table(rows=1 + len(bulletin.standings), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells  # every cell, row by row, listed once
    for cell, text in zip(cells, headers, strict=False):
        _cell(cell, text, cell_style, bold=True)
    for row, standing in enumerate(bulletin.standings, start=1):
        department = departments[standing.department_id]
        values = [str(standing.rank) if standing.rank else "—", department.short or department.name,
                  f"{standing.score:.2f}" if standing.score is not None else "—",
                  *((pct(standing.inputs[item]) if standing.inputs else "—") for item in ScoreInput)]
        for cell, text in zip(cells[row * len(headers):], values, strict=False):
            _cell(cell, text, cell_style)

    _heading(document, "三、表扬和通报批评")
    praised = "、".join(departments[s.department_id].name for s in bulletin.praised) or "无"
    criticised = "、".join(departments[s.department_id].name for s in bulletin.criticised) or "无"
    _body(document, f"对得分不低于 {rules.praise_min_score} 分、月末没有逾期问题、排名前 {rules.praise_count} 位的单位"
                    f"予以表扬：{praised}。")
    _body(document, f"对得分低于 {rules.criticise_below} 分、排名最后 {rules.criticise_count} 位以内的单位予以通报批评："
                    f"{criticised}。")
    for record in bulletin.records:
        _body(document, f"{cn_date(record.date)}，{record.kind.label}：{record.title}。{record.findings}")

    _heading(document, "四、挂牌督办问题进展")
    if report.supervised:
        if len(report.supervised) > len(report.supervised.shown):
            _body(document, f"本月末共有挂牌督办问题 {len(report.supervised)} 个，以下列出其中 "
                            f"{len(report.supervised.shown)} 个（省级挂牌督办在前，按问题编号排列），全部问题见门户网站。")
        for mark in report.supervised:
            problem = mark.row.problem
            _body(document, f"{problem.id} {problem.title}（{problem.supervision.label}，{mark.row.department.name}）："
                            f"{mark.state.status.label}，{mark.state.light.label}，完成度由月初 {mark.percent_before}% "
                            f"到月末 {mark.state.percent}%，本月记录 {mark.entries} 条。")
    else:
        _body(document, "本月没有挂牌督办问题。")
    if report.revised:
        _body(document, f"本月经专班办公室审核同意调整整改承诺 {len(report.revised)} 项"
                        + (f"，以下列出其中 {len(report.revised.shown)} 项" if len(report.revised) > len(report.revised.shown) else "")
                        + "：")
        for mark in report.revised:
            entry, problem = mark.entry, mark.row.problem
            approval = entry.approved_by + (f"（{entry.document}）" if entry.document else "")
            _body(document, f"{problem.id} {problem.title}（{mark.row.department.name}）：{cn_date(entry.date)}调整{entry.field.label}，"
                            f"由“{revisions.summary(entry.field, entry.from_)}”调整为“{revisions.summary(entry.field, entry.to)}”。"
                            f"理由：{entry.reason}。{approval}同意。")

    _paragraph(document, "", BODY_FONT, BODY_SIZE)
    _paragraph(document, portal.office, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, cn_date(issued), BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)

    moment = dt.datetime.combine(issued, dt.time())
    properties = document.core_properties
    properties.title = bulletin.title
    properties.subject = bulletin.number_text
    properties.author = portal.office
    properties.last_modified_by = portal.office
    properties.created = properties.modified = moment
    properties.revision = 1
    properties.comments = ""
    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _change(delta: int) -> str:
    return f"增加 {delta} 个" if delta > 0 else f"减少 {-delta} 个" if delta < 0 else "持平"


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


def _heading(document, text: str) -> None:
    _paragraph(document, text, HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT)


def _body(document, text: str) -> None:
    paragraph = _paragraph(document, text, BODY_FONT, BODY_SIZE)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters


def _cell(cell, text: str, style, bold: bool = False) -> None:
    """A cell's paragraph written as XML in one piece: python-docx's element-by-element calls cost about a
    millisecond per cell, and the bulletins of two years hold thousands of cells."""
    run_properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
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
