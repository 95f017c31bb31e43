"""月度通报: a bulletin per month (一月一通报): the page, the Word file laid out as an official document, and
the ranking's open data (CSV, JSON) with its published formula; and 督查通报, the index of every report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator

from ...derivation import periods
from ...derivation.periods import LIST_LIMIT, Bulletin, ScoreInput
from ...derivation.site import Part, Site
from .. import urls
from ..outputs import File, Output, Page
from ..wordfile import bulletin_docx
from . import INDEX, Family, Per


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
        rules = bulletin.report.rules  # as they stood at the bulletin's cut, not as they stand today
        yield File(urls.bulletin_docx(key), bulletin_docx(bulletin, c.portal, departments))
        yield File(urls.bulletin_data(key, "csv"), ranking_csv(bulletin, names))
        yield File(urls.bulletin_data(key, "json"), ranking_json(bulletin, names))
        yield Page(urls.bulletin(key), "bulletin.md.j2", bulletin.title, {
            "b": bulletin, "r": bulletin.report, "names": names, "departments": departments, "limit": LIST_LIMIT,
            "inputs": list(ScoreInput), "weights": rules.reports.weights.model_dump(), "rules": rules.reports,
            "thresholds": rules.thresholds,
            "xuns": by_month.get(key, []),
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
        "in_force": in_force, "warning": book.warning(),
    }, hide=("toc",), searchable=True)


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


def ranking_json(bulletin: Bulletin, names: dict[str, str]) -> bytes:
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


FAMILY = Family("bulletin", Per.MONTH, frozenset({Part.CYCLE, Part.DEPARTMENTS, Part.CONFIG}), outputs,
                index_reads=frozenset({Part.CYCLE, Part.CONFIG}))
