"""月度通报: a bulletin per month (一月一通报): the page, the Word file laid out as an official document, and
the ranking's open data (CSV, JSON) with its published formula; and 督查通报, the index of every report."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import periods
from ...derivation.periods import LIST_LIMIT, ScoreInput
from ...derivation.site import Part, Site
from .. import urls
from ..bulletinview import bulletin_view, ranking_csv, ranking_json
from ..outputs import File, Output, Page
from ..wordfile import bulletin_docx
from .family import INDEX, Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    departments = {d.id: d for d in c.departments}
    names = {d.id: d.short or d.name for d in c.departments}
    by_month = periods.group_by_month(site.cycle.xuns)
    bulletins = site.bulletins
    for index, bulletin in enumerate(bulletins):
        key = bulletin.key
        if keys is not None and key not in keys:
            continue
        # one view, written as the page, the Word file and the ranking's data: they cannot drift apart
        view = bulletin_view(bulletin, c.portal, departments, by_month.get(key, []), LIST_LIMIT)
        yield File(urls.bulletin_docx(key), bulletin_docx(view))
        yield File(urls.bulletin_data(key, "csv"), ranking_csv(bulletin, names))
        yield File(urls.bulletin_data(key, "json"), ranking_json(bulletin, names))
        yield Page(urls.bulletin(key), "bulletin.md.j2", bulletin.title, {
            "view": view,
            "previous_bulletin": bulletins[index - 1] if index else None,
            "next_bulletin": bulletins[index + 1] if index + 1 < len(bulletins) else None,
        }, hide=("navigation",))
    if keys is not None and INDEX not in keys:
        return
    book = site.rules
    in_force = book.at(c.as_of)
    yield Page(urls.REPORTS, "reports.md.j2", "督查通报", {
        "bulletins": list(reversed(bulletins)), "by_month": by_month, "rules": in_force.reports,
        "inputs": list(ScoreInput), "weights": in_force.reports.weights.model_dump(),
        "versions": book.known_on(c.as_of),
        "in_force": in_force, "warning": book.notice(),
    }, hide=("toc",), searchable=True)


FAMILY = Family("bulletin", Per.MONTH, frozenset({Part.CYCLE, Part.DEPARTMENTS, Part.CONFIG}), outputs,
                index_reads=frozenset({Part.CYCLE, Part.CONFIG}))
