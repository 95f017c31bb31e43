"""Ids are unique: problem ids across all files, the ids and display names inside each registry, and
no registry id takes a name the portal itself uses for a page or folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...loading import layout
from ...loading.ledger import Ledger
from ...loading.yamlio import Document
from ...model.findings import Finding


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    first_seen: dict[str, Document] = {}
    for item in sorted(ledger.problems, key=lambda p: p.document.display):
        problem, document = item.problem, item.document
        earlier = first_seen.setdefault(problem.id, document)
        if earlier is not document:
            yield Finding.make(
                "E303", document.display, document.locate(("id",)),
                f"问题编号“{problem.id}”已经在 {earlier.display} 中使用；编号不能重复，请改用下一个空闲编号。", "id")
    if ledger.portal is not None:
        document, categories = ledger.portal_document, ledger.portal.categories
        yield from _unique(document, "categories", [(c.id, "id") for c in categories], "类别")
        yield from _unique(document, "steps", [(s.id, "id") for s in ledger.portal.steps], "步骤")
        yield from _reserved(document, "categories", [c.id for c in categories], "类别")
        yield from _unique(document, "categories", [(c.name, "name") for c in categories], "类别名称", "E327")
    if ledger.departments_document is not None and isinstance(ledger.departments_document.data, dict):
        document, rows = ledger.departments_document, ledger.departments_document.data.get("departments")
        if isinstance(rows, list):
            rows = [row if isinstance(row, dict) else {} for row in rows]  # a registry that failed its schema
            yield from _unique(document, "departments", [(row.get("id"), "id") for row in rows], "部门")
            yield from _unique(document, "departments", [(row.get("prefix"), "prefix") for row in rows], "编号前缀")
            yield from _reserved(document, "departments", [row.get("id") for row in rows], "部门")
            # charts label a department by its short name, or by its name when it has none
            labels = [(row["short"], "short") if row.get("short") else (row.get("name"), "name") for row in rows]
            yield from _unique(document, "departments", labels, "部门简称", "E327")
    if ledger.indicators:
        yield from _unique(ledger.indicators_document, "indicators", [(i.id, "id") for i in ledger.indicators], "指标")


def _unique(document: Document, section: str, values: list[tuple], what: str, code: str = "E318") -> Iterator[Finding]:
    """Each (value, key) of a registry's entries, in order; the second of two equal values is reported."""
    seen: set = set()
    for index, (value, key) in enumerate(values):
        if not isinstance(value, str):  # a registry that failed its schema may hold anything here
            continue
        if value in seen:
            message = (f"{what}“{value}”与前面一项相同；图表按名称画，两项会合并成一项，请改成不同的名称。" if code == "E327"
                       else f"{what}“{value}”在 {section} 中出现了不止一次；每个{what}只能登记一次。")
            yield Finding.make(code, document.display, document.locate((section, index, key)), message,
                               f"{section}[{index}].{key}")
        seen.add(value)


def _reserved(document: Document, section: str, ids: list, what: str) -> Iterator[Finding]:
    for index, value in enumerate(ids):
        if value in layout.RESERVED_IDS[section]:
            taken = "、".join(layout.RESERVED_IDS[section])
            yield Finding.make(
                "E323", document.display, document.locate((section, index, "id")),
                f"{what}编号“{value}”是门户的保留字（{taken}），会和门户自己的页面或文件夹冲突；请换一个编号。",
                f"{section}[{index}].id")
