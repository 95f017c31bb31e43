"""The lifecycle fold: the transitions of a whole lifecycle, its invariants on any ordered log, and that it never raises."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.derivation.lifecycle import Change, moments, standing
from generator.derivation.state import Status, is_final, state_of, status_and_light
from generator.model.schema import (
    Close,
    Extension,
    Notice,
    Problem,
    Progress,
    Review,
    ReviewOutcome,
    Thresholds,
)

from .test_derive import JAN_1, T, close, extension, problem, progress, review

D = dt.date
STEPS = ("analyse", "plan", "implement", "check", "accept", "publish", "close", "consolidate")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def notice(day: dt.date, until: dt.date) -> dict:
    return {"date": day, "type": "notice", "until": until, "summary": "公示"}


def step(day: dt.date, step_id: str, percent: int) -> dict:
    return {**progress(day, percent), "step": step_id}


FULL_LIFECYCLE = [
    step(D(2026, 2, 1), "implement", 40),
    step(D(2026, 3, 1), "accept", 100),
    notice(D(2026, 3, 2), D(2026, 3, 9)),
    close(D(2026, 3, 10)),
    review(D(2026, 5, 1), "consolidated"),
    review(D(2026, 6, 1), "rebound"),
    extension(D(2026, 6, 5), D(2027, 3, 31)),  # after the rebound: a closed problem is not extended (E325)
    step(D(2026, 7, 1), "implement", 30),
    step(D(2026, 8, 1), "accept", 100),
    close(D(2026, 8, 20)),
]


def test_a_full_lifecycle_comes_out_as_its_transitions_in_order() -> None:
    timeline = [(m.index, m.date, m.changes) for m in moments(problem(FULL_LIFECYCLE), STEPS)]
    assert timeline == [
        (None, JAN_1, (Change.OPENED,)),
        (0, D(2026, 2, 1), (Change.STARTED,)),
        (1, D(2026, 3, 1), (Change.DONE,)),
        (2, D(2026, 3, 2), (Change.NOTICE,)),
        (3, D(2026, 3, 10), (Change.CLOSED,)),
        (4, D(2026, 5, 1), (Change.CONSOLIDATED,)),
        (5, D(2026, 6, 1), (Change.REBOUND,)),
        (6, D(2026, 6, 5), (Change.EXTENDED,)),
        (7, D(2026, 7, 1), ()),  # the new round of work has started, but nothing in the lifecycle changed
        (8, D(2026, 8, 1), (Change.DONE,)),
        (9, D(2026, 8, 20), (Change.RECLOSED,)),
    ]


def test_the_standing_after_each_entry_of_a_full_lifecycle() -> None:
    steps = {m.index: m.after for m in moments(problem(FULL_LIFECYCLE), STEPS)}
    assert [steps[i].step for i in range(10)] == [2, 4, 6, 7, 8, -1, -1, 2, 4, 7]
    assert steps[3].closed_on == steps[3].first_closed_on == D(2026, 3, 10)
    reopened = steps[5]
    assert (reopened.closed_on, reopened.done_on, reopened.notice_until, reopened.percent) == (None, None, None, 0)
    assert reopened.rebound_on == D(2026, 6, 1) and reopened.first_closed_on == D(2026, 3, 10)
    final = steps[9]
    assert final == standing(problem(FULL_LIFECYCLE), steps=STEPS)
    assert (final.closed_on, final.first_closed_on, final.rebound_on) == (D(2026, 8, 20), D(2026, 3, 10), None)
    assert (final.deadline, final.extensions, final.done_on, final.last_progress) == (
        D(2027, 3, 31), 1, D(2026, 8, 1), D(2026, 8, 1))


def test_standing_as_of_a_date_and_before_the_opening() -> None:
    p = problem(FULL_LIFECYCLE)
    assert standing(p, D(2026, 6, 3)).rebound_on == D(2026, 6, 1)
    assert standing(p, D(2026, 3, 10)).closed
    assert standing(p, D(2025, 12, 1)) == moments(p)[0].after  # nothing yet: the opening standing
    assert standing(p, D(2025, 12, 1)).deadline == p.deadline


def test_progress_below_100_after_done_reopens_the_round() -> None:
    changes = [m.changes for m in moments(problem([progress(D(2026, 2, 1), 100), progress(D(2026, 2, 5), 80)]))]
    assert changes == [(Change.OPENED,), (Change.STARTED, Change.DONE), (Change.REOPENED,)]


def test_invalid_entries_cause_no_transition_they_could_not_have_caused() -> None:
    log = [close(D(2026, 2, 1)), close(D(2026, 2, 5)), review(D(2026, 3, 1), "rebound"),
           review(D(2026, 3, 5), "consolidated"), extension(D(2026, 4, 1), D(2026, 6, 30))]
    timeline = moments(problem(log))
    assert [m.changes for m in timeline[1:]] == [
        (Change.CLOSED,), (), (Change.REBOUND,), (), (Change.EXTENDED,)]
    assert timeline[2].after.closed_on == D(2026, 2, 1)  # the close-out in force stays the first
    assert timeline[5].after.deadline == D(2026, 12, 31)  # an extension never pulls the deadline forward


def test_out_of_order_entries_count_up_to_the_first_one_after_the_date() -> None:
    p = problem([progress(D(2026, 2, 1), 20), progress(D(2026, 5, 1), 60), progress(D(2026, 3, 1), 40)])
    assert standing(p, D(2026, 4, 1)).percent == 20
    assert standing(p).percent == 40


# ---------------------------------------------------------------- properties

day_offsets = st.integers(min_value=0, max_value=60)
outcomes = st.sampled_from(ReviewOutcome)


@st.composite
def entries(draw, day: dt.date) -> Progress | Extension | Notice | Close | Review:
    """One entry of any of the five types, dated `day`; the values are anything the schema lets a clerk write."""
    kind = draw(st.sampled_from(["progress", "extension", "notice", "close", "review"]))
    if kind == "progress":
        return Progress(date=day, type=kind, step=draw(st.sampled_from([*STEPS, "unknown"])),
                        percent=draw(st.sampled_from([0, 10, 50, 99, 100, 100])), summary="进展")
    if kind == "extension":
        return Extension(date=day, type=kind, deadline=day + dt.timedelta(draw(st.integers(-400, 400))),
                         reason="理由", approved_by="专班")
    if kind == "notice":
        return Notice(date=day, type=kind, until=day + dt.timedelta(draw(st.integers(-5, 15))), summary="公示")
    if kind == "close":
        return Close(date=day, type=kind, approved_by="专班", document="〔2026〕1号", summary="销号")
    deadline = draw(st.one_of(st.none(), st.integers(-30, 300).map(lambda n: day + dt.timedelta(n))))
    return Review(date=day, type=kind, outcome=draw(outcomes), findings="回头看", deadline=deadline)


@st.composite
def problems(draw, ordered: bool = True) -> Problem:
    """A problem whose log has entries of any type in any order; dated in order unless `ordered` is False."""
    opened = JAN_1 + dt.timedelta(draw(st.integers(0, 200)))
    deadline = opened + dt.timedelta(draw(st.integers(-30, 400)))
    day, log = opened, []
    for _ in range(draw(st.integers(0, 14))):
        day += dt.timedelta(draw(day_offsets if ordered else st.integers(-90, 90)))
        log.append(draw(entries(day)))
    return problem([], opened=opened, deadline=deadline).model_copy(update={"log": log})


@SETTINGS
@given(problems(), st.integers(-10, 800))
def test_standing_is_the_last_moment_dated_on_or_before_the_date(p: Problem, offset: int) -> None:
    as_of = p.opened + dt.timedelta(offset)
    timeline = moments(p, STEPS)
    expected = [m for m in timeline if m.entry is None or m.date <= as_of][-1].after
    assert standing(p, as_of, STEPS) == expected
    assert standing(p, steps=STEPS) == timeline[-1].after
    assert (state_of(p, as_of, T).status == Status.CLOSED) == expected.closed


@SETTINGS
@given(problems())
def test_the_fold_keeps_its_invariants(p: Problem) -> None:
    timeline = moments(p, STEPS)
    closes = rebounds_after_close = 0
    reopened = False
    for moment in timeline:
        before, after = moment.before, moment.after
        assert after.deadline >= before.deadline  # the effective deadline never moves forward
        if Change.CLOSED in moment.changes or Change.RECLOSED in moment.changes:
            closes += 1
            reopened = False
            assert Change.RECLOSED not in moment.changes or before.first_closed_on is not None
        if Change.REBOUND in moment.changes:
            rebounds_after_close += before.closed
            reopened = True
            assert after.percent == 0 and after.done_on is None and after.notice_until is None
            assert after.step == -1 and after.rebound_on == moment.date
        if reopened:
            assert after.closed_on is None  # a rebound keeps the problem open until it is closed again
        assert after.closed == (after.closed_on is not None) and (after.rebound_on is None or not after.closed)
        if after.closed:
            assert after.first_closed_on is not None and after.first_closed_on <= after.closed_on
    assert closes - rebounds_after_close == int(timeline[-1].after.closed)


@SETTINGS
@given(problems(ordered=False), st.integers(-100, 900))
def test_the_fold_never_raises_on_any_log(p: Problem, offset: int) -> None:
    timeline = moments(p, STEPS)
    assert len(timeline) == len(p.log) + 1
    assert [m.index for m in timeline] == [None, *range(len(p.log))]
    assert all(m.before == timeline[i].after for i, m in enumerate(timeline[1:]))
    standing(p, p.opened + dt.timedelta(offset))
    standing(p, p.opened + dt.timedelta(offset), STEPS)
    state_of(p, p.opened + dt.timedelta(offset), T)


@SETTINGS
@given(problems(), st.integers(-10, 800), st.integers(0, 400), st.sampled_from([T, Thresholds(stale_days=5, close_days=3)]))
def test_status_and_light_alone_agree_with_the_state_and_final_ones_stay(p: Problem, offset: int, later: int,
                                                                          t: Thresholds) -> None:
    """The weekly snapshots' check computes status and light without the reasons, and skips the days after a
    final pair while the standing does not change: both must give what state_of gives."""
    day = p.opened + dt.timedelta(offset)
    facts = standing(p, day)
    state = state_of(p, day, t, facts)
    status, light = status_and_light(p, day, t, facts)
    assert (status, light) == (state.status, state.light)
    after = day + dt.timedelta(later)
    if is_final(status, light, facts) and standing(p, after) == facts:
        again = state_of(p, after, t, facts)
        assert (again.status, again.light) == (status, light)
