"""The campaign's calendar: ISO weeks and their snapshot file names, 旬 and months, and the days of the weekly
curve, across month ends, leap years and the new year."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.model.calendar import (
    PeriodKind,
    Week,
    mondays,
    month_of,
    months,
    week_label,
    week_of_file,
    weeks,
    xun_of,
    xuns,
)

D = dt.date


# ---------------------------------------------------------------- ISO weeks


@pytest.mark.parametrize(("day", "label", "sunday"), [
    (D(2025, 2, 18), "2025-W08", D(2025, 2, 23)),  # the sample's campaign start, a Tuesday
    (D(2026, 1, 1), "2026-W01", D(2026, 1, 4)),  # a Thursday: the first week of 2026 holds it
    (D(2024, 12, 30), "2025-W01", D(2025, 1, 5)),  # a Monday of December in next year's first week
    (D(2027, 1, 1), "2026-W53", D(2027, 1, 3)),  # a Friday: 2026 has 53 weeks
    (D(2026, 11, 22), "2026-W47", D(2026, 11, 22)),  # a Sunday is the last day of its week
])
def test_a_day_belongs_to_its_iso_week(day: dt.date, label: str, sunday: dt.date) -> None:
    week = Week.of(day)
    assert week.label == label and week.last == sunday and week.first == sunday - dt.timedelta(days=6)
    assert Week.parse(label) == week


def test_week_labels_that_are_not_weeks() -> None:
    assert Week.parse("2025-W54") is None and Week.parse("2025-W1") is None and Week.parse("2025-08") is None
    assert Week.parse("2025-W53") is None  # 2025 has 52 weeks


def test_weeks_run_across_the_new_year_without_a_gap() -> None:
    found = weeks(D(2026, 12, 20), D(2027, 1, 12))
    assert [w.label for w in found] == ["2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert all(b.first - a.last == dt.timedelta(days=1) for a, b in zip(found, found[1:], strict=False))


def test_a_running_week_reports_on_today() -> None:
    week = Week.of(D(2026, 11, 26))
    assert week.as_of(D(2026, 11, 26)) == D(2026, 11, 26) and not week.finished(D(2026, 11, 26))
    assert week.as_of(D(2026, 12, 1)) == D(2026, 11, 29) and week.finished(D(2026, 11, 29))


def test_snapshot_file_names() -> None:
    assert Week(2025, 8).file_name == "2025-W08.json" and week_of_file("2025-W08.json") == Week(2025, 8)
    assert week_of_file("2025-W54.json") is None and week_of_file("2025-W08") is None
    assert week_of_file("2025-W08.json.bak") is None and week_of_file("SHA256SUMS") is None
    assert week_label("2025-W54.json") == "2025-W54"  # the label a name carries, week or not


def _mondays_by_hand(start: dt.date, end: dt.date) -> list[dt.date]:
    """The weekly curve's days as campaign.weekly_curve counted them before the calendar module."""
    day = start - dt.timedelta(days=start.weekday())
    found = []
    while True:
        found.append(day)
        if day >= end:
            return found
        day = min(day + dt.timedelta(days=7), end)


def test_mondays_of_a_weekly_curve() -> None:
    assert mondays(D(2026, 11, 4), D(2026, 11, 18)) == [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16),
                                                        D(2026, 11, 18)]
    assert mondays(D(2026, 11, 4), D(2026, 11, 16)) == [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16)]
    assert mondays(D(2026, 11, 16), D(2026, 11, 16)) == [D(2026, 11, 16)]
    assert mondays(D(2026, 11, 20), D(2026, 11, 1)) == [D(2026, 11, 16)]  # a start after the end: its Monday


@given(st.dates(D(2020, 1, 1), D(2030, 12, 31)), st.integers(-20, 800))
def test_mondays_are_the_days_counted_by_hand(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    assert mondays(start, end) == _mondays_by_hand(start, end)


# ---------------------------------------------------------------- 旬 and months


@pytest.mark.parametrize(("day", "start", "end", "key", "label"), [
    (D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 10), "2026-11-1", "2026年11月上旬"),
    (D(2026, 11, 10), D(2026, 11, 1), D(2026, 11, 10), "2026-11-1", "2026年11月上旬"),
    (D(2026, 11, 11), D(2026, 11, 11), D(2026, 11, 20), "2026-11-2", "2026年11月中旬"),
    (D(2026, 11, 20), D(2026, 11, 11), D(2026, 11, 20), "2026-11-2", "2026年11月中旬"),
    (D(2026, 11, 21), D(2026, 11, 21), D(2026, 11, 30), "2026-11-3", "2026年11月下旬"),  # 30-day month
    (D(2026, 10, 31), D(2026, 10, 21), D(2026, 10, 31), "2026-10-3", "2026年10月下旬"),  # 21 to 31: eleven days
    (D(2025, 2, 28), D(2025, 2, 21), D(2025, 2, 28), "2025-02-3", "2025年2月下旬"),  # February: eight days
    (D(2024, 2, 29), D(2024, 2, 21), D(2024, 2, 29), "2024-02-3", "2024年2月下旬"),  # leap year: nine
    (D(2025, 12, 31), D(2025, 12, 21), D(2025, 12, 31), "2025-12-3", "2025年12月下旬"),
])
def test_xun_of(day, start, end, key, label) -> None:
    period = xun_of(day)
    assert (period.start, period.end, period.key, period.label, period.kind) == (start, end, key, label, PeriodKind.XUN)


def test_xuns_and_months_cover_every_day_once_across_february_and_the_new_year() -> None:
    first, last = D(2023, 12, 25), D(2024, 3, 2)
    periods_ = xuns(first, last)
    assert periods_[0].start == D(2023, 12, 21) and periods_[-1] == xun_of(last)
    assert len(periods_) == 1 + 3 + 3 + 1  # late December, January, February, the first 旬 of March
    for before, after in zip(periods_, periods_[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)
    assert [p.key for p in months(first, last)] == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert month_of(D(2024, 2, 10)).end == D(2024, 2, 29) and month_of(D(2025, 2, 10)).end == D(2025, 2, 28)


def test_a_period_knows_its_month_and_the_period_before() -> None:
    xun = xun_of(D(2024, 3, 5))
    assert xun.month == month_of(D(2024, 3, 31)) and xun.opens_month and not xun_of(D(2024, 3, 11)).opens_month
    assert xun.previous == xun_of(D(2024, 2, 29)) and xun.previous.start == D(2024, 2, 21)
    assert month_of(D(2024, 1, 9)).previous == month_of(D(2023, 12, 1))
    assert month_of(D(2024, 1, 9)).month == month_of(D(2024, 1, 9))
