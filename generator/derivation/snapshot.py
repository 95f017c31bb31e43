"""Weekly snapshots in a hash chain, and their check against today's ledger: the evidence that history was not rewritten.

A snapshot records the ledger as of the last day of an ISO week (model/calendar.py; days in Asia/Shanghai):
per problem its status, light, percent, effective deadline, the SHA-256 of its log entries up to that day
and the SHA-256 of every other public field as written (`record_sha256`), the SHA-256 of each inspection
record dated up to that day, the figures per department and for the city, the thresholds in force and
the SHA-256 of the previous snapshot file. Since the state on any past day can be rebuilt from the ledger
alone (asof.ledger_at, state.state_of), a snapshot that today's ledger no longer reproduces shows that a
past entry or field was changed, removed or backdated; a snapshot whose link does not match the file
before it shows that a published snapshot itself was changed; figures that are not the count of the
snapshot's own problems show that they were forged; a finished week without a snapshot, or a committed
version of a snapshot that is no longer there (git history), shows that one was deleted or replaced.

Format 2 added `record_sha256` and `inspections`. A format-1 snapshot is checked on what it recorded
(its `problem_fields`), so a chain may hold both: nothing has to be rewritten to move to a new format.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..loading.ledger import Ledger, ProblemFile
from ..loading.snapshots import CommittedSnapshot, SnapshotFile
from ..model import delta, permanence
from ..model.calendar import Week, week_name, week_of_file
from ..model.schema import Inspection, LogEntry, Problem, Thresholds
from ..model.vocabulary import Light, Status
from ..parallel import fork_map
from .campaign import Row, campaign_of
from .lifecycle import moments
from .state import is_final, status_and_light

FORMAT = 2
PROBLEM_FIELDS = ("status", "light", "percent", "deadline", "log_sha256", "record_sha256")
# The fields of a problem that `record_sha256` leaves out, by the one rule of what may change
# (model/permanence.py): the log, appended to, has its own digest, and the internal fields (`imported`, the
# importer's note of the spreadsheet row a file came from) are not something the public is told. Every public
# field is hashed as written: the file keeps what was first promised, a revision is an entry of the log.
RECORD_EXCLUDED = frozenset(name for name, rule in permanence.RULES.items()
                            if rule in (permanence.Rule.APPENDED, permanence.Rule.INTERNAL))
# Keys that say where and when a snapshot was taken, not what the ledger said: a finished week's snapshot
# taken again at a later commit is the same snapshot.
CIRCUMSTANTIAL = ("commit",)
# Problems times weeks from which the check is shared between processes (about 0.2 s of work on one core).
PARALLEL_FROM = 100_000


# ---------------------------------------------------------------- taking a snapshot


def canonical(value: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text as it is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LogDigests:
    """SHA-256 digests of what a snapshot records about each problem and inspection, as canonical JSON of the
    values as written: each model with only the keys it was written with (defaults left out, so a new
    optional field in the format does not change the digest of what was written before it). Nothing here
    knows one entry type from another: whatever an entry or a field holds is hashed. Each entry's and each
    record's JSON is made once however many weeks are checked."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[LogEntry, str]] = {}
        self._records: dict[tuple[int, int], tuple[Problem, str]] = {}

    def entry(self, entry: LogEntry) -> str:
        cached = self._entries.get(id(entry))
        if cached is None or cached[0] is not entry:
            cached = (entry, canonical(entry.model_dump(mode="json", exclude_defaults=True)))
            self._entries[id(entry)] = cached
        return cached[1]

    def of(self, log: Sequence[LogEntry]) -> str:
        """The digest of the log entries up to a day (the caller passes the entries on record that day)."""
        return sha256(("[" + ",".join(self.entry(e) for e in log) + "]").encode("utf-8"))

    def record(self, problem: Problem, day: dt.date) -> str:
        """The digest of the problem's fields as written but the log (and `imported`), as of `day`: a
        milestone done after `day` is recorded as not done yet, as asof.problem_at cuts it."""
        done = sorted({m.done for m in problem.milestones if m.done is not None})
        known = bisect.bisect_right(done, day)  # how many of the done dates had passed
        key = (id(problem), known)
        cached = self._records.get(key)
        if cached is None or cached[0] is not problem:
            record = problem.model_dump(mode="json", exclude_defaults=True, exclude=set(RECORD_EXCLUDED))
            if known < len(done):
                for milestone, written in zip(problem.milestones, record.get("milestones", ()), strict=True):
                    if milestone.done is not None and milestone.done > day:
                        written.pop("done", None)
            cached = (problem, sha256(canonical(record).encode("utf-8")))
            self._records[key] = cached
        return cached[1]


def inspection_digest(inspection: Inspection) -> str:
    """The digest of an inspection record as written (the office's, dated once, in ledgers/inspections/)."""
    return sha256(canonical(inspection.model_dump(mode="json", exclude_defaults=True)).encode("utf-8"))


def inspections_on_record(ledger: Ledger, day: dt.date) -> dict[str, str]:
    """Each inspection dated up to `day`, by id: its digest."""
    return dict(sorted((item.inspection.id, inspection_digest(item.inspection))
                       for item in ledger.inspections if item.inspection.date <= day))


def figures(rows: Iterable[Row]) -> dict:
    """A group's figures: how many problems, by status and by light."""
    rows = list(rows)
    statuses = Counter(r.state.status for r in rows)
    lights = Counter(r.state.light for r in rows)
    return {"total": len(rows), "status": {s.value: statuses.get(s, 0) for s in Status},
            "light": {light.value: lights.get(light, 0) for light in Light}}


