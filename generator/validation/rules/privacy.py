"""Nothing private is published: no mobile numbers, ID-card numbers or e-mail addresses in any text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from ...loading.ledger import Ledger
from ...loading.yamlio import Document, Path_, dotted
from ..findings import Finding

_FIX = {"E312": "请删去，或只保留前后几位、中间用“*”遮挡", "E311": "请删去或改用单位公开的办公电话",
        "E313": "请删去或改用单位公开的反馈渠道"}
_PATTERNS = (
    ("E312", "身份证号码", re.compile(  # 18 digits, or the 15 of the first-generation card
        r"(?<![0-9])[1-9]\d{5}(?:(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
        r"|\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9Xx])")),
    ("E311", "手机号码", re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- .]?\d{4}){2}(?![0-9])")),
    ("E313", "电子邮箱", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
)
_CANDIDATE = re.compile(r"\d{11}|\d{3}\D?\d{4}|[@＠]")  # \d is Unicode: full-width digits count


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    documents = [ledger.portal_document, ledger.departments_document, ledger.indicators_document]
    documents += [item.document for item in ledger.problems]
    documents += [item.document for item in ledger.inspections]
    for document in documents:
        if document is not None:
            yield from _scan(document, document.data, ())


def _scan(document: Document, value: Any, path: Path_) -> Iterator[Finding]:
    if isinstance(value, str):
        if _CANDIDATE.search(value):
            # full-width digits and ＠ typed in a Chinese input method are the same number and address
            yield from _match(document, unicodedata.normalize("NFKC", value), path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _scan(document, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scan(document, item, (*path, index))


def _match(document: Document, text: str, path: Path_) -> Iterator[Finding]:
    for code, what, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            shown = match.group()[:3] + "…"
            yield Finding.make(
                code, document.display, document.locate(path),
                f"“{dotted(path)}”中有疑似{what}（{shown}）；公开内容不得含个人{what}，{_FIX[code]}。",
                dotted(path))
            text = pattern.sub(" ", text)  # an ID-card number must not also count as a mobile number
