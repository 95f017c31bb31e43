"""The two dates of a run, never confused.

`today` is the day checks run against (no entry may be dated after it; staleness is counted to it).
`as_of` is the day the portal reports on: any day from the campaign start to today. Both are days in
the city's time zone; the one conversion of a day to a Unix time (for SOURCE_DATE_EPOCH) is here too.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today in the city, from the wall clock."""
    return dt.datetime.now(CITY_TZ).date()


def default_as_of() -> dt.date:
    """The report date when none is given: SOURCE_DATE_EPOCH's day for a reproducible build, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), CITY_TZ).date()
    return today()


def epoch_of(day: dt.date) -> int:
    """Midnight at the start of `day` in the city, as SOURCE_DATE_EPOCH (mkdocs stamps sitemap.xml.gz with it)."""
    return int(dt.datetime.combine(day, dt.time(), CITY_TZ).timestamp())