def snapshot_of(ledger: Ledger, week: Week, as_of: dt.date, thresholds: Thresholds | None = None,
                commit: str | None = None, previous: str | None = None,
                digests: LogDigests | None = None) -> dict:
    """The snapshot of a valid ledger for `week`, as of `as_of` (its Sunday, or today while it lasts), with
    `thresholds` (those of portal.yml when None; a check uses the ones the snapshot recorded)."""
    assert ledger.portal is not None, "a snapshot needs a validated ledger"
    if thresholds is not None and thresholds != ledger.portal.thresholds:
        ledger = dataclasses.replace(ledger, portal=ledger.portal.model_copy(update={"thresholds": thresholds}))
    campaign = campaign_of(ledger, as_of)
    digests = digests or LogDigests()
    # the record as its file holds it: a campaign's rows carry the commitments in force after the revisions
    # (derivation/revisions.py), which are entries of the log and hashed there
    written = {item.problem.id: item.problem for item in ledger.problems}
    problems = {r.problem.id: [r.state.status.value, r.state.light.value, r.state.percent,
                               r.state.deadline.isoformat(), digests.of(r.problem.log),
                               digests.record(written[r.problem.id], as_of)] for r in campaign.rows}
    departments = {d.id: figures(campaign.by_department(d.id)) for d in campaign.departments}
    return {
        "format": FORMAT,
        "week": week.label,
        "as_of": as_of.isoformat(),
        "commit": commit,
        "previous": previous,
        "thresholds": campaign.portal.thresholds.model_dump(mode="json"),
        "city": figures(campaign.rows),
        "departments": dict(sorted(departments.items())),
        "problem_fields": list(PROBLEM_FIELDS),
        "problems": dict(sorted(problems.items())),
        "inspections": inspections_on_record(campaign.ledger, as_of),
    }


def render(snapshot: dict) -> bytes:
    """The file's bytes: JSON with sorted keys, one line per department and per problem, so that git stores
    a week's changes as a few changed lines and a person can read the diff."""
    lines = ["{"]
    keys = sorted(snapshot)
    for i, key in enumerate(keys):
        value = snapshot[key]
        comma = "," if i < len(keys) - 1 else ""
        if key in ("departments", "inspections", "problems") and value:
            items = list(value.items())
            lines.append(f"{canonical(key)}:{{")
            lines.extend(f"{canonical(k)}:{canonical(v)}{',' if j < len(items) - 1 else ''}"
                         for j, (k, v) in enumerate(items))
            lines.append("}" + comma)
        else:
            lines.append(f"{canonical(key)}:{canonical(value)}{comma}")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def substance(snapshot: dict) -> dict:
    """What a snapshot says about the ledger, without where it was taken from."""
    return {k: v for k, v in snapshot.items() if k not in CIRCUMSTANTIAL}


# ---------------------------------------------------------------- publishing the snapshots


@dataclass(frozen=True)
class PublishedSnapshot:
    """How one week's snapshot is published: in full (`base` None: the newest week, or a file no delta can
    rebuild) or as the delta (model/delta.py) that rebuilds it from the next published week's file, `base`."""

    name: str
    data: bytes  # what is published: the file itself or its delta
    base: str | None = None

    @property
    def full(self) -> bool:
        return self.base is None


def publication(files: Sequence[SnapshotFile]) -> list[PublishedSnapshot]:
    """The newest file in full, every older one as its delta from the next (reverse deltas: the newest file and
    the deltas before it are all a reader needs, and a new week adds one delta without changing the others).

    In one process: the history family already runs beside the others in the writer's forked processes, and
    a hundred weeks of 10,000 problems take about 0.7 s of one core (bench/README.md, issue 21)."""
    published = [PublishedSnapshot(older.name, delta.make(newer.data, older.data), newer.name)
                 if delta.can_delta(older.data) and delta.can_delta(newer.data)
                 else PublishedSnapshot(older.name, older.data) for older, newer in itertools.pairwise(files)]
    return [*published, PublishedSnapshot(files[-1].name, files[-1].data)] if files else []


# ---------------------------------------------------------------- checking the published history


@dataclass(frozen=True)
class Discrepancy:
    """Something in the published history that today's ledger, the chain or the git history no longer bears out.

    About a problem (`problem`) or an inspection record (`inspection`): one per subject and field, at the
    first snapshot it shows in (`week`, `file`), with how many snapshots it shows in (`weeks`) and the last
    one (`last`); a ledger that disagrees with every snapshot gives one per problem, not one per problem and
    week. About a snapshot itself (the chain, the file, its figures, a missing week, a replaced version):
    one per snapshot. `field` names what differs (a PROBLEM_FIELDS name, `presence`, `inspection`, or one of
    SNAPSHOT_FIELDS)."""

    week: str
    file: str  # the snapshot's file name, e.g. 2025-W08.json
    problem: str | None
    field: str
    recorded: str  # what the snapshot says
    now: str  # what the ledger (or the chain) says today
    weeks: int = 1
    last: str | None = None  # the last week it shows in, when it shows in more than one
    inspection: str | None = None


FIELD_LABELS = {"status": "状态", "light": "亮灯", "percent": "完成度", "deadline": "完成时限",
                "log_sha256": "工作记录", "record_sha256": "问题信息", "presence": "是否在册",
                "inspection": "督查记录", "city": "全市统计", "department": "部门统计", "chain": "快照链",
                "file": "快照文件", "missing": "缺少快照", "overdue": "快照未生成", "replaced": "被替换的快照"}
