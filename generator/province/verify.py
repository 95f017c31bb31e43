"""Whether a city's published data can be trusted, from what it published alone.

Three things are checked, each failure said in Chinese:

1. The chain. The head the province has on record (the SHA-256 of the newest snapshot it saw) must be one of the
   digests in the city's SHA256SUMS: a city that rewrote its chain no longer lists it. The newest snapshot must
   hash to the last digest listed, and name the digest before it as its `previous`.
2. The snapshot's own figures: its city totals must be the count of its own problem records (a record names no
   department, so the departments' totals are checked against the open data in 3).
3. The open data against the snapshot, for the same day. The open data (data/problems.json) holds every
   problem's whole record and log with the status and light derived on its day; the snapshot, the city's
   figures per status and light on its day, for the city and each department. When both are of the same day the
   open data's own figures must equal the snapshot's. When the open data is later (a portal built after the
   weekly snapshot), the open data is cut to the snapshot's day and its statuses and lights derived again with
   the thresholds the snapshot recorded (derivation/asof and state: the city portal's own rules), and those
   figures must equal the snapshot's; and the open data's own statuses and lights must be those the same rules
   give on its own day (so that the figures the province adds up are not typed by hand).

A failing city keeps its reasons and is never added into the province's figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..derivation.asof import problem_at
from ..derivation.lifecycle import standing
from ..derivation.state import status_and_light
from ..model.schema import Problem, Thresholds
from ..model.vocabulary import Light, Status, Supervision
from .config import City
from .sources import FINDER, PROBLEMS, SNAPSHOTS, Published

STATUSES = tuple(s.value for s in Status)
LIGHTS = tuple(light.value for light in Light)


@dataclass
class Tally:
    """How many problems, by status and by light."""

    total: int = 0
    status: Counter = field(default_factory=Counter)
    light: Counter = field(default_factory=Counter)

    def add(self, status: str, light: str) -> None:
        self.total += 1
        self.status[status] += 1
        self.light[light] += 1

    def merge(self, other: Tally) -> None:
        self.total += other.total
        self.status.update(other.status)
        self.light.update(other.light)

    def as_figures(self) -> dict:
        """In the snapshot's own shape."""
        return {"total": self.total, "status": {s: self.status.get(s, 0) for s in STATUSES},
                "light": {light: self.light.get(light, 0) for light in LIGHTS}}


@dataclass(frozen=True)
class ProblemLine:
    """What the province shows of one problem; its page is on the city's portal."""

    id: str
    title: str
    department: str
    status: str
    light: str
    supervision: str
    deadline: str
    percent: int


@dataclass
class CityReport:
    """One city as read and verified."""

    city: City
    reasons: list[str] = field(default_factory=list)  # empty: verified
    as_of: dt.date | None = None
    title: str = ""
    snapshot_week: str | None = None
    snapshot_as_of: dt.date | None = None
    latest_sha256: str | None = None
    chain_length: int = 0
    head_position: int | None = None  # 1-based position of the province's head in the chain
    compared: str = ""  # how the open data was compared with the snapshot, in Chinese
    tally: Tally = field(default_factory=Tally)
    departments: dict[str, Tally] = field(default_factory=dict)
    problems: list[ProblemLine] = field(default_factory=list)
    department_names: dict[str, str] = field(default_factory=dict)  # from data/finder.json, when published
    bundles: tuple[str, ...] = ()
    search_note: str | None = None

    @property
    def verified(self) -> bool:
        return not self.reasons

    @property
    def reason_text(self) -> str:
        """Every reason in one sentence run: “…不符；…断裂。”"""
        return "；".join(r.rstrip("。") for r in self.reasons) + "。" if self.reasons else ""


def unreadable(city: City, reason: str) -> CityReport:
    return CityReport(city, [f"无法读取该市发布的数据：{reason}"])


def verify(city: City, published: Published) -> CityReport:
    """Check what `city` published; the report lists every reason it fails (none when verified)."""
    report = CityReport(city, bundles=published.bundles, search_note=published.search_error,
                        department_names=_department_names(published.files.get(FINDER)))
    snapshot = _check_chain(report, published)
    open_data = _read_open_data(report, published.files[PROBLEMS])
    if snapshot is not None:
        _check_snapshot_figures(report, snapshot)
    if snapshot is not None and open_data is not None:
        _check_open_data(report, snapshot, open_data)
    return report


