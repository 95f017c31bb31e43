"""A problem's commitments as they stand after its revisions (调整): the record the portal shows as of a day.

The problem file keeps what was first promised; each revision entry replaces one field's content from its
date on. Applied to a log already cut to a day (asof.problem_at), this gives the record as it stood that
day, so a portal built for a past day shows the target then in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..model.schema import Milestone, Problem, Revision
from ..model.vocabulary import RevisedField, Supervision


@dataclass(frozen=True)
class Revised:
    """One field's story: what was first written, what is in force, and the revisions between."""

    field: RevisedField
    original: object
    current: object
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
    return {field: Revised(field, value(field, items[0].from_), value(field, items[-1].to), tuple(items))
            for field, items in found.items()}


def summary(field: RevisedField, raw: object) -> str:
    """One line for a revision's side in a report's table: text as written, a supervision level's label, a
    list as its items joined (the problem page shows lists whole)."""
    content = value(field, raw)
    if field == RevisedField.SUPERVISION:
        return content.label
    if field == RevisedField.MILESTONES:
        return "；".join(f"{m.title}（{m.due.isoformat() if m.due else '未定'}）" for m in content) or "（无）"
    if isinstance(content, list):
        return "；".join(content) or "（无）"
    return "（无）" if content is None else content


def as_written(problem: Problem) -> Problem:
    """The problem as its file holds it: every revised field back to what was first promised (the first
    revision's `from`), for a spreadsheet that imports back into the same file."""
    found = stories(problem)
    if not found:
        return problem
    return problem.model_copy(update={field.value: story.original for field, story in found.items()})

