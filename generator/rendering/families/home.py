"""首页: the city's figures and charts, what is due soon, the latest updates and reports."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import selection
from ...derivation.campaign import tally, weekly_curve
from ...derivation.site import Part, Site
from .. import charts, urls
from ..outputs import Output, Page
from .departments import trend_chart
from .family import INDEX, Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c = site.campaign
    rows = list(c.rows)
    by_department = [(d.short or d.name, c.by_department(d.id)) for d in c.departments]
    by_category = [(cat.name, c.by_category(cat.id)) for cat in c.portal.categories]
    indicators = c.ledger.indicators
    yield Page(urls.HOME, "home.md.j2", "首页", {
        "total": tally(rows),
        "indicators": indicators,
        "indicator_charts": [charts.indicator_chart(f"indicator-{i.id}", i) for i in indicators],
        "charts": {
            "status": charts.status_chart("home-status", rows),
            "lights": charts.light_chart("home-lights", rows),
            "curve": charts.curve_chart("home-curve", weekly_curve(c)),
            "trend": trend_chart(site, "home-trend"),
            "departments": charts.stacked_status_chart("home-departments", "各部门问题状态", by_department),
            "categories": charts.stacked_status_chart("home-categories", "各类别问题状态", by_category),
        },
        "upcoming": selection.upcoming(c), "window": selection.UPCOMING_DAYS, "limit": selection.UPCOMING_LIMIT,
        "updates": selection.latest_updates(c),
        "notice_count": len(selection.under_notice(c)),
        "reports": site.latest,
        "history": site.history,
    }, searchable=True)


FAMILY = Family("home", Per.SITE, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.INDICATORS,
                                             Part.HISTORY}), outputs)
