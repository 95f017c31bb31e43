"""The lifecycle of a problem, folded once from its log: where it stands after each entry, and what each entry changed.

Status, lights, the validation rules on the log, the stepper and the weekly curve all read this one fold.
The fold is total: the validation rules run it on logs that may be invalid (out of order, a close-out
before the work is done, a look-back before any close-out, an extension that shortens the deadline),
so every entry is applied as written and nothing here raises or judges; judging is the rules' work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..model.schema import Close, Extension, LogEntry, Notice, Problem, Progress, Review, Revision
from ..model.vocabulary import ReviewOutcome


@dataclass(frozen=True)
class Standing:
    """Where a problem stands after some prefix of its log: the facts every status, rule and figure is built from."""

    deadline: dt.date  # effective: the latest of the original and every extension
    started: bool = False
    percent: int = 0  # of the current round of work (0 again after a rebound)
    done_on: dt.date | None = None  # when the current round of work reached 100 %
    closed_on: dt.date | None = None  # the close-out in force (None after a rebound)
    first_closed_on: dt.date | None = None
    rebound_on: dt.date | None = None  # the rebound in force (None once closed again)
    # the deadline the rebound in force set for the new round of work (in the look-back, or in an extension
    # right after it); once it passes, the reopened problem is overdue like any other
    rebound_deadline: dt.date | None = None
    extensions: int = 0
    notice_until: dt.date | None = None  # end of the result notice in force (None after a rebound)
    last_entry: dt.date | None = None
    last_progress: dt.date | None = None  # of the current round of work (None after a rebound)
    step: int = -1  # in the eight steps: -1 before any progress (and after a rebound), len(steps) when all are done

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None


class Change(StrEnum):
    """A transition an entry caused. An entry that changes nothing in the lifecycle (a second close-out
    while closed, a consolidating look-back at a problem that is not closed) causes none."""

    OPENED = "opened"  # the problem entered the ledger (the opening moment, before any entry)
    STARTED = "started"  # the first progress entry
    DONE = "done"  # the current round of work reached 100 %
    REOPENED = "reopened"  # progress below 100 % after the round was done, without a look-back finding a rebound
    NOTICE = "notice"  # a result notice (整改结果公示) opened
    CLOSED = "closed"  # the first close-out (销号)
    RECLOSED = "reclosed"  # a close-out of a problem closed before, that a rebound had reopened
    REBOUND = "rebound"  # a look-back (回头看) found a rebound: a new round of work starts from nothing done
    CONSOLIDATED = "consolidated"  # a look-back confirmed a close-out in force
    EXTENDED = "extended"  # an extension (延期) was approved
    REVISED = "revised"  # a revision (调整) of a commitment was approved: the work's standing is as it was


@dataclass(frozen=True)
class Moment:
    """One step of the fold: the opening (index and entry None, dated when the problem was opened) or one log entry."""

    index: int | None  # position in the log
    entry: LogEntry | None
    date: dt.date
    before: Standing
    after: Standing
    changes: tuple[Change, ...]


def moments(problem: Problem, steps: Sequence[str] = ()) -> list[Moment]:
    """The opening moment, then one moment per log entry, in log order (not date order).

    `steps` are the ids of the eight steps in order; without them `Standing.step` stays -1."""
    return list(_fold(problem, steps))


def standing(problem: Problem, as_of: dt.date | None = None, steps: Sequence[str] = ()) -> Standing:
    """Where the problem stands as of a date: after the entries up to the first one dated after `as_of`
    (after all of them when None). On a log in date order, that is after the last entry dated on or before it."""
    timeline = _fold(problem, steps)
    current = next(timeline).after  # the opening
    for moment in timeline:
        if as_of is not None and moment.date > as_of:
            break
        current = moment.after
    return current


def _fold(problem: Problem, steps: Sequence[str]) -> Iterator[Moment]:
    opening = Standing(deadline=problem.deadline)
    yield Moment(None, None, problem.opened, opening, opening, (Change.OPENED,))
    positions = {step: i for i, step in enumerate(steps)}
    before = opening
    for index, entry in enumerate(problem.log):
        updates, changes = _apply(before, entry)
        step = _step(before, entry, positions, len(steps)) if steps else before.step
        # dataclasses.replace, less its per-field introspection: every build folds every log several times
        after = Standing(**(before.__dict__ | updates | {"last_entry": entry.date, "step": step}))
        yield Moment(index, entry, entry.date, before, after, changes)
        before = after


def _apply(before: Standing, entry: LogEntry) -> tuple[dict[str, object], tuple[Change, ...]]:
    """What one entry changes in the standing (but for its date and step), and the transitions it caused."""
    if isinstance(entry, Progress):
        changes = []
        if not before.started:
            changes.append(Change.STARTED)
        if entry.percent == 100:
            done_on = before.done_on or entry.date
            if not before.done:
                changes.append(Change.DONE)
        else:
            done_on = None
            if before.done:
                changes.append(Change.REOPENED)
        return ({"started": True, "percent": entry.percent, "done_on": done_on, "last_progress": entry.date},
                tuple(changes))
    if isinstance(entry, Extension):
        # a shortening extension is an error (E316), but it never pulls the effective deadline forward
        deadline = max(before.deadline, entry.deadline)
        extended = {"deadline": deadline, "extensions": before.extensions + 1}
        if before.rebound_on is not None:
            extended["rebound_deadline"] = deadline
        return extended, (Change.EXTENDED,)
    if isinstance(entry, Notice):
        return {"notice_until": entry.until}, (Change.NOTICE,)
    if isinstance(entry, Revision):
        return {}, (Change.REVISED,)
    if isinstance(entry, Close):
        if before.closed:  # a second close-out (E308) keeps the one in force
            return {}, ()
        closed = {"closed_on": entry.date, "first_closed_on": before.first_closed_on or entry.date, "rebound_on": None,
                  "rebound_deadline": None}
        return closed, (Change.RECLOSED if before.first_closed_on else Change.CLOSED,)
    if entry.outcome == ReviewOutcome.REBOUND:
        # reopened, even when nothing was closed (E309): a new round of work starts from nothing done
        reopened = {"rebound_on": entry.date, "closed_on": None, "done_on": None, "notice_until": None, "percent": 0,
                    "last_progress": None, "rebound_deadline": entry.deadline}
        if entry.deadline is not None:
            # the new round's deadline; like an extension's, it never pulls the effective deadline forward
            reopened["deadline"] = max(before.deadline, entry.deadline)
            reopened["rebound_deadline"] = reopened["deadline"]
        return reopened, (Change.REBOUND,)
    return {}, (Change.CONSOLIDATED,) if before.closed else ()


def _step(before: Standing, entry: LogEntry, positions: Mapping[str, int], count: int) -> int:
    """The stepper: the step of the latest progress entry, moved on by what came after it. A published
    result stands at the second-to-last step (结果公示), a close-out at the last (成效巩固), and a
    close-out that a look-back confirmed has every step done."""
    if isinstance(entry, Progress):
        return positions.get(entry.step, before.step)
    if isinstance(entry, Notice):
        return max(before.step, count - 2)
    if isinstance(entry, Close):
        return max(before.step, count - 1)
    if isinstance(entry, Review) and entry.outcome == ReviewOutcome.REBOUND:
        return -1  # reopened: back to where its new progress stands, once there is some
    if isinstance(entry, Review) and before.closed:
        return count
    return before.step
