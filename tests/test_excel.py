"""The Excel bridge: a department's 台账 spreadsheet in (`rectify import`), the ledger out (`rectify export`).

Spreadsheets are built here with openpyxl as county offices lay them out: title rows, headings in their own
wordings and order, merged 责任单位 cells, dates typed every way and stored as Excel dates. The old .xls
format is tests/fixtures/county.xls (written by tests/fixtures/make_county_xls.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from generator.derivation.campaign import campaign_of
from generator.derivation.revisions import as_written
from generator.loading.ledger import load_ledger
from generator.model import columns, excel
from generator.model.vocabulary import Light, Status
from generator.rendering.workbook import ledger_workbook, template_workbook
from generator.spreadsheet.reading import DateProblem, leading_date, parse_date
from generator.validation.report import validate

from .conftest import AS_OF, ROOT
from .test_cli import chinese, rectify

DATE = AS_OF.isoformat()
FIXTURES = Path(__file__).parent / "fixtures"

COUNTY_HEADINGS = ["序号", "问题来源", "存在问题", "整改目标", "整改措施", "责任领导", "责任单位", "工作专班",
                   "责任股室", "责任人", "整改时限", "整改进展", "完成情况", "完成时间", "是否销号", "备注"]


def county_row(serial: int, **changes) -> list:
    row = {
        "序号": serial,
        "问题来源": "2024年省生态环境保护督察反馈意见",
        "存在问题": f"*镇第{serial}处废弃矿坑未复绿，雨季水土流失。涉及面积约{serial}0亩。",
        "整改目标": "矿坑全部完成复绿，植被覆盖率达到85%以上。",
        "整改措施": "1.开展矿坑地形测量；2.编制复绿方案\n3.实施覆土种植",
        "责任领导": "副县长 王某",
        "责任单位": None,
        "工作专班": "矿山复绿专班",
        "责任股室": "自然生态股",
        "责任人": "股长 刘*",
        "整改时限": "2025年6月底",
        "整改进展": "2025年3月5日 完成测量，形成复绿方案，完成30%\n2025.4.20 分析研判已结束，推进整改完成60%",
        "完成情况": "正在整改",
        "完成时间": None,
        "是否销号": "否",
        "备注": None,
    } | changes
    return [row[h] for h in COUNTY_HEADINGS]


def county_sheet(path: Path, rows: list[list]) -> Path:
    """A county office's sheet: two title rows over the headings, 责任单位 merged down over every row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["XX县问题整改台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COUNTY_HEADINGS))
    sheet.append(["填报单位：（盖章）", None, None, None, None, None, None, None, None, None, "填报日期：2025年5月"])
    sheet.append(COUNTY_HEADINGS)
    for row in rows:
        sheet.append(row)
    column = COUNTY_HEADINGS.index("责任单位") + 1
    sheet.cell(4, column, "*镇人民政府\n县林业局")
    if len(rows) > 1:
        sheet.merge_cells(start_row=4, start_column=column, end_row=3 + len(rows), end_column=column)
    book.save(path)
    return path


def problems_of(root: Path, department: str) -> dict[str, dict]:
    ledger = load_ledger(root)
    return {p.problem.id: p.problem.model_dump() for p in ledger.problems if p.problem.department == department}


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("value, expected", [
    ("2025-03-01", dt.date(2025, 3, 1)), ("2025.3.1", dt.date(2025, 3, 1)), ("2025/3/1", dt.date(2025, 3, 1)),
    ("2025年3月1日", dt.date(2025, 3, 1)), ("２０２５年３月１日", dt.date(2025, 3, 1)), ("20250301", dt.date(2025, 3, 1)),
    (dt.datetime(2025, 3, 1), dt.date(2025, 3, 1)), (45717.0, dt.date(2025, 3, 1)),
])
def test_dates_in_every_written_form(value, expected) -> None:
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize("value, expected", [
    ("2025年6月底", dt.date(2025, 6, 30)), ("2024年2月底", dt.date(2024, 2, 29)), ("2025年6月", dt.date(2025, 6, 30)),
    ("2025年底", dt.date(2025, 12, 31)), ("6月底", dt.date(2026, 6, 30)),
])
def test_a_month_without_a_day_is_its_last_day_with_a_warning(value, expected) -> None:
    day, warning = parse_date(value, year=2026)
    assert day == expected and "请核对" in warning


