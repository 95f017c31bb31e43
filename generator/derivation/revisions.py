"""A problem's commitments as they stand after its revisions (调整): the record the portal shows as of a day.

The problem file keeps what was first promised; each revision entry replaces one field's content from its
date on. Applied to a log already cut to a day (asof.problem_at), this gives the record as it stood that
day, so a portal built for a past day shows the target then in force.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..model.schema import Milestone, Problem, Revision
from ..model.vocabulary import RevisedField, Supervision


@dataclass(frozen=True)
class Revised:
    """One field's story: what was first written, and the revisions since."""

    field: RevisedField
    original: object
    entries: tuple[Revision, ...]


def entries(problem: Problem) -> Iterator[Revision]:
    return (entry for entry in problem.log if isinstance(entry, Revision))


def value(field: RevisedField, raw: object) -> object:
    """A revision's `to` as the problem's own field holds it (the rule module has checked it fits)."""
    if field == RevisedField.SUPERVISION:
        return Supervision(raw) if raw is not None else Supervision.NONE
    if field == RevisedField.MILESTONES:
        return [item if isinstance(item, Milestone) else Milestone.model_validate(item) for item in raw or []]
    if field in (RevisedField.MEASURES, RevisedField.COOPERATING):
        return [str(item).strip() for item in raw or []]
    return None if raw is None else str(raw).strip()


def revised(problem: Problem) -> Problem:
    """The problem with every revision in its log applied, in log order; the problem itself when it has none."""
    updates: dict[str, object] = {}
    for entry in entries(problem):
        updates[entry.field.value] = value(entry.field, entry.to)
    return problem.model_copy(update=updates) if updates else problem


def stories(problem: Problem) -> dict[RevisedField, Revised]:
    """Each revised field's original, current content and revisions, for the page that shows them. The original
    is the first revision's `from`, which the validator holds to the file's own content: a problem read as of a
    day already carries the revised content in its fields."""
    found: dict[RevisedField, list[Revision]] = {}
    for entry in entries(problem):
        found.setdefault(entry.field, []).append(entry)
    return {field: Revised(field, value(field, items[0].from_), tuple(items)) for field, items in found.items()}


def shown(field: RevisedField, raw: object, names: Mapping[str, str] | None = None) -> str | list[str]:
    """A commitment as the public reads it: text as written, a supervision level's label, a list's items (a
    milestone with its dates, a registered cooperating department by its name in `names`)."""
    content = value(field, raw)
    if field == RevisedField.SUPERVISION:
        return content.label
    if field == RevisedField.MILESTONES:
        return [f"{m.title}（计划 {m.due.isoformat() if m.due else '未定'}{'，' + m.done.isoformat() + ' 完成' if m.done else ''}）"
                for m in content]
    if field == RevisedField.COOPERATING:
        return [(names or {}).get(unit, unit) for unit in content]
    if isinstance(content, list):
        return list(content)
    return "（无）" if content is None else content


def summary(field: RevisedField, raw: object, names: Mapping[str, str] | None = None) -> str:
    """`shown` on one line, for a report's table or a message: a list's items joined."""
    text = shown(field, raw, names)
    return ("；".join(text) or "（无）") if isinstance(text, list) else text


def as_written(problem: Problem) -> Problem:
    """The problem as its file holds it: every revised field back to what was first promised (the first
    revision's `from`), for a spreadsheet that imports back into the same file."""
    found = stories(problem)
    if not found:
        return problem
    return problem.model_copy(update={field.value: story.original for field, story in found.items()})

