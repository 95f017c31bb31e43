"""重点关注: the lists of supervised, overdue, rebounded and publicly noticed problems, and their overview."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation import selection
from ...derivation.site import Part, Site
from .. import urls
from ..markup import md
from ..outputs import Output, Page
from .family import INDEX, Family, Per

# name, title, introduction, selection, the list's own column (header, cell of a row), a closing note,
# the glossary term the list is about
LISTS = (
    ("supervised", "挂牌督办问题", "由市级或省级挂牌督办的问题，省级挂牌督办的排在前面。", selection.supervised,
     ("督办级别", lambda r: r.problem.supervision.level), False, "supervision"),
    ("overdue", "逾期问题", "已超过现行完成时限仍未完成的问题，超期最久的排在前面。", selection.overdue,
     ("超期天数", lambda r: f"{-r.state.days_left} 天"), False, "schedule"),
    ("rebound", "反弹问题", "销号后经“回头看”发现反弹回潮、重新打开整改的问题。", selection.rebound, None, False, "review"),
    ("notice", "整改结果公示", "以下问题已完成整改，正在公示整改结果，公示期内接受群众监督，期满无异议后销号。",
     selection.under_notice, ("公示期", lambda r: f"至 {r.state.notice_until.isoformat()}"), True, "notice"),
)


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c = site.campaign
    overview = []
    for name, title, intro, select, column, feedback, term in LISTS:
        rows = select(c)
        overview.append((urls.problem_list(name), title, intro, len(rows)))
        extra_column = (column[0], {r.problem.id: column[1](r) for r in rows}) if column else None
        extra = notice_terms(c.portal) if feedback else ""
        yield Page(urls.problem_list(name), "list.md.j2", title,
                   {"title": title, "intro": intro, "rows": rows, "extra_column": extra_column, "extra": extra,
                    "term": term},
                   hide=("toc",))
    # the 重点关注 tab opens this page: every list, and the inspection records, with their counts
    overview.append((urls.INSPECTIONS, "督查通报", "专班办公室的督查、明察暗访、约谈提醒和表扬批评记录。",
                     len(c.ledger.inspections)))
    yield Page(urls.LISTS, "lists.md.j2", "重点关注", {"lists": overview}, hide=("toc",))


def notice_terms(portal) -> str:
    """How to object to a published result (the notice list's closing note): portal.yml's `notice`."""
    rule = portal.notice
    how = md(rule.objections) if rule.objections else f"对公示的整改结果有意见，请通过以下渠道反映：{md(portal.feedback)}"
    if not rule.required:
        return how
    since = f"自 {rule.since.isoformat()} 起，" if rule.since else ""
    return (f"{since}问题销号前须公示整改结果至少 {rule.min_days} 天，公示期满（上表“公示期”的截止日）后才能销号。"
            f"\n\n{how}")


FAMILY = Family("lists", Per.SITE, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.INSPECTIONS}),
                outputs)