@pytest.mark.parametrize("value", ["长期坚持", "立行立改", "2025-02-30", "3", ""])
def test_what_is_not_a_date_says_what_is_expected(value) -> None:
    with pytest.raises(DateProblem) as info:
        parse_date(value, year=2026)
    assert chinese(str(info.value))


def test_a_progress_line_starts_with_its_date() -> None:
    assert leading_date("2025年3月5日，完成排查", 2025) == (dt.date(2025, 3, 5), "完成排查")
    assert leading_date("（2025.4.1）召开会议", 2025) == (dt.date(2025, 4, 1), "召开会议")
    assert leading_date("4月2日：召开会议", 2025) == (dt.date(2025, 4, 2), "召开会议")
    assert leading_date("已召开会议", 2025) == (None, "已召开会议")


@pytest.mark.parametrize("text, expected", [
    ("1. 排查；2. 制定方案。3、整改", ["排查", "制定方案。", "整改"]),
    ("（1）排查2025.3完成；（2）投入3.5亿元", ["排查2025.3完成", "投入3.5亿元"]),
    ("①清理垃圾②建立长效机制", ["清理垃圾", "建立长效机制"]),
    ("建立台账\n落实责任", ["建立台账", "落实责任"]),
    ("完成第1、2期工程", ["完成第1、2期工程"]),
])
def test_measures_are_split_however_they_are_numbered(text, expected) -> None:
    assert columns.split_measures(text) == expected


def test_heading_wordings_are_declared_once_and_unambiguous() -> None:
    seen: dict[str, str] = {}
    for heading in excel.HEADINGS:
        for wording in heading.wordings:
            assert seen.setdefault(excel.normalise(wording), heading.key) == heading.key, wording
    for column in columns.LEDGER_COLUMNS:  # every ledger column can be imported under its own heading
        assert excel.meaning(column.heading) == column.key
    assert excel.meaning("整改时限（年月日）") == "deadline" and excel.meaning(" 问题\n描述 *") == "description"
    assert excel.meaning("亮灯") == excel.IGNORED and excel.meaning("联系电话") is None


# ---------------------------------------------------------------- import


def test_a_county_sheet_imports_in_one_command(capsys, base_ledger: Path, tmp_path: Path) -> None:
    sheet = county_sheet(tmp_path / "县台账.xlsx", [county_row(1), county_row(2, 整改时限=dt.datetime(2025, 9, 30)),
                                                    county_row(3, 整改进展="", 完成情况="已完成", 完成时间="2025/5/10"),
                                                    county_row(4, 整改进展="3月1日 植被覆盖率达到85%的方案已报批；4月2日 完成40%")])
    code, out, err = rectify(capsys, "import", str(sheet), "--department", "ecology-env", "--ledgers",
                             str(base_ledger), "--today", DATE)
    assert code == 0, out + err
    assert "县台账.xlsx:Sheet1!K4: 提醒 整改时限“2025年6月底”没有写到日，按当月最后一天 2025-06-30 计" in out
    assert validate(base_ledger, AS_OF).errors == []
    made = problems_of(base_ledger, "ecology-env")
    first, second, third = (made[f"STHJ-2025-00{n}"] for n in (3, 4, 5))
    assert first["measures"] == ["开展矿坑地形测量", "编制复绿方案", "实施覆土种植"]
    assert first["deadline"] == dt.date(2025, 6, 30) and second["deadline"] == dt.date(2025, 9, 30)
    assert first["title"] == "*镇第1处废弃矿坑未复绿，雨季水土流失" and first["source"]["kind"] == "inspection"
    # the merged 责任单位 holds for every row under it
    assert first["cooperating"] == second["cooperating"] == third["cooperating"] == ["*镇人民政府", "县林业局"]
    assert [(e["date"], e["percent"], e["step"]) for e in first["log"]] == [
        (dt.date(2025, 3, 5), 30, "mobilize"), (dt.date(2025, 4, 20), 60, "implement")]
    assert [(e["date"], e["percent"]) for e in third["log"]] == [(dt.date(2025, 5, 10), 100)]
    fourth = made["STHJ-2025-006"]  # two dated entries on one line; a target's percentage is not progress
    assert [(e["date"], e["percent"], e["summary"]) for e in fourth["log"]] == [
        (dt.date(2025, 3, 1), 0, "植被覆盖率达到85%的方案已报批"), (dt.date(2025, 4, 2), 40, "完成40%")]
    assert first["imported"].startswith("县台账.xlsx｜Sheet1｜序号 1｜")
    text = (base_ledger / "ecology-env" / "STHJ-2025-003.yml").read_text(encoding="utf-8")
    assert "# 整改措施（一套措施），每条一项\nmeasures:\n- 开展矿坑地形测量\n" in text  # commented like `rectify new`