# What concerns a snapshot itself rather than a problem or an inspection in it.
SNAPSHOT_FIELDS = ("chain", "file", "missing", "overdue", "replaced", "city", "department")


@dataclass(frozen=True)
class WeekSummary:
    """One week of the published history with something wrong: the history page's row for it."""

    week: str
    as_of: dt.date
    file: str | None  # None: no snapshot of this week
    problems: int  # problems whose record in this week's snapshot today's ledger does not give
    inspections: int  # inspection records likewise
    issues: tuple[str, ...]  # SNAPSHOT_FIELDS found in this week, in that order


@dataclass(frozen=True)
class ReplacedVersion:
    """A snapshot version once committed to the branch's history that the folder no longer holds byte for byte."""

    name: str
    week: str
    sha256: str
    commit: str
    committed: dt.date
    provisional: bool  # taken while its week was still running, which the week's final snapshot replaces
    reproduces: bool  # what it recorded is what today's ledger gives (a new format, a provisional week)


@dataclass(frozen=True)
class HistoryCheck:
    """The outcome of checking every published snapshot: which weeks were checked, and what no longer holds."""

    weeks: tuple[tuple[str, dt.date], ...]  # (week label, as-of date) of every snapshot checked, in order
    discrepancies: tuple[Discrepancy, ...]
    digests: tuple[tuple[str, str], ...] = ()  # (file name, SHA-256 of the file) in chain order
    files: tuple[SnapshotFile, ...] = ()  # the snapshots checked, as published
    # the figures the portal charts, re-derived from today's ledger for every week from the first snapshot's
    # to the last finished one, missing weeks included (never read from the snapshot files): (week, as-of,
    # city figures, each department's figures); and the problems of the last two such weeks (week, as-of,
    # problem id -> [status, light, percent, deadline, ...])
    figures: tuple[tuple[str, dt.date, dict, dict], ...] = ()
    last_two: tuple[tuple[str, dt.date, dict], ...] = ()
    by_week: tuple[WeekSummary, ...] = ()  # the weeks with a discrepancy, in order
    replaced: tuple[ReplacedVersion, ...] = ()
    pending: tuple[str, dt.date] | None = None  # the week just finished, before Monday's job took its snapshot
    git: bool = False  # the git history of the snapshots was read
    shallow: bool = False  # ... from a shallow clone: only its newest commits
    committed_versions: int = 0  # snapshot file versions found in the git history

    @property
    def intact(self) -> bool:
        return not self.discrepancies

    def as_of(self, week: str) -> dt.date | None:
        return self._as_of.get(week)

    @functools.cached_property
    def _as_of(self) -> dict[str, dt.date]:
        return {**{s.week: s.as_of for s in self.by_week}, **dict(self.weeks)}

    def week_before(self, week: str) -> tuple[str, dt.date] | None:
        labels = [label for label, _ in self.weeks]
        index = labels.index(week) if week in labels else 0
        return self.weeks[index - 1] if index > 0 else None

    def first_by_problem_field(self) -> list[tuple[Discrepancy, int]]:
        """Each (problem, inspection or snapshot, field) once: its first discrepancy, and in how many weeks it shows."""
        return [(d, d.weeks) for d in self.discrepancies]

    @functools.cached_property
    def _by_problem(self) -> dict[str, list[Discrepancy]]:
        found: dict[str, list[Discrepancy]] = {}
        for d in self.discrepancies:
            if d.problem:
                found.setdefault(d.problem, []).append(d)
        return found

    def for_problem(self, problem_id: str) -> list[Discrepancy]:
        return self._by_problem.get(problem_id, [])

    @property
    def problems(self) -> list[str]:
        return sorted(self._by_problem)

    @property
    def inspections(self) -> list[str]:
        return sorted({d.inspection for d in self.discrepancies if d.inspection})

    def of_snapshots(self) -> list[Discrepancy]:
        """The discrepancies about the snapshots themselves, in week order."""
        return [d for d in self.discrepancies if d.field in SNAPSHOT_FIELDS]

    @property
    def chain_broken(self) -> bool:
        return any(d.field in ("chain", "file", "missing", "replaced") for d in self.discrepancies)

    @property
    def missing(self) -> list[str]:
        return [d.week for d in self.discrepancies if d.field in ("missing", "overdue")]

    def summary(self) -> str:
        """What was found, in one Chinese sentence (the home page's, the history page's and the feed's notice)."""
        parts = []
        if self.problems:
            weeks = sum(1 for s in self.by_week if s.problems)
            parts.append(f"{len(self.problems)} 个问题已发布的记录按现在的台账算不出来（涉及 {weeks} 周的快照）")
        if self.inspections:
            parts.append(f"{len(self.inspections)} 条督查记录在发布后被改动、删除或补记")
        weeks = {field: sorted({d.week for d in self.discrepancies if d.field == field}) for field in SNAPSHOT_FIELDS}
        if weeks["missing"]:
            parts.append(f"缺少 {len(weeks['missing'])} 周的快照：{_weeks_text(weeks['missing'])}")
        if weeks["overdue"]:
            parts.append(f"{len(weeks['overdue'])} 周的快照没有生成：{_weeks_text(weeks['overdue'])}")
        forged = sorted(set(weeks["city"]) | set(weeks["department"]))
        if forged:
            parts.append(f"{len(forged)} 周快照的统计数字不是其所记问题的合计，在发布后被改动过：{_weeks_text(forged)}")
        broken = sorted(set(weeks["chain"]) | set(weeks["file"]))
        if broken:
            parts.append(f"快照链在 {len(broken)} 处断裂或快照文件无法读取：{_weeks_text(broken)}")
        if weeks["replaced"]:
            parts.append(f"{sum(1 for r in self.replaced if not r.reproduces)} 份曾经提交的快照被替换或删除，"
                         f"而它们记录的内容现在的台账已算不出来：{_weeks_text(weeks['replaced'])}")
        return "；".join(parts)

    def key(self) -> str:
        """A short digest of what was found: a new finding gives a new key (the feed's entry id)."""
        found = sorted(f"{d.week}|{d.problem or d.inspection or d.file}|{d.field}|{d.weeks}" for d in self.discrepancies)
        return sha256("\n".join(found).encode("utf-8"))[:16]


