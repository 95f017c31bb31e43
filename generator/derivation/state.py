"""Status and warning light of a problem as of a date, derived from its log alone (never typed by hand)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.schema import Problem, Thresholds
from ..model.vocabulary import Light, Status
from .lifecycle import Standing, standing


@dataclass(frozen=True)
class ProblemState:
    """A problem as of a date: status, light, and the figures behind them."""

    as_of: dt.date
    status: Status
    light: Light
    reasons: tuple[str, ...]
    percent: int
    schedule: int  # 序时进度, percent of the time from opening to the effective deadline
    deadline: dt.date
    extensions: int
    days_left: int  # negative when overdue
    done_on: dt.date | None
    closed_on: dt.date | None
    notice_open: bool
    notice_until: dt.date | None  # end of the latest result notice in force
    rebound_on: dt.date | None
    last_entry: dt.date | None


def state_of(problem: Problem, as_of: dt.date, thresholds: Thresholds, facts: Standing | None = None) -> ProblemState:
    """The status and light as of a date; `facts` is the problem's standing on that date when already folded."""
    facts = facts or standing(problem, as_of)
    deadline = facts.deadline
    status = _status(facts, as_of)
    schedule = schedule_percent(problem.opened, deadline, as_of)
    light, reasons = _light(problem, facts, status, schedule, deadline, as_of, thresholds)
    return ProblemState(
        as_of=as_of,
        status=status,
        light=light,
        reasons=reasons,
        percent=facts.percent,
        schedule=schedule,
        deadline=deadline,
        extensions=facts.extensions,
        days_left=(deadline - as_of).days,
        done_on=facts.done_on,
        closed_on=facts.closed_on,
        notice_open=facts.notice_until is not None and facts.notice_until >= as_of and status == Status.DONE,
        notice_until=facts.notice_until,
        rebound_on=facts.rebound_on,
        last_entry=facts.last_entry,
    )


# (status, light) pairs that stay as they are on every later day while the standing does not change (no new
# entry): closed stays closed and green; past the deadline stays overdue and red; finished work waiting too
# long for its close-out waits longer. A rebound without a deadline for the new round (E331) stays a red
# rebound, but one with a deadline turns overdue, so only `rebound_deadline is None` makes it final. The
# weekly snapshots' check relies on this to skip the weeks after such a day; tests/test_derive.py checks it.
FINAL = frozenset({(Status.CLOSED, Light.GREEN), (Status.OVERDUE, Light.RED), (Status.DONE, Light.YELLOW)})


def is_final(status: Status, light: Light, facts: Standing) -> bool:
    return (status, light) in FINAL or (status == Status.REBOUND and facts.rebound_deadline is None)


def status_and_light(problem: Problem, as_of: dt.date, thresholds: Thresholds, facts: Standing) -> tuple[Status, Light]:
    """The status and light alone, by the same rules as `state_of` without writing out the reasons: the weekly
    snapshots' check computes them for every problem and week."""
    status = _status(facts, as_of)
    schedule = schedule_percent(problem.opened, facts.deadline, as_of)
    return status, _light(problem, facts, status, schedule, facts.deadline, as_of, thresholds, explain=False)[0]


def _status(facts: Standing, as_of: dt.date) -> Status:
    if facts.closed_on is not None:
        return Status.CLOSED
    if facts.done_on is not None:
        return Status.DONE
    if facts.rebound_on is not None and not (facts.rebound_deadline is not None and as_of > facts.deadline):
        return Status.REBOUND  # until the new round's deadline passes; a rebound without one (E331) stays so
    if as_of > facts.deadline:
        return Status.OVERDUE
    if not facts.started:
        return Status.NOT_STARTED
    return Status.IN_PROGRESS


def schedule_percent(opened: dt.date, deadline: dt.date, as_of: dt.date) -> int:
    """序时进度: the share of the time from opening to the deadline that has passed, 0 to 100."""
    total = (deadline - opened).days
    if total <= 0:
        return 100 if as_of >= deadline else 0
    passed = (as_of - opened).days
    return max(0, min(100, round(100 * passed / total)))


def quiet_days(problem: Problem, facts: Standing, as_of: dt.date) -> int:
    """Days since the current round of work last reported progress (or since it began, if it never has).
    Only progress counts: an extension or a notice says nothing about the work itself."""
    since = facts.last_progress or facts.rebound_on or problem.opened
    return (as_of - since).days


def _light(problem: Problem, facts: Standing, status: Status, schedule: int, deadline: dt.date,
           as_of: dt.date, t: Thresholds, explain: bool = True) -> tuple[Light, tuple[str, ...]]:
    """The light and, when `explain`, the reasons for it (without them the first reason found decides)."""
    if status == Status.CLOSED:
        return Light.GREEN, ()
    if status == Status.DONE:
        # finished work waits for its close-out: after the notice ends, or from the day it was done
        waiting_since = max(facts.done_on, facts.notice_until) if facts.notice_until else facts.done_on
        waited = (as_of - waiting_since).days
        if waited > t.close_days:
            if not explain:
                return Light.YELLOW, ()
            what = "公示期满" if facts.notice_until and facts.notice_until >= facts.done_on else "整改完成"
            return Light.YELLOW, (f"{what}已 {waited} 天仍未销号",)
        return Light.GREEN, ()
    if status == Status.REBOUND:
        if not explain:
            return Light.RED, ()
        # measured from the rebound, not from a deadline the first round of work already met
        return Light.RED, (f"回头看发现问题反弹回潮（{facts.rebound_on.isoformat()}），已重新整改 "
                           f"{(as_of - facts.rebound_on).days} 天",)
    lag = schedule - facts.percent
    if not explain:
        if status == Status.OVERDUE or lag >= t.red_lag:
            return Light.RED, ()
        if (lag >= t.yellow_lag or (deadline - as_of).days <= t.due_soon_days
                or quiet_days(problem, facts, as_of) > t.stale_days):
            return Light.YELLOW, ()
        return Light.GREEN, ()
    red: list[str] = []
    if status == Status.OVERDUE:
        red.append(f"已超过完成时限 {(as_of - deadline).days} 天")
    if status != Status.OVERDUE and lag >= t.red_lag:
        red.append(f"完成度 {facts.percent}% 落后序时进度 {schedule}% 达 {lag} 个百分点")
    if red:
        return Light.RED, tuple(red)
    yellow: list[str] = []
    if lag >= t.yellow_lag:
        yellow.append(f"完成度 {facts.percent}% 落后序时进度 {schedule}% 达 {lag} 个百分点")
    days_left = (deadline - as_of).days
    if days_left <= t.due_soon_days:
        yellow.append(f"距完成时限仅剩 {days_left} 天" if days_left else "今天到期")
    quiet = quiet_days(problem, facts, as_of)
    if quiet > t.stale_days:
        yellow.append(f"已 {quiet} 天没有进展记录")
    if yellow:
        return Light.YELLOW, tuple(yellow)
    return Light.GREEN, ()
