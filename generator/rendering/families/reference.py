"""The pages that explain: the rules of the lights, the finder, the filing guide and its Excel companion."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.site import Part, Site
from ...loading import layout
from ...model import excel
from ...model.findings import CODES
from .. import urls
from ..outputs import Output, Page
from ..reference import field_reference
from .family import INDEX, Family, Per


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c = site.campaign
    yield Page(urls.RULES, "rules.md.j2", "亮灯规则", {"t": c.portal.thresholds}, hide=(), searchable=True)
    yield Page(urls.FINDER, "finder.md.j2", "问题查询",
               {"total": len(c.rows), "departments": c.departments, "categories": c.portal.categories},
               hide=("toc",))
    yield Page(urls.GUIDE, "guide.md.j2", "填报指南",
               {"departments": c.departments, "reference": field_reference(), "codes": list(CODES.values()),
                "layout": layout, "excel_headings": excel.guide_rows()},
               hide=(), searchable=True)
    yield Page(urls.EXCEL_GUIDE, "excel-guide.md.j2", "用 Excel 填报进展",
               {"departments": c.departments, "entry_types": excel.working_entry_rows(), "layout": layout,
                "excel": excel},
               description="没有 git 的部门填报员：下载本部门填报表，在 Excel 或 WPS 里填写，上传到台账仓库，看懂检查结果。",
               hide=(), searchable=True)


# the finder's page says how many problems there are
FAMILY = Family("reference", Per.SITE, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG}), outputs)
