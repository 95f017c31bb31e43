"""The monthly bulletin (月度通报) as one view, and its open ranking data: what the bulletin says, built once.

`bulletin_view` turns a derived `Bulletin` (derivation/periods.py) into its number, title and sections in
order, each a heading with paragraphs, tables (column headings, rows of cells) and lists, as data. The web
page (templates/bulletin.md.j2) and the Word file (wordfile.py) both walk this view, so they carry the same
sections, headings and figures; `ranking_csv` and `ranking_json` write the ranking's data files beside it.
Figure labels are vocabulary.Figure's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import ClassVar

from ..derivation import revisions
from ..derivation.periods import Bulletin, Listed, PeriodReport, ScoreInput
from ..model.schema import Department, Portal
from ..model.vocabulary import Figure, Term
from . import urls
from .markup import cn_date, pct


@dataclass(frozen=True)
class Piece:
    """A run of text in a paragraph, a list item or a table cell. Written by the portal unless `ledger`: the
    ledger's words (a name, a title), which the page escapes for where they stand. The page links it to
    `link` (a source path, urls.*) or to the finder with `finder`'s filters; the Word file writes the text."""

    text: str
    ledger: bool = False
    strong: bool = False
    struck: bool = False  # what a revision replaced
    link: str | None = None
    anchor: str = ""
    finder: dict[str, str] | None = None
    badge: Term | None = None  # a light, a status or a kind of record, drawn as its badge on the page

    @property
    def badge_class(self) -> str:
        """The page's CSS classes of the badge: rc-light rc-light--red, rc-status rc-status--overdue."""
        block = {"Light": "light", "Status": "status"}.get(type(self.badge).__name__, "entry")
        return f"rc-{block} rc-{block}--{self.badge.value}"


def _plain(text: str) -> tuple[Piece, ...]:
    return (Piece(text),)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `css` is the page's class for it, set on a Markdown paragraph (attribute list) or, when
    `html`, on an HTML paragraph."""

    kind: ClassVar[str] = "paragraph"
    pieces: tuple[Piece, ...]
    css: str = ""
    html: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(frozen=True)
class Column:
    heading: str
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class Table:
    """Column headings and rows of cells. `note` says when only the first of more rows are shown; `empty`
    replaces a table with no rows (None: the table is shown even then). `wide` lays the page's table out one
    cell a line, as the 旬 reports' tables of problems are."""

    kind: ClassVar[str] = "table"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Piece, ...], ...]
    css: str = "rc-report-table"
    empty: str | None = None
    note: Paragraph | None = None
    wide: bool = False

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]


@dataclass(frozen=True)
class Items:
    """A list of records, each a run of pieces; `empty` is said when there is none."""

    kind: ClassVar[str] = "items"
    items: tuple[tuple[Piece, ...], ...]
    css: str
    empty: str


Block = Paragraph | Table | Items


@dataclass(frozen=True)
class Section:
    """A heading (level 2: 一、总体情况; level 3: a part of one) and what it says, in order."""

    heading: str
    level: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletinView:
    """Everything a monthly bulletin says, in the order it says it."""

    key: str
    number_text: str
    title: str
    office: str
    cut: dt.date  # the cut: the month's end, or the as-of date while the month is in progress
    start: dt.date
    end: dt.date
    in_progress: bool
    sections: tuple[Section, ...]
    copied_to: tuple[str, ...] = ()  # the Word file's 抄送: every registered department, by its full name


def bulletin_view(bulletin: Bulletin, portal: Portal, departments: dict[str, Department], xuns: list[PeriodReport],
                  limit: int) -> BulletinView:
    """The bulletin's view: `departments` by id, `xuns` the month's 旬 reports, `limit` the most problems a
    list names."""
    report = bulletin.report
    names = {i: d.short or d.name for i, d in departments.items()}
    return BulletinView(bulletin.key, bulletin.number_text, bulletin.title, portal.office, report.cut,
                        report.period.start, report.period.end, report.in_progress, (
                            _overview(bulletin), *_ranking(bulletin, names), *_praise(bulletin, departments, names),
                            *_supervised(report, limit), _inspections(report, names, xuns)),
                        tuple(d.name for d in departments.values()))


