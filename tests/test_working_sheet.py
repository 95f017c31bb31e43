"""A department's working workbook (`rectify export --department`, and its download on the portal): what the
clerk sees and can type into, and what the update import will read back.

Protection and data validation are read from the file's XML, as Excel applies them: a cell is locked unless
its style (its own, else its row's, else its column's) says locked="0"."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from generator.derivation.campaign import campaign_of
from generator.derivation.revisions import as_written
from generator.loading.ledger import load_ledger
from generator.model import columns, excel
from generator.rendering import urls
from generator.rendering.workbook import REVISABLE, working_workbook
from generator.spreadsheet.reading import column_letter, find_heading_row, read_workbook
from generator.validation.report import validate

from .conftest import AS_OF, ROOT
from .test_cli import rectify

DATE = AS_OF.isoformat()
DEPARTMENT = "ecology-env"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HEADING_ROW = excel.WORKING_NOTE_ROWS  # 0-based
FIRST_ROW = HEADING_ROW + 1
ENTRY_AT = len(excel.WORKING_CONTEXT)  # the first entry column (日期)


@pytest.fixture(scope="module")
def campaign():
    return campaign_of(validate(ROOT / "ledgers", AS_OF).ledger, AS_OF)


@pytest.fixture(scope="module")
def workbook(campaign, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("working") / "填报表.xlsx"
    path.write_bytes(working_workbook(campaign, DEPARTMENT))
    return path


class Xlsx:
    """The sheets of an xlsx as Excel reads them: per sheet name its XML, and the workbook's cell styles."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            names = [s.get("name") for s in book.iterfind("m:sheets/m:sheet", NS)]
            self.sheets = {name: ET.fromstring(z.read(f"xl/worksheets/sheet{i}.xml")) for i, name in enumerate(names, 1)}
            styles = ET.fromstring(z.read("xl/styles.xml"))
        self.unlocked = [xf.find("m:protection", NS) is not None and xf.find("m:protection", NS).get("locked") == "0"
                         for xf in styles.iterfind("m:cellXfs/m:xf", NS)]

    def locked(self, sheet: str, row: int, column: int) -> bool:
        """Whether a clerk is kept from typing into the cell (0-based row and column)."""
        xml = self.sheets[sheet]
        ref = f"{column_letter(column)}{row + 1}"
        style = None
        for r in xml.iterfind("m:sheetData/m:row", NS):
            if r.get("r") != str(row + 1):
                continue
            cell = r.find(f"m:c[@r='{ref}']", NS)
            if cell is not None:
                style = cell.get("s", "0")
            elif r.get("customFormat") == "1":
                style = r.get("s", "0")
        if style is None:
            for col in xml.iterfind("m:cols/m:col", NS):
                if int(col.get("min")) <= column + 1 <= int(col.get("max")):
                    style = col.get("style", "0")
        return not self.unlocked[int(style or 0)]

    def validations(self, sheet: str) -> dict[str, ET.Element]:
        """The data validations by their range (sqref)."""
        return {v.get("sqref"): v for v in self.sheets[sheet].iterfind("m:dataValidations/m:dataValidation", NS)}


def _context(row) -> list:
    return [cell.value for cell in row[:ENTRY_AT]]


def test_the_working_sheet_comes_first_and_the_update_import_finds_its_headings(workbook: Path) -> None:
    sheets = read_workbook(workbook)
    assert [s.name for s in sheets] == [excel.WORKING_SHEET, "市生态环境局", excel.LOG_SHEET, excel.MILESTONE_SHEET]
    sheet = sheets[0]
    log_headings = {f.heading: f.heading for f in excel.LOG_FIELDS}
    found = find_heading_row(sheet, log_headings.get)
    assert found is not None
    row, known = found
    assert row == HEADING_ROW
    assert known == {0: "问题编号", **{ENTRY_AT + i: f.heading for i, f in enumerate(excel.WORKING_ENTRY_FIELDS)}}
    assert [c.value for c in sheet.rows[row]] == [*excel.WORKING_CONTEXT, *(f.heading for f in excel.WORKING_ENTRY_FIELDS)]
    assert all(len(c.value) > 10 for r in sheet.rows[1:HEADING_ROW] for c in r[:1])  # instructions above
    assert "数据截至2026年11月24日" in sheet.rows[0][0].value


