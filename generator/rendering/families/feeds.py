"""The Atom feeds: the city's (bulletins, 旬 reports, the newest progress, each weekly snapshot's digest and
any public notice of a rewritten history) and one per department (its progress and the bulletins)."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterator

from ...derivation.site import Part, Site
from ...model.calendar import week_label, week_name
from ...model.vocabulary import EntryType
from .. import urls
from ..feeds import FeedEntry, atom
from ..markup import entry_summary
from ..outputs import File, Output
from .family import INDEX, Family, Per

FEED_REPORTS = 12  # 旬 reports in a feed


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    portal = c.portal
    if keys is None or INDEX in keys:
        yield File(urls.FEED, atom(portal.city, "city", portal.title,
                                   "月度通报、旬督查报告、各部门整改进展、每周快照的校验值和历史记录变更公示",
                                   _link(site, urls.FEED, ""), _link(site, urls.site_url(urls.HOME), ""), portal.office,
                                   [*_report_entries(site, ""), *_log_entries(site, c.rows, ""), *_history_entries(site)],
                                   c.as_of))
    for department in c.departments:
        if keys is not None and department.id not in keys:
            continue
        path = urls.department_feed(department.id)
        folder = path.rpartition("/")[0]
        yield File(path, atom(portal.city, f"department:{department.id}", f"{department.name} · {portal.title}",
                              f"{department.name}的整改进展和全市月度通报", _link(site, path, folder),
                              _link(site, urls.site_url(urls.department(department.id)), folder), portal.office,
                              [*(e for e in _report_entries(site, folder) if e.key.startswith("bulletin")),
                               *_log_entries(site, c.by_department(department.id), folder)], c.as_of))


def _link(site: Site, target: str, folder: str) -> str:
    """A feed's link to `target` (relative to the site root): absolute at the site's address when it is known,
    since a feed reader resolves a relative link against wherever it fetched the feed from, if at all;
    otherwise relative to the feed's `folder`, as Atom allows (a local build)."""
    return urls.absolute(site.site_url, target) if site.site_url else urls.relative(target, folder)


def _report_entries(site: Site, folder: str) -> list[FeedEntry]:
    """Finished bulletins and the latest finished 旬 reports (a report in progress still changes)."""
    entries = [FeedEntry(f"bulletin:{b.key}", f"{b.number_text} {b.title}",
                         _link(site, urls.site_url(urls.bulletin(b.key)), folder), b.report.cut,
                         f"{b.report.period.label}各部门排名、表扬和通报批评名单、挂牌督办问题进展。")
               for b in site.bulletins if not b.report.in_progress]
    finished = [r for r in site.cycle.xuns if not r.in_progress][-FEED_REPORTS:]
    entries += [FeedEntry(f"xun:{r.period.key}", f"{r.period.label}督查报告",
                          _link(site, urls.site_url(urls.xun_report(r.period.key)), folder), r.cut,
                          f"本旬新增问题 {r.city.new} 个，整改进展 {r.city.progress} 条，销号 {r.city.closes} 个；"
                          f"旬末逾期 {r.city.overdue} 个，红灯 {r.city.red} 个。") for r in finished]
    return entries


def _log_entries(site: Site, rows, folder: str) -> list[FeedEntry]:
    newest = heapq.nlargest(50, ((entry.date, row.problem.id, index, row, entry) for row in rows
                                 for index, entry in enumerate(row.problem.log)))
    return [FeedEntry(f"entry:{pid}:{index}", f"{pid} {EntryType(entry.type).label}：{row.problem.title}",
                      _link(site, urls.site_url(urls.problem(pid)), folder), date, entry_summary(entry))
            for date, pid, index, row, entry in newest]


def _history_entries(site: Site) -> list[FeedEntry]:
    """Each weekly snapshot's SHA-256, so that every subscriber keeps an outside copy of the hash chain, and the
    public notice when the history check found a published past that today's ledger no longer gives (its id
    changes with what was found, so a new finding is a new entry)."""
    check = site.history
    if check is None:
        return []
    as_of = dict(check.weeks)
    # linked to the history page's downloads, which stay where they are: a week's own file is published in full
    # only while it is the newest, then as a delta (derivation/snapshot.py `publication`)
    downloads = _link(site, urls.site_url(urls.HISTORY), "") + "#snapshots"
    entries = [FeedEntry(f"snapshot:{name}:{digest}", f"每周快照：{week_name(week_label(name))}",
                         downloads, as_of.get(week_label(name), site.campaign.as_of),
                         f"快照文件 {name} 的 SHA-256：{digest}")
               for name, digest in check.digests]
    if not check.intact:
        entries.append(FeedEntry(f"history:{check.key()}", "历史记录变更公示",
                                 _link(site, urls.site_url(urls.HISTORY), ""), site.campaign.as_of,
                                 f"按现在的台账重新核验已发布的周快照，{check.summary()}。"))
    return entries


# a department's feed reads its problems and the bulletins; the city's also the history check
FAMILY = Family("feeds", Per.DEPARTMENT, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.CYCLE}),
                outputs, index_reads=frozenset({Part.PROBLEMS, Part.CYCLE, Part.HISTORY, Part.SNAPSHOTS}))
