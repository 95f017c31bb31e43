"""Which problems each ranking, list and home-page block shows, and in what order: domain rules, not rendering.

Every function reads a `Campaign` (the ledger as of its date); pages only lay out what these return.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from ..model.schema import Category, Department, Inspection, LogEntry
from ..model.vocabulary import Supervision
from .campaign import Campaign, Row, Tally, tally
from .state import Light, Status

UPCOMING_DAYS = 30  # the home page lists open problems due within this many days
UPCOMING_LIMIT = 10
UPDATES_LIMIT = 12
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def attention_order(rows: Iterable[Row]) -> list[Row]:
    """Red first, then yellow, then green; within a light, the nearest deadline first."""
    return sorted(rows, key=lambda r: (LIGHT_ORDER[r.state.light], r.state.deadline, r.problem.id))


def department_ranking(campaign: Campaign) -> list[tuple[Department, Tally]]:
    """Departments by closure rate, highest first; ties go to fewer overdue, then fewer red lights."""
    ranking = [(d, tally(campaign.by_department(d.id))) for d in campaign.departments]
    ranking.sort(key=lambda item: (-(item[1].closure_rate or 0), item[1].overdue, item[1].by_light[Light.RED],
                                   item[0].id))
    return ranking


def category_tallies(campaign: Campaign) -> list[tuple[Category, Tally]]:
    return [(c, tally(campaign.by_category(c.id))) for c in campaign.portal.categories]


def cooperating_rows(campaign: Campaign, department_id: str) -> list[Row]:
    """Problems led by others in which the department is a cooperating unit."""
    return attention_order(r for r in campaign.rows if department_id in r.problem.cooperating)


def upcoming(campaign: Campaign, days: int = UPCOMING_DAYS, limit: int = UPCOMING_LIMIT) -> list[Row]:
    """Open problems due within `days`, the nearest deadline first."""
    open_rows = [r for r in campaign.rows if r.state.status not in (Status.DONE, Status.CLOSED)
                 and 0 <= r.state.days_left <= days]
    return sorted(open_rows, key=lambda r: (r.state.deadline, r.problem.id))[:limit]


def latest_updates(campaign: Campaign, limit: int = UPDATES_LIMIT) -> list[tuple[Row, LogEntry]]:
    """The newest log entries across all problems; a heap keeps it linear in the number of entries."""
    latest = heapq.nlargest(
        limit,
        ((entry.date, row.problem.id, index, row, entry) for row in campaign.rows
         for index, entry in enumerate(row.problem.log)))
    return [(row, entry) for _, _, _, row, entry in latest]


def supervised(campaign: Campaign) -> list[Row]:
    """Problems under named supervision: province first, then by light and deadline."""
    rows = [r for r in campaign.rows if r.problem.supervision != Supervision.NONE]
    return sorted(rows, key=lambda r: (r.problem.supervision != Supervision.PROVINCE, LIGHT_ORDER[r.state.light],
                                       r.state.deadline, r.problem.id))


def overdue(campaign: Campaign) -> list[Row]:
    """Overdue problems, the longest overdue first."""
    return sorted((r for r in campaign.rows if r.state.status == Status.OVERDUE),
                  key=lambda r: (r.state.days_left, r.problem.id))


def rebound(campaign: Campaign) -> list[Row]:
    return attention_order(r for r in campaign.rows if r.state.status == Status.REBOUND)


def under_notice(campaign: Campaign) -> list[Row]:
    """Problems whose result is published for objections on the campaign's date."""
    return sorted((r for r in campaign.rows if r.state.notice_open), key=lambda r: r.problem.id)


def inspections_newest_first(campaign: Campaign) -> list[Inspection]:
    return sorted((i.inspection for i in campaign.ledger.inspections), key=lambda i: (i.date, i.id), reverse=True)


def inspections_by_problem(campaign: Campaign) -> dict[str, list[Inspection]]:
    """Each problem's inspection records, oldest first."""
    by_problem: dict[str, list[Inspection]] = {}
    for item in sorted(campaign.ledger.inspections, key=lambda i: (i.inspection.date, i.inspection.id)):
        for problem_id in item.inspection.problems:
            by_problem.setdefault(problem_id, []).append(item.inspection)
    return by_problem

