"""督查通报: the office's inspection records (督查、明察暗访、约谈提醒、表扬批评), newest first."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import selection
from ...derivation.site import Part, Site
from .. import urls
from ..outputs import Output, Page
from .family import INDEX, Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c = site.campaign
    yield Page(urls.INSPECTIONS, "inspections.md.j2", "督查通报", {
        "inspections": selection.inspections_newest_first(c),
        "department_names": {d.id: d.name for d in c.departments}})


FAMILY = Family("inspections", Per.SITE, frozenset({Part.INSPECTIONS, Part.DEPARTMENTS}), outputs)
