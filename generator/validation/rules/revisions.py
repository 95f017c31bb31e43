"""Revisions (调整): each one says what changed, from the content then in force to content that fits the field,
and carries the approving document where the change is one a department would rather make quietly.

Which fields change this way, and which never change, is model/permanence.py's."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Annotated

from pydantic import TypeAdapter, ValidationError

from ...derivation import revisions
from ...loading.ledger import Ledger
from ...loading.schemacheck import translate
from ...loading.yamlio import Document
from ...model import permanence
from ...model.findings import Finding
from ...model.schema import Problem, Revision
from ...model.vocabulary import RevisedField

_MISSING = object()


@functools.cache
def _adapter(field: RevisedField) -> TypeAdapter:
    info = Problem.model_fields[field.value]
    return TypeAdapter(Annotated[info.annotation, info])


def parsed(field: RevisedField, raw: object) -> tuple[object, list[dict]]:
    """A revision's value read as the problem's own field is read; pydantic's errors when it does not fit."""
    try:
        return _adapter(field).validate_python(raw), []
    except ValidationError as error:
        return _MISSING, error.errors(include_url=False)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    for item in ledger.problems:
        yield from _problem(item.problem, item.document)


def _problem(problem: Problem, document: Document) -> Iterator[Finding]:
    if not any(isinstance(entry, Revision) for entry in problem.log):
        return  # most problems: nothing revised
    in_force = {field: getattr(problem, field.value) for field in RevisedField}
    for index, entry in enumerate(problem.log):
        if not isinstance(entry, Revision):
            continue
        field = entry.field
        label = field.label

        def at(key: str, code: str, message: str, index=index) -> Finding:
            return Finding.make(code, document.display, document.locate(("log", index, key)), message,
                                f"log[{index}].{key}")

        before, before_errors = parsed(field, entry.from_)
        after, after_errors = parsed(field, entry.to)
        for key, errors in (("from", before_errors), ("to", after_errors)):
            for error in errors:  # on the line of the part that does not fit, as the schema check says it
                error = {**error, "loc": ("log", index, "revision", key, *error["loc"])}
                yield translate(document, Problem, error)
        current = in_force[field]
        if before is not _MISSING and before != current:
            source = "台账原文" if not any(isinstance(e, Revision) and e.field == field
                                          for e in problem.log[:index]) else "上一次调整后的内容"
            yield at("from", "E334", f"第 {index + 1} 条记录调整{label}，from 写的是“{_cut(revisions.summary(field, before))}”，"
                                     f"但调整前有效的{label}是“{_cut(revisions.summary(field, current))}”（{source}）；请照抄有效的内容。")
        if before is not _MISSING and after is not _MISSING and before == after:
            yield at("to", "E335", f"第 {index + 1} 条记录调整{label}，但 from 和 to 相同（“{_cut(revisions.summary(field, after))}”）；"
                                   "请写明调整后的内容，或删去这条还未合并的记录。")
        if not entry.document and permanence.needs_document(field, current, after if after is not _MISSING else None):
            what = "调整整改目标" if field == RevisedField.TARGET else "降低或取消挂牌督办"
            yield Finding.make("E336", document.display, document.locate(("log", index, "approved_by")),
                               f"第 {index + 1} 条记录{what}，没有写批准文号：请在 document 中写明"
                               f"{entry.approved_by}同意调整的文件文号（如“专班函〔{entry.date.year}〕12号”）。",
                               f"log[{index}].document")
        if after is not _MISSING:
            in_force[field] = after
