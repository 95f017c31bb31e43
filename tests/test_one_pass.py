"""One run of validate lists every mistake of a file, most serious first (issue 19): a syntax error does not
hide the placeholders, dates and private data in the same file, and a refused value does not hide the schema."""

from __future__ import annotations

from pathlib import Path

from generator.validation.report import format_text, validate

from .conftest import AS_OF, CASES, materialize

SYNTAX = CASES / "invalid" / "E101-one-pass-syntax-error-with-more"
BAD_DATE = CASES / "invalid" / "E107-one-pass-schema-after-bad-date"
FILE = "ecology-env/STHJ-2026-001.yml"


def _run(case: Path, tmp_path: Path):
    root = materialize(case, tmp_path)
    report = validate(root, AS_OF)
    return [f for f in report.findings if f.file.endswith(FILE)], format_text(report)


def test_a_syntax_error_still_shows_the_private_number_first_and_everything_else(tmp_path: Path) -> None:
    findings, text = _run(SYNTAX, tmp_path)
    assert [(f.line, f.code) for f in findings] == [(12, "E311"), (7, "E101"), (10, "E329"), (16, "E206")], text
    mobile, colon, placeholder, date = findings
    assert "手机号码" in mobile.message and mobile.column == 14
    assert "全角冒号" in colon.message
    # the field by its Chinese name, as the scaffold's comment calls it
    assert placeholder.message.startswith("工作专班（team）") and "请填写工作专班" in placeholder.message
    assert "列入台账的日期（opened）" in date.message and "2025/7/1" in date.message and "2025-07-01" in date.message
    assert text.splitlines()[0].endswith(mobile.message), "the most serious finding must be the first line a clerk reads"


def test_a_refused_date_does_not_hide_the_rest_of_the_file(tmp_path: Path) -> None:
    findings, text = _run(BAD_DATE, tmp_path)
    assert [(f.line, f.code, f.field) for f in findings] == [
        (13, "E202", "targte"), (16, "E107", "opened"), (18, "E204", "supervision"),
        (20, "E201", "log[0].percent"), (24, "E201", "log[1].deadline")], text
    assert "你是否想写“target”" in findings[0].message
    assert "2025-13-01" in findings[1].message
    assert "provincial" in findings[2].message and "province" in findings[2].message


def test_private_data_is_found_in_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    root = materialize(None, tmp_path)
    path = root / "ecology-env" / "STHJ-2026-001.yml"
    path.write_bytes("id: STHJ-2026-001\nresponsible: 科长 赵某，手机 13812345678\n".encode("gbk"))
    report = validate(root, AS_OF)
    codes = [(f.line, f.code) for f in report.findings if f.file.endswith(FILE)]
    assert codes[0] == (2, "E311") and (2, "E105") in codes, format_text(report)


def test_private_data_is_found_in_a_file_refused_by_its_schema(tmp_path: Path) -> None:
    root = materialize(BAD_DATE, tmp_path)
    path = root / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("科长 赵*", "科长 赵* 13812345678"), encoding="utf-8")
    report = validate(root, AS_OF)
    first = report.findings[0]
    assert (first.line, first.code, first.field) == (12, "E311", "responsible"), format_text(report)


def test_a_quote_left_open_does_not_hide_the_lines_after_it(tmp_path: Path) -> None:
    root = materialize(None, tmp_path)
    (root / "ecology-env" / "STHJ-2026-009.yml").write_text(
        'id: STHJ-2026-009\ntitle: "未闭合\nresponsible: 科长 赵*  电话 139-1234-5678\nleader: 请填写挂帅领导\n'
        "opened: 2025.7.1\n", encoding="utf-8")
    report = validate(root, AS_OF)
    found = [(f.line, f.code) for f in report.findings if f.file.endswith("STHJ-2026-009.yml")]
    assert found == [(3, "E311"), (2, "E101"), (4, "E329"), (5, "E206")], format_text(report)
    assert "挂帅领导（leader）" in report.findings[2].message