def _department_names(data: bytes | None) -> dict[str, str]:
    """Department id → name from the finder's index ([id, short name, name] rows); nothing when unreadable."""
    try:
        return {str(row[0]): str(row[2]) for row in json.loads(data)["departments"]} if data else {}
    except (ValueError, KeyError, TypeError, IndexError):
        return {}


def _check_chain(report: CityReport, published: Published) -> dict | None:
    chain = published.chain
    report.chain_length = len(chain)
    head = report.city.head
    if not chain:
        report.reasons.append("该市的 data/snapshots/SHA256SUMS 是空的：没有公布任何周快照的摘要，无法核对快照链。")
        return None
    positions = [i for i, d in enumerate(chain, 1) if d.sha256 == head]
    if positions:
        report.head_position = positions[-1]
    else:
        report.reasons.append(f"省里记录的快照链头 {head[:16]}… 不在该市公布的 SHA256SUMS 中（共 {len(chain)} 行）："
                              "该市改写或截断了周快照链，或者省里记录的链头有误。")
    names = [d.name for d in chain]
    if len(set(names)) != len(names) or names != sorted(names):
        report.reasons.append("该市的 SHA256SUMS 里周快照文件名有重复或不按周的先后排列：快照链被改动过。")
    latest = chain[-1]
    data = published.files.get(SNAPSHOTS + latest.name)
    report.latest_sha256 = latest.sha256
    if data is None:
        report.reasons.append(f"该市没有发布最新一周的快照文件 {latest.name}。")
        return None
    actual = hashlib.sha256(data).hexdigest()
    if actual != latest.sha256:
        report.reasons.append(f"该市最新的周快照 {latest.name} 的 SHA-256 是 {actual[:16]}…，与它在 SHA256SUMS 里公布的 "
                              f"{latest.sha256[:16]}… 不符：快照文件或摘要被改动过。")
    try:
        snapshot = json.loads(data)
        report.snapshot_week = str(snapshot["week"])
        report.snapshot_as_of = dt.date.fromisoformat(snapshot["as_of"])
        previous = snapshot.get("previous")
    except (ValueError, KeyError, TypeError):
        report.reasons.append(f"该市最新的周快照 {latest.name} 不是可读的周快照文件。")
        return None
    if len(chain) > 1 and previous != chain[-2].sha256:
        report.reasons.append(f"最新的周快照 {latest.name} 记录的前一份快照摘要与 SHA256SUMS 中前一行 {chain[-2].name} 的摘要不符："
                              "快照链断裂。")
    return snapshot


def _snapshot_tallies(snapshot: dict) -> tuple[dict, dict[str, dict]]:
    return snapshot.get("city") or {}, snapshot.get("departments") or {}


def _check_snapshot_figures(report: CityReport, snapshot: dict) -> None:
    """The snapshot's totals are the count of its own problem records."""
    fields = snapshot.get("problem_fields") or []
    problems = snapshot.get("problems")
    if not isinstance(problems, dict) or "status" not in fields or "light" not in fields:
        report.reasons.append(f"最新的周快照 {report.snapshot_week} 没有逐个问题的状态和亮灯，无法核对它的统计数字。")
        return
    s, lt = fields.index("status"), fields.index("light")
    counted = Tally()
    for record in problems.values():
        counted.add(record[s], record[lt])
    city, _ = _snapshot_tallies(snapshot)
    if city != counted.as_figures():
        report.reasons.append(f"最新的周快照 {report.snapshot_week} 的全市统计数字与它自己逐个问题的记录不符：统计数字被改动过。")


def _read_open_data(report: CityReport, data: bytes) -> dict | None:
    try:
        open_data = json.loads(data)
        report.as_of = dt.date.fromisoformat(open_data["as_of"])
        report.title = str(open_data.get("title") or "")
        items = open_data["problems"]
        for item in items:
            derived = item["derived"]
            report.problems.append(ProblemLine(
                str(item["id"]), str(item["title"]), str(item["department"]), str(derived["status"]),
                str(derived["light"]), str(item.get("supervision") or Supervision.NONE.value),
                str(derived.get("effective_deadline") or item.get("deadline")), int(derived.get("percent") or 0)))
    except (ValueError, KeyError, TypeError) as exc:
        report.reasons.append(f"该市的公开数据 data/problems.json 无法读取（{type(exc).__name__}：{str(exc)[:80]}）。")
        report.problems = []
        return None
    for line in report.problems:
        report.tally.add(line.status, line.light)
        report.departments.setdefault(line.department, Tally()).add(line.status, line.light)
    return open_data


