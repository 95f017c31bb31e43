"""The other dated records are histories too: indicator values in date order and none after today,
no inspection dated after today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...loading.ledger import Ledger
from ...model.findings import Finding


def check(ledger: Ledger, today: dt.date) -> Iterator[Finding]:
    document = ledger.indicators_document
    for i, indicator in enumerate(ledger.indicators):
        previous: dt.date | None = None
        for j, value in enumerate(indicator.values):
            path = ("indicators", i, "values", j, "date")
            field = f"indicators[{i}].values[{j}].date"
            if previous is not None and value.date <= previous:
                yield Finding.make(
                    "E307", document.display, document.locate(path),
                    f"指标“{indicator.name}”的第 {j + 1} 个数值日期 {value.date} 不晚于上一个的 {previous}；"
                    "数值只能按日期从早到晚在末尾追加，每个日期一个。", field)
            if value.date > today:
                yield Finding.make(
                    "E319", document.display, document.locate(path),
                    f"指标“{indicator.name}”的数值日期 {value.date} 晚于今天（{today}）；只登记已经统计出的数值。",
                    field)
            previous = max(previous, value.date) if previous else value.date
    for item in ledger.inspections:
        if item.inspection.date > today:
            yield Finding.make(
                "E319", item.document.display, item.document.locate(("date",)),
                f"督查日期 {item.inspection.date} 晚于今天（{today}）；督查开展之后再登记。", "date")
