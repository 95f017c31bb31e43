"""The reviewer's summary of a pull request (`rectify diff`): what it adds and what it changes as of today,
in Chinese Markdown, for GitHub's job summary or a merge request comment.

Status and light come from the one derivation (derivation/state.py) on the old and the new problem, so the
summary says exactly what the portal will show once the change is merged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..derivation import revisions
from ..derivation.state import ProblemState, state_of
from ..loading import layout
from ..loading.schemacheck import check_model
from ..loading.yamlio import LoadError, document_from_bytes
from ..model.findings import CODES, Finding
from ..model.schema import (
    Close,
    Extension,
    LogEntry,
    Notice,
    Portal,
    Problem,
    Progress,
    Review,
    Revision,
    Thresholds,
)
from ..model.vocabulary import EntryType, Light, Status
from ..rendering.markup import md
from .changes import ADDED, DELETED, ChangeSet
from .history import Kind, kind_of


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
    return summary


def _what(entry: LogEntry) -> str:
    if isinstance(entry, Progress):
        return f"完成度 {entry.percent}%：{entry.summary}"
    if isinstance(entry, Extension):
        return f"新时限 {entry.deadline}：{entry.reason}（{entry.approved_by}批准）"
    if isinstance(entry, Notice):
        return f"公示至 {entry.until}：{entry.summary}"
    if isinstance(entry, Close):
        return f"{entry.approved_by} {entry.document}：{entry.summary}"
    if isinstance(entry, Review):
        return f"{entry.outcome.label}：{entry.findings}"
    if isinstance(entry, Revision):
        return f"调整{entry.field.label}：{entry.reason}"
    return ""


def _state(state: ProblemState) -> str:
    return f"{Status(state.status).label}·{Light(state.light).label}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(md(cell) for cell in cells) + " |"


def markdown(summary: Summary, findings: list[Finding]) -> str:
    """The reviewer's summary; every ledger text escaped, so a title cannot inject markup into the page."""
    lines = [
        "## 本次拉取请求的改动摘要",
        "",
        f"与基准 `{md(summary.base)}` 相比，改动了 {summary.changed_files} 个台账或快照文件；"
        f"状态和亮灯按 {summary.today.isoformat()} 计算。",
        "",
    ]
    errors = [f for f in findings if f.severity == "error"]
    if findings:
        lines += [f"### 检查发现的问题（{len(errors)} 个错误）", "", "| 位置 | 代码 | 说明 |", "| --- | --- | --- |"]
        lines += [_row(f"{f.file}:{f.line}", f"{f.code} {CODES[f.code].title}", f.message) for f in findings]
        lines.append("")
    else:
        lines += ["历史记录和修改权限的检查均已通过。", ""]

    def section(title: str, header: tuple[str, ...], rows: list[str]) -> None:
        if rows:
            lines.extend([f"### {title}（{len(rows)}）", "", "| " + " | ".join(header) + " |",
                          "| " + " | ".join("---" for _ in header) + " |", *rows, ""])

    section("新红灯", ("问题", "原因"), [_row(f"{p.id} {p.title}", "；".join(s.reasons)) for p, s in summary.new_red])
    section("新增问题", ("编号", "问题", "牵头部门", "完成时限", "状态"),
            [_row(p.id, p.title, p.department, p.deadline.isoformat(), _state(s)) for p, s in summary.new_problems])
    section("状态或亮灯的变化", ("问题", "原来", "合并后"),
            [_row(f"{p.id} {p.title}", _state(old), _state(new)) for p, old, new in summary.changes])
    section("延期", ("问题", "原时限", "新时限", "理由", "批准单位"),
            [_row(f"{p.id} {p.title}", before.isoformat(), e.deadline.isoformat(), e.reason, e.approved_by)
             for p, before, e in summary.extensions])
    # before the close-outs: a lowered target or a dropped supervision level is what a reviewer must not miss
    section("调整整改承诺", ("问题", "调整", "调整前", "调整后", "理由", "审核同意"),
            [_row(f"{p.id} {p.title}", e.field.label, revisions.summary(e.field, e.from_), revisions.summary(e.field, e.to),
                  e.reason, e.approved_by + (f"（{e.document}）" if e.document else "")) for p, e in summary.revisions])
    section("销号", ("问题", "日期", "审核单位", "文号"),
            [_row(f"{p.id} {p.title}", e.date.isoformat(), e.approved_by, e.document) for p, e in summary.close_outs])
    section("新增记录", ("问题", "日期", "类型", "内容"),
            [_row(p.id, e.date.isoformat(), EntryType(e.type).label, _what(e)) for p, _, e in summary.new_entries])
    section("未通过格式校验的问题文件（详见 rectify validate 的结果）", ("文件",),
            [_row(path) for path in summary.unreadable])
    section("其他改动的文件", ("文件", "改动"), [_row(path, what) for path, what in summary.other_files])
    if summary.changed_files == 0:
        lines += ["本次拉取请求没有改动台账。", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
