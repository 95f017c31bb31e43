"""The update import (issue 20): a department's sheet brings its news to problems already on the ledger.

A clerk takes the export, types the 旬's progress into it (or into the county sheet the problems were imported
from) and imports it again. What is new is appended to the problem's log exactly as if written by hand; what
cannot be taken is named by sheet, row and column; nothing merged is changed, and an unchanged sheet writes
nothing. Sheets are edited here with openpyxl, as Excel or WPS would save them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from generator.loading.ledger import load_ledger
from generator.validation.report import validate

from .conftest import ROOT
from .test_cli import rectify
from .test_excel import county_row, county_sheet
from .test_tree import commit_all, git

EXPORTED = dt.date(2026, 11, 30)
TODAY = dt.date(2026, 12, 1)
PROBLEM = "STHJ-2026-001"  # open, in progress; last entry 2026-11-12
DEPARTMENT = "ecology-env"
LOG_HEADINGS = ["问题编号", "日期", "记录类型", "所处步骤", "完成度（%）", "内容", "佐证材料", "新完成时限", "延期理由",
                "批准或审核单位", "文号"]


@pytest.fixture
def city(tmp_path: Path) -> Path:
    root = tmp_path / "ledgers"
    shutil.copytree(ROOT / "ledgers", root)
    return root


def export(capsys, ledgers: Path, out: Path, *department: str, as_of: dt.date = EXPORTED,
           today: dt.date = TODAY) -> Path:
    """The full export, or with `--department ID` that department's working workbook."""
    code, output, err = rectify(capsys, "export", str(out), *department, "--ledgers", str(ledgers),
                                "--as-of", as_of.isoformat(), "--today", today.isoformat())
    assert code == 0, output + err
    return out


def run_import(capsys, ledgers: Path, sheet: Path, *more: str) -> tuple[int, str]:
    code, out, err = rectify(capsys, "import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ledgers),
                             "--today", TODAY.isoformat(), *more)
    return code, out + err


def log_row(**cells) -> list:
    return [cells.get(h) for h in LOG_HEADINGS]


def add_log_rows(path: Path, *rows: list) -> None:
    book = load_workbook(path)
    for row in rows:
        book["工作记录"].append(row)
    book.save(path)


def snapshot(ledgers: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(ledgers.rglob("*.yml"))}


def problem(ledgers: Path, problem_id: str = PROBLEM) -> dict:
    return next(p.problem.model_dump() for p in load_ledger(ledgers).problems if p.problem.id == problem_id)


