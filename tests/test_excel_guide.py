"""用 Excel 填报进展, the guide for clerks without git: every department's working sheet and upload folder, the
entry types as the sheet reads them, and messages that are the import's own words, not a paraphrase."""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

from openpyxl import load_workbook

from generator.derivation.campaign import campaign_of
from generator.loading import layout
from generator.loading.ledger import load_ledger
from generator.model import excel
from generator.rendering import urls

from .conftest import AS_OF, ROOT
from .test_cli import rectify

TODAY = "2026-12-01"  # a week after the sheet's as-of date: the rows below are dated in between
DEPARTMENT = "ecology-env"

# The rows the guide's example messages come from, filled as a clerk would: (row, {heading: value}).
FILLED = (
    (20, {"日期": "2026-11-27", "记录类型": "延期", "新完成时限": "2027-04-30", "延期理由": "资金未到位。"}),
    (15, {"日期": "11月27日", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 75, "内容": "完成第二季作物采样。"}),
    (14, {"日期": "2026-11-26", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 120, "内容": "完成评估。"}),
    (32, {"日期": "2026-12-15", "记录类型": "整改进展", "所处步骤": "制定方案", "完成度（%）": 20, "内容": "方案已印发。"}),
    (29, {"日期": "2026-11-28", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 80,
          "内容": "现场核查，联系人13812345678。"}),
    (22, {"日期": "2026-11-26", "记录类型": "调整", "调整的内容": "整改目标", "调整前": "原目标", "调整后": "新目标",
          "批准或审核单位": "市问题整改工作专班"}),
)


def guide(docs: Path) -> str:
    return (docs / urls.EXCEL_GUIDE).read_text(encoding="utf-8")


def test_the_guide_links_each_department_s_working_sheet_and_names_its_upload_folder(sample_docs: Path) -> None:
    text = guide(sample_docs)
    departments = campaign_of(load_ledger(ROOT / "ledgers"), AS_OF).departments
    assert departments
    for department in departments:
        link = urls.relative(urls.working_sheet(department.id), posixpath.dirname(urls.EXCEL_GUIDE))
        row = next(line for line in text.splitlines() if line.startswith(f"| {department.name} |"))
        assert f"]({link})" in row and f"`{layout.SUBMISSIONS}/{department.id}/`" in row
        assert (sample_docs / urls.working_sheet(department.id)).is_file()


def test_the_guide_is_reached_from_the_filing_guide_the_footer_and_each_department_page(sample_docs: Path) -> None:
    assert f"]({urls.EXCEL_GUIDE})" in (sample_docs / urls.GUIDE).read_text(encoding="utf-8")
    assert f"]({urls.EXCEL_GUIDE})" in (sample_docs / urls.HOME).read_text(encoding="utf-8")  # the footer
    page = (sample_docs / urls.department(DEPARTMENT)).read_text(encoding="utf-8")
    download = next(line for line in page.splitlines() if "下载本部门填报表" in line)
    assert f"](../{urls.EXCEL_GUIDE})" in download


def test_each_entry_type_needs_the_columns_the_import_reads(sample_docs: Path) -> None:
    rows = {r["label"]: r for r in excel.working_entry_rows()}
    assert list(rows) == list(excel.ENTRY_TYPES)
    assert rows["整改进展"]["required"] == ["所处步骤", "完成度（%）", "内容"] and rows["整改进展"]["optional"] == ["佐证材料"]
    assert rows["延期"]["required"] == ["新完成时限", "延期理由", "批准或审核单位"] and rows["延期"]["optional"] == ["文号"]
    assert rows["销号"]["required"] == ["内容", "批准或审核单位", "文号"]
    assert "调整前" in rows["调整"]["required"] and "回头看结论" in rows["回头看"]["required"]
    text = guide(sample_docs)
    for label, row in rows.items():
        assert f"| {label} | {'、'.join(row['required'])} |" in text


