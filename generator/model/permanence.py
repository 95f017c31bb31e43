"""What may change in a merged record, and how: the one rule the validator, check-history and the snapshots read.

A problem's record is a promise made in public. Once merged, the facts of its assignment never change; its
commitments change only by an appended, dated revision entry (调整) that says what changed from what to
what, why, and who approved it; its deadline only by an extension (延期); its log only grows at its end.
The one thing a clerk fills in place is a milestone's completion date, once. An inspection record of the
office is fixed whole once merged: what came later is a new record.
"""

from __future__ import annotations

from enum import StrEnum

from .schema import Inspection, Milestone, Problem
from .vocabulary import RevisedField, Supervision


class Rule(StrEnum):
    """How a field of a merged problem may change."""

    FIXED = "fixed"  # never: a fact of the assignment
    REVISED = "revised"  # only by an appended revision entry (type: revision)
    EXTENDED = "extended"  # only by an appended extension entry (type: extension)
    APPENDED = "appended"  # entries are only appended at the end
    INTERNAL = "internal"  # not published; the import's own bookkeeping


FIXED_FIELDS = ("id", "department", "category", "source", "description", "opened")

RULES: dict[str, Rule] = {
    **{name: Rule.FIXED for name in FIXED_FIELDS},
    **{term.value: Rule.REVISED for term in RevisedField},
    "deadline": Rule.EXTENDED,
    "log": Rule.APPENDED,
    "imported": Rule.INTERNAL,
}
assert set(RULES) == set(Problem.model_fields), "every field of a problem has its rule"

# What a clerk reads about a fixed field's name in messages.
FIXED_LABELS = {"id": "问题编号", "department": "牵头部门", "category": "问题类别", "source": "问题来源",
                "description": "问题描述", "opened": "列入台账日期", "deadline": "完成时限"}

INSPECTION_FIXED = tuple(Inspection.model_fields)  # every field: an inspection record is fixed whole


def rule_of(field: str) -> Rule | None:
    return RULES.get(field)


def public_fields() -> tuple[str, ...]:
    """The fields of a problem the portal publishes: every one but the import's bookkeeping."""
    return tuple(name for name, rule in RULES.items() if rule != Rule.INTERNAL)


def label_of(field: str) -> str:
    try:
        return RevisedField(field).label
    except ValueError:
        return FIXED_LABELS.get(field, field)


_LEVEL = {Supervision.NONE: 0, Supervision.CITY: 1, Supervision.PROVINCE: 2}


def needs_document(field: RevisedField, before: object, after: object) -> bool:
    """A changed target and a lowered or dropped supervision level need the approving document's number:
    they are what a department would most like to change quietly."""
    if field == RevisedField.TARGET:
        return True
    if field == RevisedField.SUPERVISION:
        try:
            return _LEVEL[Supervision(str(after))] < _LEVEL[Supervision(str(before))]
        except (KeyError, ValueError):
            return False
    return False


def milestone_filled(old: Milestone | dict, new: Milestone | dict) -> bool:
    """The one change made in place: a milestone's completion date filled in where there was none."""
    def get(item, key):
        return item.get(key) if isinstance(item, dict) else getattr(item, key, None)
    return (get(old, "done") is None and get(new, "done") is not None
            and all(get(old, key) == get(new, key) for key in ("title", "due")))
