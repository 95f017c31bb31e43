"""Nothing private is published: no mobile numbers, ID-card numbers or e-mail addresses in any text or comment."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import yaml

from ...loading.ledger import Ledger
from ...loading.yamlio import Document, Path_, dotted, spoken
from ...model.findings import Finding

_WHAT = {"E311": "手机号码", "E312": "身份证号码", "E313": "电子邮箱"}
_FIX = {"E312": "请删去，或只保留前后几位、中间用“*”遮挡", "E311": "请删去或改用单位公开的办公电话",
        "E313": "请删去或改用单位公开的反馈渠道"}

# What people type between the digits of one number: spaces of every width (full-width, no-break,
# thin, zero-width), hyphens and dashes of every kind, the minus sign, and dots. Not "。" (it ends a
# sentence, and two sentences must not join into one number), not "/" (dates), not "," (amounts).
_SPACES = "\t \u00a0\u1680\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff"
_DASHES = "\\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_DOTS = ".\u00b7\u2027\u2219\u30fb\uff0e\uff65"
_SEPARATOR = f"[{_SPACES}{_DASHES}{_DOTS}]"
_SEPARATOR_KINDS = (re.compile(f"[{_SPACES}]"), re.compile(f"[{_DASHES}]"), re.compile(f"[{_DOTS}]"))
# A run: digit groups joined by up to three separators ("138 - 1234 - 5678"); an ID card's "X" may end it.
_RUN = re.compile(rf"[0-9]+(?:{_SEPARATOR}{{1,3}}[0-9]+)*(?:[Xx](?![A-Za-z]))?")
_GROUP = re.compile(r"[0-9]+[Xx]?")
# The cheap test every string passes first: a run with at least 11 digits, or an "@". Raw text, so
# \d (Unicode) also sees full-width digits, and the separator class holds the full-width forms.
_CANDIDATE = re.compile(rf"\d(?:{_SEPARATOR}{{0,3}}\d){{10}}|[@＠]")
# A "#" that may start a comment: at the start of a line or after a space. Whether it is one (and not
# inside a quoted or block scalar) is settled by the parsed file, only for the few that hold a candidate.
_COMMENT = re.compile(r"(?<![^ \t\n])#")
COMMENT_FIELD = "（注释）"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_PREFIXES = ("0086", "86")  # "+86 138…" is a group of its own; "+8613812345678" is not
# Province-level codes that begin a resident ID number (81-83: Hong Kong, Macao and Taiwan residents'
# residence permits); a foreigner's permanent-residence card begins with 9.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split())
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2
# Words that say the number after them is an ID card: then a wrong check digit is a typo in
# someone's ID number, still private, not an ordinary long number.
_ID_CONTEXT = re.compile(r"身份证|身份号码|证件号|公民身份")
_ID_CONTEXT_REACH = 12  # characters before the number


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    documents = [ledger.portal_document, ledger.departments_document, ledger.indicators_document]
    documents += [item.document for item in ledger.problems]
    documents += [item.document for item in ledger.inspections]
    documents += ledger.rejected  # a file refused for another mistake is as public once fixed
    for document in documents:
        if document is not None:
            yield from _scan(document, document.data, (), today.year)
            yield from scan_comments(document, today.year)
    for raw in ledger.unparsed:
        yield from scan_text(raw.display, raw.text, today.year)


# a line's key, when it has one, names the field in a file that could not be parsed
_KEY_LINE = re.compile(r"^[ \u3000]*(?:-[ \u3000]+)?([A-Za-z_][A-Za-z0-9_]*)[ \u3000]*[:：]")


def scan_text(display: str, text: str, last_year: int) -> Iterator[Finding]:
    """Every line of a file the YAML parser could not read (a syntax error, another encoding): the private
    data in it is found whatever else is wrong, in the same run."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not _CANDIDATE.search(line):
            continue
        key = _KEY_LINE.match(line)
        start = key.end() if key else len(line) - len(line.lstrip(" \u3000-"))
        where = f"“{key[1]}”" if key else f"第 {number} 行"
        for code, shown in private_items(line[start:], last_year):
            what = _WHAT[code]
            yield Finding.make(
                code, display, (number, start + 1 + len(line[start:]) - len(line[start:].lstrip(" \u3000"))),
                f"{where}中有疑似{what}（{shown}…）；公开内容不得含个人{what}，{_FIX[code]}。",
                key[1] if key else "")


def _scan(document: Document, value: Any, path: Path_, last_year: int) -> Iterator[Finding]:
    if isinstance(value, str):
        if _CANDIDATE.search(value):
            for code, shown in private_items(value, last_year):
                what = _WHAT[code]
                yield Finding.make(
                    code, document.display, document.locate(path),
                    f"{spoken(path)}中有疑似{what}（{shown}…）；公开内容不得含个人{what}，{_FIX[code]}。",
                    dotted(path))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _scan(document, item, (*path, key), last_year)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scan(document, item, (*path, index), last_year)


