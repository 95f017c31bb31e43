"""回头看: closed problems due for a look-back, the look-backs done and the rebounds they found, per department.

Read from the campaign (the ledger as of its date) and each problem's lifecycle fold, like every other figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.schema import Close, Department, Review
from ..model.vocabulary import ReviewOutcome, Status
from .campaign import Campaign, Row
from .lifecycle import Change, moments


def review_due_on(closed_on: dt.date, review_days: int) -> dt.date:
    """The day a close-out's look-back is due: `review_days` after it (portal.yml's reports.review_days)."""
    return closed_on + dt.timedelta(days=review_days)


def review_overdue(closed_on: dt.date | None, last_review: dt.date | None, review_days: int, day: dt.date) -> bool:
    """Whether a problem closed on `closed_on` (None: not closed) and last looked back at on `last_review` is
    overdue for its look-back at the end of `day`: closed, no look-back since the close-out, and the day the
    look-back was due has passed. The look-back page and the 旬 reports' 逾期未回头看 count both ask this."""
    if closed_on is None or (last_review is not None and last_review >= closed_on):
        return False
    return review_due_on(closed_on, review_days) < day


@dataclass(frozen=True)
class Due:
    """A closed problem with no look-back since its close-out, when one is due, and how late it is."""

    row: Row
    closed_on: dt.date
    due_on: dt.date
    late_days: int  # days past `due_on` at the as-of date: 0 on the day itself, negative before it

    @property
    def overdue(self) -> bool:
        return self.late_days > 0


@dataclass(frozen=True)
class Done:
    row: Row
    review: Review


@dataclass(frozen=True)
class DepartmentLookBack:
    department: Department
    ever_closed: int  # problems closed at least once
    reviews: int
    rebounds: int
    due: int  # closed problems whose look-back is due and not done
    satisfaction: float | None  # average of the satisfaction figures given

    @property
    def rebound_rate(self) -> float | None:
        """Rebounds per problem ever closed."""
        return self.rebounds / self.ever_closed if self.ever_closed else None


@dataclass(frozen=True)
class LookBack:
    review_days: int
    due: list[Due]  # look-back due by the as-of date, the longest waiting first
    upcoming: list[Due]  # not due yet, the soonest first
    done: list[Done]  # the newest first
    departments: list[DepartmentLookBack]

    @property
    def overdue(self) -> int:
        """Look-backs whose day has passed (逾期未回头看), of those due."""
        return sum(d.overdue for d in self.due)


def lookback(campaign: Campaign) -> LookBack:
    review_days = campaign.portal.reports.review_days
    as_of = campaign.as_of
    due: list[Due] = []
    upcoming: list[Due] = []
    done: list[Done] = []
    per_department: dict[str, list] = {d.id: [0, 0, 0, 0, []] for d in campaign.departments}
    for row in campaign.rows:
        if not any(isinstance(entry, Close | Review) for entry in row.problem.log):
            continue  # never closed nor looked back at (the build's ledger is valid): nothing to fold
        figures = per_department[row.department.id]
        last_review: dt.date | None = None
        closed = False
        for moment in moments(row.problem):
            if Change.CLOSED in moment.changes:
                figures[0] += 1
            if isinstance(moment.entry, Review):
                last_review = moment.date
                figures[1] += 1
                done.append(Done(row, moment.entry))
                if moment.entry.outcome == ReviewOutcome.REBOUND:
                    figures[2] += 1
                if moment.entry.satisfaction is not None:
                    figures[4].append(moment.entry.satisfaction)
            closed = moment.after.closed
        if closed and row.state.status == Status.CLOSED:
            closed_on = row.state.closed_on
            if last_review is None or last_review < closed_on:
                due_on = review_due_on(closed_on, review_days)
                item = Due(row, closed_on, due_on, (as_of - due_on).days)
                if item.due_on <= as_of:
                    due.append(item)
                    figures[3] += 1
                else:
                    upcoming.append(item)
    due.sort(key=lambda d: (d.due_on, d.row.problem.id))
    upcoming.sort(key=lambda d: (d.due_on, d.row.problem.id))
    done.sort(key=lambda d: (d.review.date, d.row.problem.id), reverse=True)
    departments = [DepartmentLookBack(d, *per_department[d.id][:4],
                                      (sum(per_department[d.id][4]) / len(per_department[d.id][4]))
                                      if per_department[d.id][4] else None)
                   for d in campaign.departments]
    return LookBack(review_days, due, upcoming, done, departments)