def test_every_problem_of_the_department_has_one_group_of_rows_with_its_context(workbook: Path, campaign) -> None:
    sheet = read_workbook(workbook)[0]
    rows = campaign.by_department(DEPARTMENT)
    body = sheet.rows[FIRST_ROW:]
    assert len(body) == len(rows) * excel.WORKING_ROWS
    assert [r[0].value for r in body] == [row.problem.id for row in rows for _ in range(excel.WORKING_ROWS)]
    for start in range(0, len(body), excel.WORKING_ROWS):  # the context merged down over its group
        group = body[start:start + excel.WORKING_ROWS]
        assert not any(c.filled for c in group[0][:ENTRY_AT])
        assert all(c.filled and c.value == group[0][i].value for r in group[1:] for i, c in enumerate(r[:ENTRY_AT]))
        assert all(c.empty for r in group for c in r[ENTRY_AT:])  # nothing to fill in yet
    by_id = {r[0].value: r for r in body[::excel.WORKING_ROWS]}
    closed = _context(by_id["STHJ-2025-001"])  # closed: it keeps its group, a look-back may come
    assert closed == ["STHJ-2025-001", "*金矿区历史遗留废渣堆未采取防渗覆盖措施，周边土壤重金属超过管制值",
                      "已销号", "绿灯", 100, "成效巩固", "2026-06-30", ""]
    extended = _context(by_id["STHJ-2025-002"])  # extended from 2026-10-31; its last milestone not done
    assert extended[2:] == ["整改中", "绿灯", 70, "推进整改", "2027-06-30",
                            "2026年度两季作物安全利用率达到93%并通过评估（2027-03-31）"]


def test_a_clerk_can_type_only_into_the_entry_cells_and_the_drop_downs_hold_the_portals_words(
        workbook: Path, campaign) -> None:
    xlsx = Xlsx(workbook)
    assert all(xml.find("m:sheetProtection", NS) is not None for xml in xlsx.sheets.values())
    protection = xlsx.sheets[excel.WORKING_SHEET].find("m:sheetProtection", NS)
    assert protection.get("password") is None and protection.get("formatColumns") == "0"  # widths may change
    last = FIRST_ROW + len(campaign.by_department(DEPARTMENT)) * excel.WORKING_ROWS - 1
    sheet = excel.WORKING_SHEET
    for row in (0, HEADING_ROW - 1, HEADING_ROW):  # instructions and headings
        assert xlsx.locked(sheet, row, 0) and xlsx.locked(sheet, row, ENTRY_AT)
    for row in (FIRST_ROW, FIRST_ROW + 1, last):
        assert all(xlsx.locked(sheet, row, c) for c in range(ENTRY_AT))
        assert not any(xlsx.locked(sheet, row, c) for c in range(ENTRY_AT, ENTRY_AT + len(excel.WORKING_ENTRY_FIELDS)))

    validations = xlsx.validations(sheet)

    def rule(heading: str) -> ET.Element:
        at = ENTRY_AT + [f.heading for f in excel.WORKING_ENTRY_FIELDS].index(heading)
        return validations[f"{column_letter(at)}{FIRST_ROW + 1}:{column_letter(at)}{last + 1}"]

    steps = rule("所处步骤")
    assert steps.get("type") == "list"
    assert steps.find("m:formula1", NS).text == '"' + ",".join(s.name for s in campaign.portal.steps) + '"'
    assert rule("记录类型").find("m:formula1", NS).text == '"' + ",".join(excel.ENTRY_TYPES) + '"'
    assert rule("回头看结论").find("m:formula1", NS).text == '"' + ",".join(excel.OUTCOMES) + '"'
    assert rule("调整的内容").find("m:formula1", NS).text == '"' + ",".join(excel.REVISED_FIELDS) + '"'
    for heading in ("完成度（%）", "群众满意度（%）"):
        whole = rule(heading)
        assert whole.get("type") == "whole" and [whole.find(f"m:formula{i}", NS).text for i in (1, 2)] == ["0", "100"]
    for heading in ("日期", "新完成时限", "公示截止日期"):
        assert rule(heading).get("type") == "date" and rule(heading).get("operator") is None  # between
    assert len(validations) == 9