OVERVIEW_FIGURES = (Figure.TOTAL, Figure.CLOSED, Figure.OVERDUE, Figure.RED, Figure.YELLOW, Figure.STALE)
RAW_FIGURES = (Figure.TOTAL, Figure.CLOSED, Figure.DUE, Figure.ON_TIME, Figure.OVERDUE, Figure.OPEN, Figure.STALE,
               Figure.EVER_CLOSED, Figure.REBOUNDS_TO_DATE, Figure.LAG_POINTS)


def _overview(bulletin: Bulletin) -> Section:
    report = bulletin.report
    f = report.city
    p = bulletin.previous.city if bulletin.previous else None
    summary = (f"截至{cn_date(report.cut)}，全市台账共有问题 {f.total} 个，{Figure.CLOSED.label} {f.closed} 个，"
               f"{Figure.CLOSURE_RATE.label} {pct(f.closure_rate)}；{Figure.OVERDUE.label} {f.overdue} 个，"
               f"亮{Figure.RED.label} {f.red} 个。本月新列入台账 {f.new} 个，记录整改进展 {f.progress} 条，"
               f"{Figure.NOTICES.label} {f.notices} 个，{Figure.CLOSES.label} {f.closes} 个，"
               f"{Figure.EXTENSIONS.label} {f.extensions} 次，{Figure.REVISIONS.label} {f.revisions} 项，"
               f"{Figure.REBOUNDS.label} {f.rebounds} 个。")
    rows = []
    for figure in OVERVIEW_FIGURES:
        now = getattr(f, figure.value)
        before = getattr(p, figure.value) if p else None
        rows.append(_cells(figure.label, str(now), "—" if p is None else str(before),
                           "—" if p is None else f"{now - before:+d}"))
    table = Table((Column("指标"), Column("本月末", True), Column("上月末", True), Column("变化", True)), tuple(rows))
    return Section("一、总体情况", 2, (Paragraph(_plain(summary)), table))


def _ranking(bulletin: Bulletin, names: dict[str, str]) -> tuple[Section, ...]:
    rules = bulletin.report.rules
    weights = rules.reports.weights.model_dump()
    rows = []
    for s in bulletin.standings:
        before = bulletin.previous_standings.get(s.department_id)
        change = "—"
        if before is not None and before.score is not None and s.score is not None:
            change = f"{s.score - before.score:+.2f}"
        rows.append((Piece(str(s.rank) if s.rank else "—"),
                     Piece(names[s.department_id], ledger=True, link=urls.department(s.department_id)),
                     Piece(f"{s.score:.2f}" if s.score is not None else "—"), Piece(change),
                     Piece(str(before.rank) if before is not None and before.rank else "—"),
                     *(Piece(pct(s.inputs[i]) if s.inputs else "—") for i in ScoreInput)))
    ranking = Table((Column("名次", True), Column("部门"), Column("得分", True), Column("较上月", True),
                     Column("上月名次", True), *(Column(i.label, True) for i in ScoreInput)), tuple(rows), "rc-ranking")
    explained = Paragraph(_plain("各部门按得分从高到低排列。得分 = 100 × Σ（权重 × 指标）÷ Σ 权重，各项指标为月末时 0 到 1 "
                                 "之间的比例，越大越好（见下方“评分方法”）；没有问题的部门不参加排名。"))
    key = bulletin.key
    data = Paragraph((Piece("任何人都可以用下表（或 "), Piece("CSV", link=urls.bulletin_data(key, "csv")), Piece("、"),
                      Piece("JSON", link=urls.bulletin_data(key, "json")), Piece(" 数据文件）按评分方法重新计算排名。")))
    raw = Table((Column("部门"), *(Column(f.label, True) for f in RAW_FIGURES)), tuple(
        (Piece(names[s.department_id], ledger=True), *(Piece(str(getattr(s.figures, f.value))) for f in RAW_FIGURES))
        for s in bulletin.standings))
    method = Table((Column("指标"), Column("权重", True), Column("定义")),
                   tuple(_cells(i.label, str(weights[i.value]), i.definition) for i in ScoreInput))
    note = Paragraph(_plain(f"“{Figure.STALE.label}”指未完成问题中超过 {rules.thresholds.stale_days} 天没有进展记录的问题；"
                            f"部门没有应完成的问题时，{Figure.ON_TIME_RATE.label}按 100% 计。权重和表扬、批评的条件由专班办公室设定，"
                            f"随每期通报公布。{bulletin.rules_note}"), "rc-rules-in-force")
    return (Section("二、部门排名", 2, (explained, ranking)), Section("各部门原始数据", 3, (data, raw)),
            Section("评分方法", 3, (method, note)))


