"""The supervision cycle's page families: 旬督查报告, 月度通报 (page, Word file, open ranking data), 回头看,
the index of reports, and the Atom feeds. Their figures come from derivation/periods.py and lookback.py.

The cycle is derived once per build (`cycle_of`), however many families read it.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from ..derivation import periods
from ..derivation.campaign import Campaign
from ..derivation.lookback import lookback
from ..derivation.periods import Bulletin, Cycle, ScoreInput
from ..derivation.rulebook import rulebook_for
from ..model import calendar
from ..model.vocabulary import EntryType
from . import urls
from .feeds import FeedEntry, atom
from .pages import File, Output, Page, entry_summary
from .wordfile import bulletin_docx

LIST_LIMIT = periods.LIST_LIMIT  # a report lists at most this many problems per list; the rest are in the finder
RECENT_LIMIT = 100  # the look-back page's table of reviews done
FEED_REPORTS = 12  # 旬 reports in a feed

_cache: dict[int, tuple[Campaign, Cycle, list[Bulletin]]] = {}


def cycle_of(c: Campaign) -> tuple[Cycle, list[Bulletin]]:
    """The campaign's cycle and bulletins, derived once however many families ask."""
    cached = _cache.get(id(c))
    if cached is None or cached[0] is not c:
        cycle = periods.cycle(c)
        bulletins = periods.bulletins(cycle.months, rulebook_for(c), [d.id for d in c.departments],
                                      periods.cycle_start(c))
        _cache.clear()
        cached = _cache[id(c)] = (c, cycle, bulletins)
    return cached[1], cached[2]


@dataclass(frozen=True)
class Latest:
    """What the home page links to: the latest finished bulletin and 旬 report (the ones in progress while none
    has finished), and the 旬 in progress. Period arithmetic only: the home page needs no report's figures."""

    month: calendar.Period
    month_in_progress: bool
    number_text: str
    title: str
    xun: calendar.Period
    xun_in_progress: bool
    current_xun: calendar.Period | None  # the 旬 in progress, when `xun` is the finished one before it


def latest(c: Campaign) -> Latest:
    as_of, start = c.as_of, periods.cycle_start(c)
    xun, month = calendar.xun_of(as_of), calendar.month_of(as_of)
    current = xun if xun.end > as_of else None
    if xun.end > as_of and xun.start > start:
        xun = xun.previous
    if month.end > as_of and month.start > start:
        month = month.previous
    year, number = periods.bulletin_number(month, start)
    return Latest(month, month.end > as_of, f"〔{year}〕第 {number} 期", f"{month.label}问题整改工作通报",
                  xun, xun.end > as_of, current if current is not xun else None)