def _weeks_text(labels: Sequence[str], shown: int = 6) -> str:
    named = "、".join(week_name(label) for label in labels[:shown])
    return named + (f"等 {len(labels)} 周" if len(labels) > shown else "")


def _status_label(value: object) -> str:
    for enum in (Status, Light):
        try:
            return enum(value).label
        except ValueError:
            continue
    return str(value)


def _shown(field: str, value: object) -> str:
    if value is None:
        return "（无）"
    if field in ("status", "light"):
        return _status_label(value)
    if field == "percent":
        return f"{value}%"
    if field in ("log_sha256", "record_sha256", "inspection"):
        return f"摘要 {str(value)[:12]}…"
    return str(value)


_UNRECORDED = object()  # a field a snapshot's record of a problem is too short to hold


@dataclass
class _Item:
    """A week to rebuild from the ledger: a snapshot of the chain, a missing week (no snapshot: its figures
    are still derived for the charts), or a replaced version from the git history (checked, not charted)."""

    role: str  # "chain", "missing" or "replaced"
    week: Week
    name: str
    as_of: dt.date
    thresholds: Thresholds
    snapshot: dict | None = None
    positions: tuple[int | None, ...] = ()  # index in PROBLEM_FIELDS of each field the snapshot recorded
    standard: bool = False  # recorded exactly PROBLEM_FIELDS
    status_at: int | None = None  # where the snapshot's records hold the status and the light
    light_at: int | None = None
    committed: CommittedSnapshot | None = None

    @property
    def records(self) -> dict:
        return self.snapshot["problems"] if self.snapshot is not None else {}

    @property
    def charted(self) -> bool:
        return self.role != "replaced"


def _parse(name: str, data: bytes, thresholds_seen: dict[str, Thresholds]) -> tuple[dict, dt.date, Thresholds]:
    snapshot = json.loads(data.decode("utf-8"))
    as_of = dt.date.fromisoformat(snapshot["as_of"])
    thresholds = Thresholds.model_validate(snapshot["thresholds"])
    thresholds = thresholds_seen.setdefault(canonical(thresholds.model_dump(mode="json")), thresholds)
    if not isinstance(snapshot["problems"], dict):
        raise TypeError("problems")
    return snapshot, as_of, thresholds


def _item(role: str, week: Week, name: str, snapshot: dict, as_of: dt.date, thresholds: Thresholds,
          committed: CommittedSnapshot | None = None) -> _Item:
    fields = list(snapshot.get("problem_fields") or PROBLEM_FIELDS[:5])
    positions = tuple(PROBLEM_FIELDS.index(f) if f in PROBLEM_FIELDS else None for f in fields)
    return _Item(role, week, name, as_of, thresholds, snapshot, positions, fields == list(PROBLEM_FIELDS),
                 fields.index("status") if "status" in fields else None,
                 fields.index("light") if "light" in fields else None, committed)


def check_history(ledger: Ledger, files: Sequence[SnapshotFile], until: dt.date | None = None,
                  today: dt.date | None = None, replaced: Sequence[CommittedSnapshot] = (),
                  git: tuple[bool, bool, int] = (False, False, 0)) -> HistoryCheck:
    """Check the chain of `files` (in week order) and rebuild each snapshot's week from today's (valid) ledger,
    with the thresholds the snapshot recorded. Snapshots reporting on a day after `until` are left out, as
    a portal built for a past day shows only what was on record that day. A finished week after the first
    snapshot that has none is reported, but for the one that ended the day before `until` (or `today`):
    the weekly job takes it on Monday. `replaced` are the committed versions the folder no longer holds
    (loading.snapshots.git_record), each checked against the ledger too; `git` is (read, shallow, versions)."""
    # Reading a hundred snapshots makes millions of small lists, none of them in a cycle; with the ledger's
    # models already in memory, the collector's passes over them cost five times the parsing itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_history(ledger, files, until, until or today, replaced, git)
    finally:
        if collecting:
            gc.enable()


