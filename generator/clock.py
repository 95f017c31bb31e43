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


def unreportable(as_of: dt.date, today: dt.date, campaign_start: dt.date | None) -> str | None:
    """Why the portal cannot report on `as_of` (before the campaign start or after today), in Chinese; None for
    a day it can. Each command raises its own error with the message."""
    if as_of > today:
        return f"数据截至日期 {as_of} 晚于今天（{today}）；门户只能按已经过去的日子生成。"
    if campaign_start is not None and as_of < campaign_start:
        return (f"数据截至日期 {as_of} 早于整改工作开始日期 {campaign_start}（portal.yml 的 campaign_start）；"
                f"请选择 {campaign_start} 到 {today} 之间的日期。")
    return None


def epoch_of(day: dt.date) -> int:
    """Midnight at the start of `day` in the city, as SOURCE_DATE_EPOCH (mkdocs stamps sitemap.xml.gz with it)."""
    return int(dt.datetime.combine(day, dt.time(), CITY_TZ).timestamp())
