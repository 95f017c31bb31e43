"""The reviewer's summary of a pull request (review/summary.py) written as Chinese Markdown, for GitHub's job
summary or a merge request comment; every ledger text escaped, so a title cannot inject markup into the page.
"""

from __future__ import annotations

from ..derivation import revisions
from ..derivation.state import ProblemState
from ..model.findings import CODES, Finding
from ..model.schema import Close, Extension, LogEntry, Notice, Progress, Review, Revision
from ..model.vocabulary import EntryType, Light, Status
from ..review.summary import Summary
from .markup import md


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

    lines += sections(summary)
    if summary.changed_files == 0:
        lines += ["本次拉取请求没有改动台账。", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def sections(summary: Summary) -> list[str]:
    """The summary's tables (new red lights, new problems, moved states, extensions, revisions, close-outs, new
    entries …), each only when it has rows: the pull request's summary and `rectify import` say them alike."""
    lines: list[str] = []

    def section(title: str, header: tuple[str, ...], rows: list[str]) -> None:
        if rows:
            lines.extend([f"### {title}（{len(rows)}）", "", "| " + " | ".join(header) + " |",
                          "| " + " | ".join("---" for _ in header) + " |", *rows, ""])

    section(f"新{Light.RED.label}", ("问题", "原因"), [_row(f"{p.id} {p.title}", "；".join(s.reasons)) for p, s in summary.new_red])
    section("新增问题", ("编号", "问题", "牵头部门", "完成时限", "状态"),
            [_row(p.id, p.title, p.department, p.deadline.isoformat(), _state(s)) for p, s in summary.new_problems])
    section("状态或亮灯的变化", ("问题", "原来", "合并后"),
            [_row(f"{p.id} {p.title}", _state(old), _state(new)) for p, old, new in summary.changes])
    section(EntryType.EXTENSION.label, ("问题", "原时限", "新时限", "理由", "批准单位"),
            [_row(f"{p.id} {p.title}", before.isoformat(), e.deadline.isoformat(), e.reason, e.approved_by)
             for p, before, e in summary.extensions])
    # before the close-outs: a lowered target or a dropped supervision level is what a reviewer must not miss
    section("调整整改承诺", ("问题", "调整", "调整前", "调整后", "理由", "审核同意"),
            [_row(f"{p.id} {p.title}", e.field.label, revisions.summary(e.field, e.from_), revisions.summary(e.field, e.to),
                  e.reason, e.approved_by + (f"（{e.document}）" if e.document else "")) for p, e in summary.revisions])
    section(EntryType.CLOSE.label, ("问题", "日期", "审核单位", "文号"),
            [_row(f"{p.id} {p.title}", e.date.isoformat(), e.approved_by, e.document) for p, e in summary.close_outs])
    section("新增记录", ("问题", "日期", "类型", "内容"),
            [_row(p.id, e.date.isoformat(), EntryType(e.type).label, _what(e)) for p, _, e in summary.new_entries])
    section("未通过格式校验的问题文件（详见 rectify validate 的结果）", ("文件",),
            [_row(path) for path in summary.unreadable])
    section("其他改动的文件", ("文件", "改动"), [_row(path, what) for path, what in summary.other_files])
    return lines
