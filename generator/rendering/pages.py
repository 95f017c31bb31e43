"""The portal as data: each page family returns the pages and files it contributes; nothing here writes.

A `Page` is a template with its context and its place (`path` under docs/); a `File` is bytes with a
place. `portal_outputs` lists the families in one place; the writer renders and writes what they yield.
Families yield lazily, so 10,000 problem pages are never all in memory at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..derivation import revisions, selection
from ..derivation.campaign import Campaign, tally, weekly_curve
from ..derivation.snapshot import FIELD_LABELS, Week, trend, week_changes, week_of_file
from ..loading import layout
from ..loading.snapshots import SUMS
from ..model import columns, excel, vocabulary
from ..model.findings import CODES
from ..model.jsonschema import render_schema
from ..model.schema import SCHEMAS, Close, Extension, Notice, Problem, Progress, Review, Revision
from . import charts, datafiles, urls
from .markup import md
from .reference import field_reference


@dataclass(frozen=True)
class Page:
    """A Markdown page: front matter from `title`, `hide` and `searchable`, the body from `template`."""

    path: str
    template: str
    title: str
    context: dict = field(default_factory=dict)
    # What a search engine or a shared link (WeChat, Weibo) says about the page; the site's description if None.
    description: str | None = None
    hide: tuple[str, ...] = ("navigation", "toc")
    searchable: bool = False
    # Pages MkDocs would spend most of a large build on: the build writes their content as HTML
    # (urls.fragment(path)) and the publisher writes each into the `shell` page's HTML, which MkDocs renders.
    # A build for the live preview writes them as Markdown instead, and no shell.
    stitched: bool = False
    shell: bool = False


@dataclass(frozen=True)
class File:
    """A file written as it is: open data, the finder's index, a vendored script."""

    path: str
    data: bytes


Output = Page | File
Family = Callable[[Campaign], Iterator[Output]]


def entry_summary(entry) -> str:
    """One line for a log entry in tables of updates."""
    if isinstance(entry, Progress):
        return entry.summary
    if isinstance(entry, Extension):
        return f"完成时限延至 {entry.deadline.isoformat()}：{entry.reason}"
    if isinstance(entry, Notice):
        return f"{entry.summary}（公示至 {entry.until.isoformat()}）"
    if isinstance(entry, Close):
        return entry.summary
    if isinstance(entry, Review):
        return entry.findings + (f"（重新整改时限 {entry.deadline.isoformat()}）" if entry.deadline else "")
    if isinstance(entry, Revision):
        return f"调整{entry.field.label}：{entry.reason}（{entry.approved_by}{'，' + entry.document if entry.document else ''}同意）"
    return ""


def home(c: Campaign) -> Iterator[Output]:
    rows = list(c.rows)
    by_department = [(d.short or d.name, c.by_department(d.id)) for d in c.departments]
    by_category = [(cat.name, c.by_category(cat.id)) for cat in c.portal.categories]
    indicators = c.ledger.indicators
    yield Page(urls.HOME, "home.md.j2", "首页", {
        "total": tally(rows),
        "indicators": indicators,
        "indicator_charts": [charts.indicator_chart(f"indicator-{i.id}", i) for i in indicators],
        "charts": {
            "status": charts.status_chart("home-status", rows),
            "lights": charts.light_chart("home-lights", rows),
            "curve": charts.curve_chart("home-curve", weekly_curve(c)),
            "trend": _trend_chart(c, "home-trend"),
            "departments": charts.stacked_status_chart("home-departments", "各部门问题状态", by_department),
            "categories": charts.stacked_status_chart("home-categories", "各类别问题状态", by_category),
        },
        "upcoming": selection.upcoming(c), "window": selection.UPCOMING_DAYS, "limit": selection.UPCOMING_LIMIT,
        "updates": selection.latest_updates(c),
        "notice_count": len(selection.under_notice(c)),
        "reports": _reports_module().latest(c),
        "history": c.history,
    }, searchable=True)