def _check_history(ledger: Ledger, files: Sequence[SnapshotFile], until: dt.date | None, reference: dt.date | None,
                   replaced: Sequence[CommittedSnapshot], git: tuple[bool, bool, int]) -> HistoryCheck:
    ordered = sorted(((week_of_file(f.name), f) for f in files if week_of_file(f.name) is not None),
                     key=lambda pair: pair[0])
    issues: list[Discrepancy] = []  # about the snapshots themselves
    chain: list[_Item] = []
    published: list[SnapshotFile] = []
    present: set[Week] = set()
    previous: SnapshotFile | None = None
    thresholds_seen: dict[str, Thresholds] = {}  # one object per distinct set: the rebuild compares them by identity
    for week, file in ordered:
        label = week.label
        try:
            snapshot, as_of, thresholds = _parse(file.name, file.data, thresholds_seen)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            if until is not None and week.first > until:
                break
            present.add(week)
            issues.append(Discrepancy(label, file.name, None, "file", "可读的快照", f"无法读取（{type(exc).__name__}）"))
            previous = file
            continue
        if until is not None and as_of > until:
            break
        present.add(week)
        link = snapshot.get("previous")
        expected_link = sha256(previous.data) if previous is not None else None
        if link != expected_link:
            before = f"前一份快照 {previous.name} 的摘要 {expected_link[:12]}…" if previous else "（没有前一份快照）"
            issues.append(Discrepancy(label, file.name, None, "chain",
                                      f"前一份快照的摘要 {str(link)[:12]}…" if link else "（未记录前一份快照）", before))
        if snapshot.get("week") != label or not (week.first <= as_of <= week.last):
            issues.append(Discrepancy(label, file.name, None, "file", f"{week.name}的快照",
                                      f"记录的是 {snapshot.get('week')}、截至 {as_of}"))
        previous = file
        chain.append(_item("chain", week, file.name, snapshot, as_of, thresholds))
        published.append(file)
    items = [*chain]
    pending = None
    if present:
        missing, pending = _missing_weeks(min(present), max(present), present, reference)
        portal_thresholds = ledger.portal.thresholds if ledger.portal else Thresholds()
        committed = {version.name for version in replaced}
        complete = git[0] and not git[1]  # the whole history was read: a week never committed can be told apart
        for week in missing:
            before = [i for i in chain if i.week < week]
            thresholds = before[-1].thresholds if before else (chain[0].thresholds if chain else portal_thresholds)
            name = week.file_name
            items.append(_Item("missing", week, name, week.last, thresholds))
            ended = f"{week.name}已经结束，却没有这一周的快照文件"
            if name in committed:
                issues.append(Discrepancy(week.label, name, None, "missing", "这一周应有一份周快照",
                                          f"{ended}：它曾经提交过，后来被删除了"))
            elif complete:
                issues.append(Discrepancy(week.label, name, None, "overdue", "这一周应有一份周快照",
                                          f"{ended}，git 历史里也从未提交过：每周一的快照任务没有运行"))
            else:
                issues.append(Discrepancy(week.label, name, None, "missing", "这一周应有一份周快照",
                                          f"{ended}：它被删除了，或者每周一的快照任务没有运行"))
    for version in replaced:
        week = week_of_file(version.name)
        if week is None:
            continue
        try:
            snapshot, as_of, thresholds = _parse(version.name, version.data, thresholds_seen)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            items.append(_Item("replaced", week, version.name, week.last, Thresholds(), committed=version))
            continue
        if until is not None and as_of > until:
            continue
        items.append(_item("replaced", week, version.name, snapshot, as_of, thresholds, version))
    roles = {"chain": 0, "missing": 0, "replaced": 1}
    items.sort(key=lambda i: (i.week, roles[i.role]))
    return _compare(ledger, items, issues, published, pending, git)


def _missing_weeks(first: Week, last: Week, present: set[Week], reference: dt.date | None
                   ) -> tuple[list[Week], tuple[str, dt.date] | None]:
    """The weeks from the first snapshot's that have none: up to the last snapshot's, and with a reference day
    up to the last week finished by then, but for one that ended the day before (or on) that day."""
    missing, pending = [], None
    week = first
    while week <= last or (reference is not None and week.last <= reference):
        if week not in present:
            if reference is not None and week > last and week.next().first >= reference:
                pending = (week.label, week.last)  # its Sunday, or the Monday before the weekly job ran
            else:
                missing.append(week)
        week = week.next()
    return missing, pending


def _compare(ledger: Ledger, items: list[_Item], issues: list[Discrepancy], published: list[SnapshotFile],
             pending: tuple[str, dt.date] | None, git: tuple[bool, bool, int]) -> HistoryCheck:
    """Rebuild every item's week and put together what differs, per subject, per week and per replaced version."""
    problem_found, counts, tallies, own, latest = _rebuild(ledger, items)
    inspection_found, inspection_counts = _inspections(ledger, items)
    figure_found = _figures_check(ledger, items, tallies, own)
    departments = sorted(set(ledger.departments) | {unit for t in tallies for unit, _, _ in t})
    issues = [*issues, *(d for index, d in figure_found if items[index].role != "replaced")]
    forged = {index for index, _ in figure_found}
    replaced = []
    for index, item in enumerate(items):
        if item.role != "replaced":
            continue
        version = item.committed
        differs = item.snapshot is None or counts[index] or inspection_counts[index] or index in forged
        provisional = item.snapshot is not None and item.as_of < item.week.last
        digest = sha256(version.data)
        replaced.append(ReplacedVersion(item.name, item.week.label, digest, version.commit, version.committed,
                                        provisional, not differs))
        if differs:
            why = ("无法读取" if item.snapshot is None else
                   "它记录的内容现在的台账已不再给出" + (f"（{counts[index]} 个问题不符）" if counts[index] else "")
                   + ("，统计数字也不是它所记问题的合计" if index in forged else ""))
            issues.append(Discrepancy(item.week.label, item.name, None, "replaced",
                                      f"提交 {version.commit[:10]}（{version.committed}）中的版本，摘要 {digest[:12]}…",
                                      f"这个版本已从快照目录中被替换或删除，{why}"))
    order = {f: i for i, f in enumerate(SNAPSHOT_FIELDS)}
    issues.sort(key=lambda d: (d.week, order.get(d.field, 0), d.file, d.recorded))
    by_week: dict[str, WeekSummary] = {}
    for index, item in enumerate(items):
        if item.role == "replaced":
            continue
        found = tuple(sorted({d.field for d in issues if d.week == item.week.label}, key=order.get))
        if counts[index] or inspection_counts[index] or found:
            by_week[item.week.label] = WeekSummary(item.week.label, item.as_of, None if item.role == "missing" else item.name,
                                                   counts[index], inspection_counts[index], found)
    for d in issues:  # a week whose only trouble is a replaced version, or a file that could not be read
        if d.week not in by_week:
            week = Week.parse(d.week)
            found = tuple(sorted({x.field for x in issues if x.week == d.week}, key=order.get))
            by_week[d.week] = WeekSummary(d.week, week.last, d.file, 0, 0, found)
    charted = [(index, item) for index, item in enumerate(items) if item.charted]
    figures_ = tuple((item.week.label, item.as_of, _tally_figures(tallies[index], None),
                      {unit: _tally_figures(tallies[index], unit) for unit in departments}) for index, item in charted)
    last_two = tuple((item.week.label, item.as_of, latest[index]) for index, item in charted[-2:])
    chain = [item for item in items if item.role == "chain"]
    return HistoryCheck(tuple((i.week.label, i.as_of) for i in chain),
                        (*problem_found, *inspection_found, *issues),
                        tuple((f.name, sha256(f.data)) for f in published), tuple(published), figures_, last_two,
                        tuple(sorted(by_week.values(), key=lambda s: s.week)), tuple(replaced), pending, *git)


