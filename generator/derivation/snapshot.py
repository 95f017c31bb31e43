"""Weekly snapshots in a hash chain, and their check against today's ledger: the evidence that history was not rewritten.

A snapshot records the ledger as of the last day of an ISO week (Monday to Sunday, days in Asia/Shanghai):
per problem its status, light, percent, effective deadline and the SHA-256 of its log entries up to that
day (canonical JSON), the figures per department and for the city, the thresholds in force and the
SHA-256 of the previous snapshot file. Since the state on any past day can be rebuilt from the ledger
alone (asof.ledger_at, state.state_of), a snapshot that today's ledger no longer reproduces shows that a
past entry was changed, removed or backdated; a snapshot whose link does not match the file before it
shows that a published snapshot itself was changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..loading.ledger import Ledger, ProblemFile
from ..loading.snapshots import SnapshotFile
from ..model.schema import LogEntry, Thresholds
from ..model.vocabulary import Light, Status
from ..parallel import fork_map
from .campaign import Row, campaign_of
from .lifecycle import moments
from .state import is_final, status_and_light

FORMAT = 1
PROBLEM_FIELDS = ("status", "light", "percent", "deadline", "log_sha256")
# Keys that say where and when a snapshot was taken, not what the ledger said: a finished week's snapshot
# taken again at a later commit is the same snapshot.
CIRCUMSTANTIAL = ("commit",)
# Problems times weeks from which the check is shared between processes (about 0.2 s of work on one core).
PARALLEL_FROM = 100_000

_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: Monday to Sunday."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, label: str) -> Week | None:
        """The week of a label such as 2025-W08; None when it is not one (or no such week exists)."""
        match = _LABEL.match(label)
        if not match:
            return None
        try:
            dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def first(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def last(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)

    def next(self) -> Week:
        return Week.of(self.last + dt.timedelta(days=1))

    def as_of(self, today: dt.date) -> dt.date:
        """The day a snapshot of this week reports on: its Sunday, or today while the week is not over."""
        return min(self.last, today)

    def finished(self, today: dt.date) -> bool:
        return self.last <= today


def weeks(start: dt.date, end: dt.date) -> list[Week]:
    """Every week from the one holding `start` to the one holding `end`."""
    found, week = [], Week.of(start)
    while week.first <= end:
        found.append(week)
        week = week.next()
    return found


# ---------------------------------------------------------------- taking a snapshot


def canonical(value: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text as it is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LogDigests:
    """SHA-256 of a problem's log entries up to a day: the canonical JSON of the list of entries, each with
    only the keys it was written with (defaults left out, so a new optional field in the format does not
    change the digest of entries written before it). One entry's JSON is made once however many weeks
    are checked."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[LogEntry, str]] = {}

    def entry(self, entry: LogEntry) -> str:
        cached = self._entries.get(id(entry))
        if cached is None or cached[0] is not entry:
            cached = (entry, canonical(entry.model_dump(mode="json", exclude_defaults=True)))
            self._entries[id(entry)] = cached
        return cached[1]

    def of(self, log: Sequence[LogEntry]) -> str:
        return sha256(("[" + ",".join(self.entry(e) for e in log) + "]").encode("utf-8"))


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
    problems = {r.problem.id: [r.state.status.value, r.state.light.value, r.state.percent,
                               r.state.deadline.isoformat(), digests.of(r.problem.log)] for r in campaign.rows}
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
    }


def render(snapshot: dict) -> bytes:
    """The file's bytes: JSON with sorted keys, one line per department and per problem, so that git stores
    a week's changes as a few changed lines and a person can read the diff."""
    lines = ["{"]
    keys = sorted(snapshot)
    for i, key in enumerate(keys):
        value = snapshot[key]
        comma = "," if i < len(keys) - 1 else ""
        if key in ("departments", "problems") and value:
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


# ---------------------------------------------------------------- checking the published history