def _import_messages(capsys, tmp_path: Path) -> list[str]:
    """The import's lines for a working sheet filled with FILLED and one commitment changed in the department
    sheet, as the pull request's check reports them (the file is named 填报表.xlsx there too)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    sheet = tmp_path / "填报表.xlsx"
    code, out, err = rectify(capsys, "export", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ROOT / "ledgers"),
                             "--as-of", AS_OF.isoformat(), "--today", AS_OF.isoformat())
    assert code == 0, out + err
    book = load_workbook(sheet)
    working = book[excel.WORKING_SHEET]
    headings = [c.value for c in working[excel.WORKING_NOTE_ROWS + 1]]
    for row, cells in FILLED:
        for heading, value in cells.items():
            working.cell(row=row, column=headings.index(heading) + 1).value = value
    department = book[book.sheetnames[1]]
    department_headings = [c.value for c in department[2]]
    target = next(i for i, h in enumerate(department_headings, start=1) if h and h.startswith("整改目标"))
    row = next(r[0].row for r in department.iter_rows(min_row=3) if r[0].value == "STHJ-2026-001")
    department.cell(row=row, column=target).value = "年底前完成河道清淤，水质稳定达到Ⅳ类。"
    book.save(sheet)
    code, out, err = rectify(capsys, "import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ROOT / "ledgers"),
                             "--today", TODAY, "--dry-run")
    assert code == 1  # the errors above
    return (out + err).splitlines()


def _imported_twice(capsys, tmp_path: Path) -> list[str]:
    """A sheet with one whole extension row imported into a copy of the ledger, then the same sheet again: the
    second import's lines. It must write nothing."""
    ledgers = tmp_path / "ledgers"  # copytree makes tmp_path too
    shutil.copytree(ROOT / "ledgers", ledgers)
    sheet = tmp_path / "填报表.xlsx"
    assert rectify(capsys, "export", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ledgers),
                   "--as-of", AS_OF.isoformat(), "--today", AS_OF.isoformat())[0] == 0
    book = load_workbook(sheet)
    working = book[excel.WORKING_SHEET]
    headings = [c.value for c in working[excel.WORKING_NOTE_ROWS + 1]]
    for heading, value in {"日期": "2026-11-26", "记录类型": "延期", "新完成时限": "2027-03-31", "延期理由": "冬季低温无法施工。",
                           "批准或审核单位": "市问题整改工作专班"}.items():
        working.cell(row=19, column=headings.index(heading) + 1).value = value
    book.save(sheet)
    args = ("import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ledgers), "--today", TODAY)
    code, out, err = rectify(capsys, *args)
    assert code == 0 and "台账中已有的问题：1 个已追加 1 条记录" in out, out + err
    before = {p: p.read_bytes() for p in ledgers.rglob("*.yml")}
    code, out, err = rectify(capsys, *args)
    assert code == 0 and "台账中已有的问题没有新的记录" in out, out + err
    assert {p: p.read_bytes() for p in ledgers.rglob("*.yml")} == before
    return (out + err).splitlines()


def test_the_messages_the_guide_quotes_are_the_import_s_own(capsys, sample_docs: Path, tmp_path: Path) -> None:
    # the cell's code may sit in a <span class="rc-nowrap"> that keeps it on one line
    cell = r'(?:<span class="rc-nowrap">)?`([^`]+)`(?:</span>)?'
    quoted = re.findall(rf"^\| {cell} \| ((?:错误|提醒) [^|]+) \|", guide(sample_docs), re.MULTILINE)
    assert len(quoted) >= 6
    lines = _import_messages(capsys, tmp_path / "errors") + _imported_twice(capsys, tmp_path / "twice")
    for where, message in quoted:
        # the guide shortens a long quotation of the ledger to （…）
        pattern = re.escape(f"填报表.xlsx:{where}: {message}").replace(re.escape("（…）"), "（.*?）")
        assert any(re.fullmatch(pattern, line) for line in lines), (where, message, lines)


def test_a_missing_cell_is_named_by_the_column_of_its_entry_type(capsys, tmp_path: Path) -> None:
    # `reason` is 延期理由 in an extension and 调整理由 in a revision: a revision without one names 调整理由, at Z
    lines = _import_messages(capsys, tmp_path)
    assert "填报表.xlsx:本旬进展!Z22: 错误 STHJ-2025-005：调整理由没有填写；调整记录须填写这一栏。这一条没有导入。" in lines
    assert not any("延期理由" in line for line in lines)