def _rebuild(ledger: Ledger, items: Sequence[_Item]):
    """Each item's week rebuilt from the ledger and compared with what it recorded.

    The same state as `snapshot_of` (campaign_of: ledger_at, the fold's standing, state_of), computed problem
    by problem over all the weeks at once: one fold per problem instead of one per problem and week, which
    is what keeps two years of weekly snapshots of 10,000 problems a small part of a build. On a valid ledger
    (entries in date order) the entries on record on a day are a prefix of the log, and state_of reads only
    the problem's own dates and the standing; tests/test_snapshots.py checks both ways agree on the sample.

    What differs is gathered per problem and field as it is found (the first week, the last, how many), so
    that a ledger that disagrees with every snapshot costs about what one that agrees does.

    At scale the problems are shared between forked processes (generator/parallel.py), each rebuilding
    every week for its own problems; their findings are put together in the order of the problems.
    Returns the problems' discrepancies, per item the number of problems that differ, the ledger's counts by
    (department, status, light), the same counts of what the snapshot recorded, and the records of the last
    two charted weeks. The snapshot's counts are the ledger's with the problems whose records differ moved
    from what the ledger gives to what was recorded: a week that agrees costs nothing more."""
    worth_it = len(ledger.problems) * len(items) >= PARALLEL_FROM
    keep = frozenset([i for i, item in enumerate(items) if item.charted][-2:])
    parts = fork_map(functools.partial(_rebuild_problems, items=items, keep=keep), ledger.problems, worth_it=worth_it)
    found: list[Discrepancy] = [d for part in parts for d in part[0]]
    counts = [sum(part[1][i] for part in parts) for i in range(len(items))]
    tallies = [sum((part[2][i] for part in parts), Counter()) for i in range(len(items))]
    own = []
    for i in range(len(items)):
        counted = Counter(tallies[i])
        for part in parts:
            counted.update(part[3][i])  # adds the moves, negative ones included
        own.append(counted)
    latest = {i: {k: v for part in parts for k, v in part[4].get(i, {}).items()} for i in keep}
    # problems a snapshot recorded that the ledger no longer holds
    on_record = {item.problem.id for item in ledger.problems}
    units = {d.prefix: d.id for d in ledger.departments.values()}
    gone: dict[str, list] = {}
    for index, item in enumerate(items):
        for problem_id in sorted(set(item.records) - on_record):
            counts[index] += 1
            first = gone.setdefault(problem_id, [index, 0, index])
            first[1] += 1
            first[2] = index
            pair = _recorded_pair(item, item.records[problem_id])
            if pair is not None:
                own[index][(units.get(problem_id.rsplit("-", 2)[0]), *pair)] += 1
    for problem_id, (first, weeks, last) in gone.items():
        found.append(Discrepancy(items[first].week.label, items[first].name, problem_id, "presence", "在册",
                                 "现在的台账里没有这个问题（问题文件被删除或改了编号）", weeks,
                                 items[last].week.label if weeks > 1 else None))
    found.sort(key=lambda d: (d.problem, -1 if d.field == "presence" else PROBLEM_FIELDS.index(d.field)))
    return found, counts, tallies, own, latest


