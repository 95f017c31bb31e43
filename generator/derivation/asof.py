"""The ledger as it stood at the end of a day: the one cut to a date that every figure is computed from.

Problems opened later are left out; log entries, milestones' done dates, inspections and indicator
values dated later are cut off. Pages, charts and data files for a day read this view and nothing
else, so a portal built for a past day shows only what was known that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..loading.ledger import Ledger, ProblemFile
from ..model.schema import Indicator, Problem
from .revisions import revised


def ledger_at(ledger: Ledger, day: dt.date) -> Ledger:
    """A copy of `ledger` holding only what was on record at the end of `day`."""
    problems = []
    for item in ledger.problems:
        problem = problem_at(item.problem, day)
        if problem is not None:
            problems.append(item if problem is item.problem else ProblemFile(item.document, problem))
    inspections = [item for item in ledger.inspections if item.inspection.date <= day]
    indicators = [cut for cut in (indicator_at(i, day) for i in ledger.indicators) if cut is not None]
    return dataclasses.replace(ledger, problems=problems, inspections=inspections, indicators=indicators)


def problem_at(problem: Problem, day: dt.date) -> Problem | None:
    """The problem as it stood at the end of `day`, with the revisions (调整) approved by then applied; None
    before it was opened. The original commitments stay readable in the revision entries' `from`."""
    if problem.opened > day:
        return None
    log = [entry for entry in problem.log if entry.date <= day]
    if len(log) != len(problem.log):
        problem = problem.model_copy(update={"log": log})
    problem = revised(problem)
    later = [m.done is not None and m.done > day for m in problem.milestones]
    if not any(later):
        return problem
    milestones = [m.model_copy(update={"done": None}) if cut else m
                  for m, cut in zip(problem.milestones, later, strict=True)]
    return problem.model_copy(update={"milestones": milestones})


def indicator_at(indicator: Indicator, day: dt.date) -> Indicator | None:
    """The values counted by the end of `day`; None when there were none yet."""
    values = [v for v in indicator.values if v.date <= day]
    if not values:
        return None
    return indicator if len(values) == len(indicator.values) else indicator.model_copy(update={"values": values})