def test_the_other_sheets_are_read_only_but_for_the_revisable_commitments_and_open_milestones(
        workbook: Path, campaign) -> None:
    xlsx = Xlsx(workbook)
    keys = [c.key for c in columns.COLUMNS]
    assert REVISABLE == {"title", "target", "measures", "plan", "leader", "team", "section", "responsible",
                         "cooperating", "supervision"}
    department = "市生态环境局"
    for row in (2, 2 + len(campaign.by_department(DEPARTMENT)) - 1):
        for index, key in enumerate(keys):
            assert xlsx.locked(department, row, index) == (key not in REVISABLE), key
    for row in range(0, 2 + len(campaign.by_department(DEPARTMENT)) + 2):
        assert xlsx.locked(excel.LOG_SHEET, row, 0) and xlsx.locked(excel.LOG_SHEET, row, 5)
    milestones = read_workbook(workbook)[3]
    done_at = [f.heading for f in excel.MILESTONE_FIELDS].index("实际完成日期")
    rows = list(enumerate(milestones.rows))[2:]
    assert any(r[done_at].empty for _, r in rows) and any(not r[done_at].empty for _, r in rows)
    for number, row in rows:
        assert xlsx.locked(excel.MILESTONE_SHEET, number, done_at) == (not row[done_at].empty)
        assert all(xlsx.locked(excel.MILESTONE_SHEET, number, c) for c in range(done_at))


def test_the_same_bytes_twice_and_it_imports_as_an_export_does(capsys, campaign, tmp_path: Path) -> None:
    out = tmp_path / "填报表.xlsx"
    args = ("--department", DEPARTMENT, "--ledgers", str(ROOT / "ledgers"), "--as-of", DATE)
    assert rectify(capsys, "export", str(out), *args)[0] == 0
    assert out.read_bytes() == working_workbook(campaign, DEPARTMENT)
    code, output, _ = rectify(capsys, "import", str(out), "--department", DEPARTMENT, "--ledgers", str(ROOT / "ledgers"),
                              "--today", DATE, "--dry-run")
    assert code == 0 and "将写入 0 个问题文件" in output and "错误" not in output
    empty = tmp_path / "ledgers"
    empty.mkdir()
    for name in ("portal.yml", "departments.yml"):
        shutil.copy(ROOT / "ledgers" / name, empty / name)
    code, output, _ = rectify(capsys, "import", str(out), "--department", DEPARTMENT, "--ledgers", str(empty),
                              "--today", DATE)
    assert code == 0, output
    back = {p.problem.id: p.problem.model_dump() for p in load_ledger(empty).problems}
    lookup = columns.Lookup.of(campaign.departments, campaign.portal.categories)
    expected = {}
    for row in campaign.by_department(DEPARTMENT):
        problem = as_written(row.problem).model_dump()
        problem["cooperating"] = [lookup.department_id(unit) for unit in problem["cooperating"]]
        expected[row.problem.id] = problem
    assert back == expected  # every field, the log, the milestones


def test_each_department_page_offers_its_working_workbook(sample_docs: Path, campaign) -> None:
    for department in campaign.departments:
        path = urls.working_sheet(department.id)
        assert (sample_docs / path).read_bytes()[:2] == b"PK"
        page = (sample_docs / urls.department(department.id)).read_text(encoding="utf-8")
        assert re.search(rf"\[下载本部门填报表（Excel）\]\((\.\./)?{re.escape(path)}\)", page)