def _praise(bulletin: Bulletin, departments: dict[str, Department], names: dict[str, str]) -> tuple[Section, ...]:
    rules = bulletin.report.rules.reports

    def named(title: str, condition: str, standings, css: str) -> Paragraph:
        pieces = [Piece(title, strong=True), Piece(f"（{condition}）：")]
        for index, s in enumerate(standings):
            if index:
                pieces.append(Piece("、"))
            pieces += [Piece(departments[s.department_id].name, ledger=True), Piece(f"（{s.score:.2f} 分）")]
        return Paragraph((*pieces, Piece("。" if standings else "本月无。")), css)

    praised = named("表扬", f"得分不低于 {rules.praise_min_score} 分、月末没有逾期问题的部门中，得分最高的 {rules.praise_count} 个",
                    bulletin.praised, "rc-praise")
    criticised = named("通报批评", f"得分低于 {rules.criticise_below} 分的部门中，得分最低的 {rules.criticise_count} 个",
                       bulletin.criticised, "rc-criticism")
    return (Section("三、表扬和通报批评", 2, (praised, criticised)),
            Section("本月表扬、批评和约谈记录", 3, (_records(bulletin.records, names),)))


def _supervised(report: PeriodReport, limit: int) -> tuple[Section, ...]:
    marks = Table((Column("亮灯"), Column("编号"), Column("问题"), Column("牵头部门"),
                   Column("督办级别"), Column("状态"), Column("完成度（月初→期末）", True), Column("本期记录", True)),
                  tuple((Piece(m.state.light.label, badge=m.state.light),
                         Piece(m.row.problem.id, link=urls.problem(m.row.problem.id)),
                         Piece(m.row.problem.title, ledger=True),
                         Piece(m.row.department.short or m.row.department.name, ledger=True),
                         Piece(m.row.problem.supervision.level), Piece(m.state.status.label, badge=m.state.status),
                         Piece(f"{m.percent_before}% → {m.state.percent}%"), Piece(str(m.entries)))
                        for m in report.supervised[:limit]),
                  "rc-table rc-report-table rc-marks", "无。", _cut_note(report.supervised, limit, {"supervision": "any"}),
                  wide=True)
    revised = report.revised
    changes = Table(tuple(Column(h) for h in ("日期", "编号", "问题", "调整", "调整前", "调整后", "理由", "审核同意")),
                    tuple((Piece(x.entry.date.isoformat()), Piece(x.row.problem.id, link=urls.problem(x.row.problem.id)),
                           Piece(x.row.problem.title, ledger=True), Piece(x.entry.field.label),
                           Piece(revisions.summary(x.entry.field, x.entry.from_), ledger=True, struck=True),
                           Piece(revisions.summary(x.entry.field, x.entry.to), ledger=True),
                           Piece(x.entry.reason, ledger=True),
                           Piece(x.entry.approved_by + (f"（{x.entry.document}）" if x.entry.document else ""), ledger=True))
                          for x in revised[:limit]),
                    empty="无。", note=_cut_note(revised, limit, {}))
    said = Paragraph(_plain(f"经专班办公室审核同意调整整改目标、措施、责任人、挂牌督办级别或节点 {len(revised)} 项"
                            "（调整目标和督办级别的在前）。"))
    return Section("四、挂牌督办问题进展", 2, (marks,)), Section("本月调整整改承诺", 3, (said, changes))