def test_a_second_import_writes_nothing(capsys, base_ledger: Path, tmp_path: Path) -> None:
    sheet = county_sheet(tmp_path / "台账.xlsx", [county_row(1), county_row(2)])
    args = ("import", str(sheet), "--department", "ecology-env", "--ledgers", str(base_ledger), "--today", DATE)
    assert rectify(capsys, *args)[0] == 0
    before = {p: p.read_bytes() for p in (base_ledger / "ecology-env").iterdir()}
    code, out, _ = rectify(capsys, *args)
    assert code == 0 and "台账中已有的问题没有新的记录" in out and "已写入 0 个" in out
    assert {p: p.read_bytes() for p in (base_ledger / "ecology-env").iterdir()} == before
    # the same rows in a renamed copy, in another order, are recognised by their content
    county_sheet(tmp_path / "台账（修改）.xlsx", [county_row(2), county_row(1)])
    code, out, _ = rectify(capsys, "import", str(tmp_path / "台账（修改）.xlsx"), *args[2:])
    assert code == 0 and "已写入 0 个" in out and "与此前导入的 STHJ-2025-003 内容相同" in out
    assert {p: p.read_bytes() for p in (base_ledger / "ecology-env").iterdir()} == before


def test_a_bad_row_is_reported_by_cell_and_written_only_with_force(capsys, base_ledger: Path, tmp_path: Path) -> None:
    sheet = county_sheet(tmp_path / "台账.xlsx", [county_row(1), county_row(2, 整改时限="长期坚持", 责任人=None)])
    args = ("import", str(sheet), "--department", "ecology-env", "--ledgers", str(base_ledger), "--today", DATE)
    code, out, _ = rectify(capsys, *args)
    assert code == 1
    assert "台账.xlsx:Sheet1!K5: 错误 整改时限：“长期坚持”不是日期，应为 2025-03-01" in out
    assert "台账.xlsx:Sheet1!J5: 错误 缺少责任人（这一格是空的）" in out
    assert "已写入 1 个问题文件" in out and "1 行有错误，没有写入" in out
    assert not (base_ledger / "ecology-env" / "STHJ-2025-004.yml").exists()
    code, out, _ = rectify(capsys, *args, "--force")
    assert code == 0 and "其中 1 个含“待补充”" in out
    forced = base_ledger / "ecology-env" / "STHJ-2025-004.yml"
    found = {(f.code, f.field) for f in validate(base_ledger, AS_OF).errors}
    assert found == {("E330", "deadline"), ("E330", "responsible")}
    assert "deadline: 待补充" in forced.read_text(encoding="utf-8")


def test_private_data_in_any_cell_is_never_written(capsys, base_ledger: Path, tmp_path: Path) -> None:
    sheet = county_sheet(tmp_path / "台账.xlsx", [county_row(1, 备注="联系人手机 138 1234 5678")])
    args = ("import", str(sheet), "--department", "ecology-env", "--ledgers", str(base_ledger), "--today", DATE)
    for extra in ((), ("--force",)):
        code, out, _ = rectify(capsys, *args, *extra)
        assert code == 1 and "台账.xlsx:Sheet1!P4: 错误 有疑似手机号码（138…）" in out
        assert "5678" not in out
        assert sorted(p.name for p in (base_ledger / "ecology-env").iterdir()) == ["STHJ-2025-001.yml",
                                                                                 "STHJ-2025-002.yml"]


