"""The as-of date: given, or SOURCE_DATE_EPOCH for reproducible builds, or today in the city's time zone."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")


def default_as_of() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), CITY_TZ).date()
    return dt.datetime.now(CITY_TZ).date()