def _differences(label: str, ours: dict, theirs: dict) -> list[str]:
    """Where two figures of one group differ, in words: “全市 逾期 12 ≠ 快照 11”."""
    out = []
    names = {"total": "问题总数", **{s.value: s.label for s in Status}, **{light.value: light.label for light in Light}}
    if ours.get("total") != theirs.get("total"):
        out.append(f"{label}{names['total']} {ours.get('total')}，快照 {theirs.get('total')}")
    for part in ("status", "light"):
        mine, recorded = ours.get(part) or {}, theirs.get(part) or {}
        for key in sorted(set(mine) | set(recorded)):
            if mine.get(key, 0) != recorded.get(key, 0):
                out.append(f"{label}{names.get(key, key)} {mine.get(key, 0)}，快照 {recorded.get(key, 0)}")
    return out


def _compare(report: CityReport, tally: Tally, departments: dict[str, Tally], snapshot: dict, what: str) -> None:
    city, recorded = _snapshot_tallies(snapshot)
    found = _differences("全市", tally.as_figures(), city)
    for department in sorted(set(departments) | set(recorded)):
        ours = departments.get(department, Tally()).as_figures()
        theirs = recorded.get(department) or Tally().as_figures()
        if ours["total"] == 0 and (theirs.get("total") or 0) == 0:
            continue
        found += _differences(f"部门 {department} ", ours, theirs)
    if found:
        shown = "；".join(found[:6]) + (f"；等 {len(found)} 处" if len(found) > 6 else "")
        report.reasons.append(f"{what}与该市 {report.snapshot_week} 周快照（截至 {report.snapshot_as_of}）的统计数字不符：{shown}。")


def _check_open_data(report: CityReport, snapshot: dict, open_data: dict) -> None:
    day, as_of = report.snapshot_as_of, report.as_of
    if day == as_of:
        report.compared = f"公开数据与最新周快照同为 {day.isoformat()} 的数据，直接比对各状态、各亮灯的问题数（全市和各部门）"
        _compare(report, report.tally, report.departments, snapshot, "公开数据的统计数字")
        return
    if as_of < day:
        report.reasons.append(f"该市的公开数据截至 {as_of}，早于它最新的周快照（截至 {day}）：公开数据没有更新。")
        return
    try:
        thresholds = Thresholds.model_validate(snapshot.get("thresholds") or {})
        problems = [Problem.model_validate({k: v for k, v in item.items() if k != "derived"})
                    for item in open_data["problems"]]
    except ValidationError as exc:
        report.reasons.append(f"该市的公开数据或周快照的亮灯阈值不符合台账格式，无法重算：{exc.errors()[0]['msg']}。")
        return
    report.compared = (f"公开数据截至 {as_of.isoformat()}，晚于最新周快照（截至 {day.isoformat()}）：按快照记录的亮灯阈值，"
                       f"把公开数据里的台账截至 {day.isoformat()} 重算状态和亮灯，与快照比对；"
                       f"并核对公开数据自己的状态和亮灯与同一规则在 {as_of.isoformat()} 的结果一致")
    then, then_departments = Tally(), {}
    wrong: list[str] = []
    for problem, line in zip(problems, report.problems, strict=True):
        cut = problem_at(problem, day)
        if cut is not None:
            status, light = status_and_light(cut, day, thresholds, standing(cut, day))
            then.add(status.value, light.value)
            then_departments.setdefault(problem.department, Tally()).add(status.value, light.value)
        now = problem_at(problem, as_of)
        status, light = status_and_light(now, as_of, thresholds, standing(now, as_of))
        if (status.value, light.value) != (line.status, line.light):
            wrong.append(f"{line.id}（公开为{_label(line.status, line.light)}，按规则应为{status.label}、{light.label}）")
    _compare(report, then, then_departments, snapshot, f"公开数据截至 {day.isoformat()} 重算的统计数字")
    if wrong:
        shown = "；".join(wrong[:5]) + (f"；等 {len(wrong)} 个" if len(wrong) > 5 else "")
        report.reasons.append(f"公开数据里有 {len(wrong)} 个问题的状态或亮灯与按台账记录和亮灯规则算出的不同"
                              f"（若该市在最新周快照之后调整了亮灯阈值，下一份周快照后即可核对）：{shown}。")


def _label(status: str, light: str) -> str:
    s = next((x.label for x in Status if x.value == status), status)
    lt = next((x.label for x in Light if x.value == light), light)
    return f"{s}、{lt}"
