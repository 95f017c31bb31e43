"""check-history: what a pull request may not do to what is already on record.

Compared with the base commit: no problem or inspection file is deleted or renamed; a log only grows at its
end (no entry changed, removed, moved or inserted in the middle); each field of a problem changes only as
model/permanence.py allows (the facts of its assignment never, its commitments by an appended revision, its
deadline by an extension, a milestone's completion date filled in once); an inspection record never changes;
no new entry, problem or inspection is dated into a week a committed snapshot
has recorded; and committed snapshots are never changed. Values are compared as the YAML reads, so re-quoting or re-indenting
an old entry changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from ..loading import layout
from ..loading.layout import Kind, kind_of
from ..loading.yamlio import Document, LoadError, document_from_bytes
from ..model import permanence
from ..model.calendar import week_of_file
from ..model.findings import Finding
from ..model.permanence import Rule
from ..model.schema import Problem
from ..model.vocabulary import EntryType, RevisedField
from .changes import ADDED, DELETED, MODIFIED, RENAMED, ChangeSet, FileChange

CODES = ("E501", "E502", "E503", "E504", "E505", "E506", "E507", "E508", "E509", "E510", "E514", "E515", "E516")

_DATE_FIELDS = {"deadline": "完成时限", "opened": "列入台账日期"}


def recorded_until(changes: ChangeSet) -> tuple[dt.date, str] | None:
    """The last day (Sunday) of the newest week a committed snapshot records, and that snapshot's name.

    The names are the record: `snapshots/2026-W47.json` holds the ledger as of the end of that ISO week."""
    weeks = [(week.last, path.name) for path in changes.base_files(layout.SNAPSHOTS)
             if (week := week_of_file(path.name)) is not None]
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
    if old_kind == new_kind and old_kind in (Kind.PROBLEM, Kind.INSPECTION) and change.kind in (MODIFIED, RENAMED):
        old = _load(changes.old_bytes(change), change.old)
        new = _load(changes.new_bytes(change), change.new)
        if old is None or new is None or not isinstance(old.data, dict) or not isinstance(new.data, dict):
            return  # a file that does not read is validate's to report
        if old_kind == Kind.INSPECTION:
            yield from compare_inspection(old.data, new.data, _Side(new, str(change.new)))
            return
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
    kind = EntryType.labels().get(str(entry.get("type")), str(entry.get("type", "")))
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
    if value is None:
        return "（无）"
    if isinstance(value, list):
        value = "；".join(_short(item, limit) for item in value)
    elif isinstance(value, dict):
        value = " ".join(f"{key}: {_short(item, limit)}" for key, item in value.items())
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def compare_problem(old: dict, new: dict, before: _Side, after: _Side, bound) -> Iterator[Finding]:
    """Every field against the rule of model/permanence.py: fixed fields never change, commitments change only
    by an appended revision, the deadline by an extension, and the log only grows at its end."""
    keys = list(dict.fromkeys([*old, *new]))
    for key in keys:
        rule = permanence.rule_of(key) if isinstance(key, str) else None
        if rule in (None, Rule.APPENDED, Rule.INTERNAL) or key == "milestones":
            continue  # an unknown key is validate's to report; the log is compared entry by entry below
        was, now = _normal(old.get(key, _default(key))), _normal(new.get(key, _default(key)))
        if was == now:
            continue
        where = after.at((key,)) if key in new else after.at(())
        if key in _DATE_FIELDS:
            hint = ("推迟完成时限请恢复原来的日期，在 log 末尾追加一条延期（type: extension）记录，写明新时限、理由和批准单位。"
                    if key == "deadline" else "列入台账的日期一经公布不再改变，请恢复原来的日期。")
            yield Finding.make("E507", after.display, where,
                               f"{_DATE_FIELDS[key]}（{key}）从 {_short(was)} 改成了 {_short(now)}：{hint}", key)
        elif rule == Rule.FIXED:
            yield from _fixed_edited(key, was, now, new, after)
        else:
            yield _commitment_edited(key, was, now, old, after, where)
    yield from _milestones(old, new, after, bound)
    old_log = old.get("log") if isinstance(old.get("log"), list) else []
    new_log = new.get("log") if isinstance(new.get("log"), list) else []
    yield from compare_log(old_log, new_log, before, after, bound)


def _fixed_edited(key: str, was: Any, now: Any, new: dict, after: _Side) -> Iterator[Finding]:
    """A fact of the assignment changed: each changed part of it (source's kind, name, date) on its own line."""
    if isinstance(was, dict) and isinstance(now, dict):
        parts = [(part, was.get(part), now.get(part)) for part in dict.fromkeys([*was, *now]) if was.get(part) != now.get(part)]
    else:
        parts = [(None, was, now)]
    for part, before, after_value in parts:
        path = (key,) if part is None else (key, part)
        where = after.at(path) if part is None or part in (new.get(key) or {}) else after.at((key,))
        name = permanence.label_of(key) + (f"的 {part}" if part else "")
        field = key if part is None else f"{key}.{part}"
        yield Finding.make("E514", after.display, where,
                           f"{name}（{field}）从“{_short(before)}”改成了“{_short(after_value)}”：这是交办时的事实，"
                           "合并后不得修改，请恢复原来的内容；确有笔误，请在 log 末尾追加的下一条记录里说明，原文保留。", field)


def _default(key: str) -> Any:
    """What a field reads as when it is left out (supervision: none, cooperating: [], plan: null)."""
    info = Problem.model_fields.get(key)
    if info is None or info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    return value.value if isinstance(value, StrEnum) else value


def _normal(value: Any) -> Any:
    """Values as the model reads them: text stripped (a block scalar's final line break is not a change)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    return value


def _in_force(old: dict, key: str) -> Any:
    """A commitment as the base commit has it in force: as written, then each revision in its log."""
    value = _normal(old.get(key, _default(key)))
    for entry in old.get("log") if isinstance(old.get("log"), list) else []:
        if isinstance(entry, dict) and entry.get("type") == "revision" and entry.get("field") == key and "to" in entry:
            value = _normal(entry["to"])
    return value


def _commitment_edited(key: str, was: Any, now: Any, old: dict, after: _Side, where: tuple[int, int]) -> Finding:
    label = permanence.label_of(key)
    document = "、document（同意调整的文号）" if permanence.needs_document(RevisedField(key), _in_force(old, key), now) else ""
    return Finding.make(
        "E515", after.display, where,
        f"{label}（{key}）被直接改动了：“{_short(was)}”→“{_short(now)}”。整改承诺合并后不得直接修改：请把 {key} 恢复原样，"
        f"经专班办公室审核同意后，在 log 末尾追加一条调整记录（type: revision，field: {key}，"
        f"from 照抄现在有效的内容“{_short(_in_force(old, key))}”，to 写调整后的内容，并写 reason、approved_by{document}）；"
        "原来的内容和调整都会公开显示。", key)


def _milestones(old_problem: dict, new_problem: dict, after: _Side, bound) -> Iterator[Finding]:
    """Milestones are commitments like the target: only a completion date is filled in place, once, and like a
    new entry it is not dated into a week a snapshot has archived (a milestone missed in a published 旬 report
    cannot turn on time afterwards)."""
    old = old_problem.get("milestones") if isinstance(old_problem.get("milestones"), list) else []
    new = new_problem.get("milestones") if isinstance(new_problem.get("milestones"), list) else []
    for index, milestone in enumerate(old):
        if not isinstance(milestone, dict):
            continue
        title = milestone.get("title", "")
        if index >= len(new):
            yield _milestone_edited(after, after.at(("milestones",)), "milestones",
                                    f"删除了第 {index + 1} 个节点（{_short(title)}，计划 {_short(milestone.get('due'))} 完成）")
            continue
        current = new[index] if isinstance(new[index], dict) else {}
        if _normal(current) == _normal(milestone):
            continue
        if permanence.milestone_filled(milestone, current):
            done = current.get("done")
            if bound is not None and isinstance(done, dt.date) and done <= bound[0]:
                last_day, snapshot = bound
                yield Finding.make("E508", after.display, after.at(("milestones", index, "done")),
                                   f"第 {index + 1} 个节点（{_short(title)}）新填的完成日期 {done} 落在已存档的一周里（最新快照 {snapshot} "
                                   f"记录到 {last_day}）：那一周已经按“未完成”存档，不能补记；请填写登记的日期"
                                   f"（{last_day + dt.timedelta(days=1)} 或之后），实际完成的情况写进一条进展记录。",
                                   f"milestones[{index}].done")
            continue
        if milestone.get("due") is not None and current.get("due") != milestone.get("due"):
            yield Finding.make("E507", after.display, after.at(("milestones", index, "due")),
                               f"第 {index + 1} 个节点（{_short(title)}）的计划日期从 {_short(milestone.get('due'))} 改成了 "
                               f"{_short(current.get('due'))}：节点的计划日期不得直接修改；请恢复原日期，确需调整的经专班办公室"
                               "同意后在 log 末尾追加一条调整记录（type: revision，field: milestones）。", f"milestones[{index}].due")
            continue
        changed = "、".join(f"{k}：{_short(milestone.get(k))} → {_short(current.get(k))}"
                           for k in ("title", "due", "done") if _normal(milestone.get(k)) != _normal(current.get(k)))
        yield _milestone_edited(after, after.at(("milestones", index)), f"milestones[{index}]",
                                f"改动了第 {index + 1} 个节点（{changed or '内容'}）")
    for index in range(len(old), len(new)):
        title = new[index].get("title", "") if isinstance(new[index], dict) else ""
        yield _milestone_edited(after, after.at(("milestones", index)), f"milestones[{index}]",
                                f"直接加了第 {index + 1} 个节点（{_short(title)}）")


def _milestone_edited(after: _Side, where: tuple[int, int], field: str, what: str) -> Finding:
    return Finding.make(
        "E515", after.display, where,
        f"{what}：倒排工期的节点是公开的承诺，合并后只能填写尚未填写的完成日期（done）。请恢复原来的节点，"
        f"经专班办公室审核同意后，在 log 末尾追加一条调整记录（type: revision，field: milestones，from 照抄现在有效的节点列表，"
        "to 写调整后的完整列表，并写 reason、approved_by）。", field)


def compare_inspection(old: dict, new: dict, after: _Side) -> Iterator[Finding]:
    """An inspection record is fixed whole once merged, for the office as for anyone."""
    for key in dict.fromkeys([*old, *new]):
        if _normal(old.get(key)) != _normal(new.get(key)):
            yield Finding.make("E516", after.display, after.at((key,)) if key in new else (1, 1),
                               f"督查记录的 {key} 从“{_short(old.get(key))}”改成了“{_short(new.get(key))}”：督查记录合并后不得修改，"
                               "请恢复原样；后续情况（复查、更正、撤销）请另建一份督查记录说明。", str(key))


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
