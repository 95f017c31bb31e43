"""Status, light and figures of hand-made problems, including the edge days."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.derivation.state import Light, Status, schedule_percent, state_of
from generator.model.schema import Problem, Thresholds

D = dt.date
T = Thresholds(red_lag=30, yellow_lag=10, due_soon_days=15, stale_days=30)
JAN_1, DEC_31 = D(2026, 1, 1), D(2026, 12, 31)


def problem(log: list[dict], opened: dt.date = JAN_1, deadline: dt.date = DEC_31) -> Problem:
    return Problem.model_validate({
        "id": "TEST-2026-001", "title": "测试问题", "category": "ecology",
        "source": {"kind": "complaint", "name": "来信"}, "description": "描述", "department": "ecology-env",
        "leader": "副市长 某某", "team": "专班", "section": "科室", "responsible": "科长 某某", "target": "目标",
        "measures": ["措施"], "opened": opened, "deadline": deadline, "log": log,
    })


def progress(day: dt.date, percent: int) -> dict:
    return {"date": day, "type": "progress", "step": "implement", "percent": percent, "summary": "进展"}


def close(day: dt.date) -> dict:
    return {"date": day, "type": "close", "approved_by": "专班", "document": "〔2026〕1号", "summary": "销号"}


def review(day: dt.date, outcome: str) -> dict:
    return {"date": day, "type": "review", "outcome": outcome, "findings": "回头看"}


def extension(day: dt.date, deadline: dt.date) -> dict:
    return {"date": day, "type": "extension", "deadline": deadline, "reason": "理由", "approved_by": "专班"}


def test_no_progress_is_not_started_and_later_overdue() -> None:
    p = problem([], deadline=D(2026, 6, 30))
    assert state_of(p, D(2026, 1, 10), T).status == Status.NOT_STARTED
    late = state_of(p, D(2026, 7, 1), T)
    assert late.status == Status.OVERDUE and late.light == Light.RED


def test_due_today_is_not_overdue_but_yellow() -> None:
    p = problem([progress(D(2026, 12, 20), 95)], deadline=D(2026, 12, 31))
    today = state_of(p, D(2026, 12, 31), T)
    assert today.status == Status.IN_PROGRESS
    assert today.days_left == 0
    assert today.light == Light.YELLOW
    assert "今天到期" in today.reasons
    tomorrow = state_of(p, D(2027, 1, 1), T)
    assert tomorrow.status == Status.OVERDUE and tomorrow.light == Light.RED


def test_closed_on_the_deadline_counts_as_on_time() -> None:
    from generator.derivation.campaign import tally

    deadline = D(2026, 6, 30)
    p = problem([progress(D(2026, 6, 30), 100), close(D(2026, 6, 30))], deadline=deadline)
    state = state_of(p, D(2026, 7, 15), T)
    assert state.status == Status.CLOSED and state.light == Light.GREEN
    assert state.done_on == deadline
    row = type("Row", (), {"problem": p, "state": state})()
    assert tally([row]).on_time == 1


def test_the_on_time_rate_counts_late_work_against_a_department() -> None:
    """One problem closed on time, one overdue, one extended and still open, one rebounded, one not yet
    due: 1 of the 4 that had to be done by now was done on time, not 1 of 1."""
    from generator.derivation.campaign import tally

    as_of = D(2026, 9, 1)
    deadline = D(2026, 6, 30)
    problems = [
        problem([progress(D(2026, 6, 1), 100), close(D(2026, 6, 20))], deadline=deadline),
        problem([progress(D(2026, 3, 1), 40)], deadline=deadline),
        problem([progress(D(2026, 3, 1), 40), extension(D(2026, 6, 1), D(2026, 12, 31))], deadline=deadline),
        problem([progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), review(D(2026, 8, 1), "rebound")],
                deadline=deadline),
        problem([progress(D(2026, 3, 1), 40)], deadline=D(2026, 12, 31)),
    ]
    rows = [type("Row", (), {"problem": p, "state": state_of(p, as_of, T)})() for p in problems]
    t = tally(rows)
    assert (t.on_time, t.due) == (1, 4)
    assert t.on_time_rate == 0.25


def test_extension_approved_after_the_deadline_passed() -> None:
    p = problem([progress(D(2026, 3, 1), 40), extension(D(2026, 7, 10), D(2026, 12, 31))], deadline=D(2026, 6, 30))
    before = state_of(p, D(2026, 7, 5), T)
    assert before.status == Status.OVERDUE and before.deadline == D(2026, 6, 30)
    after = state_of(p, D(2026, 7, 10), T)
    assert after.status == Status.IN_PROGRESS
    assert after.deadline == D(2026, 12, 31) and after.extensions == 1


def test_rebound_reopens_until_closed_again() -> None:
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), review(D(2026, 6, 1), "rebound"),
           progress(D(2026, 8, 1), 100), close(D(2026, 8, 20)), review(D(2026, 11, 1), "consolidated")]
    p = problem(log)
    assert state_of(p, D(2026, 5, 1), T).status == Status.CLOSED
    reopened = state_of(p, D(2026, 6, 2), T)
    assert reopened.status == Status.REBOUND and reopened.light == Light.RED
    assert state_of(p, D(2026, 8, 5), T).status == Status.DONE
    final = state_of(p, D(2026, 11, 24), T)
    assert final.status == Status.CLOSED and final.closed_on == D(2026, 8, 20)


def test_entries_after_the_as_of_date_are_ignored() -> None:
    p = problem([progress(D(2026, 2, 1), 20), progress(D(2026, 9, 1), 100)])
    assert state_of(p, D(2026, 3, 1), T).percent == 20


@pytest.mark.parametrize(("as_of", "expected"), [
    (D(2026, 1, 1), 0), (D(2026, 7, 2), 50), (D(2026, 12, 31), 100), (D(2027, 3, 1), 100), (D(2025, 12, 1), 0)])
def test_schedule_percent(as_of: dt.date, expected: int) -> None:
    assert schedule_percent(D(2026, 1, 1), D(2026, 12, 31), as_of) == expected


def test_lag_thresholds_decide_the_light() -> None:
    # halfway through the year: schedule 50 %
    as_of = D(2026, 7, 2)
    assert state_of(problem([progress(D(2026, 6, 20), 45)]), as_of, T).light == Light.GREEN
    yellow = state_of(problem([progress(D(2026, 6, 20), 40)]), as_of, T)
    assert yellow.light == Light.YELLOW
    red = state_of(problem([progress(D(2026, 6, 20), 20)]), as_of, T)
    assert red.light == Light.RED and any("落后序时进度" in r for r in red.reasons)


def test_no_progress_for_too_long_is_yellow() -> None:
    p = problem([progress(D(2026, 1, 5), 60)], deadline=D(2027, 12, 31))
    state = state_of(p, D(2026, 3, 1), T)
    assert state.light == Light.YELLOW and state.reasons == ("已 55 天没有进展记录",)


def test_an_extension_is_not_progress() -> None:
    p = problem([progress(D(2026, 1, 5), 60), extension(D(2026, 2, 20), D(2027, 12, 31))], deadline=D(2027, 6, 30))
    assert state_of(p, D(2026, 3, 1), T).reasons == ("已 55 天没有进展记录",)
    assert state_of(p, D(2026, 2, 4), T).light == Light.GREEN  # 30 days: not yet


def test_rebound_starts_a_new_round_from_nothing_done() -> None:
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), review(D(2026, 6, 1), "rebound")]
    reopened = state_of(problem(log), D(2026, 6, 2), T)
    assert reopened.status == Status.REBOUND and reopened.percent == 0
    later = state_of(problem([*log, progress(D(2026, 7, 1), 40)]), D(2026, 7, 2), T)
    assert later.status == Status.REBOUND and later.percent == 40


def test_done_awaiting_close_with_open_notice() -> None:
    notice = {"date": D(2026, 11, 20), "type": "notice", "until": D(2026, 11, 30), "summary": "公示"}
    p = problem([progress(D(2026, 11, 19), 100), notice])
    state = state_of(p, D(2026, 11, 24), T)
    assert state.status == Status.DONE and state.notice_open
    assert not state_of(p, D(2026, 12, 1), T).notice_open


def test_rebound_is_measured_from_the_rebound_not_the_old_deadline() -> None:
    log = [progress(D(2025, 3, 1), 100), close(D(2025, 3, 10)), review(D(2026, 9, 22), "rebound"),
           progress(D(2026, 10, 1), 50)]
    state = state_of(problem(log, opened=D(2025, 1, 1), deadline=D(2025, 6, 30)), D(2026, 11, 24), T)
    assert state.status == Status.REBOUND and state.light == Light.RED
    assert state.reasons == ("回头看发现问题反弹回潮（2026-09-22），已重新整改 63 天",)


def test_done_but_not_closed_turns_yellow_after_the_notice_has_long_ended() -> None:
    notice = {"date": D(2026, 9, 2), "type": "notice", "until": D(2026, 9, 9), "summary": "公示"}
    p = problem([progress(D(2026, 9, 1), 100), notice])
    waiting = state_of(p, D(2026, 10, 9), T)  # 30 days after the notice ended: still green
    assert waiting.status == Status.DONE and waiting.light == Light.GREEN
    late = state_of(p, D(2026, 10, 10), T)
    assert late.light == Light.YELLOW and late.reasons == ("公示期满已 31 天仍未销号",)


def test_a_rebound_with_a_new_deadline_is_overdue_once_it_passes() -> None:
    rebound = {**review(D(2026, 6, 1), "rebound"), "deadline": D(2026, 9, 30)}
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), rebound, progress(D(2026, 7, 1), 50)]
    p = problem(log, deadline=D(2026, 4, 30))
    before = state_of(p, D(2026, 9, 30), T)
    assert before.status == Status.REBOUND and before.deadline == D(2026, 9, 30)
    after = state_of(p, D(2026, 10, 1), T)
    assert after.status == Status.OVERDUE and after.light == Light.RED
    assert after.reasons == ("已超过完成时限 1 天",)


def test_an_extension_right_after_a_rebound_sets_the_new_rounds_deadline() -> None:
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), review(D(2026, 6, 1), "rebound"),
           extension(D(2026, 6, 2), D(2026, 8, 31))]
    p = problem(log, deadline=D(2026, 4, 30))
    assert state_of(p, D(2026, 8, 31), T).status == Status.REBOUND
    assert state_of(p, D(2026, 9, 1), T).status == Status.OVERDUE


def test_a_rebound_without_a_new_deadline_stays_a_rebound() -> None:
    """The old way (now error E331): the first round's deadline is long past, which says nothing of the new round."""
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), review(D(2026, 6, 1), "rebound")]
    assert state_of(problem(log, deadline=D(2026, 4, 30)), D(2026, 12, 1), T).status == Status.REBOUND


def test_closing_again_after_a_rebound_deadline_is_closed() -> None:
    rebound = {**review(D(2026, 6, 1), "rebound"), "deadline": D(2026, 7, 31)}
    log = [progress(D(2026, 3, 1), 100), close(D(2026, 3, 10)), rebound, progress(D(2026, 7, 20), 100),
           close(D(2026, 8, 20))]
    assert state_of(problem(log), D(2026, 12, 1), T).status == Status.CLOSED
