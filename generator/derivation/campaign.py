"""Every problem as of a date, and the figures the portal publishes about them (city, department, category)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..loading.ledger import Ledger
from ..model.calendar import mondays
from ..model.schema import Category, Department, Portal, Problem, Step
from ..model.vocabulary import Light, Status, Supervision
from .asof import ledger_at
from .figures import Rates
from .lifecycle import Change, moments, standing
from .state import ProblemState, state_of


@dataclass(frozen=True)
class Row:
    """One problem with its state as of the portal's date."""

    problem: Problem
    state: ProblemState
    department: Department
    category: Category
    step: Step | None  # where the problem stands in the eight steps (None before any progress)
    step_index: int  # 0-based position of `step`; -1 before any progress; len(steps) when all are done
    cooperating: tuple[str, ...]  # cooperating units by name (department ids resolved)


@dataclass(frozen=True)
class Tally(Rates):
    """Headline figures of a group of problems as of the portal's date (its rates are figures.Rates)."""

    total: int
    by_status: dict[Status, int]
    by_light: dict[Light, int]
    closed: int
    finished: int  # done or closed
    on_time: int  # finished no later than the original deadline
    due: int  # finished, or past the original deadline: the problems that had to be done by now
    overdue: int
    supervised: int
    province: int
    extended: int


def tally(rows: Iterable[Row]) -> Tally:
    rows = list(rows)
    statuses = Counter(r.state.status for r in rows)
    lights = Counter(r.state.light for r in rows)
    finished = [r for r in rows if r.state.status in (Status.DONE, Status.CLOSED)]
    return Tally(
        total=len(rows),
        by_status={s: statuses.get(s, 0) for s in Status},
        by_light={light: lights.get(light, 0) for light in Light},
        closed=statuses.get(Status.CLOSED, 0),
        finished=len(finished),
        on_time=sum(1 for r in finished if r.state.done_on and r.state.done_on <= r.problem.deadline),
        due=sum(1 for r in rows if r.state.status in (Status.DONE, Status.CLOSED) or r.problem.deadline < r.state.as_of),
        overdue=statuses.get(Status.OVERDUE, 0),
        supervised=sum(1 for r in rows if r.problem.supervision != Supervision.NONE),
        province=sum(1 for r in rows if r.problem.supervision == Supervision.PROVINCE),
        extended=sum(1 for r in rows if r.state.extensions),
    )


@dataclass(frozen=True)
class Campaign:
    """The whole ledger as of a date, every problem with its state: the heart of the site context (site.py)."""

    portal: Portal
    as_of: dt.date
    rows: tuple[Row, ...]  # sorted by problem id
    departments: tuple[Department, ...]
    ledger: Ledger  # as of `as_of`: nothing dated later is in it

    def by_department(self, department_id: str) -> list[Row]:
        return [r for r in self.rows if r.department.id == department_id]

    def by_category(self, category_id: str) -> list[Row]:
        return [r for r in self.rows if r.category.id == category_id]


def campaign_of(ledger: Ledger, as_of: dt.date) -> Campaign:
    """The ledger as it stood at the end of `as_of` (asof.ledger_at, the one cut to a date), with every
    problem's state derived; the ledger must be valid (the build validates first)."""
    ledger = ledger_at(ledger, as_of)
    portal = ledger.portal
    assert portal is not None, "campaign_of needs a validated ledger"
    categories = {c.id: c for c in portal.categories}
    step_ids = [s.id for s in portal.steps]
    names = {d.id: d.name for d in ledger.departments.values()}
    rows = []
    for item in sorted(ledger.problems, key=lambda p: p.problem.id):
        problem = item.problem
        facts = standing(problem, as_of, step_ids)  # one fold gives the state and the stepper
        state = state_of(problem, as_of, portal.thresholds, facts)
        index = facts.step
        step = portal.steps[min(index, len(portal.steps) - 1)] if index >= 0 else None
        rows.append(Row(problem, state, ledger.departments[problem.department], categories[problem.category],
                        step, index, tuple(names.get(unit, unit) for unit in problem.cooperating)))
    return Campaign(portal, as_of, tuple(rows), tuple(ledger.departments.values()), ledger)


def weekly_curve(campaign: Campaign) -> list[tuple[dt.date, int, int]]:
    """Cumulative problems found and closed, week by week (Mondays), up to the as-of date.

    Built from the transitions of each problem's lifecycle (found when opened, +1 on a close-out,
    -1 on a rebound of a closed problem) in one pass, with one sort of the events, so it stays linear
    in the number of problems.
    """
    events: list[tuple[dt.date, int, int]] = []  # (date, found delta, closed delta)
    for row in campaign.rows:
        for moment in moments(row.problem):  # the campaign's problems hold only entries up to its date
            if Change.OPENED in moment.changes:
                events.append((moment.date, 1, 0))
            elif Change.CLOSED in moment.changes or Change.RECLOSED in moment.changes:
                events.append((moment.date, 0, 1))
            elif Change.REBOUND in moment.changes and moment.before.closed:
                events.append((moment.date, 0, -1))
    events.sort()
    start = min([campaign.portal.campaign_start, *(e[0] for e in events)], default=campaign.as_of)
    points = []
    found = closed_count = 0
    cursor = 0
    for day in mondays(start, campaign.as_of):
        while cursor < len(events) and events[cursor][0] <= day:
            found += events[cursor][1]
            closed_count += events[cursor][2]
            cursor += 1
        points.append((day, found, closed_count))
    return points