def departments(c: Campaign) -> Iterator[Output]:
    for department in c.departments:
        rows = c.by_department(department.id)
        prefix = f"department-{department.id}"
        yield Page(urls.department(department.id), "department.md.j2", department.name, {
            "department": department, "t": tally(rows), "rows": selection.attention_order(rows),
            "cooperating": selection.cooperating_rows(c, department.id),
            "charts": {"status": charts.status_chart(f"{prefix}-status", rows),
                       "lights": charts.light_chart(f"{prefix}-lights", rows),
                       "steps": charts.steps_chart(f"{prefix}-steps", c, rows),
                       "trend": _trend_chart(c, f"{prefix}-trend", department.id)},
        })
    ranking = selection.department_ranking(c)
    chart = charts.stacked_status_chart("departments-status", "各部门问题状态",
                                        [(d.short or d.name, c.by_department(d.id)) for d, _ in ranking])
    yield Page(urls.DEPARTMENTS, "departments.md.j2", "部门", {"ranking": ranking, "chart": chart})


def categories(c: Campaign) -> Iterator[Output]:
    items = selection.category_tallies(c)
    for category, t in items:
        rows = c.by_category(category.id)
        yield Page(urls.category(category.id), "category.md.j2", category.name, {
            "category": category, "t": t, "rows": selection.attention_order(rows),
            "charts": {"status": charts.status_chart(f"category-{category.id}-status", rows)},
        })
    chart = charts.stacked_status_chart("categories-status", "各类别问题状态",
                                        [(cat.name, c.by_category(cat.id)) for cat, _ in items])
    yield Page(urls.CATEGORIES, "categories.md.j2", "问题分类", {"items": items, "chart": chart})


def problems(c: Campaign) -> Iterator[Output]:
    yield Page(urls.PROBLEM_SHELL, "shell.md.j2", SHELL_TITLE, {"marks": SHELL_MARKS}, hide=("navigation",),
               description=SHELL_DESCRIPTION, shell=True)
    step_names = {s.id: s.name for s in c.portal.steps}
    names = {d.id: d.name for d in c.departments}
    inspections = selection.inspections_by_problem(c)
    for row in c.rows:
        problem = row.problem
        yield Page(urls.problem(problem.id), "problem.md.j2", f"{problem.id} {problem.title}", {
            "row": row, "page_columns": columns.PAGE_COLUMNS, "steps": c.portal.steps, "step_names": step_names, "feedback": c.portal.feedback,
            "feedback_issue": urls.feedback_issue(c.portal.repository, problem.id) if c.portal.repository else None,
            "milestones": charts.milestone_chart(row),
            "undated": [m for m in problem.milestones if m.due is None],
            "inspections": inspections.get(problem.id, []),
            "rewritten": _rewritten(c, problem.id),
            "revised": _revised(problem, names),
            "revision_view": functools.partial(_revision_view, names=names),
        }, hide=("navigation",), description=problem_description(row), stitched=True)


def _revised(problem: Problem, names: dict[str, str]) -> dict[str, dict]:
    """Per revised field (by key): what was first promised, and how many revisions since."""
    return {field.value: {"label": field.label, "original": revisions.shown(field, story.original, names),
                          "count": len(story.entries), "last": story.entries[-1].date}
            for field, story in revisions.stories(problem).items()}


def _revision_view(entry: Revision, names: dict[str, str]) -> dict:
    field = entry.field
    return {"label": field.label, "before": revisions.shown(field, entry.from_, names),
            "after": revisions.shown(field, entry.to, names)}


def _trend_chart(c: Campaign, chart_id: str, department: str | None = None):
    points = trend(c.history, department) if c.history else []
    return charts.trend_chart(chart_id, points) if len(points) > 1 else None


def history_by_week(check) -> list[dict]:
    """The weeks with something wrong, consecutive weeks that found the same merged into one row (a ledger
    rewritten long ago differs the same way every week since)."""
    rows: list[dict] = []
    for summary in check.by_week:
        same = (summary.problems, summary.inspections, summary.issues)
        last = rows[-1] if rows else None
        if last is not None and last["same"] == same and Week.parse(last["last"]).next().label == summary.week:
            last.update(last=summary.week, as_of=summary.as_of, weeks=last["weeks"] + 1)
        else:
            rows.append({"first": summary.week, "last": summary.week, "as_of": summary.as_of, "weeks": 1,
                         "same": same, "problems": summary.problems, "inspections": summary.inspections,
                         "issues": summary.issues})
    return rows


def history_by_problem(check) -> list[dict]:
    """One row per problem whose published past today's ledger no longer gives: what differs, from which week to
    which, in how many snapshots, and the first difference."""
    rows: dict[str, dict] = {}
    for d in check.discrepancies:
        if not d.problem:
            continue
        row = rows.get(d.problem)
        if row is None:
            rows[d.problem] = {"problem": d.problem, "fields": [FIELD_LABELS.get(d.field, d.field)], "first": d,
                               "last": d.last or d.week, "weeks": d.weeks}
            continue
        row["fields"].append(FIELD_LABELS.get(d.field, d.field))
        row["last"] = max(row["last"], d.last or d.week)
        row["weeks"] = max(row["weeks"], d.weeks)
        if d.week < row["first"].week:
            row["first"] = d
    return list(rows.values())