def _rebuild_problems(problems: Sequence[ProblemFile], items: Sequence[_Item], keep: frozenset[int]):
    """`_rebuild` for some of the problems."""
    digests = LogDigests()
    found: list[Discrepancy] = []
    counts = [0] * len(items)
    tallies = [Counter() for _ in items]  # (department, status, light) -> count, from the ledger
    moved = [Counter() for _ in items]  # what each snapshot recorded, as moves from the ledger's counts
    latest: dict[int, dict] = {i: {} for i in keep}
    # the hot loop runs for every problem and week: enum values looked up once, records compared whole first
    values = {term: term.value for term in (*Status, *Light)}
    records = [item.records for item in items]
    for entry in problems:
        problem = entry.problem
        problem_id = problem.id
        department = problem.department
        timeline = moments(problem)
        position = 0
        log_digest: dict[int, str] = {}
        done = sorted({m.done for m in problem.milestones if m.done is not None})
        record_digest: dict[int, str] = {}
        final: tuple[object, Thresholds, int, list] | None = None  # a record that stays while the standing does
        differing: dict[str, list] = {}  # field -> [first index, recorded, now, weeks, last index]
        for index, item in enumerate(items):
            recorded = records[index].get(problem_id)
            if problem.opened > item.as_of:
                if recorded is not None:
                    _differ(differing, index, "presence", "在册", "现在的台账显示当时尚未列入（列入日期被改晚）")
                    counts[index] += 1
                    pair = _recorded_pair(item, recorded)
                    if pair is not None:
                        moved[index][(department, *pair)] += 1
                continue
            while position + 1 < len(timeline) and timeline[position + 1].date <= item.as_of:
                position += 1
            facts = timeline[position].after
            known = bisect.bisect_right(done, item.as_of) if done else 0
            if final is not None and final[0] is facts and final[1] is item.thresholds and final[2] == known:
                now = final[3]
            else:
                status, light = status_and_light(problem, item.as_of, item.thresholds, facts)
                digest = log_digest.get(position)
                if digest is None:
                    digest = log_digest[position] = digests.of(problem.log[:position])
                record = record_digest.get(known)
                if record is None:
                    record = record_digest[known] = digests.record(problem, item.as_of)
                now = [values[status], values[light], facts.percent, facts.deadline.isoformat(), digest, record]
                final = (facts, item.thresholds, known, now) if is_final(status, light, facts) else None
            tallies[index][(department, now[0], now[1])] += 1
            if index in keep:
                latest[index][problem_id] = now
            if item.snapshot is None:  # a missing week: derived for the charts, nothing to compare
                continue
            if recorded is None:
                _differ(differing, index, "presence", "当时不在册", "现在的台账显示当时已在册（列入日期被改早或补记）")
                counts[index] += 1
                moved[index][(department, now[0], now[1])] -= 1
                continue
            if item.standard and recorded == now:
                continue
            pair = _recorded_pair(item, recorded)
            if pair != (now[0], now[1]):
                moved[index][(department, now[0], now[1])] -= 1
                if pair is not None:
                    moved[index][(department, *pair)] += 1
            differs = False
            if not isinstance(recorded, list):
                recorded = []
            for at, field_index in enumerate(item.positions):
                if field_index is None:
                    continue  # a field this version does not know: nothing to compare it with
                then = recorded[at] if at < len(recorded) else _UNRECORDED
                if then != now[field_index]:
                    field = PROBLEM_FIELDS[field_index]
                    _differ(differing, index, field, "（未记录）" if then is _UNRECORDED else _shown(field, then),
                            _shown(field, now[field_index]))
                    differs = True
            counts[index] += differs
        for field, (first, then, now_text, weeks, last) in differing.items():
            found.append(Discrepancy(items[first].week.label, items[first].name, problem_id, field, then, now_text,
                                     weeks, items[last].week.label if weeks > 1 else None))
    return found, counts, tallies, moved, latest


def _recorded_pair(item: _Item, record: object) -> tuple[object, object] | None:
    """The status and light a snapshot recorded for a problem; None when its record cannot say."""
    if item.status_at is None or item.light_at is None or not isinstance(record, list) \
            or len(record) <= max(item.status_at, item.light_at):
        return None
    return record[item.status_at], record[item.light_at]


def _differ(differing: dict[str, list], index: int, field: str, recorded: str, now: str) -> None:
    seen = differing.get(field)
    if seen is None:
        differing[field] = [index, recorded, now, 1, index]
    else:
        seen[3] += 1
        seen[4] = index


def _inspections(ledger: Ledger, items: Sequence[_Item]) -> tuple[list[Discrepancy], list[int]]:
    """Each inspection record whose digest in a snapshot is not today's, or that a snapshot recorded and today's
    ledger does not have by that day (or the other way round: dated back into a recorded week)."""
    dated = sorted((item.inspection.date, item.inspection.id, inspection_digest(item.inspection))
                    for item in ledger.inspections)
    differing: dict[str, list] = {}
    counts = [0] * len(items)
    for index, item in enumerate(items):
        recorded = item.snapshot.get("inspections") if item.snapshot is not None else None
        if not isinstance(recorded, dict):
            continue  # a format-1 snapshot did not record them
        now = {i: digest for day, i, digest in dated if day <= item.as_of}
        for inspection in sorted(set(recorded) | set(now)):
            then, today = recorded.get(inspection), now.get(inspection)
            if then == today:
                continue
            counts[index] += 1
            then_text = _shown("inspection", then) if then else "（当时没有这条记录）"
            now_text = _shown("inspection", today) if today else "（现在的台账里没有，或日期被改到了这一周之后）"
            _differ(differing, index, inspection, then_text, now_text)
    found = [Discrepancy(items[first].week.label, items[first].name, None, "inspection", then, now, weeks,
                         items[last].week.label if weeks > 1 else None, inspection)
             for inspection, (first, then, now, weeks, last) in sorted(differing.items())]
    return found, counts


