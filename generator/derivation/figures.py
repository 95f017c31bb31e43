"""The figures published about a group of problems, and the rates computed from them, defined once.

`Figures` counts a group over one period of the supervision cycle (periods.py); campaign.py's `Tally` counts a
group as of the portal's date. Both publish 销号率 and 按期完成率 through `Rates`, so the department page, the
bulletin and the ranking divide the same counts the same way. Labels are vocabulary.Figure's.
"""

from __future__ import annotations

from dataclasses import dataclass


class Rates:
    """销号率 and 按期完成率 of a group, from its counts (`total`, `closed`, `on_time`, `due`)."""

    total: int
    closed: int
    on_time: int  # finished no later than the original deadline
    due: int  # finished, or past the original deadline: the problems that had to be done by now

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """Of the problems that had to be done by now (or were), the share done by the original deadline.

        An overdue, extended or rebounded problem whose original deadline has passed counts against the
        rate: counting only finished problems made a department with overdue work read 100 %."""
        return self.on_time / self.due if self.due else None


@dataclass
class Figures(Rates):
    """A group's figures for one period: what happened in it, and where things stood at its cut (its end,
    or the as-of date for the period in progress). Field names are the published data's column names
    (vocabulary.Figure)."""

    total: int = 0  # problems on record at the cut
    new: int = 0  # opened in the period
    progress: int = 0  # progress entries dated in the period
    notices: int = 0
    closes: int = 0  # close-outs (first and after a rebound)
    extensions: int = 0
    revisions: int = 0  # commitments revised (调整: target, measures, responsible, supervision...) in the period
    rebounds: int = 0  # look-backs in the period that found a rebound
    closed: int = 0  # status 已销号 at the cut
    finished: int = 0  # done or closed at the cut
    on_time: int = 0  # finished no later than the original deadline
    due: int = 0  # finished, or past the original deadline at the cut
    overdue: int = 0
    red: int = 0
    yellow: int = 0
    open: int = 0  # neither done nor closed at the cut
    stale: int = 0  # open, and no progress for more than thresholds.stale_days at the cut
    quiet: int = 0  # open, and no progress entry dated in the period
    lag_points: int = 0  # sum over open problems of how far the percent trails the schedule (序时进度)
    ever_closed: int = 0  # closed at least once by the cut
    rebounds_to_date: int = 0  # rebounds found from the campaign start to the cut
    lookbacks_overdue: int = 0  # closed at the cut, no look-back since, and its day (lookback.review_due_on) passed

    def add(self, other: Figures) -> None:
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.total if self.total else None

    @property
    def stale_share(self) -> float | None:
        return self.stale / self.open if self.open else 0.0 if self.total else None

    @property
    def rebound_rate(self) -> float | None:
        return self.rebounds_to_date / self.ever_closed if self.ever_closed else 0.0 if self.total else None

    @property
    def average_lag(self) -> float | None:
        """Average points by which open problems trail their schedule (0 when none is open)."""
        return self.lag_points / self.open if self.open else 0.0 if self.total else None