def reports(c: Campaign) -> Iterator[Output]:
    cycle, bulletins = cycle_of(c)
    departments = {d.id: d for d in c.departments}
    names = {d.id: d.short or d.name for d in c.departments}
    by_month = periods.group_by_month(cycle.xuns)
    bulletin_by_month = {b.key: b for b in bulletins}
    xun_list = list(cycle.xuns)
    for index, report in enumerate(xun_list):
        yield Page(urls.xun_report(report.period.key), "xun.md.j2", f"{report.period.label}督查报告", {
            "r": report, "names": names, "departments": c.departments, "limit": LIST_LIMIT,
            "previous": xun_list[index - 1] if index else None,
            "next": xun_list[index + 1] if index + 1 < len(xun_list) else None,
            "bulletin": bulletin_by_month[report.period.key[:7]],
        }, hide=("navigation",))
    for index, bulletin in enumerate(bulletins):
        key = bulletin.key
        rules = bulletin.report.rules  # as they stood at the bulletin's cut, not as they stand today
        yield File(urls.bulletin_docx(key), bulletin_docx(bulletin, c.portal, departments))
        yield File(urls.bulletin_data(key, "csv"), ranking_csv(bulletin, names))
        yield File(urls.bulletin_data(key, "json"), ranking_json(bulletin, c, names))
        yield Page(urls.bulletin(key), "bulletin.md.j2", bulletin.title, {
            "b": bulletin, "r": bulletin.report, "names": names, "departments": departments, "limit": LIST_LIMIT,
            "inputs": list(ScoreInput), "weights": rules.reports.weights.model_dump(), "rules": rules.reports,
            "thresholds": rules.thresholds,
            "xuns": by_month.get(key, []),
            "previous_bulletin": bulletins[index - 1] if index else None,
            "next_bulletin": bulletins[index + 1] if index + 1 < len(bulletins) else None,
        }, hide=("navigation",))
    book = rulebook_for(c)
    in_force = book.at(c.as_of)
    yield Page(urls.REPORTS, "reports.md.j2", "督查通报", {
        "bulletins": list(reversed(bulletins)), "by_month": by_month, "rules": in_force.reports,
        "inputs": list(ScoreInput), "weights": in_force.reports.weights.model_dump(),
        "versions": book.known_on(c.as_of),
        "in_force": in_force, "warning": book.warning(),
    }, hide=("toc",), searchable=True)
    yield Page(urls.LOOKBACK, "lookback.md.j2", "回头看", {"lb": lookback(c), "limit": LIST_LIMIT,
                                                           "recent": RECENT_LIMIT}, hide=())
    yield from feeds(c, cycle, bulletins)


# name, field of periods.Figures: the published inputs of the ranking, in the data files' column order
RAW_COLUMNS = (
    ("问题总数", "total"), ("已销号", "closed"), ("已完成或已销号", "finished"), ("按期完成", "on_time"),
    ("应完成", "due"), ("逾期", "overdue"), ("未完成", "open"), ("超期未更新", "stale"),
    ("曾经销号", "ever_closed"), ("累计反弹", "rebounds_to_date"), ("序时落后百分点合计", "lag_points"),
    ("红灯", "red"), ("本月新增", "new"), ("本月进展记录", "progress"), ("本月销号", "closes"),
)


