"""旬督查报告: a report per 旬 (一旬一督查), its figures cut at the 旬's end (derivation/periods.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.periods import LIST_LIMIT
from ...derivation.site import Part, Site
from .. import urls
from ..outputs import Output, Page
from .family import Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    names = {d.id: d.short or d.name for d in c.departments}
    bulletin_by_month = {b.key: b for b in site.bulletins}
    xun_list = list(site.cycle.xuns)
    for index, report in enumerate(xun_list):
        if keys is not None and report.period.key not in keys:
            continue
        yield Page(urls.xun_report(report.period.key), "xun.md.j2", f"{report.period.label}督查报告", {
            "r": report, "names": names, "departments": c.departments, "limit": LIST_LIMIT,
            "previous": xun_list[index - 1] if index else None,
            "next": xun_list[index + 1] if index + 1 < len(xun_list) else None,
            "bulletin": bulletin_by_month[report.period.month.key],
        }, hide=("navigation",))


FAMILY = Family("xun", Per.XUN, frozenset({Part.CYCLE, Part.DEPARTMENTS}), outputs)