@dataclass(frozen=True)
class Discrepancy:
    """One thing in the published history that today's ledger or the chain no longer bears out.

    `problem` is None for the chain itself and for a department's figures; `field` names what differs
    (a PROBLEM_FIELDS name, `presence`, `department`, `chain` or `file`)."""

    week: str
    file: str  # the snapshot's file name, e.g. 2025-W08.json
    problem: str | None
    field: str
    recorded: str  # what the snapshot says
    now: str  # what the ledger (or the chain) says today


FIELD_LABELS = {"status": "状态", "light": "亮灯", "percent": "完成度", "deadline": "完成时限",
                "log_sha256": "工作记录", "presence": "是否在册", "department": "部门统计", "chain": "快照链",
                "file": "快照文件"}


def week_of_file(name: str) -> Week | None:
    """The week a snapshot file is named after (2025-W08.json); None for any other name."""
    return Week.parse(name.removesuffix(".json")) if name.endswith(".json") else None


@dataclass(frozen=True)
class HistoryCheck:
    """The outcome of checking every published snapshot: which weeks were checked, and what no longer holds."""

    weeks: tuple[tuple[str, dt.date], ...]  # (week label, as-of date) of every snapshot checked, in order
    discrepancies: tuple[Discrepancy, ...]
    digests: tuple[tuple[str, str], ...] = ()  # (file name, SHA-256 of the file) in chain order
    files: tuple[SnapshotFile, ...] = ()  # the snapshots checked, as published
    # what the snapshots say, for the trends and the week's changes: (week, as-of, city figures, the
    # departments' figures) of each, and the problems of the last two (week, as-of, problems)
    figures: tuple[tuple[str, dt.date, dict, dict], ...] = ()
    last_two: tuple[tuple[str, dt.date, dict], ...] = ()

    @property
    def intact(self) -> bool:
        return not self.discrepancies

    def as_of(self, week: str) -> dt.date | None:
        return dict(self.weeks).get(week)

    def week_before(self, week: str) -> tuple[str, dt.date] | None:
        labels = [label for label, _ in self.weeks]
        index = labels.index(week) if week in labels else 0
        return self.weeks[index - 1] if index > 0 else None

    def first_by_problem_field(self) -> list[tuple[Discrepancy, int]]:
        """Each (problem or snapshot, field) once: its first discrepancy, and in how many weeks it recurs."""
        first: dict[tuple, Discrepancy] = {}
        count: Counter = Counter()
        for d in self.discrepancies:
            key = (d.problem, d.field) if d.problem else (d.file, d.field)
            first.setdefault(key, d)
            count[key] += 1
        return [(d, count[key]) for key, d in first.items()]

    def for_problem(self, problem_id: str) -> list[Discrepancy]:
        return [d for d in self.discrepancies if d.problem == problem_id]

    @property
    def problems(self) -> list[str]:
        return sorted({d.problem for d in self.discrepancies if d.problem})

    @property
    def chain_broken(self) -> bool:
        return any(d.field in ("chain", "file") for d in self.discrepancies)


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
    if field == "log_sha256":
        return f"摘要 {str(value)[:12]}…"
    return str(value)


@dataclass(frozen=True)
class _Published:
    week: Week
    file: SnapshotFile
    snapshot: dict
    as_of: dt.date
    thresholds: Thresholds


def check_history(ledger: Ledger, files: Sequence[SnapshotFile], until: dt.date | None = None) -> HistoryCheck:
    """Check the chain of `files` (in week order) and rebuild each snapshot's week from today's (valid) ledger,
    with the thresholds the snapshot recorded. Snapshots reporting on a day after `until` are left out, as
    a portal built for a past day shows only what was on record that day."""
    # Reading a hundred snapshots makes millions of small lists, none of them in a cycle; with the ledger's
    # models already in memory, the collector's passes over them cost five times the parsing itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_history(ledger, files, until)
    finally:
        if collecting:
            gc.enable()


