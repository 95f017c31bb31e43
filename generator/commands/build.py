"""`rectify build`: validate, derive, and write the generated pages and data files into docs/ for MkDocs.

Nothing valid is lost: after writing, the build checks that every problem file became exactly one
problem page, one finder entry and one row of each download, and fails where one did not.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import plotly

from ..derivation.campaign import Campaign, Row, campaign_of, tally, weekly_curve
from ..derivation.state import Light, Status
from ..model.jsonschema import render_schema
from ..model.reference import field_reference
from ..model.schema import (
    SCHEMAS,
    SUPERVISION_LABELS,
    Close,
    Extension,
    Notice,
    Progress,
    Review,
    Supervision,
)
from ..rendering import charts
from ..rendering.datafiles import finder_index, problems_csv, problems_json, problems_xlsx
from ..rendering.markup import environment, md
from ..validation.findings import CODES
from ..validation.report import Report, validate

# Everything under docs/ that the build owns (and git ignores); the rest of docs/ is hand-written.
GENERATED = ("index.md", "rules.md", "finder.md", "downloads.md", "guide.md", "inspections.md",
             "departments", "categories", "problems", "lists", "data", "assets/vendor")
UPCOMING_DAYS = 30
UPCOMING_LIMIT = 10
UPDATES_LIMIT = 12
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


class BuildError(Exception):
    """The build cannot publish; the message says why, in Chinese."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class BuildResult:
    campaign: Campaign
    pages: int
    problem_pages: int


