"""问题分类: a page per category of portal.yml, and the overview of all."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import selection
from ...derivation.site import Part, Site
from .. import charts, urls
from ..outputs import Output, Page
from .family import INDEX, Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    items = selection.category_tallies(c)
    for category, t in items:
        if keys is not None and category.id not in keys:
            continue
        rows = c.by_category(category.id)
        yield Page(urls.category(category.id), "category.md.j2", category.name, {
            "category": category, "t": t, "rows": selection.attention_order(rows),
            "charts": {"status": charts.status_chart(f"category-{category.id}-status", rows)},
        })
    if keys is not None and INDEX not in keys:
        return
    chart = charts.stacked_status_chart("categories-status", "各类别问题状态",
                                        [(cat.name, c.by_category(cat.id)) for cat, _ in items])
    yield Page(urls.CATEGORIES, "categories.md.j2", "问题分类", {"items": items, "chart": chart})


FAMILY = Family("categories", Per.CATEGORY, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG}), outputs,
                index_reads=frozenset({Part.PROBLEMS, Part.CONFIG}))
