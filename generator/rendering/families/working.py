"""填报表: each department's working workbook for the next 旬 (rendering/workbook.py), offered on its page."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.site import Part, Site
from .. import urls
from ..outputs import File, Output
from ..workbook import working_workbook
from .family import Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    for department in c.departments:
        if keys is None or department.id in keys:
            yield File(urls.working_sheet(department.id), working_workbook(c, department.id))


# Per department, read from its problems (their files, the departments' names, the steps of portal.yml): a changed
# problem rewrites the workbooks of the departments that lead or cooperate on it (only the leader's differs).
FAMILY = Family("working", Per.DEPARTMENT, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG}), outputs)