def scan_comments(document: Document, last_year: int) -> Iterator[Finding]:
    """Comments are not on the portal, but the ledger repository is public: they must be as clean."""
    text = document.text
    if "#" not in text:
        return
    candidates = []  # (where the "#" is, the rest of its line): a "#" inside a string may come first
    for match in _COMMENT.finditer(text):
        end = text.find("\n", match.start())
        rest = text[match.start():end if end >= 0 else len(text)].rstrip("\r")
        if _CANDIDATE.search(rest):
            candidates.append((match.start(), rest))
    if not candidates:
        return
    scalars = _scalar_spans(document.root())
    lines_done = set()
    for start, comment in candidates:
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        if line in lines_done or any(first <= (line, column) < end for first, end in scalars):
            continue  # a "#" inside a quoted or block scalar is text, and the text is checked as a value
        lines_done.add(line)
        for code, shown in private_items(comment, last_year):
            what = _WHAT[code]
            yield Finding.make(
                code, document.display, (line + 1, column + 1),
                f"第 {line + 1} 行的注释中有疑似{what}（{shown}…）；注释虽不显示在门户上，但台账仓库是公开的，"
                f"任何人都能看到注释，同样不得含个人{what}，{_FIX[code]}。",
                COMMENT_FIELD)


def _scalar_spans(node: yaml.Node | None) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) as (line, column), 0-based, of every scalar in the file, keys included."""
    spans = []
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            spans.append(((node.start_mark.line, node.start_mark.column), (node.end_mark.line, node.end_mark.column)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
    return spans


def private_items(text: str, last_year: int) -> list[tuple[str, str]]:
    """(code, first three characters) of the first private number or address of each kind in `text`.

    Full-width digits and ＠ typed in a Chinese input method are the same number and address (NFKC).
    A number is a run of digit groups; it is found only between group boundaries, so "2025-11-13"
    never yields a number that starts inside "13". An ID card's digits never also count as a mobile.
    """
    text = unicodedata.normalize("NFKC", text)
    found: dict[str, str] = {}
    for run in _RUN.finditer(text):
        groups = _GROUP.findall(run.group())
        if sum(len(group) for group in groups) < 11:
            continue
        context = _ID_CONTEXT.search(text, max(0, run.start() - _ID_CONTEXT_REACH), run.start()) is not None
        taken: set[int] = set()
        for first, end, digits in _windows(groups, (15, 18)):
            # written 6-8-4 (area, birth date, sequence and check) is how people set out an ID number:
            # then a wrong check digit is a typo in one, not an ordinary number
            set_out = [len(group) for group in groups[first:end]] == [6, 8, 4]
            if _is_id_card(digits, last_year, context or set_out):
                found.setdefault("E312", digits[:3])
                taken.update(range(first, end))
        kinds = [_kind(separator) for separator in _GROUP.split(run.group())[1:-1]]
        for first, end, digits in _windows(groups, (11,), _MOBILE_PREFIXES):
            if taken.isdisjoint(range(first, end)) and _MOBILE.fullmatch(digits) \
                    and _stands_apart(groups, kinds, first, end):
                found.setdefault("E311", digits[:3])
    email = _EMAIL.search(text)
    if email:
        found["E313"] = email.group()[:3]
    return sorted(found.items(), key=lambda item: ("E312", "E311", "E313").index(item[0]))


def _windows(groups: list[str], lengths: tuple[int, ...],
             prefixes: tuple[str, ...] = ()) -> Iterator[tuple[int, int, str]]:
    """(first group, end group, digits) for every span of whole groups with one of `lengths` digits.

    With `prefixes`, a span may also start after one of them at the head of its first group.
    """
    longest = max(lengths)
    for first, head in enumerate(groups):
        starts = [0] + [len(p) for p in prefixes if head.startswith(p) and len(head) > len(p)]
        for start in starts:
            digits = head[start:]
            end = first + 1
            while True:
                if len(digits) in lengths:
                    yield first, end, digits
                if end == len(groups) or len(digits) >= longest:
                    break
                digits += groups[end]
                end += 1


def _kind(separator: str) -> tuple[bool, ...]:
    return tuple(pattern.search(separator) is not None for pattern in _SEPARATOR_KINDS)


def _stands_apart(groups: list[str], kinds: list[tuple[bool, ...]], first: int, end: int) -> bool:
    """Whether digit groups first..end-1 of a run read as a number of their own, not part of a longer one.

    Eleven digits written together always do. Groups do when they begin the run (after a "+86"), or when
    a different separator sets them off ("2025-11-13 138-1234-5678"): in "HT-2025-1381-2345-678" or
    "2025.10.13—2025.11.15" they are pieces of a document number or of dates. Groups of three after a
    short head ("13 800 000 000") are an amount, which no one writes a mobile number as.
    """
    if end - first == 1:
        return True
    # kinds[k] is the separator between group k and group k + 1
    if end - first >= 3 and len(groups[first]) <= 3 and all(len(group) == 3 for group in groups[first + 1:end]):
        return False
    if first == 0 or (first == 1 and groups[0] in _MOBILE_PREFIXES):
        return True
    return kinds[first - 1] not in kinds[first:end - 1]


def _is_id_card(digits: str, last_year: int, context: bool) -> bool:
    """An ID number has a province code, a real birth date and (18 digits) a right check digit.

    The check digit can be wrong only when the text just before says it is an ID number, or the number is
    set out as one (6-8-4).
    """
    if "X" in digits[:-1].upper() or not (digits[:2] in _PROVINCES or digits[0] == "9"):
        return False
    if len(digits) == 15:
        return digits[-1] not in "Xx" and _real_date("19" + digits[6:12], last_year)
    if not _real_date(digits[6:14], last_year):
        return False
    return context or check_digit(digits[:17]) == digits[17].upper()


def check_digit(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _real_date(yyyymmdd: str, last_year: int) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if not 1900 <= year <= last_year:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
