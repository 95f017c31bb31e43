"""部门: a page per department (the problems it leads and those it cooperates on), and the ranking of all."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import selection
from ...derivation.campaign import tally
from ...derivation.site import Part, Site
from ...derivation.snapshot import trend
from .. import charts, urls
from ..outputs import Output, Page
from .family import INDEX, Family, Per


def trend_chart(site: Site, chart_id: str, department: str | None = None):
    """The weekly snapshots' figures as a line chart, the city's or a department's (None under two weeks)."""
    points = trend(site.history, department) if site.history else []
    return charts.trend_chart(chart_id, points) if len(points) > 1 else None


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    for department in c.departments:
        if keys is not None and department.id not in keys:
            continue
        rows = c.by_department(department.id)
        prefix = f"department-{department.id}"
        yield Page(urls.department(department.id), "department.md.j2", department.name, {
            "department": department, "t": tally(rows), "rows": selection.attention_order(rows),
            "cooperating": selection.cooperating_rows(c, department.id),
            "charts": {"status": charts.status_chart(f"{prefix}-status", rows),
                       "lights": charts.light_chart(f"{prefix}-lights", rows),
                       "steps": charts.steps_chart(f"{prefix}-steps", c, rows),
                       "trend": trend_chart(site, f"{prefix}-trend", department.id)},
        })
    if keys is not None and INDEX not in keys:
        return
    ranking = selection.department_ranking(c)
    chart = charts.stacked_status_chart("departments-status", "各部门问题状态",
                                        [(d.short or d.name, c.by_department(d.id)) for d, _ in ranking])
    yield Page(urls.DEPARTMENTS, "departments.md.j2", "部门", {"ranking": ranking, "chart": chart})


FAMILY = Family("departments", Per.DEPARTMENT,
                frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.HISTORY}), outputs,
                index_reads=frozenset({Part.PROBLEMS, Part.DEPARTMENTS}))
