"""The reviewer's summary of a pull request (`rectify diff`): what it adds and what it changes as of today
(rendering/summary.py writes it as Chinese Markdown).

Status and light come from the one derivation (derivation/state.py) on the old and the new problem, so the
summary says exactly what the portal will show once the change is merged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..derivation.state import ProblemState, state_of
from ..loading import layout
from ..loading.layout import Kind, kind_of
from ..loading.schemacheck import check_model
from ..loading.yamlio import LoadError, document_from_bytes
from ..model.schema import Close, Extension, LogEntry, Portal, Problem, Revision, Thresholds
from ..model.vocabulary import Light
from .changes import ADDED, DELETED, ChangeSet


@dataclass
class Summary:
    today: dt.date
    base: str
    changed_files: int = 0
    new_problems: list[tuple[Problem, ProblemState]] = field(default_factory=list)
    new_entries: list[tuple[Problem, int, LogEntry]] = field(default_factory=list)
    changes: list[tuple[Problem, ProblemState, ProblemState]] = field(default_factory=list)  # status or light moved
    extensions: list[tuple[Problem, dt.date, Extension]] = field(default_factory=list)  # the deadline before it
    close_outs: list[tuple[Problem, Close]] = field(default_factory=list)
    revisions: list[tuple[Problem, Revision]] = field(default_factory=list)  # commitments revised (调整)
    unreadable: list[str] = field(default_factory=list)  # changed problem files that do not validate
    other_files: list[tuple[str, str]] = field(default_factory=list)  # (path, what happened)

    @property
    def new_red(self) -> list[tuple[Problem, ProblemState]]:
        red = [(p, s) for p, s in self.new_problems if s.light == Light.RED]
        red += [(p, new) for p, old, new in self.changes if new.light == Light.RED and old.light != Light.RED]
        return red


def _problem(raw: bytes, path: PurePosixPath) -> Problem | None:
    try:
        document = document_from_bytes(raw, path, str(path))
    except LoadError:
        return None
    problem, _ = check_model(document, Problem)
    return problem


def _thresholds(changes: ChangeSet) -> Thresholds:
    path = PurePosixPath(layout.PORTAL)
    if changes.base_ledger is None:
        return Thresholds()
    try:
        document = document_from_bytes(changes.base_ledger.read(path), path, layout.PORTAL)
    except (LoadError, FileNotFoundError):
        return Thresholds()
    portal, _ = check_model(document, Portal)
    return portal.thresholds if portal is not None else Thresholds()


def _entry_key(entry: LogEntry) -> str:
    return json.dumps(entry.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def summarize(changes: ChangeSet, today: dt.date) -> Summary:
    thresholds = _thresholds(changes)
    summary = Summary(today=today, base=changes.base_name, changed_files=len(changes.changes))
    for change in changes.changes:
        old_kind = kind_of(change.old) if change.old else None
        new_kind = kind_of(change.new) if change.new else None
        if Kind.PROBLEM not in (old_kind, new_kind):
            what = {ADDED: "新增", DELETED: "删除"}.get(change.kind, "改名" if change.kind == "rename" else "修改")
            summary.other_files.append((str(change.path), what))
            continue
        if change.kind == DELETED:
            summary.other_files.append((str(change.old), "删除"))
            continue
        new = _problem(changes.new_bytes(change), change.new)
        if new is None:
            summary.unreadable.append(str(change.new))
            continue
        old = _problem(changes.old_bytes(change), change.old) if change.kind != ADDED else None
        add_problem(summary, old, new, thresholds)
    return summary


def add_problem(summary: Summary, old: Problem | None, new: Problem, thresholds: Thresholds) -> None:
    """One problem file's change: a new problem, or the entries appended to one and what they move (also what
    `rectify import` says it appends, in the same words)."""
    today = summary.today
    new_state = state_of(new, today, thresholds)
    if old is None:
        summary.new_problems.append((new, new_state))
        old_keys: Counter[str] = Counter()
        deadline = new.deadline
    else:
        old_state = state_of(old, today, thresholds)
        if (old_state.status, old_state.light) != (new_state.status, new_state.light):
            summary.changes.append((new, old_state, new_state))
        old_keys = Counter(_entry_key(e) for e in old.log)
        deadline = old_state.deadline
    for index, entry in enumerate(new.log):
        key = _entry_key(entry)
        if old_keys[key]:
            old_keys[key] -= 1
            continue
        summary.new_entries.append((new, index, entry))
        if isinstance(entry, Extension):
            summary.extensions.append((new, deadline, entry))
            deadline = max(deadline, entry.deadline)
        elif isinstance(entry, Close):
            summary.close_outs.append((new, entry))
        elif isinstance(entry, Revision):
            summary.revisions.append((new, entry))