def _check_history(ledger: Ledger, files: Sequence[SnapshotFile], until: dt.date | None) -> HistoryCheck:
    ordered = sorted(((week_of_file(f.name), f) for f in files if week_of_file(f.name) is not None),
                     key=lambda pair: pair[0])
    buckets: list[list[Discrepancy]] = []  # per snapshot checked (and per unreadable file)
    published: list[_Published] = []
    published_buckets: list[list[Discrepancy]] = []
    previous: SnapshotFile | None = None
    thresholds_seen: dict[str, Thresholds] = {}  # one object per distinct set: the rebuild compares them by identity
    for week, file in ordered:
        label = week.label
        try:
            snapshot = json.loads(file.data.decode("utf-8"))
            as_of = dt.date.fromisoformat(snapshot["as_of"])
            thresholds = Thresholds.model_validate(snapshot["thresholds"])
            thresholds = thresholds_seen.setdefault(canonical(thresholds.model_dump(mode="json")), thresholds)
            if not isinstance(snapshot["problems"], dict):
                raise TypeError("problems")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            buckets.append([Discrepancy(label, file.name, None, "file", "可读的快照", f"无法读取（{type(exc).__name__}）")])
            previous = file
            continue
        if until is not None and as_of > until:
            break
        bucket: list[Discrepancy] = []
        link = snapshot.get("previous")
        expected_link = sha256(previous.data) if previous is not None else None
        if link != expected_link:
            before = f"前一份快照 {previous.name} 的摘要 {expected_link[:12]}…" if previous else "（没有前一份快照）"
            bucket.append(Discrepancy(label, file.name, None, "chain",
                                      f"前一份快照的摘要 {str(link)[:12]}…" if link else "（未记录前一份快照）", before))
        if snapshot.get("week") != label or not (week.first <= as_of <= week.last):
            bucket.append(Discrepancy(label, file.name, None, "file", f"第 {label} 周的快照",
                                      f"记录的是 {snapshot.get('week')}、截至 {as_of}"))
        previous = file
        published.append(_Published(week, file, snapshot, as_of, thresholds))
        buckets.append(bucket)
        published_buckets.append(bucket)
    for bucket, found in zip(published_buckets, _rebuild(ledger, published), strict=True):
        bucket.extend(found)
    return HistoryCheck(tuple((p.week.label, p.as_of) for p in published),
                        tuple(d for bucket in buckets for d in bucket),
                        tuple((p.file.name, sha256(p.file.data)) for p in published),
                        tuple(p.file for p in published),
                        tuple((p.week.label, p.as_of, p.snapshot.get("city") or {}, p.snapshot.get("departments") or {})
                              for p in published),
                        tuple((p.week.label, p.as_of, p.snapshot["problems"]) for p in published[-2:]))


def _rebuild(ledger: Ledger, published: Sequence[_Published]) -> list[list[Discrepancy]]:
    """Each snapshot's week rebuilt from the ledger and compared with it, per snapshot.

    The same state as `snapshot_of` (campaign_of: ledger_at, the fold's standing, state_of), computed problem
    by problem over all the weeks at once: one fold per problem instead of one per problem and week, which
    is what keeps two years of weekly snapshots of 10,000 problems a small part of a build. On a valid ledger
    (entries in date order) the entries on record on a day are a prefix of the log, and state_of reads only
    the problem's own dates and the standing; tests/test_snapshots.py checks both ways agree on the sample.

    At scale the problems are shared between forked processes (generator/parallel.py), each rebuilding
    every week for its own problems; their findings are put together in the order of the problems."""
    worth_it = len(ledger.problems) * len(published) >= PARALLEL_FROM
    parts = fork_map(functools.partial(_rebuild_problems, published=published), ledger.problems, worth_it=worth_it)
    differing: list[list[Discrepancy]] = [[d for part in parts for d in part[0][i]] for i in range(len(published))]
    tallies = [sum((part[1][i] for part in parts), Counter()) for i in range(len(published))]
    known = ledger.departments
    on_record = {item.problem.id for item in ledger.problems}
    for index, snap in enumerate(published):
        for problem_id in sorted(set(snap.snapshot["problems"]) - on_record):
            differing[index].append(Discrepancy(snap.week.label, snap.file.name, problem_id, "presence", "在册",
                                                "现在的台账里没有这个问题（问题文件被删除或改了编号）"))
        differing[index].sort(key=lambda d: (d.problem or "", PROBLEM_FIELDS.index(d.field)
                                             if d.field in PROBLEM_FIELDS else -1))
        if differing[index]:  # the departments' figures differ too, but the problems already say why
            continue
        for department, then in sorted((snap.snapshot.get("departments") or {}).items()):
            now = _department_figures(tallies[index], department) if department in known else None
            if now != then:
                differing[index].append(Discrepancy(snap.week.label, snap.file.name, None, "department",
                                                    f"{department}：{_figures_text(then)}",
                                                    f"{department}：{_figures_text(now)}"))
    return differing