def _figures_check(ledger: Ledger, items: Sequence[_Item], tallies: list[Counter], own: list[Counter]
                   ) -> list[tuple[int, Discrepancy]]:
    """The figures each snapshot published (the city's, each department's) against the count of the snapshot's
    own problem records. A figure that is not that count was written by hand: it is reported with what
    today's ledger gives. Figures that are that count but differ from the ledger follow from problems whose
    records differ, which are reported themselves."""
    found = []
    for index, item in enumerate(items):
        snapshot = item.snapshot
        if snapshot is None or item.status_at is None or item.light_at is None:
            continue
        city = snapshot.get("city")
        if not _figures_agree(city, own[index], None):
            found.append((index, Discrepancy(item.week.label, item.name, None, "city", _figures_text(city),
                                             _figures_text(_tally_figures(tallies[index], None)))))
        counted = {unit for (unit, _, _), n in own[index].items() if n > 0}
        if None in counted:
            continue  # a problem recorded under an id no department's prefix gives: reported as such
        recorded = snapshot.get("departments")
        recorded = recorded if isinstance(recorded, dict) else {}
        for unit in sorted(set(recorded) | counted):
            then = recorded.get(unit)
            if not _figures_agree(then, own[index], unit):
                name = ledger.departments[unit].name if unit in ledger.departments else unit
                found.append((index, Discrepancy(item.week.label, item.name, None, "department",
                                                 f"{name}：{_figures_text(then)}",
                                                 f"{name}：{_figures_text(_tally_figures(tallies[index], unit))}")))
    return found


def _figures_agree(recorded: object, tally: Counter, unit: str | None) -> bool:
    """Whether published figures are the count of `tally` (for one department, or all when `unit` is None),
    on whatever statuses and lights they name (a status added to the format later counts as zero)."""
    if not isinstance(recorded, dict):
        return False
    statuses, lights, total = Counter(), Counter(), 0
    for (where, status, light), count in tally.items():
        if unit is None or where == unit:
            statuses[status] += count
            lights[light] += count
            total += count
    named_status, named_light = recorded.get("status") or {}, recorded.get("light") or {}
    if not isinstance(named_status, dict) or not isinstance(named_light, dict) or recorded.get("total") != total:
        return False
    return (all(named_status.get(k, 0) == v for k, v in statuses.items())
            and all(statuses.get(k, 0) == v for k, v in named_status.items())
            and all(named_light.get(k, 0) == v for k, v in lights.items())
            and all(lights.get(k, 0) == v for k, v in named_light.items()))


def _tally_figures(tally: Counter, unit: str | None) -> dict:
    """`figures` of a department (or of the city when `unit` is None), from counts by (department, status, light)."""
    statuses, lights = Counter(), Counter()
    for (where, status, light), count in tally.items():
        if unit is None or where == unit:
            statuses[status] += count
            lights[light] += count
    return {"total": sum(statuses.values()), "status": {s.value: statuses[s.value] for s in Status},
            "light": {light.value: lights[light.value] for light in Light}}


def _figures_text(figures_: object) -> str:
    if not isinstance(figures_, dict) or not figures_:
        return "（无）"
    status, light = figures_.get("status") or {}, figures_.get("light") or {}
    statuses = "、".join(f"{_status_label(k)} {v}" for k, v in status.items() if v) if isinstance(status, dict) else ""
    lights = "、".join(f"{_status_label(k)} {v}" for k, v in light.items() if v) if isinstance(light, dict) else ""
    return f"共 {figures_.get('total', 0)} 个（{statuses or '无'}；{lights or '无'}）"


# ---------------------------------------------------------------- what the snapshots show


@dataclass(frozen=True)
class WeekChanges:
    """The difference between the last two snapshots (本周变化), by problem id."""

    week: str
    as_of: dt.date
    previous_week: str | None
    previous_as_of: dt.date | None
    new: tuple[str, ...]  # on record now, not a week before
    closed: tuple[str, ...]  # closed now, not a week before
    overdue: tuple[str, ...]  # overdue now, not a week before
    reopened: tuple[str, ...]  # a rebound now, not a week before
    red: tuple[str, ...]  # a red light now, not a week before
    moved: tuple[tuple[str, int, int], ...]  # (id, percent a week before, percent now) where it changed

    @property
    def empty(self) -> bool:
        return not (self.new or self.closed or self.overdue or self.reopened or self.red or self.moved)


def week_changes(check: HistoryCheck) -> WeekChanges | None:
    """What changed between the last two snapshots checked; None before the first snapshot."""
    if not check.last_two:
        return None
    week, as_of, now = check.last_two[-1]
    before_week, before_as_of, before = check.last_two[0] if len(check.last_two) == 2 else (None, None, {})

    def turned(index: int, value: object) -> tuple[str, ...]:
        return tuple(i for i, record in sorted(now.items())
                     if record[index] == value and (i not in before or before[i][index] != value))

    moved = tuple((i, before[i][2], record[2]) for i, record in sorted(now.items())
                  if i in before and before[i][2] != record[2])
    return WeekChanges(week, as_of, before_week, before_as_of, tuple(i for i in sorted(now) if i not in before),
                       turned(0, Status.CLOSED.value), turned(0, Status.OVERDUE.value), turned(0, Status.REBOUND.value),
                       turned(1, Light.RED.value), moved)


def trend(check: HistoryCheck, department: str | None = None) -> list[tuple[dt.date, int, int, int, int]]:
    """Week by week, re-derived from today's ledger for each week of the published history (never read from a
    snapshot file, which may have been forged): (as-of, not closed, closed, overdue, red), for the city or a
    department."""
    points = []
    for _, as_of, city, departments in check.figures:
        figures_ = city if department is None else departments.get(department)
        if not figures_:
            continue
        status, light = figures_.get("status", {}), figures_.get("light", {})
        closed = status.get(Status.CLOSED.value, 0)
        points.append((as_of, figures_.get("total", 0) - closed, closed, status.get(Status.OVERDUE.value, 0),
                       light.get(Light.RED.value, 0)))
    return points

