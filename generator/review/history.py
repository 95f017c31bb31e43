"""check-history: what a pull request may not do to what is already on record.

Compared with the base commit: no problem or inspection file is deleted or renamed; a log only grows at its
end (no entry changed, removed, moved or inserted in the middle); deadlines, opening dates and milestone due
dates are never edited in place; no new entry, problem or inspection is dated into a week a committed snapshot
has recorded; and committed snapshots are never changed. Values are compared as the YAML reads, so re-quoting or re-indenting
an old entry changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import PurePosixPath
from typing import Any

from ..loading import layout
from ..loading.yamlio import Document, LoadError, document_from_bytes
from ..validation.findings import Finding
from .changes import ADDED, DELETED, MODIFIED, RENAMED, ChangeSet, FileChange

CODES = ("E501", "E502", "E503", "E504", "E505", "E506", "E507", "E508", "E509", "E510")

_WEEK_FILE = re.compile(r"^(\d{4})-W(\d{2})\.json$")
_ENTRY_TYPES = {"progress": "进展", "extension": "延期", "notice": "整改结果公示", "close": "销号", "review": "回头看"}
_DATE_FIELDS = {"deadline": "完成时限", "opened": "列入台账日期"}


class Kind:
    PROBLEM, INSPECTION, REGISTRY, SNAPSHOT, OTHER = "problem", "inspection", "registry", "snapshot", "other"


def kind_of(path: PurePosixPath) -> str:
    """What a repository path holds, by where it lies."""
    parts = path.parts
    if parts[0] == layout.SNAPSHOTS:
        return Kind.SNAPSHOT
    if parts[0] != layout.LEDGERS or len(parts) < 2 or layout.is_ignored(path.name):
        return Kind.OTHER
    if len(parts) == 2:
        return Kind.REGISTRY if parts[1] in layout.REGISTRIES else Kind.OTHER
    if len(parts) == 3 and layout.is_ledger_name(path.name):
        return Kind.INSPECTION if parts[1] == layout.INSPECTIONS else Kind.PROBLEM
    return Kind.OTHER


def department_of(path: PurePosixPath) -> str | None:
    """The department folder a path lies in (`ledgers/<department>/...`), or None."""
    parts = path.parts
    if len(parts) >= 3 and parts[0] == layout.LEDGERS and parts[1] != layout.INSPECTIONS:
        return parts[1]
    return None


def recorded_until(changes: ChangeSet) -> tuple[dt.date, str] | None:
    """The last day (Sunday) of the newest week a committed snapshot records, and that snapshot's name.

    The names are the record: `snapshots/2026-W47.json` holds the ledger as of the end of that ISO week."""
    weeks = []
    for path in changes.base_files(layout.SNAPSHOTS):
        match = _WEEK_FILE.match(path.name)
        if match:
            try:
                weeks.append((dt.date.fromisocalendar(int(match[1]), int(match[2]), 7), path.name))
            except ValueError:  # week 53 of a year that has 52
                continue
    return max(weeks) if weeks else None


@dataclass(frozen=True)
class _Side:
    document: Document | None
    display: str

    def at(self, path: tuple) -> tuple[int, int]:
        return self.document.locate(path) if self.document is not None else (1, 1)


def check(changes: ChangeSet) -> list[Finding]:
    bound = recorded_until(changes)
    findings: list[Finding] = []
    for change in changes.changes:
        findings.extend(_check_change(changes, change, bound))
    return sorted(set(findings))


def _check_change(changes: ChangeSet, change: FileChange, bound) -> Iterator[Finding]:
    old_kind = kind_of(change.old) if change.old else None
    new_kind = kind_of(change.new) if change.new else None
    if old_kind == Kind.SNAPSHOT and change.kind != ADDED:
        verb = {DELETED: "删除了", RENAMED: f"改名为 {change.new}，", MODIFIED: "修改了"}[change.kind]
        yield Finding.make("E509", str(change.path), (1, 1),
                           f"{verb}已经提交的每周快照 {change.old}：快照是每周存档的公开记录，不得修改、改名或删除；"
                           "请撤销对这个文件的改动。")
        return
    if old_kind in (Kind.PROBLEM, Kind.INSPECTION) and change.kind == DELETED:
        old = _load(changes.old_bytes(change), change.old)
        what = _described(old, old_kind)
        yield Finding.make("E501", str(change.old), (1, 1),
                           f"删除了{what}：已经公开的台账文件不得删除。问题撤销或合并，请恢复这个文件，"
                           "在 log 末尾追加一条记录说明原因。")
        return
    if old_kind in (Kind.PROBLEM, Kind.INSPECTION) and change.kind == RENAMED:
        yield Finding.make("E502", str(change.new), (1, 1),
                           f"文件 {change.old} 被改名或移动为 {change.new}：已经公开的编号和网址不得改变，"
                           "请把文件改回原来的名字和文件夹。")
    if change.kind == ADDED and new_kind in (Kind.PROBLEM, Kind.INSPECTION) and bound is not None:
        new = _load(changes.new_bytes(change), change.new)
        if new is not None and isinstance(new.data, dict):
            side = _Side(new, str(change.new))
            if new_kind == Kind.PROBLEM:
                yield from _backdated_problem(new.data, side, bound)
            else:
                yield from _backdated_inspection(new.data, side, bound)
        return
    if old_kind == Kind.PROBLEM and new_kind == Kind.PROBLEM and change.kind in (MODIFIED, RENAMED):
        old = _load(changes.old_bytes(change), change.old)
        new = _load(changes.new_bytes(change), change.new)
        if old is None or new is None or not isinstance(old.data, dict) or not isinstance(new.data, dict):
            return  # a file that does not read is validate's to report
        yield from compare_problem(old.data, new.data, _Side(old, str(change.old)), _Side(new, str(change.new)), bound)


def _load(raw: bytes, path: PurePosixPath) -> Document | None:
    try:
        return document_from_bytes(raw, path, str(path))
    except LoadError:
        return None


def _described(document: Document | None, kind: str) -> str:
    data = document.data if document is not None and isinstance(document.data, dict) else {}
    noun = "问题" if kind == Kind.PROBLEM else "督查记录"
    label = " ".join(str(data[key]) for key in ("id", "title") if data.get(key))
    return f"{noun}文件（{label}）" if label else f"{noun}文件"


def _backdated_problem(data: dict, side: _Side, bound) -> Iterator[Finding]:
    last_day, snapshot = bound
    opened = data.get("opened")
    if isinstance(opened, dt.date) and opened <= last_day:
        yield Finding.make("E508", side.display, side.at(("opened",)),
                           f"新问题的列入台账日期 {opened} 落在已存档的一周里（最新快照 {snapshot} 记录到 {last_day}）："
                           f"门户每周存档，不能把新问题补记到过去；请填写 {last_day + dt.timedelta(days=1)} 或之后的日期。",
                           "opened")
    log = data.get("log") if isinstance(data.get("log"), list) else []
    for index, entry in enumerate(log):
        yield from _backdated_entry(entry, index, side, bound)


def _backdated_inspection(data: dict, side: _Side, bound) -> Iterator[Finding]:
    last_day, snapshot = bound
    day = data.get("date")
    if isinstance(day, dt.date) and day <= last_day:
        yield Finding.make("E508", side.display, side.at(("date",)),
                           f"新督查记录的日期 {day} 落在已存档的一周里（最新快照 {snapshot} 记录到 {last_day}）："
                           "已经存档的一周不能再补记督查；请按登记的日期填写，过去的情况写进 findings。", "date")


def _backdated_entry(entry: Any, index: int, side: _Side, bound) -> Iterator[Finding]:
    last_day, snapshot = bound
    day = entry.get("date") if isinstance(entry, dict) else None
    if isinstance(day, dt.date) and day <= last_day:
        yield Finding.make("E508", side.display, side.at(("log", index, "date")),
                           f"新加的第 {index + 1} 条记录日期是 {day}，落在已存档的一周里（最新快照 {snapshot} 记录到 {last_day}）："
                           f"不能补记过去的事；请按实际登记的日期填写（{last_day + dt.timedelta(days=1)} 或之后），"
                           "需要说明的过去情况写进记录内容。", f"log[{index}].date")


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _entry_label(entry: Any, index: int) -> str:
    if not isinstance(entry, dict):
        return f"第 {index + 1} 条记录"
    kind = _ENTRY_TYPES.get(str(entry.get("type")), str(entry.get("type", "")))
    return f"第 {index + 1} 条记录（{entry.get('date', '无日期')}，{kind}）"


def _differences(old: Any, new: Any) -> str:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return "内容"
    keys = sorted(set(old) | set(new), key=lambda k: (list(old) + list(new)).index(k))
    parts = []
    for key in keys:
        if old.get(key) != new.get(key):
            before = _short(old.get(key)) if key in old else "（无）"
            after = _short(new.get(key)) if key in new else "（删去）"
            parts.append(f"{key}：{before} → {after}")
    return "；".join(parts)


def _short(value: Any, limit: int = 40) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def compare_problem(old: dict, new: dict, before: _Side, after: _Side, bound) -> Iterator[Finding]:
    for key, name in _DATE_FIELDS.items():
        if key in old and old.get(key) != new.get(key):
            hint = ("推迟完成时限请恢复原来的日期，在 log 末尾追加一条延期（type: extension）记录，写明新时限、理由和批准单位。"
                    if key == "deadline" else "列入台账的日期一经公布不再改变，请恢复原来的日期。")
            yield Finding.make("E507", after.display, after.at((key,)),
                               f"{name}（{key}）从 {_short(old.get(key))} 改成了 {_short(new.get(key))}：{hint}", key)
    yield from _milestones(old.get("milestones"), new.get("milestones"), after)
    old_log = old.get("log") if isinstance(old.get("log"), list) else []
    new_log = new.get("log") if isinstance(new.get("log"), list) else []
    yield from compare_log(old_log, new_log, before, after, bound)


def _milestones(old: Any, new: Any, after: _Side) -> Iterator[Finding]:
    old = old if isinstance(old, list) else []
    new = new if isinstance(new, list) else []
    for index, milestone in enumerate(old):
        if not isinstance(milestone, dict):
            continue
        due = milestone.get("due")
        title = milestone.get("title", "")
        if index >= len(new):
            if due is not None:
                yield Finding.make("E507", after.display, after.at(("milestones",)),
                                   f"删除了第 {index + 1} 个节点（{_short(title)}，计划 {_short(due)} 完成）：倒排工期的节点是公开的承诺，"
                                   "不得删除；请恢复它，完成后填写 done。", "milestones")
            continue
        current = new[index] if isinstance(new[index], dict) else {}
        if due is not None and current.get("due") != due:
            yield Finding.make("E507", after.display, after.at(("milestones", index, "due")),
                               f"第 {index + 1} 个节点（{_short(title)}）的计划日期从 {_short(due)} 改成了 {_short(current.get('due'))}："
                               "节点的计划日期不得直接修改；请恢复原日期，确需调整的在 log 末尾追加延期或进展记录说明。",
                               f"milestones[{index}].due")


def compare_log(old: list, new: list, before: _Side, after: _Side, bound) -> Iterator[Finding]:
    """A log may only grow at its end: every old entry stays, unchanged, in its place."""
    old_keys = [_canonical(e) for e in old]
    new_keys = [_canonical(e) for e in new]
    if new_keys[:len(old_keys)] == old_keys:  # the honest case: appended, or nothing changed
        if bound is not None:
            for index in range(len(old), len(new)):
                yield from _backdated_entry(new[index], index, after, bound)
        return

    opcodes = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    removed = [i for tag, i1, i2, _, _ in opcodes if tag in ("delete", "replace") for i in range(i1, i2)]
    added = [j for tag, _, _, j1, j2 in opcodes if tag in ("insert", "replace") for j in range(j1, j2)]
    anchored: set[int] = {j for tag, _, _, j1, j2 in opcodes if tag == "equal" for j in range(j1, j2)}

    # an old entry found again elsewhere was moved
    moved: dict[int, int] = {}
    for i in removed:
        for j in added:
            if j not in moved.values() and new_keys[j] == old_keys[i]:
                moved[i] = j
                break
    for i, j in moved.items():
        anchored.add(j)
        yield Finding.make("E505", after.display, after.at(("log", j)),
                           f"{_entry_label(old[i], i)}被移到了第 {j + 1} 条：已经合并的记录不得调换顺序，请恢复原来的顺序，"
                           "新记录加在末尾。", f"log[{j}]")

    # within a replaced block, old and new entries pair up in order: those are edits
    edited: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            continue
        olds = [i for i in range(i1, i2) if i not in moved]
        news = [j for j in range(j1, j2) if j not in moved.values()]
        for i, j in zip(olds, news, strict=False):
            edited[i] = j
    for i, j in edited.items():
        anchored.add(j)
        code = "E510" if isinstance(old[i], dict) and old[i].get("type") == "close" else "E503"
        what = "销号记录" if code == "E510" else "记录"
        yield Finding.make(code, after.display, after.at(("log", j)),
                           f"改动了已经合并的{_entry_label(old[i], i)}（{_differences(old[i], new[j])}）："
                           f"已经合并的{what}不得修改，请恢复原样；需要更正的，在 log 末尾追加一条新记录说明。", f"log[{j}]")

    for i in removed:
        if i in moved or i in edited:
            continue
        code = "E510" if isinstance(old[i], dict) and old[i].get("type") == "close" else "E504"
        yield Finding.make(code, before.display, before.at(("log", i)),
                           f"删除了已经合并的{_entry_label(old[i], i)}（在改动前的文件里是第 {before.at(('log', i))[0]} 行）："
                           "已经合并的记录不得删除，请把它恢复到原来的位置。", f"log[{i}]")

    last_anchor = max(anchored, default=-1)
    for j in added:
        if j in anchored:
            continue
        if j < last_anchor:
            yield Finding.make("E506", after.display, after.at(("log", j)),
                               f"新记录（第 {j + 1} 条，{new[j].get('date', '无日期') if isinstance(new[j], dict) else ''}）"
                               "插在了已经合并的记录之间：新记录只能加在 log 的最后，请把它移到末尾。", f"log[{j}]")
        if bound is not None:
            yield from _backdated_entry(new[j], j, after, bound)
