"""The privacy rule on single texts and comments: which numbers are private, whatever separates their digits, and which are not."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from generator.loading.yamlio import parse_document
from generator.validation.rules.privacy import COMMENT_FIELD, check_digit, private_items, scan_comments

YEAR = 2026


def id_number(first17: str) -> str:
    """A fictional ID number (area 110101) with its right check digit."""
    return first17 + check_digit(first17)


ID = id_number("11010119800215031")  # 110101198002150314
ID_X = id_number("11010119851231004")  # ends in X


def codes(text: str) -> list[str]:
    return [code for code, _ in private_items(text, YEAR)]


def test_check_digit_of_the_standards_example() -> None:
    assert check_digit("11010519491231002") == "X"
    assert ID_X.endswith("X")


@pytest.mark.parametrize("separator", [
    " ", "  ", "\u3000", "\u00a0", "\u2009", "\u202f", "\u200b", "-", "\u2010", "\u2011", "\u2012", "\u2013",
    "\u2014", "\u2015", "\uff0d", "\u2212", " - ", ".", "\uff0e", "\u00b7"])
def test_every_separator_joins_the_digits(separator: str) -> None:
    assert codes(separator.join(["138", "1234", "5678"])) == ["E311"]
    assert codes(separator.join([ID[:6], ID[6:14], ID[14:]])) == ["E312"]
    assert codes(separator.join([ID_X[:6], ID_X[6:14], ID_X[14:]])) == ["E312"]


@pytest.mark.parametrize("text", [
    "13 8123 45678", "1381 2345 678", "1 3 8 1 2 3 4 5 6 7 8", "１３８１２３４５６７８", "+8613812345678",
    "+86 138 1234 5678", "0086-138-1234-5678", "(86)13812345678", "2025-11-13 138-1234-5678",
    "电话13812345678、13912345678", "0871-63123456 13812345678"])
def test_mobile_numbers(text: str) -> None:
    assert codes(text) == ["E311"]


@pytest.mark.parametrize("text", [
    f"户主 {ID}", f"承包户{ID_X}", f"{ID[:6]}－{ID[6:14]}－{ID[14:]}", "身份证 330102900307123",
    "身份证号 110101199003071234",  # a wrong check digit, but it says it is an ID number
    "公民身份号码：110101-19900307-1234"])
def test_id_numbers(text: str) -> None:
    assert codes(text) == ["E312"]


@pytest.mark.parametrize("text", [
    "110101199003071234",  # wrong check digit, nothing says it is an ID number
    "设备流水号 320102198512310021", "注册号 110108012345678",  # a 15-digit number without a real date
    id_number("11010118991231001"), id_number("11010120301231001"),  # born before 1900, after this year
    id_number("11010119900230001"),  # 30 February
    id_number("00010119900307001"),  # no province
    "12345", "12315、12369 热线", "0871-63123456", "0871 — 6312 3456", "(0571)8765 4321", "010-12345678",
    "测整改〔2025〕12号", "京政办发〔2025〕138号", "1,234,567.89 元", "13,812,345.67元", "13 800 000 000 元",
    "STHJ-2025-001、STHJ-2025-002", "HT-2025-1381-2345-678", "2025-11-13 至 2025-12-01",
    "2025.10.13—2025.11.15", "2025年11月13日 13:45", "12345678901", "138****5678", "110101********1234",
    "https://example.gov.cn/a?id=1#p2", "排查 1381 户、2345 亩、678 人", "完成 13。81234。5678"])
def test_not_private(text: str) -> None:
    assert codes(text) == []


def test_an_id_number_is_not_also_a_mobile_number() -> None:
    assert codes(f"{ID[:6]} {ID[6:14]} {ID[14:]}，电话 139 1234 5678") == ["E312", "E311"]


def test_at_most_one_finding_of_each_kind() -> None:
    assert codes("13812345678 或 13912345678，a@example.com b@example.com") == ["E311", "E313"]


@pytest.mark.parametrize(("text", "found"), [
    ("# 联系人 138 1234 5678\na: x\n", [(1, 1, "E311")]),
    ("a: 'x # 1'  # 身份证 110101-19900307-1234\n", [(1, 13, "E312")]),  # the quoted "#" comes first
    ("a: x #a@b.cn # 13812345678\n", [(1, 6, "E311"), (1, 6, "E313")]),
    ("l:\n  - a\n  # 13812345678\n  - b\n", [(3, 3, "E311")]),
    ("c: |\n  text\n# 13812345678\nd: x\n", [(3, 1, "E311")]),
    ("a: http://x/#13812345678\n", []),  # no space before "#": part of the value
    ("c: |\n  块 # 13912345678\n", []),  # inside a block scalar: text, checked as the value
    ('k: "a\n  # 13812345678 b"\n', []),  # inside a quoted scalar over two lines
    ("# 办公电话 0871-63123456，文号 测整改〔2025〕138号\na: x\n", []),
])
def test_comments_are_checked_where_they_are(text: str, found: list[tuple[int, int, str]]) -> None:
    document = parse_document(text.encode(), PurePath("x.yml"), "x.yml")
    findings = list(scan_comments(document, YEAR))
    assert [(f.line, f.column, f.code) for f in findings] == found
    assert all(f.field == COMMENT_FIELD and "注释" in f.message and "公开" in f.message for f in findings)