def _rebuild_problems(problems: Sequence[ProblemFile], published: Sequence[_Published]
                      ) -> tuple[list[list[Discrepancy]], list[Counter]]:
    """`_rebuild` for some of the problems: per snapshot, the discrepancies found and the counts by
    (department, status, light)."""
    digests = LogDigests()
    differing: list[list[Discrepancy]] = [[] for _ in published]
    tallies = [Counter() for _ in published]  # (department, status, light) -> count
    # the hot loop runs for every problem and week: enum values looked up once, records compared whole first
    values = {term: term.value for term in (*Status, *Light)}
    standard = [list(snap.snapshot.get("problem_fields") or PROBLEM_FIELDS) == list(PROBLEM_FIELDS)
                for snap in published]
    records = [snap.snapshot["problems"] for snap in published]
    for item in problems:
        problem = item.problem
        problem_id = problem.id
        timeline = moments(problem)
        position = 0
        prefix_digest: dict[int, str] = {}
        final: tuple[object, Thresholds, list] | None = None  # a record that stays while the standing does
        for index, snap in enumerate(published):
            recorded = records[index].get(problem_id)
            if problem.opened > snap.as_of:
                if recorded is not None:
                    differing[index].append(Discrepancy(snap.week.label, snap.file.name, problem_id, "presence", "在册",
                                                        "现在的台账显示当时尚未列入（列入日期被改晚）"))
                continue
            while position + 1 < len(timeline) and timeline[position + 1].date <= snap.as_of:
                position += 1
            facts = timeline[position].after
            if final is not None and final[0] is facts and final[1] is snap.thresholds:
                now = final[2]
            else:
                status, light = status_and_light(problem, snap.as_of, snap.thresholds, facts)
                digest = prefix_digest.get(position)
                if digest is None:
                    digest = prefix_digest[position] = digests.of(problem.log[:position])
                now = [values[status], values[light], facts.percent, facts.deadline.isoformat(), digest]
                final = (facts, snap.thresholds, now) if is_final(status, light, facts) else None
            tallies[index][(problem.department, now[0], now[1])] += 1
            if recorded is None:
                differing[index].append(Discrepancy(snap.week.label, snap.file.name, problem_id, "presence", "当时不在册",
                                                    "现在的台账显示当时已在册（列入日期被改早或补记）"))
                continue
            if standard[index] and recorded == now:
                continue
            fields = snap.snapshot.get("problem_fields") or PROBLEM_FIELDS
            then = dict(zip(fields, recorded, strict=False))
            for field, value in zip(PROBLEM_FIELDS, now, strict=True):
                if field in then and then[field] != value:
                    differing[index].append(Discrepancy(snap.week.label, snap.file.name, problem_id, field,
                                                        _shown(field, then[field]), _shown(field, value)))
    return differing, tallies


def _department_figures(tally: Counter, department: str) -> dict:
    """`figures` of a department, from the counts of `_rebuild`."""
    statuses, lights = Counter(), Counter()
    for (unit, status, light), count in tally.items():
        if unit == department:
            statuses[status] += count
            lights[light] += count
    return {"total": sum(statuses.values()), "status": {s.value: statuses[s.value] for s in Status},
            "light": {light.value: lights[light.value] for light in Light}}


def _figures_text(figures_: dict | None) -> str:
    if not figures_:
        return "（无）"
    statuses = "、".join(f"{_status_label(k)} {v}" for k, v in figures_.get("status", {}).items() if v)
    return f"共 {figures_.get('total', 0)} 个（{statuses or '无'}）"


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
    """Week by week from the snapshots: (as-of, not closed, closed, overdue, red), for the city or a department."""
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