def test_a_row_added_to_the_log_sheet_is_appended_as_if_written_by_hand(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    add_log_rows(sheet, log_row(问题编号=PROBLEM, 日期="2026-11-27", 记录类型="整改进展", 所处步骤="推进整改", **{"完成度（%）": 72},
                                内容="完成二期清淤2.1万立方米", 佐证材料="清淤验收单〔2026〕9号"),
                 log_row(问题编号=PROBLEM, 日期="2026-11-28", 记录类型="延期", 新完成时限="2027-06-30",
                         延期理由="汛期施工窗口推迟", 批准或审核单位="市问题整改工作专班", 文号="市整改专班〔2026〕40号"))
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    assert "台账中已有的问题：1 个已追加 2 条记录" in out

    by_hand = tmp_path / "by-hand"
    shutil.copytree(ROOT / "ledgers", by_hand)
    path = by_hand / DEPARTMENT / f"{PROBLEM}.yml"
    path.write_text(path.read_text(encoding="utf-8") + """\
  - date: 2026-11-27
    type: progress
    step: implement
    percent: 72
    summary: 完成二期清淤2.1万立方米
    evidence:
      - 清淤验收单〔2026〕9号
  - date: 2026-11-28
    type: extension
    deadline: 2027-06-30
    reason: 汛期施工窗口推迟
    approved_by: 市问题整改工作专班
    document: 市整改专班〔2026〕40号
""", encoding="utf-8")
    assert problem(city) == problem(by_hand)
    assert (city / DEPARTMENT / f"{PROBLEM}.yml").read_bytes() == path.read_bytes()  # the bytes a clerk would write
    assert validate(city, TODAY).errors == []
    # idempotent: the same sheet again writes nothing
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 0 and "追加" not in out.splitlines()[-1] and snapshot(city) == before


def test_an_unchanged_export_writes_nothing(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    assert "已写入 0 个问题文件" in out and "追加" not in out and "错误" not in out
    assert snapshot(city) == before


def refused_at(out: str, cell: str) -> str:
    """The error the import reports at `cell` (a file:sheet!A1 reference)."""
    found = [line for line in out.splitlines() if line.startswith(cell + ": 错误")]
    assert found, f"no error at {cell}:\n{out}"
    return found[0]


def row_of(sheet: Path, name: str, problem_id: str, nth: int = 0) -> int:
    """The 1-based row of a problem's nth row in a sheet."""
    rows = [cells[0].row for cells in load_workbook(sheet)[name].iter_rows(min_row=3) if cells[0].value == problem_id]
    return rows[nth]


def test_a_merged_entry_edited_in_the_sheet_is_refused_at_its_cell(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    row = row_of(sheet, "工作记录", PROBLEM, nth=1)
    book = load_workbook(sheet)
    book["工作记录"].cell(row, 6).value = "改写过的进展"  # F: 内容
    book.save(sheet)
    add_log_rows(sheet, log_row(问题编号=PROBLEM, 日期="2026-11-27", 记录类型="整改进展", 所处步骤="推进整改",
                                **{"完成度（%）": 72}, 内容="完成二期清淤"))
    before = problem(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1
    assert "已合并的记录不能修改" in refused_at(out, f"台账.xlsx:工作记录!F{row}")
    after = problem(city)
    assert after["log"][:-1] == before["log"]  # the merged entry as it was; the new row appended after it
    assert after["log"][-1]["summary"] == "完成二期清淤"


@pytest.mark.parametrize("cells, column, words", [
    ({"日期": "2026-11-01", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 70, "内容": "补记"}, "B",
     "早于台账中最后一条已合并记录的日期（2026-11-12）"),
    ({"日期": "2026-12-05", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 70, "内容": "还没发生"}, "B",
     "晚于今天"),
    ({"记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 70, "内容": "没写日期"}, "B", "日期没有填写"),
    ({"日期": "2026-11-28", "记录类型": "销号", "批准或审核单位": "市问题整改工作专班", "内容": "同意销号"}, "K", "文号没有填写"),
    ({"日期": "2026-11-28", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 120, "内容": "超过"}, "E",
     "0 到 100 的整数"),
    ({"日期": "2026-11-28", "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 70,
      "内容": "联系人 13812345678"}, "F", "手机号码"),
], ids=["earlier-than-merged", "after-today", "undated", "close-without-document", "percent", "private"])
def test_a_row_that_cannot_be_taken_is_named_by_sheet_row_and_column(capsys, city: Path, tmp_path: Path, cells: dict,
                                                                       column: str, words: str) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    add_log_rows(sheet, log_row(问题编号=PROBLEM, **cells))
    row = load_workbook(sheet)["工作记录"].max_row
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1, out
    assert words in refused_at(out, f"台账.xlsx:工作记录!{column}{row}")
    assert snapshot(city) == before  # nothing else in the sheet was new


def test_a_changed_commitment_becomes_a_revision_awaiting_the_offices_approval(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    unit = book["市生态环境局"]
    headings = [c.value for c in unit[2]]
    row = row_of(sheet, "市生态环境局", PROBLEM)
    target = unit.cell(row, headings.index("整改目标") + 1)
    original = target.value
    target.value = "完成重点河段清淤"
    unit.cell(row, headings.index("问题描述") + 1).value = "改写的问题描述"
    book.save(sheet)
    code, out = run_import(capsys, city, sheet)
    assert "交办时确定的事实，不能修改" in refused_at(out, f"台账.xlsx:市生态环境局!{_column(headings, '问题描述')}{row}")
    assert "将追加一条“调整”记录" in out and "待补充" in out
    assert "### 调整整改承诺（1）" in out  # the pull request's own words
    written = yaml.safe_load((city / DEPARTMENT / f"{PROBLEM}.yml").read_text(encoding="utf-8"))
    revision = written["log"][-1]
    assert revision["type"] == "revision" and revision["field"] == "target"
    assert revision["from"] == original and revision["to"] == "完成重点河段清淤"
    assert revision["approved_by"] == "待补充" and revision["date"] == TODAY
    assert written["description"] != "改写的问题描述"
    # the proposal cannot pass until the office fills in its reason and approval
    assert {f.code for f in validate(city, TODAY).errors} >= {"E330"}


def _column(headings: list, name: str) -> str:
    return chr(ord("A") + headings.index(name))


def test_a_milestone_done_is_filled_in_place(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    milestones = book["节点"]
    row = row_of(sheet, "节点", "STHJ-2026-002")
    milestones.cell(row, 4).value = "2026-11-26"
    book.save(sheet)
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    assert "填写 1 个节点的完成日期" in out
    assert problem(city, "STHJ-2026-002")["milestones"][0]["done"] == dt.date(2026, 11, 26)
    assert validate(city, TODAY).errors == []


def test_a_county_sheets_new_progress_lines_are_appended_and_edited_ones_refused(capsys, base_ledger: Path,
                                                                                  tmp_path: Path) -> None:
    """The department's own layout: the 整改进展 cell grows a dated line each 旬."""
    path = tmp_path / "县台账.xlsx"
    first = county_row(1)
    county_sheet(path, [first])
    args = ("import", str(path), "--department", DEPARTMENT, "--ledgers", str(base_ledger), "--today", "2025-06-10")
    assert rectify(capsys, *args)[0] == 0
    imported = next(p for p in (base_ledger / DEPARTMENT).glob("*.yml") if "县台账.xlsx" in p.read_text(encoding="utf-8"))
    county_sheet(path, [county_row(1, 整改进展=first[11] + "\n2025年6月5日 完成覆土种植，完成90%\n已督促施工单位加快进度")])
    code, out, _ = rectify(capsys, *args)
    assert code == 0, out
    log = load_ledger(base_ledger)
    entry = next(p.problem for p in log.problems if p.problem.id == imported.stem).log[-1]
    assert (entry.date, entry.percent, entry.summary) == (dt.date(2025, 6, 5), 90, "完成覆土种植，完成90%\n已督促施工单位加快进度")
    before = imported.read_bytes()
    code, out, _ = rectify(capsys, *args)  # the same sheet again
    assert code == 0 and imported.read_bytes() == before
    # an earlier line rewritten, and an undated line: named, not taken
    county_sheet(path, [county_row(1, 整改进展="2025年3月5日 完成测量，改过的文字\n2025.4.20 分析研判已结束，推进整改完成60%\n"
                                            "2025年6月5日 完成覆土种植，完成90%\n已督促施工单位加快进度\n\n另有一段没有日期")])
    code, out, _ = rectify(capsys, *args)
    assert code == 1
    assert "与台账中已合并的记录不同" in refused_at(out, "县台账.xlsx:Sheet1!L4")
    assert imported.read_bytes() == before


def test_dry_run_says_what_the_pull_requests_summary_will_say(capsys, tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    git(repository, "init", "-q", "-b", "main")
    base = commit_all(repository, "base")
    city = repository / "ledgers"
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    add_log_rows(sheet, log_row(问题编号=PROBLEM, 日期="2026-11-28", 记录类型="延期", 新完成时限="2027-06-30",
                                延期理由="汛期施工窗口推迟", 批准或审核单位="市问题整改工作专班", 文号="市整改专班〔2026〕40号"))
    before = snapshot(city)
    code, dry = run_import(capsys, city, sheet, "--dry-run")
    assert code == 0 and snapshot(city) == before
    assert run_import(capsys, city, sheet)[0] == 0
    commit_all(repository, "import")
    code, summary, _ = rectify(capsys, "diff", "--base", base, "--head", "HEAD", "--repo", str(repository),
                               "--today", TODAY.isoformat())
    assert code == 0

    def tables(text: str) -> list[str]:
        found = [line for line in text.splitlines() if line.startswith(("### ", "| "))]
        return [re.sub(r"\\(.)", r"\1", line) for line in found if "检查发现" not in line and "位置 | 代码" not in line]

    assert "### 延期（1）" in dry
    assert tables(dry) == tables(summary)


# ---------------------------------------------------------------- three 旬 with the working sheet

# What the clerk types into the working sheet in each 旬 (problem, the entry's cells by heading), and the same
# entries as a clerk who edits YAML appends them by hand.
XUN = [
    (dt.date(2026, 12, 10), [
        ("STHJ-2026-001", {"日期": dt.date(2026, 12, 4), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 72,
                           "内容": "完成二期清淤1.2万立方米", "佐证材料": "清淤验收单〔2026〕9号"}),
        ("STHJ-2026-002", {"日期": dt.date(2026, 12, 8), "记录类型": "整改进展", "所处步骤": "分析研判", "完成度（%）": 10,
                           "内容": "完成水体现状调查"}),
    ], {"STHJ-2026-001": """\
  - date: 2026-12-04
    type: progress
    step: implement
    percent: 72
    summary: 完成二期清淤1.2万立方米
    evidence:
      - 清淤验收单〔2026〕9号
""", "STHJ-2026-002": """\
log:
  - date: 2026-12-08
    type: progress
    step: analysis
    percent: 10
    summary: 完成水体现状调查
"""}),
    (dt.date(2026, 12, 20), [
        ("STHJ-2026-001", {"日期": dt.date(2026, 12, 15), "记录类型": "延期", "新完成时限": dt.date(2027, 6, 30),
                           "延期理由": "冬季河道封冻，清淤暂停", "批准或审核单位": "市问题整改工作专班", "文号": "市整改专班〔2026〕41号"}),
        ("STHJ-2026-002", {"日期": dt.date(2026, 12, 14), "记录类型": "整改进展", "所处步骤": "制定方案", "完成度（%）": 20,
                           "内容": "编制“一水体一策”初稿"}),
        ("STHJ-2026-002", {"日期": dt.date(2026, 12, 19), "记录类型": "整改进展", "所处步骤": "制定方案", "完成度（%）": 25,
                           "内容": "“一水体一策”通过专家评审"}),
    ], {"STHJ-2026-001": """\
  - date: 2026-12-15
    type: extension
    deadline: 2027-06-30
    reason: 冬季河道封冻，清淤暂停
    approved_by: 市问题整改工作专班
    document: 市整改专班〔2026〕41号
""", "STHJ-2026-002": """\
  - date: 2026-12-14
    type: progress
    step: plan
    percent: 20
    summary: 编制“一水体一策”初稿
  - date: 2026-12-19
    type: progress
    step: plan
    percent: 25
    summary: “一水体一策”通过专家评审
"""}),
    (dt.date(2026, 12, 31), [
        ("STHJ-2026-002", {"日期": dt.date(2026, 12, 28), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 30,
                           "内容": "启动管网补建"}),
        ("STHJ-2026-001", {"日期": dt.date(2026, 12, 30), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 78,
                           "内容": "完成清淤底泥处置场地选址"}),
    ], {"STHJ-2026-002": """\
  - date: 2026-12-28
    type: progress
    step: implement
    percent: 30
    summary: 启动管网补建
""", "STHJ-2026-001": """\
  - date: 2026-12-30
    type: progress
    step: implement
    percent: 78
    summary: 完成清淤底泥处置场地选址
"""}),
]


def fill_working_sheet(path: Path, rows: list[tuple[str, dict]]) -> None:
    """Type entries into the 本旬进展 sheet as a clerk does: into the empty rows of the problem's group."""
    book = load_workbook(path)
    sheet = book["本旬进展"]
    heading_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "问题编号")
    headings = {sheet.cell(heading_row, c).value: c for c in range(1, sheet.max_column + 1)}
    used: dict[str, int] = {}
    for problem_id, cells in rows:
        first = next(r for r in range(heading_row + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == problem_id)
        row = first + used.get(problem_id, 0)
        used[problem_id] = used.get(problem_id, 0) + 1
        for heading, value in cells.items():
            sheet.cell(row, headings[heading]).value = value
    book.save(path)


def test_three_xun_of_working_sheets_give_the_ledger_written_by_hand(capsys, city: Path, tmp_path: Path) -> None:
    by_hand = tmp_path / "by-hand"
    shutil.copytree(ROOT / "ledgers", by_hand)
    for number, (end, rows, appended) in enumerate(XUN, 1):
        sheet = tmp_path / f"第{number}旬.xlsx"
        start = end - dt.timedelta(days=10)
        code, out, err = rectify(capsys, "export", str(sheet), "--department", DEPARTMENT, "--ledgers", str(city),
                                 "--as-of", start.isoformat(), "--today", start.isoformat())
        assert code == 0, out + err
        fill_working_sheet(sheet, rows)
        code, out, err = rectify(capsys, "import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(city),
                                 "--today", end.isoformat())
        assert code == 0, out + err
        assert f"已追加 {len(rows)} 条记录" in out
        for problem_id, text in appended.items():
            path = by_hand / DEPARTMENT / f"{problem_id}.yml"
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        assert snapshot(city) == {city / p.relative_to(by_hand): b for p, b in snapshot(by_hand).items()}
        assert validate(city, end).errors == []
        # the same sheet imported again writes nothing
        before = snapshot(city)
        assert rectify(capsys, "import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(city),
                       "--today", end.isoformat())[0] == 0
        assert snapshot(city) == before


# ---------------------------------------------------------------- nothing lost silently

_TYPES = ["整改进展", "延期", "整改结果公示", "销号", "回头看", "调整整改承诺", "其他"]


@st.composite
def typed_rows(draw) -> list[tuple[str, dict]]:
    """Rows a clerk might type, right or wrong: any date near the last entry, any type, any percent, text that
    may hold a mobile number, cells left empty."""
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        problem_id = draw(st.sampled_from(["STHJ-2026-001", "STHJ-2026-002"]))
        cells = {}
        cells["日期"] = draw(st.one_of(st.none(), st.dates(dt.date(2026, 11, 1), dt.date(2026, 12, 12))))
        cells["记录类型"] = draw(st.one_of(st.none(), st.sampled_from(_TYPES)))
        cells["所处步骤"] = draw(st.one_of(st.none(), st.sampled_from(["推进整改", "分析研判", "不存在的步骤"])))
        cells["完成度（%）"] = draw(st.one_of(st.none(), st.integers(-5, 110)))
        cells["内容"] = draw(st.one_of(st.none(), st.sampled_from(["推进清淤", "完成评估", "联系人13812345678", "再次推进"])))
        cells["新完成时限"] = draw(st.one_of(st.none(), st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31))))
        cells["批准或审核单位"] = draw(st.one_of(st.none(), st.just("市问题整改工作专班")))
        cells["文号"] = draw(st.one_of(st.none(), st.just("市整改专班〔2026〕50号")))
        cells["延期理由"] = draw(st.one_of(st.none(), st.just("施工窗口推迟")))
        rows.append((problem_id, {k: v for k, v in cells.items() if v is not None}))
    return [(p, c) for p, c in rows if c]


@pytest.fixture(scope="module")
def working_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.commands.export import export_workbook

    out = tmp_path_factory.mktemp("working") / "填报表.xlsx"
    export_workbook(ROOT / "ledgers", out, EXPORTED, TODAY, DEPARTMENT)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=typed_rows())
def test_every_filled_row_is_appended_or_named(rows: list[tuple[str, dict]], working_book: Path, tmp_path: Path) -> None:
    from generator.commands.importing import import_sheet

    work = Path(tempfile.mkdtemp(dir=tmp_path))
    ledgers = work / "ledgers"
    shutil.copytree(ROOT / "ledgers", ledgers)
    sheet = work / "填报表.xlsx"
    shutil.copy(working_book, sheet)
    fill_working_sheet(sheet, rows)
    before = load_ledger(ledgers)
    report = import_sheet(ledgers, sheet, DEPARTMENT, dt.date(2026, 12, 10))
    after = {p.problem.id: p.problem for p in load_ledger(ledgers).problems}
    old = {p.problem.id: p.problem for p in before.problems}
    named = {int(m[1]) for n in report.notes if (m := re.search(r"本旬进展!(?:[A-Z]+)?(\d+)", n.where))}
    book = load_workbook(sheet)["本旬进展"]
    heading_row = next(r for r in range(1, 20) if book.cell(r, 1).value == "问题编号")
    for r in range(heading_row + 1, book.max_row + 1):
        filled = [book.cell(r, c).value for c in range(9, book.max_column + 1) if book.cell(r, c).value is not None]
        if not filled:
            continue
        problem_id = next(book.cell(q, 1).value for q in range(r, heading_row, -1) if book.cell(q, 1).value)
        appended = after[problem_id].log[len(old[problem_id].log):] if problem_id in after else []
        content = book.cell(r, 13).value  # 内容
        taken = any(getattr(e, "summary", None) == content or getattr(e, "reason", None) is not None
                    and e.date == _day(book.cell(r, 9).value) for e in appended)
        assert r in named or taken, f"row {r} ({filled}) neither appended nor named: {[n.line() for n in report.notes]}"
    for problem_id, problem in after.items():  # nothing merged changed
        assert problem.log[:len(old[problem_id].log)] == old[problem_id].log


def _day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def test_a_row_dated_in_a_week_already_archived_is_refused(capsys, tmp_path: Path) -> None:
    """A published weekly snapshot archives its week: an entry dated in it would rewrite history (E508 in the
    pull request), so the import names the cell instead of writing it."""
    city = tmp_path / "ledgers"
    shutil.copytree(ROOT / "ledgers", city)
    shutil.copytree(ROOT / "snapshots", tmp_path / "snapshots")  # the newest, 2026-W48, records up to 2026-11-29
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    add_log_rows(sheet, log_row(问题编号=PROBLEM, 日期="2026-11-20", 记录类型="整改进展", 所处步骤="推进整改",
                                **{"完成度（%）": 70}, 内容="补记的进展"))
    row = load_workbook(sheet)["工作记录"].max_row
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1
    assert "已存档的一周里（最新周快照 2026-W48.json 记录到 2026-11-29）" in refused_at(out, f"台账.xlsx:工作记录!B{row}")
    assert snapshot(city) == before


def test_a_new_milestone_in_the_milestone_sheet_is_proposed_as_a_revision(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    book["节点"].append(["STHJ-2026-002", "完成排污口溯源", "2027-02-28", None])
    book.save(sheet)
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    assert "倒排工期节点与台账不同" in out and "将追加一条“调整”记录" in out
    written = yaml.safe_load((city / DEPARTMENT / "STHJ-2026-002.yml").read_text(encoding="utf-8"))
    revision = written["log"][-1]
    assert revision["field"] == "milestones" and revision["approved_by"] == "待补充"
    assert [m["title"] for m in revision["to"]] == [m["title"] for m in revision["from"]] + ["完成排污口溯源"]
    assert len(written["milestones"]) == 3  # the plan as first written stays


def test_a_synthetic_departments_working_sheet_round_trips(capsys, tmp_path: Path) -> None:
    """One row typed for every open problem of a synthetic department: each problem's log gains exactly that entry."""
    from generator.commands.synth import synthesize

    day = dt.date(2026, 11, 24)
    ledgers = tmp_path / "ledgers"
    synthesize(ledgers, 120, 3, day)
    before = {p.problem.id: p.problem for p in load_ledger(ledgers).problems}
    department = sorted({p.department for p in before.values()})[0]
    sheet = tmp_path / "填报表.xlsx"
    code, out, err = rectify(capsys, "export", str(sheet), "--department", department, "--ledgers", str(ledgers),
                             "--as-of", day.isoformat(), "--today", day.isoformat())
    assert code == 0, out + err
    steps = yaml.safe_load((ledgers / "portal.yml").read_text(encoding="utf-8"))["steps"]
    typed = {}
    for problem in before.values():
        if problem.department != department or any(e.type == "close" for e in problem.log):
            continue
        percent = min(99, max([getattr(e, "percent", 0) for e in problem.log] or [0]) + 1)
        typed[problem.id] = {"日期": dt.date(2026, 11, 30), "记录类型": "整改进展", "所处步骤": steps[3]["name"],
                             "完成度（%）": percent, "内容": f"{problem.id} 本旬推进整改"}
    fill_working_sheet(sheet, list(typed.items()))
    code, out, err = rectify(capsys, "import", str(sheet), "--department", department, "--ledgers", str(ledgers),
                             "--today", "2026-12-01")
    assert code == 0, out + err
    after = {p.problem.id: p.problem for p in load_ledger(ledgers).problems}
    assert after.keys() == before.keys()
    for problem_id, problem in after.items():
        if problem_id not in typed:
            assert problem == before[problem_id]
            continue
        *old, new = problem.log
        assert old == before[problem_id].log
        assert (new.type, new.date, new.step, new.percent, new.summary) == (
            "progress", dt.date(2026, 11, 30), steps[3]["id"], typed[problem_id]["完成度（%）"], typed[problem_id]["内容"])


# ---------------------------------------------------------------- saved again by another office suite

SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def resave(tmp_path_factory: pytest.TempPathFactory):
    """A function saving a workbook again with LibreOffice's spreadsheet in a format (.xlsx, .xls, .ods), as a clerk
    whose office suite is not Excel does (WPS itself is not available here)."""
    work = tmp_path_factory.mktemp("resaved")
    profile = (work / "profile").as_uri()  # its own profile: other soffice processes may be running

    def save(path: Path, suffix: str) -> Path:
        out = work / suffix
        out.mkdir(exist_ok=True)
        done = subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                               suffix, "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
        saved = out / f"{path.stem}.{suffix}"
        if not saved.exists():
            if os.environ.get("CI") == "true":
                raise RuntimeError(f"CI=true but LibreOffice could not save {suffix}: apt-get install libreoffice-calc-nogui "
                                   f"({done.stderr.strip()})")
            pytest.skip("LibreOffice's spreadsheet is not installed; install libreoffice-calc-nogui")
        return saved

    if SOFFICE is None and os.environ.get("CI") != "true":
        pytest.skip("LibreOffice is not installed (soffice); install libreoffice-calc-nogui")
    return save


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_working_sheet_saved_again_by_another_office_suite_imports_the_same(capsys, tmp_path: Path, resave,
                                                                              suffix: str) -> None:
    end, rows, _ = XUN[0]
    start = end - dt.timedelta(days=10)
    results = {}
    for name, save in (("excel", None), ("again", suffix)):
        ledgers = tmp_path / name / "ledgers"
        shutil.copytree(ROOT / "ledgers", ledgers)
        sheet = tmp_path / name / "填报表.xlsx"
        code, out, err = rectify(capsys, "export", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ledgers),
                                 "--as-of", start.isoformat(), "--today", start.isoformat())
        assert code == 0, out + err
        fill_working_sheet(sheet, rows)
        if save:
            sheet = resave(sheet, save)
        code, out, err = rectify(capsys, "import", str(sheet), "--department", DEPARTMENT, "--ledgers", str(ledgers),
                                 "--today", end.isoformat())
        assert code == 0, out + err
        assert f"已追加 {len(rows)} 条记录" in out
        results[name] = {p.relative_to(ledgers): p.read_bytes() for p in ledgers.rglob("*.yml")}
    assert results["again"] == results["excel"]


def test_where_libreoffices_spreadsheet_is_missing_ci_installs_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "libreoffice-calc-nogui" in readme and "libreoffice-calc-nogui" in run
    assert "dpkg -s libreoffice-calc-nogui" in run  # a machine with only LibreOffice's writer gets the spreadsheet too


def test_a_deadline_moved_in_the_sheet_is_refused_and_an_extension_asked_for(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    unit = book["市生态环境局"]
    headings = [c.value for c in unit[2]]
    row = row_of(sheet, "市生态环境局", PROBLEM)
    unit.cell(row, headings.index("原定完成时限") + 1).value = "2027-12-31"
    book.save(sheet)
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1
    message = refused_at(out, f"台账.xlsx:市生态环境局!{_column(headings, '原定完成时限')}{row}")
    assert "完成时限不能直接修改" in message and "“延期”记录" in message
    assert snapshot(city) == before


# ---------------------------------------------------------------- what a second look found (issue 20's review)


def working(capsys, city: Path, tmp_path: Path) -> Path:
    return export(capsys, city, tmp_path / "填报表.xlsx", "--department", DEPARTMENT, today=EXPORTED)


def test_a_proposed_revision_does_not_switch_off_the_rules_for_the_rest(capsys, city: Path, tmp_path: Path) -> None:
    """A close-out without the notice the portal requires, beside a changed leader: the close is still refused."""
    sheet = working(capsys, city, tmp_path)
    fill_working_sheet(sheet, [
        (PROBLEM, {"日期": dt.date(2026, 11, 30), "记录类型": "整改进展", "所处步骤": "成效巩固", "完成度（%）": 100,
                   "内容": "全部完成"}),
        (PROBLEM, {"日期": dt.date(2026, 12, 1), "记录类型": "销号", "批准或审核单位": "市问题整改工作专班",
                   "文号": "市整改专班〔2026〕60号", "内容": "同意销号"}),
    ])
    book = load_workbook(sheet)
    unit = book["市生态环境局"]
    headings = [c.value for c in unit[2]]
    unit.cell(row_of(sheet, "市生态环境局", PROBLEM), headings.index("挂帅领导") + 1).value = "副市长 李某"
    book.save(sheet)
    code, out = run_import(capsys, city, sheet)
    assert code == 1
    assert "E332" in out and "这一条没有导入" in out
    written = yaml.safe_load((city / DEPARTMENT / f"{PROBLEM}.yml").read_text(encoding="utf-8"))
    assert [e["type"] for e in written["log"][-2:]] == ["progress", "revision"]  # no close


def test_a_look_back_row_is_written_with_its_outcome(capsys, city: Path, tmp_path: Path) -> None:
    closed = "STHJ-2025-001"  # closed on 2026-07-08, looked back at on 2026-10-16
    sheet = working(capsys, city, tmp_path)
    fill_working_sheet(sheet, [(closed, {"日期": dt.date(2026, 12, 1), "记录类型": "回头看", "回头看结论": "整改成效巩固",
                                         "内容": "复查未发现反弹", "群众满意度（%）": 95})])
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    entry = problem(city, closed)["log"][-1]
    assert (entry["type"], entry["outcome"], entry["satisfaction"], entry["findings"]) == (
        "review", "consolidated", 95, "复查未发现反弹")
    assert "outcome: consolidated" in (city / DEPARTMENT / f"{closed}.yml").read_text(encoding="utf-8")


def test_a_milestone_done_in_an_archived_week_is_refused(capsys, tmp_path: Path) -> None:
    city = tmp_path / "ledgers"
    shutil.copytree(ROOT / "ledgers", city)
    shutil.copytree(ROOT / "snapshots", tmp_path / "snapshots")  # archived up to 2026-11-29
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    row = row_of(sheet, "节点", "STHJ-2026-002")
    book["节点"].cell(row, 4).value = "2026-11-20"
    book.save(sheet)
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1 and "已存档的一周" in refused_at(out, f"台账.xlsx:节点!D{row}")
    assert snapshot(city) == before


def test_a_file_with_windows_line_endings_keeps_them(capsys, city: Path, tmp_path: Path) -> None:
    path = city / DEPARTMENT / f"{PROBLEM}.yml"
    text = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(text)
    sheet = working(capsys, city, tmp_path)
    fill_working_sheet(sheet, [(PROBLEM, {"日期": dt.date(2026, 11, 30), "记录类型": "整改进展", "所处步骤": "推进整改",
                                          "完成度（%）": 72, "内容": "推进清淤"})])
    code, out = run_import(capsys, city, sheet)
    assert code == 0, out
    after = path.read_bytes()
    assert after.startswith(text) and b"\n" not in after.replace(b"\r\n", b"")
    assert after[len(text):].decode("utf-8") == "  - date: 2026-11-30\r\n    type: progress\r\n    step: implement\r\n" \
                                                "    percent: 72\r\n    summary: 推进清淤\r\n"


def test_a_merged_row_dated_anew_is_an_edit_not_a_new_entry(capsys, city: Path, tmp_path: Path) -> None:
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    row = row_of(sheet, "工作记录", PROBLEM, nth=-1)  # the last merged entry, 2026-11-12
    book = load_workbook(sheet)
    book["工作记录"].cell(row, 2).value = "2026-12-01"
    book.save(sheet)
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 1 and "与台账中已合并的记录不同" in out
    assert snapshot(city) == before


def test_an_entry_two_rules_refuse_is_refused_once_and_the_next_row_taken(capsys, city: Path, tmp_path: Path) -> None:
    sheet = working(capsys, city, tmp_path)
    fill_working_sheet(sheet, [
        (PROBLEM, {"日期": dt.date(2026, 11, 30), "记录类型": "整改结果公示", "公示截止日期": dt.date(2026, 11, 30),
                   "内容": "公示整改结果"}),
        (PROBLEM, {"日期": dt.date(2026, 12, 1), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 72,
                   "内容": "推进清淤"}),
    ])
    code, out = run_import(capsys, city, sheet)
    assert code == 1
    notice = [line for line in out.splitlines() if ": 错误 " in line]
    assert len(notice) == 1 and "本旬进展!I" in notice[0]
    log = problem(city)["log"]
    assert log[-1]["summary"] == "推进清淤" and all(e["type"] != "notice" for e in log[-2:])


def test_a_blank_supervision_cell_is_no_proposal(capsys, city: Path, tmp_path: Path) -> None:
    supervised = "STHJ-2025-001"  # 省级挂牌督办
    sheet = export(capsys, city, tmp_path / "台账.xlsx")
    book = load_workbook(sheet)
    unit = book["市生态环境局"]
    headings = [c.value for c in unit[2]]
    unit.cell(row_of(sheet, "市生态环境局", supervised), headings.index("挂牌督办") + 1).value = None
    book.save(sheet)
    before = snapshot(city)
    code, out = run_import(capsys, city, sheet)
    assert code == 0 and "挂牌督办这一格是空的" in out and "将追加一条“调整”记录" not in out
    assert snapshot(city) == before


def test_a_sheet_the_import_does_not_read_is_named(capsys, city: Path, tmp_path: Path) -> None:
    sheet = working(capsys, city, tmp_path)
    book = load_workbook(sheet)
    book.copy_worksheet(book["本旬进展"]).title = "本旬进展 (2)"
    book.save(sheet)
    code, out = run_import(capsys, city, sheet)
    assert "工作表“本旬进展 (2)”没有导入" in out


def test_the_same_entry_typed_twice_is_taken_once_and_said(capsys, city: Path, tmp_path: Path) -> None:
    sheet = working(capsys, city, tmp_path)
    row = {"日期": dt.date(2026, 11, 30), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 72, "内容": "推进清淤"}
    fill_working_sheet(sheet, [(PROBLEM, row), (PROBLEM, dict(row))])
    code, out = run_import(capsys, city, sheet)
    assert code == 0 and "完全相同，只记一次" in out and "1 个已追加 1 条记录" in out
    assert [e["summary"] for e in problem(city)["log"]].count("推进清淤") == 1
