"""The campaign's calendar, declared once: the ISO week the snapshots are taken by, the 旬 and the month the
supervision cycle reports by, their keys, Chinese names and file names. No other module does week, 旬 or
month arithmetic.

"一旬一督查、一月一通报": a 旬 is days 1-10, 11-20 or 21 to the month's end. A weekly snapshot is named after
its ISO week (Monday to Sunday): snapshots/2025-W08.json.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from enum import StrEnum

_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")
WEEK_FILE_SUFFIX = ".json"
# The shape of a weekly snapshot's file name, as regular-expression text to match alone or inside a longer
# text (a feed's summary, a SHA256SUMS line). A name of this shape may still name no week (2025-W54.json).
WEEK_FILE_PATTERN = r"\d{4}-W\d{2}\.json"


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: Monday to Sunday."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, label: str) -> Week | None:
        """The week of a label such as 2025-W08; None when it is not one (or no such week exists)."""
        match = _LABEL.match(label)
        if not match:
            return None
        try:
            dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def name(self) -> str:
        """The week as the public says it: 2026年第 48 周（11月23日—11月29日）. The year is the ISO year the number
        counts in; a date in another year names its own."""
        first, last = self.first, self.last
        start = f"{first.month}月{first.day}日" if first.year == self.year else f"{first.year}年{first.month}月{first.day}日"
        end = f"{last.month}月{last.day}日" if last.year == self.year else f"{last.year}年{last.month}月{last.day}日"
        return f"{self.year}年第 {self.number} 周（{start}—{end}）"

    @property
    def file_name(self) -> str:
        """The name of this week's snapshot file: 2025-W08.json."""
        return self.label + WEEK_FILE_SUFFIX

    @property
    def first(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def last(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)

    def next(self) -> Week:
        return Week.of(self.last + dt.timedelta(days=1))

    def as_of(self, today: dt.date) -> dt.date:
        """The day a snapshot of this week reports on: its Sunday, or today while the week is not over."""
        return min(self.last, today)

    def finished(self, today: dt.date) -> bool:
        return self.last <= today


def week_of_file(name: str) -> Week | None:
    """The week a snapshot file is named after (2025-W08.json); None for any other name."""
    return Week.parse(week_label(name)) if name.endswith(WEEK_FILE_SUFFIX) else None


def week_label(file_name: str) -> str:
    """The week label a snapshot file's name carries (2025-W08 of 2025-W08.json), whether or not that week exists."""
    return file_name.removesuffix(WEEK_FILE_SUFFIX)


def week_name(label: str) -> str:
    """The Chinese name of the week a label such as 2026-W48 names; the label itself when it names no week."""
    week = Week.parse(label)
    return week.name if week is not None else label


def weeks(start: dt.date, end: dt.date) -> list[Week]:
    """Every week from the one holding `start` to the one holding `end`."""
    found, week = [], Week.of(start)
    while week.first <= end:
        found.append(week)
        week = week.next()
    return found


def mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days a weekly curve is drawn at: the Monday of every week from the one holding `start` that begins
    before `end`, then `end` itself; only the Monday of `start`'s week when none begins before `end`."""
    found = [week.first for week in weeks(start, end) if week.first < end]
    return [*found, end] if found else [Week.of(start).first]


# ---------------------------------------------------------------- 旬 and months

XUN_NAMES = ("上旬", "中旬", "下旬")


class PeriodKind(StrEnum):
    XUN = "xun"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Period:
    """A 旬 or a month: its first and last day."""

    start: dt.date
    end: dt.date
    kind: PeriodKind

    @property
    def key(self) -> str:
        """Stable in URLs and data files: 2026-11-2 (the second 旬 of November 2026), 2026-10 (a month)."""
        month = f"{self.start.year}-{self.start.month:02d}"
        return f"{month}-{self.start.day // 10 + 1}" if self.kind == PeriodKind.XUN else month

    @property
    def label(self) -> str:
        month = f"{self.start.year}年{self.start.month}月"
        return month + XUN_NAMES[self.start.day // 10] if self.kind == PeriodKind.XUN else month

    @property
    def month(self) -> Period:
        """The month this period lies in (a month is its own)."""
        return self if self.kind == PeriodKind.MONTH else month_of(self.start)

    @property
    def opens_month(self) -> bool:
        """Whether this period begins on the first day of its month: a month, or its 上旬."""
        return self.start.day == 1

    @property
    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return (xun_of if self.kind == PeriodKind.XUN else month_of)(self.start - dt.timedelta(days=1))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def xun_of(day: dt.date) -> Period:
    """The 旬 a day falls in: 1-10, 11-20, 21 to the end of the month (28, 29, 30 or 31)."""
    if day.day <= 10:
        return Period(day.replace(day=1), day.replace(day=10), PeriodKind.XUN)
    if day.day <= 20:
        return Period(day.replace(day=11), day.replace(day=20), PeriodKind.XUN)
    return Period(day.replace(day=21), day.replace(day=monthrange(day.year, day.month)[1]), PeriodKind.XUN)


def month_of(day: dt.date) -> Period:
    return Period(day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1]), PeriodKind.MONTH)


def xuns(first: dt.date, last: dt.date) -> list[Period]:
    """Every 旬 from the one holding `first` to the one holding `last`, oldest first."""
    return _periods(xun_of, first, last)


def months(first: dt.date, last: dt.date) -> list[Period]:
    """Every month from the one holding `first` to the one holding `last`, oldest first."""
    return _periods(month_of, first, last)


def _periods(period_of, first: dt.date, last: dt.date) -> list[Period]:
    periods = []
    day = first
    while day <= last:
        period = period_of(day)
        periods.append(period)
        day = period.end + dt.timedelta(days=1)
    return periods