def test_headings_in_other_wordings_positions_and_excel_dates(capsys, base_ledger: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "整改清单"
    sheet.append([])
    sheet.append(["2025年教育领域问题整改清单"])
    sheet.append([None, "问题内容", "整改要求", "具体措施", "完成时限（年月日）", "分管领导", "专班", "股室", "负责人",
                  "问题类别", "来源", "交办日期", "是否销号", "销号时间", "销号文号", "审核单位"])
    sheet.append([None, "*中学违规收取资料费。", "全部清退。", "（1）清退；（2）追责", dt.datetime(2025, 8, 31),
                  "副市长 赵某", "收费专项整治专班", "财务审计科", "科长 孙*", "教育", "群众信访投诉：12345转办",
                  "2025.3.1", "是", "2025年9月10日", "*教发〔2025〕9号", "市教育局"])
    path = tmp_path / "清单.xlsx"
    book.save(path)
    code, out, _ = rectify(capsys, "import", str(path), "--department", "education", "--ledgers", str(base_ledger),
                           "--today", DATE)
    assert code == 0, out
    made = problems_of(base_ledger, "education")["JY-2025-001"]
    assert (made["opened"], made["deadline"]) == (dt.date(2025, 3, 1), dt.date(2025, 8, 31))
    assert made["source"] == {"kind": "complaint", "name": "12345转办", "date": None}
    assert made["measures"] == ["清退", "追责"] and made["category"] == "education"
    assert [(e["type"], e["date"]) for e in made["log"]] == [("progress", dt.date(2025, 9, 10)),
                                                            ("close", dt.date(2025, 9, 10))]
    assert made["log"][1]["document"] == "*教发〔2025〕9号"
    assert validate(base_ledger, AS_OF).errors == []


def test_a_map_names_unknown_headings_and_fills_missing_columns(capsys, base_ledger: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["问题描述", "整改目标", "整改措施", "整改时限", "包保责任人", "问题来源"])
    sheet.append(["*镇污水管网破损。", "修复管网。", "修复", "2025-12-31", "副局长 周*", "自查自纠：管网排查"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    mapping = tmp_path / "map.yml"
    mapping.write_text("表头:\n  包保责任人: 责任人\n默认值:\n  挂帅领导: 副市长 王某某\n  team: 管网专班\n"
                       "  承担股室: 水生态环境科\n", encoding="utf-8")
    args = ("import", str(path), "--department", "ecology-env", "--ledgers", str(base_ledger), "--today", DATE)
    code, out, _ = rectify(capsys, *args, "--dry-run")
    assert code == 1 and "缺少挂帅领导（表格中没有这一列" in out and "表头“包保责任人”不认识" in out
    code, out, _ = rectify(capsys, *args, "--map", str(mapping), "--dry-run")
    assert code == 0 and "将写入 1 个问题文件" in out
    assert not (base_ledger / "ecology-env" / "STHJ-2025-003.yml").exists()  # a dry run writes nothing
    assert rectify(capsys, *args, "--map", str(mapping))[0] == 0
    made = problems_of(base_ledger, "ecology-env")["STHJ-2025-003"]
    assert (made["responsible"], made["team"], made["source"]["kind"]) == ("副局长 周*", "管网专班", "self_check")
    mapping.write_text("表头:\n  包保责任人: 不存在的表头\n", encoding="utf-8")
    code, _, err = rectify(capsys, *args, "--map", str(mapping))
    assert code == 2 and "map.yml:2:10" in err and "不存在的表头" in err


def test_the_old_xls_format(capsys, base_ledger: Path, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "county.xls", tmp_path / "county.xls")
    code, out, _ = rectify(capsys, "import", str(tmp_path / "county.xls"), "--department", "ecology-env",
                           "--ledgers", str(base_ledger), "--today", DATE)
    assert code == 0, out
    made = problems_of(base_ledger, "ecology-env")
    first, second = made["STHJ-2025-003"], made["STHJ-2025-004"]
    assert first["deadline"] == dt.date(2025, 9, 30)  # an Excel date cell
    assert second["deadline"] == dt.date(2025, 10, 31)  # “2025年10月底”
    assert first["cooperating"] == second["cooperating"] == ["*镇人民政府"]  # merged in the .xls
    assert second["measures"] == ["摸清养殖场底数", "制定搬迁补偿方案", "限期完成搬迁"]
    assert validate(base_ledger, AS_OF).errors == []


def test_import_usage_mistakes_exit_2_in_chinese(capsys, base_ledger: Path, tmp_path: Path) -> None:
    sheet = county_sheet(tmp_path / "台账.xlsx", [county_row(1)])
    base = ("--ledgers", str(base_ledger), "--today", DATE)
    for args, words in (
        (("import", str(sheet), "--department", "water", *base), "water"),
        (("import", str(sheet), "--department", "education", "--sheet", "Sheet9", *base), "Sheet9"),
        (("import", str(tmp_path / "no.xlsx"), "--department", "education", *base), "不存在"),
    ):
        code, _, err = rectify(capsys, *args)
        assert code == 2 and words in err and chinese(err)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    code, _, err = rectify(capsys, "import", str(tmp_path / "notes.txt"), "--department", "education", *base)
    assert code == 2 and "不是 Excel 表格" in err


# ---------------------------------------------------------------- export, and back


@pytest.fixture(scope="module")
def sample():
    report = validate(ROOT / "ledgers", AS_OF)
    return report, campaign_of(report.ledger, AS_OF)


def test_export_then_import_into_an_empty_ledger_gives_the_same_problems(capsys, sample, tmp_path: Path) -> None:
    report, campaign = sample
    out = tmp_path / "导出.xlsx"
    assert rectify(capsys, "export", str(out), "--ledgers", str(ROOT / "ledgers"), "--as-of", DATE)[0] == 0
    empty = tmp_path / "ledgers"
    empty.mkdir()
    for name in ("portal.yml", "departments.yml"):
        shutil.copy(ROOT / "ledgers" / name, empty / name)
    for unit in campaign.departments:
        code, output, _ = rectify(capsys, "import", str(out), "--department", unit.id, "--ledgers", str(empty),
                                  "--today", DATE)
        assert code == 0, output
    assert validate(empty, AS_OF).errors == []
    back = {p.problem.id: p.problem.model_dump() for p in load_ledger(empty).problems}
    lookup = columns.Lookup.of(campaign.departments, campaign.portal.categories)
    expected = {}
    for row in campaign.rows:
        # the file as written: the row holds the commitments in force, the file what was first promised
        problem = as_written(row.problem).model_dump()
        # a registered department named in full comes back as its id, as the guide asks clerks to write it
        problem["cooperating"] = [lookup.department_id(unit) for unit in problem["cooperating"]]
        expected[row.problem.id] = problem
    assert back == expected  # every field, the log, the milestones


def test_the_export_looks_like_a_departments_own_sheet(sample) -> None:
    _, campaign = sample
    import io

    book = load_workbook(io.BytesIO(ledger_workbook(campaign)))
    units = campaign.departments
    assert book.sheetnames == [excel.SUMMARY_SHEET, *(u.name for u in units), excel.LOG_SHEET, excel.MILESTONE_SHEET]
    sheet = book[units[0].name]
    assert sheet["A1"].value == f"{units[0].name}问题整改台账（数据截至2026年11月24日）"
    assert [c.value for c in sheet[2]] == [c.heading for c in columns.COLUMNS]
    assert sheet.freeze_panes == "C3" and sheet.auto_filter.ref
    status_at = [c.key for c in columns.COLUMNS].index("status")
    light_at = [c.key for c in columns.COLUMNS].index("light")
    for row in sheet.iter_rows(min_row=3):
        status = next(s for s in Status if s.label == row[status_at].value)
        light = next(li for li in Light if li.label == row[light_at].value)
        assert row[status_at].fill.fgColor.rgb == "FF" + status.badge[1:].upper()
        assert row[light_at].font.color.rgb == "FF" + light.ink[1:].upper()
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # the title is wide, wrapped
    summary = book[excel.SUMMARY_SHEET]
    total = [c.value for c in summary[summary.max_row]]
    assert total[0] == "合计" and total[1] == len(campaign.rows)
    assert sum(total[2:2 + len(Status)]) == len(campaign.rows)
    log = book[excel.LOG_SHEET]
    assert log.max_row - 2 == sum(len(r.problem.log) for r in campaign.rows)


def test_the_export_of_one_department_is_its_working_workbook_and_the_same_bytes_twice(capsys, tmp_path: Path) -> None:
    args = ("--department", "education", "--ledgers", str(ROOT / "ledgers"), "--as-of", DATE)
    assert rectify(capsys, "export", str(tmp_path / "a.xlsx"), *args)[0] == 0
    assert rectify(capsys, "export", str(tmp_path / "b.xlsx"), *args)[0] == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert load_workbook(tmp_path / "a.xlsx").sheetnames == [excel.WORKING_SHEET, "市教育局", excel.LOG_SHEET,
                                                             excel.MILESTONE_SHEET]
    code, _, err = rectify(capsys, "export", str(tmp_path / "c.xlsx"), "--department", "water", "--ledgers",
                           str(ROOT / "ledgers"), "--as-of", DATE)
    assert code == 2 and "water" in err


def test_the_template_imports_once_filled_in(capsys, sample, base_ledger: Path, tmp_path: Path) -> None:
    _, campaign = sample
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_workbook(campaign.portal))
    book = load_workbook(path)
    sheet = book["台账"]
    headings = [c.value for c in sheet[2]]
    assert "整改进展" in headings and "问题编号" not in headings
    assert [row[0].value for row in book["填写说明"].iter_rows(min_row=3)] == [h.heading for h in excel.HEADINGS]
    filled = {"序号": 1, "问题名称": "*路段积水", "类别": "生态环境", "问题来源": "媒体曝光：晚报报道",
              "问题描述": "*路段雨后积水。", "整改目标": "不再积水。", "整改措施": "1. 疏通管网 2. 改造雨水口",
              "挂帅领导": "副市长 王某", "工作专班": "排涝专班", "承担股室": "市政科", "责任人": "科长 李*",
              "原定完成时限": "2025年10月31日", "列入台账日期": "2025-05-06"}
    sheet.append([filled.get(h) for h in headings])
    book.save(path)
    code, out, _ = rectify(capsys, "import", str(path), "--department", "ecology-env", "--ledgers", str(base_ledger),
                           "--today", DATE)
    assert code == 0, out
    assert problems_of(base_ledger, "ecology-env")["STHJ-2025-003"]["measures"] == ["疏通管网", "改造雨水口"]
    assert validate(base_ledger, AS_OF).errors == []


def test_the_guide_has_the_mapping_table_and_downloads_offer_the_template(sample_docs: Path) -> None:
    guide = (sample_docs / "guide.md").read_text(encoding="utf-8")
    for heading in excel.HEADINGS:
        assert f"| {heading.heading} |" in guide
    assert "存在问题" in guide and "rectify import" in guide
    downloads = (sample_docs / "downloads.md").read_text(encoding="utf-8")
    assert "template.xlsx" in downloads and (sample_docs / "data" / "template.xlsx").is_file()


def test_private_data_in_an_exported_log_keeps_its_problem_out(capsys, base_ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "导出.xlsx"
    assert rectify(capsys, "export", str(out), "--ledgers", str(base_ledger), "--as-of", DATE)[0] == 0
    book = load_workbook(out)
    log = book[excel.LOG_SHEET]
    row = next(r for r in log.iter_rows(min_row=3) if r[0].value == "STHJ-2025-001")
    row[5].value = "已约谈，联系人 13812345678"  # 内容
    book.save(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    for name in ("portal.yml", "departments.yml"):
        shutil.copy(base_ledger / name, empty / name)
    code, output, _ = rectify(capsys, "import", str(out), "--department", "ecology-env", "--ledgers", str(empty),
                              "--today", DATE)
    assert code == 1 and f"导出.xlsx:工作记录!F{row[0].row}: 错误 有疑似手机号码（138…）" in output
    assert sorted(p.name for p in (empty / "ecology-env").iterdir()) == ["STHJ-2025-002.yml"]
    # an exported workbook without the department's sheet is not read from another department's
    code, _, err = rectify(capsys, "import", str(out), "--department", "education", "--ledgers", str(empty),
                           "--today", DATE)
    assert code == 0  # its own sheet is there
    book.remove(book["测试市教育局"])
    book.save(out)
    code, _, err = rectify(capsys, "import", str(out), "--department", "education", "--ledgers", str(empty),
                           "--today", DATE)
    assert code == 2 and "没有“测试市教育局”的工作表" in err


def test_two_level_headings_under_a_title(capsys, base_ledger: Path, tmp_path: Path) -> None:
    """责任主体 spans three sub-headings; the headings without sub-headings are merged down over both rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["XX县问题整改台账"])
    sheet.append(["序号", "存在问题", "整改目标", "整改措施", "责任主体", None, None, "整改时限", "问题来源"])
    sheet.append([None, None, None, None, "责任领导", "责任股室", "责任人", None, None])
    for column in (1, 2, 3, 4, 8, 9):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.merge_cells(start_row=2, start_column=5, end_row=2, end_column=7)
    sheet.append([1, "*镇集贸市场占道经营。", "市场规范有序。", "划定经营区域", "副县长 李某", "市场股", "股长 吴*",
                  "2025/12/31", "媒体曝光"])
    path = tmp_path / "二级表头.xlsx"
    book.save(path)
    mapping = tmp_path / "map.yml"
    mapping.write_text("默认值:\n  工作专班: 市场整治专班\n", encoding="utf-8")
    code, out, _ = rectify(capsys, "import", str(path), "--department", "ecology-env", "--map", str(mapping),
                           "--ledgers", str(base_ledger), "--today", DATE)
    assert code == 0, out
    made = problems_of(base_ledger, "ecology-env")["STHJ-2025-003"]
    assert (made["leader"], made["section"], made["responsible"]) == ("副县长 李某", "市场股", "股长 吴*")
    assert made["source"]["kind"] == "media" and made["team"] == "市场整治专班"