def _rewritten(c: Campaign, problem_id: str) -> list[dict]:
    """What of a problem's published history today's ledger no longer reproduces: one line per field, at the
    first week it shows."""
    if c.history is None:
        return []
    return [{"week": d.week, "what": FIELD_LABELS.get(d.field, d.field), "recorded": d.recorded, "now": d.now,
             "weeks": d.weeks} for d in c.history.for_problem(problem_id)]


# A page per problem: the build writes this family in the main process while a second one writes the others.
problems.per_problem = True

DESCRIPTION_CHARS = 90  # of the problem's own description; search engines show about 120 Chinese characters


def problem_description(row) -> str:
    """The problem in one sentence for search results and shared links: who leads, where it stands, what it is."""
    problem, state = row.problem, row.state
    text = " ".join(problem.description.split())
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rstrip("，、；：。,;: ") + "……"
    return (f"{row.department.name}牵头整改，{state.status.label}，亮{state.light.label}，"
            f"完成时限 {state.deadline.isoformat()}。{text}")


# The placeholders of the problem page shell (templates/shell.md.j2), which the publisher replaces.
SHELL_TITLE = "rc-shell-title"
SHELL_DESCRIPTION = "rc-shell-description"
SHELL_MARKS = {"start": "rc-shell-content-start", "end": "rc-shell-content-end", "heading": "rc-shell-heading"}


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


def lists(c: Campaign) -> Iterator[Output]:
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


def inspections(c: Campaign) -> Iterator[Output]:
    yield Page(urls.INSPECTIONS, "inspections.md.j2", "督查通报", {
        "inspections": selection.inspections_newest_first(c),
        "department_names": {d.id: d.name for d in c.departments}})


HISTORY_ROWS = 500  # problems listed on the history page: a rewrite of a whole ledger stays a readable page


def history(c: Campaign) -> Iterator[Output]:
    """历史记录核验: every published weekly snapshot up to the as-of date, downloadable with its digest, and what
    no longer holds, summarised per week and per problem (never one row per problem and week)."""
    check = c.history
    files = {f.name: f for f in (check.files if check else ())}
    chain = []
    for name, digest in check.digests if check else ():
        if name in files:
            yield File(urls.snapshot(name), files[name].data)
        week = week_of_file(name)
        chain.append({"name": name, "week": week.label, "as_of": check.as_of(week.label), "sha256": digest,
                      "path": urls.snapshot(name) if name in files else None})
    if chain:  # what `rectify verify https://…/data/snapshots/` reads, in sha256sum's format
        yield File(urls.snapshot(SUMS), "".join(f"{s['sha256']}  {s['name']}\n" for s in chain).encode("ascii"))
    problems = history_by_problem(check) if check else []
    yield Page(urls.HISTORY, "history.md.j2", "历史记录核验", {
        "check": check, "chain": list(reversed(chain)), "labels": FIELD_LABELS,
        "problems": problems[:HISTORY_ROWS], "problems_total": len(problems),
        "weeks": history_by_week(check) if check else [],
        "inspections": [d for d in check.discrepancies if d.inspection] if check else [],
        "snapshot_issues": check.of_snapshots() if check else [],
        "problem_ids": {r.problem.id for r in c.rows},
    }, hide=(), searchable=True)
    points = trend(check) if check else []
    yield Page(urls.CHANGES, "changes.md.j2", "本周变化", {
        "changes": week_changes(check) if check else None,
        "rows": {r.problem.id: r for r in c.rows},
        "trend": charts.trend_chart("changes-trend", points) if points else None,
    }, hide=("toc",))


def reference_pages(c: Campaign) -> Iterator[Output]:
    """The pages that explain: the rules of the lights, the finder and the filing guide."""
    yield Page(urls.RULES, "rules.md.j2", "亮灯规则", {"t": c.portal.thresholds}, hide=(), searchable=True)
    yield Page(urls.FINDER, "finder.md.j2", "问题查询",
               {"total": len(c.rows), "departments": c.departments, "categories": c.portal.categories},
               hide=("toc",))
    yield Page(urls.GUIDE, "guide.md.j2", "填报指南",
               {"departments": c.departments, "reference": field_reference(), "codes": list(CODES.values()),
                "layout": layout, "excel_headings": excel.guide_rows()},
               hide=(), searchable=True)


