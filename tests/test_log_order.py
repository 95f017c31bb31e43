"""Which entry of a log out of date order is blamed (E307): the fewest, and the new one when a new entry
was put first or in the middle."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from generator.validation.rules.history import out_of_place

days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))


@given(st.lists(days, max_size=12))
def test_what_is_left_is_in_order_and_an_ordered_log_blames_nothing(dates: list[dt.date]) -> None:
    blamed = set(out_of_place(dates))
    kept = [d for i, d in enumerate(dates) if i not in blamed]
    assert kept == sorted(kept)
    assert (not blamed) == (dates == sorted(dates))


@given(st.lists(days, min_size=1, max_size=10, unique=True), st.data())
def test_a_new_entry_put_anywhere_but_the_end_is_the_one_blamed(dates: list[dt.date], data) -> None:
    merged = sorted(dates)
    newest = merged[-1] + dt.timedelta(days=data.draw(st.integers(1, 60)))
    place = data.draw(st.integers(0, len(merged) - 1))  # anywhere but the end
    log = [*merged[:place], newest, *merged[place:]]
    assert out_of_place(log) == [place]