def _cut_note(items: Listed, limit: int, filters: dict[str, str]) -> Paragraph | None:
    """How many there are when a list names only the first `limit`, and where to find them all."""
    if len(items) <= limit:
        return None
    return Paragraph((Piece(f"共 {len(items)} 个，以下列出前 {limit} 个；全部问题可在"),
                      Piece("问题查询", finder=filters), Piece("中查看。")), "rc-note", html=True)


def _inspections(report: PeriodReport, names: dict[str, str], xuns: list[PeriodReport]) -> Section:
    pieces = [Piece(f"本月督查、明察暗访等记录 {len(report.inspections)} 份；到期未完成的节点 {len(report.missed)} 个；"
                    f"月末尚未完成、本月没有进展记录的问题 {len(report.quiet)} 个。各旬详情：")]
    for index, x in enumerate(xuns):
        if index:
            pieces.append(Piece("、"))
        pieces.append(Piece(f"{x.period.label}督查报告", link=urls.xun_report(x.period.key)))
        if x.in_progress:
            pieces.append(Piece("（进行中）"))
    pieces.append(Piece("。"))
    return Section("五、本月督查情况", 2, (Paragraph(tuple(pieces)), _records(report.inspections, names)))


def _records(inspections: list, names: dict[str, str]) -> Items:
    """Inspection records (ledgers/inspections/): date, kind, title (linked to the record), departments."""
    items = []
    for i in inspections:
        involved = []
        for index, d in enumerate(i.departments):
            if index:
                involved.append(Piece("、"))
            involved.append(Piece(names[d], ledger=True))
        items.append((Piece(cn_date(i.date), strong=True), Piece(" "), Piece(i.kind.label, badge=i.kind), Piece(" "),
                      Piece(i.title, ledger=True, link=urls.INSPECTIONS, anchor=urls.inspection_anchor(i.id)),
                      Piece("（涉及："), *involved, Piece("）")))
    return Items(tuple(items), "rc-records", "本期没有记录。")


def _cells(*texts: str) -> tuple[Piece, ...]:
    return tuple(Piece(t) for t in texts)


# ---------------------------------------------------------------- the ranking's open data

# the published inputs of the ranking, in the data files' column order; the figures counted within the month
# are headed 本月…
RAW_COLUMNS = (Figure.TOTAL, Figure.CLOSED, Figure.FINISHED, Figure.ON_TIME, Figure.DUE, Figure.OVERDUE, Figure.OPEN,
               Figure.STALE, Figure.EVER_CLOSED, Figure.REBOUNDS_TO_DATE, Figure.LAG_POINTS, Figure.RED, Figure.NEW,
               Figure.PROGRESS, Figure.CLOSES)
IN_THE_MONTH = (Figure.NEW, Figure.PROGRESS, Figure.CLOSES)


def _column(figure: Figure) -> str:
    return f"本月{figure.label}" if figure in IN_THE_MONTH else figure.label


def ranking_csv(bulletin: Bulletin, names: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["名次", "部门编号", "部门", "得分", *(i.label for i in ScoreInput), *map(_column, RAW_COLUMNS)])
    for s in bulletin.standings:
        writer.writerow([s.rank or "", s.department_id, names[s.department_id],
                         "" if s.score is None else f"{s.score:.2f}",
                         *("" if s.inputs is None else f"{s.inputs[i]:.4f}" for i in ScoreInput),
                         *(getattr(s.figures, f.value) for f in RAW_COLUMNS)])
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
            "figures": {f.value: getattr(s.figures, f.value) for f in RAW_COLUMNS},
        } for s in bulletin.standings],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