DOWNLOADS = (
    ("problems.csv", "CSV", "全部问题，一行一个问题（Excel 可直接打开）", datafiles.problems_csv),
    ("problems.xlsx", "Excel", "汇总表、每个部门一张台账（状态、亮灯着色）、工作记录和节点；与 rectify export 导出的相同，可再导入",
     datafiles.problems_xlsx),
    ("template.xlsx", "Excel", "空白台账模板：按这些表头填写的表格可以用 rectify import 直接导入（含填写说明）",
     datafiles.template_xlsx),
    ("problems.json", "JSON", "全部问题的完整台账（含工作记录）和计算出的状态、亮灯", datafiles.problems_json),
)


def data_files(c: Campaign) -> Iterator[Output]:
    """The open data, the finder's index, the schemas, and the downloads page that lists them."""
    listed = []
    for name, kind, description, make in DOWNLOADS:
        data = make(c)
        yield File(urls.data(name), data)
        listed.append({"name": name, "path": urls.data(name), "format": kind, "size": human_size(len(data)),
                       "description": description})
    yield File(urls.data("finder.json"), datafiles.finder_index(c))
    schemas = []
    for name, model in SCHEMAS.items():
        data = render_schema(name).encode("utf-8")
        path = urls.data(f"schema/{name}.schema.json")
        yield File(path, data)
        schemas.append({"name": f"{name}.schema.json", "path": path, "size": human_size(len(data)),
                        "description": (model.__doc__ or "").strip()})
    yield Page(urls.DOWNLOADS, "downloads.md.j2", "数据下载",
               {"files": listed, "schemas": schemas, "total": len(c.rows), "departments": c.departments},
               hide=(), searchable=True)


def _reports_module():
    """rendering/reports.py builds on this module's Page and File; imported when first used, not at import time."""
    from . import reports

    return reports


def supervision_cycle(c: Campaign) -> Iterator[Output]:
    """旬督查报告, 月度通报, 回头看, their index and the feeds (rendering/reports.py)."""
    yield from _reports_module().reports(c)


VENDOR = Path(__file__).parent / "vendor"


def vendored(name: str) -> tuple[dict, bytes]:
    """A third-party file kept in rendering/vendor/, checked against the checksum recorded with it."""
    entry = json.loads((VENDOR / "vendored.json").read_text(encoding="utf-8"))[name]
    data = (VENDOR / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise RuntimeError(f"{entry['file']} does not match the checksum in vendored.json")
    return entry, data


def vendor(c: Campaign) -> Iterator[Output]:
    """The site's own copy of plotly.js, with its licence; never a CDN. The partial bundle of the trace
    types the charts use (a test checks that every one is in it)."""
    entry, data = vendored("plotly")
    yield File(f"{urls.VENDOR_FOLDER}/plotly.min.js", data)
    yield File(f"{urls.VENDOR_FOLDER}/plotly.LICENSE.txt", (VENDOR / entry["licence"]).read_bytes())


def stylesheet(c: Campaign) -> Iterator[Output]:
    """The colours of the vocabulary as CSS (mkdocs.yml loads it after portal.css, so its colours win)."""
    yield File(urls.VOCABULARY_CSS, vocabulary.stylesheet().encode("utf-8"))


# The families that show the history check (campaign.history): the others are written while it runs, given a
# campaign whose history says so if they read it (derivation/campaign.py, UNCHECKED).
for _family in (home, departments, problems, history, supervision_cycle):
    _family.reads_history = True

FAMILIES: tuple[Family, ...] = (home, departments, categories, problems, lists, inspections, supervision_cycle,
                                history, reference_pages, data_files, vendor, stylesheet)


def portal_outputs(campaign: Campaign, per_problem: bool | None = None,
                   reads_history: bool | None = None) -> Iterator[Output]:
    """The outputs of every family, or only of those that make a page per problem (`per_problem=True`)
    or of the others (`False`), and only of those that show the history check (`reads_history=True`) or of
    the others (`False`): the build writes these while the check runs."""
    for family in FAMILIES:
        if per_problem is not None and getattr(family, "per_problem", False) != per_problem:
            continue
        if reads_history is not None and getattr(family, "reads_history", False) != reads_history:
            continue
        yield from family(campaign)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