def git_commit(path: Path) -> str:
    """The short commit of the ledger, or "" outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=path, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def build(ledgers: Path, docs: Path, as_of: dt.date, commit: str | None = None) -> BuildResult:
    report = validate(ledgers, as_of)
    if not report.valid():
        raise BuildError(f"台账校验未通过（{len(report.errors)} 个错误），门户没有生成。", report)
    campaign = campaign_of(report.ledger, as_of)
    commit = git_commit(ledgers) if commit is None else commit
    for name in GENERATED:
        target = docs / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    site = _Site(campaign, docs, commit)
    site.write_all()
    _check_nothing_lost(campaign, docs, report.ledger.problem_files)
    return BuildResult(campaign, site.pages, len(campaign.rows))


def sort_for_attention(rows: list[Row]) -> list[Row]:
    """Red first, then yellow, then green; within a light, the nearest deadline first."""
    return sorted(rows, key=lambda r: (LIGHT_ORDER[r.state.light], r.state.deadline, r.problem.id))


def entry_summary(entry) -> str:
    if isinstance(entry, Progress):
        return entry.summary
    if isinstance(entry, Extension):
        return f"完成时限延至 {entry.deadline.isoformat()}：{entry.reason}"
    if isinstance(entry, Notice):
        return f"{entry.summary}（公示至 {entry.until.isoformat()}）"
    if isinstance(entry, Close):
        return entry.summary
    if isinstance(entry, Review):
        return entry.findings
    return ""


class _Site:
    def __init__(self, campaign: Campaign, docs: Path, commit: str):
        self.campaign = campaign
        self.docs = docs
        self.commit = commit
        self.env = environment()
        self.pages = 0
        portal = campaign.portal
        self.common = {"campaign": campaign, "portal": portal, "commit": commit, "as_of": campaign.as_of,
                       "entry_summary": entry_summary}
        self.department_names = {d.id: d.name for d in campaign.departments}
        self.step_names = {s.id: s.name for s in portal.steps}

    def page(self, path: str, template: str, **context) -> None:
        text = self.env.get_template(template).render(**self.common, **context)
        self.write(path, text.encode("utf-8"))
        self.pages += 1

    def write(self, path: str, data: bytes) -> None:
        target = self.docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def write_all(self) -> None:
        self.home()
        self.departments()
        self.categories()
        self.problems()
        self.lists()
        self.inspections()
        self.page("rules.md", "rules.md.j2", t=self.campaign.portal.thresholds)
        self.page("finder.md", "finder.md.j2", total=len(self.campaign.rows), departments=self.campaign.departments,
                  categories=self.campaign.portal.categories)
        self.page("guide.md", "guide.md.j2", departments=self.campaign.departments, reference=field_reference(),
                  codes=list(CODES.values()))
        self.data_files()
        self.vendor()

    # -------------------------------------------------------------- pages

    def home(self) -> None:
        c = self.campaign
        rows = list(c.rows)
        by_department = [(d.short or d.name, c.by_department(d.id)) for d in c.departments]
        by_category = [(cat.name, c.by_category(cat.id)) for cat in c.portal.categories]
        open_rows = [r for r in rows if r.state.status not in (Status.DONE, Status.CLOSED)
                     and 0 <= r.state.days_left <= UPCOMING_DAYS]
        upcoming = sorted(open_rows, key=lambda r: (r.state.deadline, r.problem.id))[:UPCOMING_LIMIT]
        latest = heapq.nlargest(
            UPDATES_LIMIT,
            ((entry.date, row.problem.id, index, row, entry) for row in rows
             for index, entry in enumerate(row.problem.log) if entry.date <= c.as_of))
        indicators = c.ledger.indicators
        self.page(
            "index.md", "home.md.j2",
            total=tally(rows),
            indicators=indicators,
            indicator_charts=[charts.indicator_chart(f"indicator-{i.id}", i) for i in indicators],
            charts={
                "status": charts.status_chart("home-status", rows),
                "lights": charts.light_chart("home-lights", rows),
                "curve": charts.curve_chart("home-curve", weekly_curve(c)),
                "departments": charts.stacked_status_chart("home-departments", "各部门问题状态", by_department),
                "categories": charts.stacked_status_chart("home-categories", "各类别问题状态", by_category),
            },
            upcoming=upcoming, window=UPCOMING_DAYS, limit=UPCOMING_LIMIT,
            updates=[(row, entry) for _, _, _, row, entry in latest],
            notice_count=sum(1 for r in rows if r.state.notice_open),
        )

    def departments(self) -> None:
        c = self.campaign
        ranking = []
        for department in c.departments:
            rows = c.by_department(department.id)
            t = tally(rows)
            ranking.append((department, t))
            cooperating = [r for r in c.rows if department.id in r.problem.cooperating]
            prefix = f"department-{department.id}"
            self.page(
                f"departments/{department.id}.md", "department.md.j2",
                department=department, t=t, rows=sort_for_attention(rows),
                cooperating=sort_for_attention(cooperating),
                charts={"status": charts.status_chart(f"{prefix}-status", rows),
                        "lights": charts.light_chart(f"{prefix}-lights", rows),
                        "steps": charts.steps_chart(f"{prefix}-steps", c, rows)},
            )
        ranking.sort(key=lambda item: (-(item[1].closure_rate or 0), item[1].overdue,
                                       item[1].by_light[Light.RED], item[0].id))
        chart = charts.stacked_status_chart("departments-status", "各部门问题状态",
                                            [(d.short or d.name, c.by_department(d.id)) for d, _ in ranking])
        self.page("departments/index.md", "departments.md.j2", ranking=ranking, chart=chart)

    def categories(self) -> None:
        c = self.campaign
        items = []
        for category in c.portal.categories:
            rows = c.by_category(category.id)
            t = tally(rows)
            items.append((category, t))
            self.page(f"categories/{category.id}.md", "category.md.j2", category=category, t=t,
                      rows=sort_for_attention(rows),
                      charts={"status": charts.status_chart(f"category-{category.id}-status", rows)})
        chart = charts.stacked_status_chart("categories-status", "各类别问题状态",
                                            [(cat.name, c.by_category(cat.id)) for cat, _ in items])
        self.page("categories/index.md", "categories.md.j2", items=items, chart=chart)

    def problems(self) -> None:
        c = self.campaign
        template = self.env.get_template("problem.md.j2")
        steps = c.portal.steps
        feedback = c.portal.feedback
        by_problem: dict[str, list] = {}
        for item in sorted(c.ledger.inspections, key=lambda i: (i.inspection.date, i.inspection.id)):
            for problem_id in item.inspection.problems:
                by_problem.setdefault(problem_id, []).append(item.inspection)
        for row in c.rows:
            problem = row.problem
            text = template.render(
                **self.common, row=row, steps=steps, step_names=self.step_names, feedback=feedback,
                milestones=charts.milestone_chart(row),
                undated=[m for m in problem.milestones if m.due is None],
                inspections=by_problem.get(problem.id, []),
            )
            self.write(f"problems/{problem.id}.md", text.encode("utf-8"))
            self.pages += 1

    def lists(self) -> None:
        c = self.campaign
        rows = list(c.rows)
        supervised = [r for r in rows if r.problem.supervision != Supervision.NONE]
        supervised.sort(key=lambda r: (r.problem.supervision != Supervision.PROVINCE, LIGHT_ORDER[r.state.light],
                                       r.state.deadline, r.problem.id))
        overdue = sorted((r for r in rows if r.state.status == Status.OVERDUE),
                         key=lambda r: (r.state.days_left, r.problem.id))
        rebound = sort_for_attention([r for r in rows if r.state.status == Status.REBOUND])
        notice = sorted((r for r in rows if r.state.notice_open), key=lambda r: r.problem.id)
        feedback = c.portal.feedback
        level = {r.problem.id: SUPERVISION_LABELS[r.problem.supervision].removesuffix("挂牌督办") for r in supervised}
        late = {r.problem.id: f"{-r.state.days_left} 天" for r in overdue}
        until = {r.problem.id: f"至 {r.state.notice_until.isoformat()}" for r in notice}
        for name, title, intro, selected, column, extra in (
            ("supervised", "挂牌督办问题", "由市级或省级挂牌督办的问题，省级挂牌督办的排在前面。",
             supervised, ("督办级别", level), ""),
            ("overdue", "逾期问题", "已超过现行完成时限仍未完成的问题，超期最久的排在前面。",
             overdue, ("超期天数", late), ""),
            ("rebound", "反弹问题", "销号后经“回头看”发现反弹回潮、重新打开整改的问题。", rebound, None, ""),
            ("notice", "整改结果公示", "以下问题已完成整改，正在公示整改结果，公示期内接受群众监督，期满无异议后销号。",
             notice, ("公示期", until), f"对公示的整改结果有意见，请通过以下渠道反映：{md(feedback)}"),
        ):
            self.page(f"lists/{name}.md", "list.md.j2", title=title, intro=intro, rows=selected,
                      extra_column=column, extra=extra)

    def inspections(self) -> None:
        items = sorted((i.inspection for i in self.campaign.ledger.inspections),
                       key=lambda i: (i.date, i.id), reverse=True)
        self.page("inspections.md", "inspections.md.j2", inspections=items, department_names=self.department_names)

    # -------------------------------------------------------------- data

    def data_files(self) -> None:
        c = self.campaign
        files = [
            ("problems.csv", "CSV", "全部问题，一行一个问题（Excel 可直接打开）", problems_csv(c)),
            ("problems.xlsx", "Excel", "与 CSV 相同的内容，Excel 工作簿格式", problems_xlsx(c)),
            ("problems.json", "JSON", "全部问题的完整台账（含工作记录）和计算出的状态、亮灯", problems_json(c)),
        ]
        listed = []
        for name, kind, description, data in files:
            self.write(f"data/{name}", data)
            listed.append({"name": name, "path": f"data/{name}", "format": kind, "size": human_size(len(data)),
                           "description": description})
        self.write("data/finder.json", finder_index(c))
        schemas = []
        for name, model in SCHEMAS.items():
            data = render_schema(name).encode("utf-8")
            self.write(f"data/schema/{name}.schema.json", data)
            schemas.append({"name": f"{name}.schema.json", "path": f"data/schema/{name}.schema.json",
                            "size": human_size(len(data)), "description": (model.__doc__ or "").strip()})
        self.page("downloads.md", "downloads.md.j2", files=listed, schemas=schemas, total=len(c.rows))

    def vendor(self) -> None:
        """One local copy of plotly.js, from the installed plotly package; never a CDN."""
        source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        target = self.docs / "assets" / "vendor" / "plotly.min.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _check_nothing_lost(campaign: Campaign, docs: Path, problem_files: int) -> None:
    """Every problem file became one page, one finder entry and one row of each download."""
    ids = [r.problem.id for r in campaign.rows]
    problems: list[str] = []
    if len(ids) != problem_files:
        problems.append(f"台账中有 {problem_files} 个问题文件，但只读出了 {len(ids)} 个问题")
    pages = {p.stem for p in (docs / "problems").glob("*.md")}
    missing = sorted(set(ids) - pages)
    if missing or len(pages) != len(ids):
        problems.append(f"问题页面数 {len(pages)} 与问题数 {len(ids)} 不符；缺少：{'、'.join(missing[:20])}")
    finder = json.loads((docs / "data" / "finder.json").read_text(encoding="utf-8"))
    finder_ids = [p[0] for p in finder["problems"]]
    if sorted(finder_ids) != sorted(ids):
        problems.append("问题查询的数据与台账不一致")
    with (docs / "data" / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        csv_ids = [line[0] for line in list(csv.reader(handle))[1:]]
    if sorted(csv_ids) != sorted(ids):
        problems.append("CSV 下载文件中的问题与台账不一致")
    downloads = json.loads((docs / "data" / "problems.json").read_text(encoding="utf-8"))
    if sorted(p["id"] for p in downloads["problems"]) != sorted(ids):
        problems.append("JSON 下载文件中的问题与台账不一致")
    if problems:
        raise BuildError("生成结果不完整，已停止发布：" + "；".join(problems) + "。")

