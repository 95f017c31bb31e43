"""The province's figures: sums over the verified cities only, per department type, and the ranking of cities.

A city that failed verification is listed with its reasons and counted nowhere else: not in the totals, the
charts, the department types or the ranking. The ranking's formula is declared once (WEIGHTS) and published on
the ranking page from the same declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.vocabulary import Light, Status
from .config import ProvinceConfig
from .verify import CityReport, Tally

UNTYPED = "（未对应部门类型）"


@dataclass(frozen=True)
class Measure:
    """One input of the ranking: a share of the city's problems, and whether more is better."""

    key: str
    label: str
    weight: int
    better_high: bool


# 得分 = Σ 权重 × 指标（越小越好的指标取 1 − 指标），各项指标为占问题总数的比例；满分 100。
WEIGHTS = (
    Measure("closed", "销号率（已销号 ÷ 问题总数）", 50, True),
    Measure("overdue", "逾期率（逾期 ÷ 问题总数）", 30, False),
    Measure("red", "红灯率（红灯 ÷ 问题总数）", 20, False),
)


def formula() -> str:
    parts = [f"{m.weight} × {'' if m.better_high else '（1 − '}{m.label.split('（')[0]}{'' if m.better_high else '）'}"
             for m in WEIGHTS]
    return "得分 = " + " + ".join(parts)


def shares(tally: Tally) -> dict[str, float]:
    total = tally.total or 1
    return {"closed": tally.status.get(Status.CLOSED.value, 0) / total,
            "overdue": tally.status.get(Status.OVERDUE.value, 0) / total,
            "red": tally.light.get(Light.RED.value, 0) / total}


def score(tally: Tally) -> float:
    if tally.total == 0:
        return 0.0
    values = shares(tally)
    return round(sum(m.weight * (values[m.key] if m.better_high else 1 - values[m.key]) for m in WEIGHTS), 1)


@dataclass(frozen=True)
class Ranked:
    rank: int
    report: CityReport
    score: float
    shares: dict[str, float]


@dataclass
class Province:
    config: ProvinceConfig
    reports: list[CityReport]
    tally: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=dict)  # type name → figures (verified cities only)
    ranking: list[Ranked] = field(default_factory=list)

    @property
    def verified(self) -> list[CityReport]:
        return [r for r in self.reports if r.verified]

    @property
    def failing(self) -> list[CityReport]:
        return [r for r in self.reports if not r.verified]


def province_of(config: ProvinceConfig, reports: list[CityReport]) -> Province:
    province = Province(config, reports)
    names = {t.id: t.name for t in config.department_types}
    for report in province.verified:
        province.tally.merge(report.tally)
        for department, tally in sorted(report.departments.items()):
            kind = report.city.departments.get(department)
            province.by_type.setdefault(names[kind] if kind else UNTYPED, Tally()).merge(tally)
    # declared types in their order, then the untyped
    order = [t.name for t in config.department_types] + [UNTYPED]
    province.by_type = {name: province.by_type[name] for name in order if name in province.by_type}
    scored = sorted(((score(r.tally), r) for r in province.verified), key=lambda item: (-item[0], item[1].city.id))
    rank = 0
    previous = None
    for position, (value, report) in enumerate(scored, 1):
        if value != previous:
            rank = position
        previous = value
        province.ranking.append(Ranked(rank, report, value, shares(report.tally)))
    return province
