"""The supervision cycle's periods (旬 and months) and what the ledger says about each, from one pass over the moments.

"一旬一督查、一月一通报": the 旬 and months are those of model/calendar.py. The figures of a period are those
of the ledger cut at the period's end (asof.ledger_at): a problem's standing there is the lifecycle fold up to
that day, so a past period's report built today gives the figures it gave when the period ended. Rather than
cutting and re-deriving the campaign once per period, each problem's moments are walked once against the
ascending period ends (the logs are in date order, which validation enforces), so the cost is linear in
problems × periods plus entries; a test checks the figures against `campaign_of` at a period's end.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ..loading.portalhistory import RuleVersion
from ..model.calendar import Period, month_of, months, xuns
from ..model.schema import Problem, Reports, Review, Revision
from ..model.vocabulary import Figure, InspectionKind, Light, RevisedField, Status, Supervision
from .campaign import Campaign, Row
from .figures import Figures
from .lifecycle import Change, Standing, moments
from .lookback import review_overdue
from .rulebook import RuleBook
from .state import ProblemState, is_final, quiet_days, schedule_percent, state_of, status_and_light


def bulletin_number(month: Period, campaign_start: dt.date) -> tuple[int, int]:
    """The bulletin's number 〔year〕第 N 期: numbered from 1 each year, from the campaign's first month."""
    first = month_of(campaign_start).start
    if month.start.year == first.year:
        return month.start.year, month.start.month - first.month + 1
    return month.start.year, month.start.month


@dataclass(frozen=True)
class Mark:
    """A problem named in a period's report, with its state at the period's cut."""

    row: Row  # the problem (its state in `row` is the portal's as-of state, not the period's)
    state: ProblemState
    percent_before: int  # at the previous period's cut (0 when it was opened in this period)
    entries: int  # log entries dated in the period


@dataclass(frozen=True)
class RevisionMark:
    """A commitment revised in a period (调整): news the report names, whatever else the problem did."""

    row: Row
    entry: Revision


@dataclass(frozen=True)
class MissedMilestone:
    row: Row
    title: str
    due: dt.date
    done: dt.date | None  # known only if done by the cut


LIST_LIMIT = 50  # a report names at most this many problems per list (the page says how many there are)


class Listed(Sequence):
    """A report's list, kept as it is built: how many there are, and the first LIST_LIMIT in problem-id order
    (the order the campaign's rows are walked in). At 10,000 problems a list holds thousands and only its
    head is shown, so the rest are counted, never made; `lead` items (province-level supervision, say) go
    before the others."""

    def __init__(self) -> None:
        self.total = 0
        self._lead: list = []
        self._rest: list = []

    def add(self, lead: bool, make, *args) -> None:
        """Count one more; `make(*args)` builds the item only when it may be shown."""
        self.total += 1
        bucket = self._lead if lead else self._rest
        if len(bucket) < LIST_LIMIT:
            bucket.append(make(*args))

    @property
    def shown(self) -> list:
        return (self._lead + self._rest)[:LIST_LIMIT]

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.shown[index]

    def __iter__(self):
        return iter(self.shown)


@dataclass
class PeriodReport:
    """Everything a 旬 report or a monthly bulletin shows, for one period, cut at `cut`."""

    period: Period
    cut: dt.date  # the period's end, or the as-of date while the period is in progress
    in_progress: bool
    rules: RuleVersion  # portal.yml's report rules as they stood at the cut (rulebook.py)
    rules_note: str  # which rules those are, as the report says it (the lights' thresholds)
    city: Figures = field(default_factory=Figures)
    departments: dict[str, Figures] = field(default_factory=dict)
    turned_red: Listed = field(default_factory=Listed)  # red at the cut, not red at the previous 旬's cut
    supervised: Listed = field(default_factory=Listed)  # province-level first
    quiet: Listed = field(default_factory=Listed)  # open problems with no progress entry in the period
    missed: list[MissedMilestone] = field(default_factory=list)  # by due date
    revised: Listed = field(default_factory=Listed)  # revisions in the period; targets and supervision levels first
    inspections: list = field(default_factory=list)  # Inspection records dated in the period


@dataclass(frozen=True)
class Cycle:
    """The supervision cycle up to the campaign's date: every 旬 and month with its report."""

    xuns: tuple[PeriodReport, ...]
    months: tuple[PeriodReport, ...]


def _count_event(f: Figures, changes: tuple[Change, ...], is_progress: bool) -> None:
    if is_progress:
        f.progress += 1
    for change in changes:
        if change == Change.NOTICE:
            f.notices += 1
        elif change in (Change.CLOSED, Change.RECLOSED):
            f.closes += 1
        elif change == Change.EXTENDED:
            f.extensions += 1
        elif change == Change.REVISED:
            f.revisions += 1
        elif change == Change.REBOUND:
            f.rebounds += 1


def _count_state(f: Figures, problem: Problem, status: Status | None, light: Light, facts: Standing, cut: dt.date,
                 period_start: dt.date, stale_days: int, rebounds_to_date: int) -> bool:
    """Add one problem's standing at the cut to `f`; returns whether it is open with no progress in the period.

    `status` is None for a closed problem: 已销号 and green whatever the day (state.py), so the 10,000 × 70 cuts
    of a large campaign skip the status rules for them."""
    f.total += 1
    f.rebounds_to_date += rebounds_to_date
    if facts.first_closed_on is not None:
        f.ever_closed += 1
    if status is None or status in (Status.DONE, Status.CLOSED):
        f.finished += 1
        f.due += 1
        if facts.closed_on is not None:
            f.closed += 1
        if facts.done_on is not None and facts.done_on <= problem.deadline:
            f.on_time += 1
        if light == Light.YELLOW:
            f.yellow += 1
        return False
    if problem.deadline < cut:
        f.due += 1
    f.open += 1
    if status == Status.OVERDUE:
        f.overdue += 1
    if light == Light.RED:
        f.red += 1
    elif light == Light.YELLOW:
        f.yellow += 1
    if quiet_days(problem, facts, cut) > stale_days:
        f.stale += 1
    f.lag_points += max(0, schedule_percent(problem.opened, facts.deadline, cut) - facts.percent)
    quiet = facts.last_progress is None or facts.last_progress < period_start
    f.quiet += quiet
    return quiet


def _mark(row: Row, cut: dt.date, thresholds, facts: Standing, before: int, entries: int) -> Mark:
    """A named problem with its full state at the cut (made only for the first LIST_LIMIT of a list)."""
    return Mark(row, state_of(row.problem, cut, thresholds, facts), before, entries)


def cycle_start(campaign: Campaign) -> dt.date:
    """The first day the cycle reports on: the campaign start, or an earlier opening of a problem."""
    return min([campaign.portal.campaign_start, *(r.problem.opened for r in campaign.rows)])


def cycle(campaign: Campaign, book: RuleBook) -> Cycle:
    """Every 旬 and month from the campaign start to its date, each cut at its end (or the as-of date) and
    judged by the report rules `book` gives for its cut."""
    portal = campaign.portal
    as_of = campaign.as_of
    step_ids = [s.id for s in portal.steps]
    start = cycle_start(campaign)
    xun_list = xuns(start, as_of)
    month_list = months(start, as_of)
    reports = [_report(p, as_of, book) for p in xun_list]
    month_reports = [_report(p, as_of, book) for p in month_list]
    for report in [*reports, *month_reports]:
        report.departments = {d.id: Figures() for d in campaign.departments}
    month_of_xun = [month_reports[i] for i, _ in _month_positions(xun_list, month_list)]
    # a month's standing is that of its last 旬's cut (or of the 旬 in progress)
    month_closing = [r.period.end == m.period.end or r.in_progress for r, m in zip(reports, month_of_xun, strict=True)]
    xun_starts = [p.start for p in xun_list]

    for row in campaign.rows:
        problem = row.problem
        department = problem.department
        supervised = problem.supervision != Supervision.NONE
        province = problem.supervision == Supervision.PROVINCE
        timeline = moments(problem, step_ids)
        cursor = 1  # timeline[0] is the opening
        facts = timeline[0].after
        rebounds_to_date = 0
        last_review: dt.date | None = None
        previous_light: Light | None = None
        final: tuple[Status, Light, object] | None = None
        previous_percent = month_start_percent = month_entries = 0
        first = bisect.bisect_right(xun_starts, problem.opened) - 1
        for index in range(first, len(reports)):
            report = reports[index]
            period = report.period
            month = month_of_xun[index]
            figures = report.departments[department]
            month_figures = month.departments[department]
            thresholds = report.rules.thresholds  # a month's closing 旬 has the month's cut, and so its rules
            if index == first or period.opens_month:
                month_start_percent, month_entries = previous_percent, 0
            if period.contains(problem.opened):
                figures.new += 1
                month_figures.new += 1
            entries = 0
            advanced = False
            while cursor < len(timeline) and timeline[cursor].date <= report.cut:
                moment = timeline[cursor]
                if moment.date >= period.start:
                    is_progress = moment.entry.type == "progress"
                    _count_event(figures, moment.changes, is_progress)
                    _count_event(month_figures, moment.changes, is_progress)
                    entries += 1
                    if isinstance(moment.entry, Revision):
                        lead = moment.entry.field in (RevisedField.TARGET, RevisedField.SUPERVISION)
                        report.revised.add(lead, RevisionMark, row, moment.entry)
                        month.revised.add(lead, RevisionMark, row, moment.entry)
                if Change.REBOUND in moment.changes:
                    rebounds_to_date += 1
                if isinstance(moment.entry, Review):
                    last_review = moment.date
                facts = moment.after
                cursor += 1
                advanced = True
            month_entries += entries
            closing = month_closing[index]
            if facts.closed_on is not None:
                status, light, final = None, Light.GREEN, None
            elif final is not None and not advanced and final[2] is thresholds:
                status, light = final[:2]  # state.is_final: unchanged while no entry (or rule) changes it
            else:
                status, light = status_and_light(problem, report.cut, thresholds, facts)
                final = (status, light, thresholds) if is_final(status, light, facts) else None
            percent = facts.percent
            quiet = _count_state(figures, problem, status, light, facts, report.cut, period.start,
                                 thresholds.stale_days, rebounds_to_date)
            late_review = review_overdue(facts.closed_on, last_review, report.rules.reports.review_days, report.cut)
            figures.lookbacks_overdue += late_review
            args = (row, report.cut, thresholds, facts, previous_percent, entries)
            if light == Light.RED and previous_light != Light.RED:
                report.turned_red.add(False, _mark, *args)
            if supervised:
                report.supervised.add(province, _mark, *args)
            if quiet:
                report.quiet.add(False, _mark, *args)
            if closing:
                month_quiet = _count_state(month_figures, problem, status, light, facts, report.cut,
                                           month.period.start, thresholds.stale_days, rebounds_to_date)
                month_figures.lookbacks_overdue += late_review
                args = (row, report.cut, thresholds, facts, month_start_percent, month_entries)
                if supervised:
                    month.supervised.add(province, _mark, *args)
                if month_quiet:
                    month.quiet.add(False, _mark, *args)
            previous_light, previous_percent = light, percent
        _missed_milestones(row, reports, month_of_xun, xun_starts)

    inspections = sorted((i.inspection for i in campaign.ledger.inspections), key=lambda i: (i.date, i.id))
    for report in [*reports, *month_reports]:
        report.inspections = [i for i in inspections if report.period.start <= i.date <= report.cut]
        for figures in report.departments.values():
            report.city.add(figures)
        report.missed.sort(key=lambda m: (m.due, m.row.problem.id))
    return Cycle(tuple(reports), tuple(month_reports))


THRESHOLDS_USED = "亮灯阈值"  # what a 旬 report's figures take from the rules
RANKING_RULES_USED = "排名权重、表扬和批评条件及亮灯阈值"  # and a bulletin's


def _report(period: Period, as_of: dt.date, book: RuleBook) -> PeriodReport:
    cut = min(period.end, as_of)
    return PeriodReport(period, cut, period.end > as_of, book.at(cut), book.sentence(cut, THRESHOLDS_USED))


def _month_positions(xun_list: list[Period], month_list: list[Period]) -> list[tuple[int, Period]]:
    """For each 旬, the index of its month in `month_list`."""
    index = {p.start: i for i, p in enumerate(month_list)}
    return [(index[p.month.start], p) for p in xun_list]


def _missed_milestones(row: Row, reports: list[PeriodReport], month_of_xun: list[PeriodReport],
                       xun_starts: list[dt.date]) -> None:
    """Milestones due in a period and not done by their due date (a done date after the cut is not yet known)."""
    for milestone in row.problem.milestones:
        if milestone.due is None or (milestone.done is not None and milestone.done <= milestone.due):
            continue
        index = bisect.bisect_right(xun_starts, milestone.due) - 1
        if index < 0 or milestone.due > reports[index].cut:
            continue  # due after the campaign's date: not missed yet
        for report in (reports[index], month_of_xun[index]):
            done = milestone.done if milestone.done is not None and milestone.done <= report.cut else None
            report.missed.append(MissedMilestone(row, milestone.title, milestone.due, done))


# ---------------------------------------------------------------- the monthly ranking


class ScoreInput(StrEnum):
    """The inputs of a department's score, each a share from 0 to 1 where 1 is best; the weights are in
    portal.yml (`reports.weights`) and the definitions are published with every bulletin."""

    ON_TIME = "on_time", Figure.ON_TIME_RATE.label, "原定时限已到或已完成的问题中，按原定时限完成的比例"
    CLOSURE = "closure", Figure.CLOSURE_RATE.label, "已销号问题占问题总数的比例"
    OVERDUE = "overdue", "未逾期比例", "1 减去逾期问题占问题总数的比例"
    STALE = "stale", "进展更新比例", "1 减去未完成问题中超过“亮灯阈值”规定天数没有进展记录的问题所占比例"
    REBOUND = "rebound", "未反弹比例", "1 减去反弹次数占曾经销号问题数的比例"
    LAG = "lag", "序时进度符合度", "1 减去未完成问题完成度落后序时进度的平均百分点数除以 100"

    def __new__(cls, value: str, label: str, definition: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.definition = definition
        return member


def score_inputs(f: Figures) -> dict[ScoreInput, float] | None:
    """A department's inputs, each 0 (worst) to 1 (best); None for a department with no problems."""
    if not f.total:
        return None
    return {
        ScoreInput.ON_TIME: f.on_time_rate if f.on_time_rate is not None else 1.0,
        ScoreInput.CLOSURE: f.closure_rate or 0.0,
        ScoreInput.OVERDUE: 1 - f.overdue_share,
        ScoreInput.STALE: 1 - f.stale_share,
        ScoreInput.REBOUND: max(0.0, 1 - f.rebound_rate),
        ScoreInput.LAG: max(0.0, 1 - f.average_lag / 100),
    }


@dataclass(frozen=True)
class DepartmentScore:
    """A department's place in a month's ranking."""

    department_id: str
    figures: Figures
    inputs: dict[ScoreInput, float] | None
    score: float | None  # 0-100, rounded to 2 decimals; None when the department has no problems
    rank: int | None


def ranking(report: PeriodReport, department_order: list[str]) -> list[DepartmentScore]:
    """Departments by score, highest first (ties: fewer overdue, then the registry's order); departments
    without problems last, unranked. score = 100 × Σ weight × input / Σ weight, rounded to 2 decimals, with the
    weights in force at the report's cut."""
    weights = report.rules.reports.weights.model_dump()
    total_weight = sum(weights.values()) or 1
    scored = []
    for position, department_id in enumerate(department_order):
        figures = report.departments[department_id]
        inputs = score_inputs(figures)
        score = None if inputs is None else round(
            100 * sum(weights[key.value] * value for key, value in inputs.items()) / total_weight, 2)
        scored.append((department_id, figures, inputs, score, position))
    scored.sort(key=lambda s: (s[3] is None, -(s[3] or 0), s[1].overdue, s[4]))
    out = []
    rank = 0
    for department_id, figures, inputs, score, _ in scored:
        if score is not None:
            rank += 1
        out.append(DepartmentScore(department_id, figures, inputs, score, rank if score is not None else None))
    return out


def praised(standings: list[DepartmentScore], rules: Reports) -> list[DepartmentScore]:
    """表扬: the top `praise_count` ranked departments whose score reaches `praise_min_score`, with no
    overdue problem."""
    chosen = [s for s in standings if s.score is not None and s.score >= rules.praise_min_score
              and s.figures.overdue == 0]
    return chosen[:rules.praise_count]


def criticised(standings: list[DepartmentScore], rules: Reports) -> list[DepartmentScore]:
    """通报批评: the lowest `criticise_count` ranked departments whose score is below `criticise_below`."""
    chosen = [s for s in reversed(standings) if s.score is not None and s.score < rules.criticise_below]
    return chosen[:rules.criticise_count]


RECORD_KINDS = (InspectionKind.PRAISE, InspectionKind.CRITICISM, InspectionKind.ADMONITION)


def month_records(report: PeriodReport) -> list:
    """The month's praise, criticism and admonition (约谈) records from ledgers/inspections/."""
    return [i for i in report.inspections if i.kind in RECORD_KINDS]


def standings_by_id(standings: list[DepartmentScore]) -> dict[str, DepartmentScore]:
    return {s.department_id: s for s in standings}


def group_by_month(reports: tuple[PeriodReport, ...]) -> dict[str, list[PeriodReport]]:
    grouped: dict[str, list[PeriodReport]] = defaultdict(list)
    for report in reports:
        grouped[report.period.month.key].append(report)
    return dict(grouped)


@dataclass(frozen=True)
class Bulletin:
    """A monthly bulletin (月度通报): its number, ranking, praise and criticism lists, and the month before."""

    report: PeriodReport
    year: int
    number: int
    rules_note: str  # which rules ranked it, as the page, the Word file and the data file say it
    standings: list[DepartmentScore]
    praised: list[DepartmentScore]
    criticised: list[DepartmentScore]
    records: list  # the month's praise, criticism and admonition records
    previous: PeriodReport | None
    previous_standings: dict[str, DepartmentScore]

    @property
    def key(self) -> str:
        return self.report.period.key

    @property
    def number_text(self) -> str:
        return f"〔{self.year}〕第 {self.number} 期"

    @property
    def title(self) -> str:
        return f"{self.report.period.label}问题整改工作通报"


def bulletins(months_: tuple[PeriodReport, ...], book: RuleBook, department_order: list[str],
              campaign_start: dt.date) -> list[Bulletin]:
    """Every month's bulletin, oldest first; each ranked from its own month's figures only, by the rules that
    stood at its cut."""
    out = []
    previous: PeriodReport | None = None
    previous_standings: dict[str, DepartmentScore] = {}
    for report in months_:
        standings = ranking(report, department_order)
        rules = report.rules.reports
        year, number = bulletin_number(report.period, campaign_start)
        out.append(Bulletin(report, year, number, book.sentence(report.cut, RANKING_RULES_USED), standings,
                            praised(standings, rules),
                            criticised(standings, rules), month_records(report), previous, previous_standings))
        previous, previous_standings = report, standings_by_id(standings)
    return out