def ranking_csv(bulletin: Bulletin, names: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["名次", "部门编号", "部门", "得分", *(i.label for i in ScoreInput), *(n for n, _ in RAW_COLUMNS)])
    for s in bulletin.standings:
        writer.writerow([s.rank or "", s.department_id, names[s.department_id],
                         "" if s.score is None else f"{s.score:.2f}",
                         *("" if s.inputs is None else f"{s.inputs[i]:.4f}" for i in ScoreInput),
                         *(getattr(s.figures, f) for _, f in RAW_COLUMNS)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def ranking_json(bulletin: Bulletin, c: Campaign, names: dict[str, str]) -> bytes:
    in_force = bulletin.report.rules
    rules = in_force.reports
    payload = {
        "bulletin": bulletin.number_text, "title": bulletin.title, "month": bulletin.key,
        "period": [bulletin.report.period.start.isoformat(), bulletin.report.period.end.isoformat()],
        "cut": bulletin.report.cut.isoformat(), "in_progress": bulletin.report.in_progress,
        "formula": "score = round(100 * sum(weight[k] * input[k]) / sum(weight), 2)",
        "weights": rules.weights.model_dump(),
        "rules_in_force": {"since": in_force.since.isoformat() if in_force.since else None,
                           "commit": in_force.commit, "note": bulletin.rules_note,
                           "thresholds": in_force.thresholds.model_dump(mode="json")},
        "inputs": {i.value: {"label": i.label, "definition": i.definition} for i in ScoreInput},
        "rules": {"praise_count": rules.praise_count, "praise_min_score": rules.praise_min_score,
                  "criticise_count": rules.criticise_count, "criticise_below": rules.criticise_below},
        "praised": [s.department_id for s in bulletin.praised],
        "criticised": [s.department_id for s in bulletin.criticised],
        "departments": [{
            "rank": s.rank, "id": s.department_id, "name": names[s.department_id], "score": s.score,
            "inputs": None if s.inputs is None else {i.value: round(s.inputs[i], 6) for i in ScoreInput},
            "figures": {f: getattr(s.figures, f) for _, f in RAW_COLUMNS},
        } for s in bulletin.standings],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _report_entries(cycle: Cycle, bulletins: list[Bulletin], folder: str) -> list[FeedEntry]:
    """Finished bulletins and the latest finished 旬 reports (a report in progress still changes)."""
    entries = [FeedEntry(f"bulletin:{b.key}", f"{b.number_text} {b.title}",
                         urls.relative(urls.site_url(urls.bulletin(b.key)), folder), b.report.cut,
                         f"{b.report.period.label}各部门排名、表扬和通报批评名单、挂牌督办问题进展。")
               for b in bulletins if not b.report.in_progress]
    finished = [r for r in cycle.xuns if not r.in_progress][-FEED_REPORTS:]
    entries += [FeedEntry(f"xun:{r.period.key}", f"{r.period.label}督查报告",
                          urls.relative(urls.site_url(urls.xun_report(r.period.key)), folder), r.cut,
                          f"本旬新增问题 {r.city.new} 个，整改进展 {r.city.progress} 条，销号 {r.city.closes} 个；"
                          f"旬末逾期 {r.city.overdue} 个，红灯 {r.city.red} 个。") for r in finished]
    return entries


def _log_entries(rows, folder: str) -> list[FeedEntry]:
    newest = heapq.nlargest(50, ((entry.date, row.problem.id, index, row, entry) for row in rows
                                 for index, entry in enumerate(row.problem.log)))
    return [FeedEntry(f"entry:{pid}:{index}", f"{pid} {EntryType(entry.type).label}：{row.problem.title}",
                      urls.relative(urls.site_url(urls.problem(pid)), folder), date, entry_summary(entry))
            for date, pid, index, row, entry in newest]


def _history_entries(c: Campaign) -> list[FeedEntry]:
    """Each weekly snapshot's SHA-256, so that every subscriber keeps an outside copy of the hash chain, and the
    public notice when the history check found a published past that today's ledger no longer gives (its id
    changes with what was found, so a new finding is a new entry)."""
    check = c.history
    if check is None:
        return []
    as_of = dict(check.weeks)
    entries = [FeedEntry(f"snapshot:{name}:{digest}", f"每周快照 {name.removesuffix('.json')}",
                         urls.relative(urls.snapshot(name), ""), as_of.get(name.removesuffix(".json"), c.as_of),
                         f"快照文件 {name} 的 SHA-256：{digest}")
               for name, digest in check.digests]
    if not check.intact:
        entries.append(FeedEntry(f"history:{check.key()}", "历史记录变更公示",
                                 urls.relative(urls.site_url(urls.HISTORY), ""), c.as_of,
                                 f"按现在的台账重新核验已发布的周快照，{check.summary()}。"))
    return entries


def feeds(c: Campaign, cycle: Cycle, bulletins: list[Bulletin]) -> Iterator[Output]:
    portal = c.portal
    home = urls.relative(urls.site_url(urls.HOME), "")
    yield File(urls.FEED, atom(portal.city, "city", portal.title, "月度通报、旬督查报告、各部门整改进展、每周快照的校验值和历史记录变更公示",
                               urls.FEED, home, portal.office,
                               [*_report_entries(cycle, bulletins, ""), *_log_entries(c.rows, ""), *_history_entries(c)],
                               c.as_of))
    for department in c.departments:
        path = urls.department_feed(department.id)
        folder = path.rpartition("/")[0]
        yield File(path, atom(portal.city, f"department:{department.id}", f"{department.name} · {portal.title}",
                              f"{department.name}的整改进展和全市月度通报", urls.relative(path, folder),
                              urls.relative(urls.site_url(urls.department(department.id)), folder), portal.office,
                              [*(e for e in _report_entries(cycle, bulletins, folder) if e.key.startswith("bulletin")),
                               *_log_entries(c.by_department(department.id), folder)], c.as_of))
