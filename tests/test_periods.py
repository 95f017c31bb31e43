"""The supervision cycle: a period's figures against the sample ledger counted by hand and
against the campaign cut at the period's end, the published ranking recomputed from its own data file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.derivation.campaign import campaign_of, tally
from generator.derivation.periods import bulletin_number
from generator.derivation.site import site_of
from generator.model.calendar import month_of
from generator.model.vocabulary import Light, Status
from generator.rendering.bulletinview import ranking_json
from generator.validation.report import validate

from .conftest import AS_OF, ROOT

D = dt.date


def test_bulletins_are_numbered_from_one_each_year_from_the_campaign_start() -> None:
    start = D(2025, 2, 18)
    assert bulletin_number(month_of(D(2025, 2, 20)), start) == (2025, 1)
    assert bulletin_number(month_of(D(2025, 12, 1)), start) == (2025, 11)
    assert bulletin_number(month_of(D(2026, 1, 5)), start) == (2026, 1)
    assert bulletin_number(month_of(D(2026, 10, 5)), start) == (2026, 10)


@pytest.fixture(scope="module")
def sample():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid()
    campaign = campaign_of(report.ledger, AS_OF)
    return report.ledger, campaign, site_of(campaign).cycle


def _xun(cycle, key):
    return next(r for r in cycle.xuns if r.period.key == key)


def test_a_xun_counts_what_the_sample_ledger_records_in_it(sample) -> None:
    """Counted by hand in the sample's files, 2025-10-11 to 2025-10-20: progress ZWFW-2025-003, STHJ-2025-001,
    NYNC-2025-004, JT-2025-004; notices ZWFW-2025-003, FGW-2025-001, JY-2025-005; close-outs JY-2025-003,
    STHJ-2025-005; inspection DC-2025-006; nothing opened, extended or rebounded."""
    _, _, cycle = sample
    r = _xun(cycle, "2025-10-2")
    f = r.city
    assert (f.new, f.progress, f.notices, f.closes, f.extensions, f.rebounds) == (0, 4, 3, 2, 0, 0)
    assert [i.id for i in r.inspections] == ["DC-2025-006"]
    assert (r.departments["education"].notices, r.departments["education"].closes) == (1, 1)
    assert (r.departments["ecology-env"].progress, r.departments["ecology-env"].closes) == (1, 1)
    assert not r.in_progress and r.cut == D(2025, 10, 20)
    # 2026-08-11 to 20: JY-2025-005's look-back found a rebound, SCJG-2025-002 was closed, ZRZY-2026-001 published
    f = _xun(cycle, "2026-08-2").city
    assert (f.progress, f.notices, f.closes, f.rebounds) == (3, 1, 1, 1)


@pytest.mark.parametrize("key", ["2025-06-3", "2025-12-2", "2026-03-3", "2026-08-2", "2026-11-3"])
def test_a_periods_standing_is_the_campaign_cut_at_its_end(sample, key: str) -> None:
    """The one pass over the moments gives, per department, what campaign_of (asof.ledger_at) gives at the cut."""
    ledger, _, cycle = sample
    r = _xun(cycle, key)
    at_cut = campaign_of(ledger, r.cut)
    for department in at_cut.departments:
        rows = at_cut.by_department(department.id)
        t = tally(rows)
        f = r.departments[department.id]
        assert (f.total, f.closed, f.finished, f.on_time, f.due, f.overdue) == \
            (t.total, t.closed, t.finished, t.on_time, t.due, t.overdue), department.id
        assert (f.red, f.yellow) == (t.by_light[Light.RED], t.by_light[Light.YELLOW]), department.id
        assert f.open == t.total - t.finished
    assert r.in_progress == (key == "2026-11-3")
    red_now = {row.problem.id for row in at_cut.rows if row.state.light == Light.RED}
    assert {m.row.problem.id for m in r.turned_red} <= red_now
    supervised = [row for row in at_cut.rows if row.problem.supervision.value != "none"]
    assert len(r.supervised) == len(supervised)
    assert {m.row.problem.id: m.state.status for m in r.supervised} == \
        {row.problem.id: row.state.status for row in supervised}
    assert all(m.state.status not in (Status.DONE, Status.CLOSED) for m in r.quiet)


def test_the_ranking_recomputes_from_its_published_data(sample) -> None:
    """What a reader would do with the JSON file: weights × inputs, the formula given, the same scores and order."""
    _, campaign, _ = sample
    bulletins = site_of(campaign).bulletins
    names = {d.id: d.short or d.name for d in campaign.departments}
    october = next(b for b in bulletins if b.key == "2026-10")
    data = json.loads(ranking_json(october, names))
    weights = data["weights"]
    assert data["bulletin"] == "〔2026〕第 10 期"
    ranked = [d for d in data["departments"] if d["score"] is not None]
    for item in ranked:
        f = item["figures"]
        inputs = {
            "on_time": f["on_time"] / f["due"] if f["due"] else 1.0,
            "closure": f["closed"] / f["total"],
            "overdue": 1 - f["overdue"] / f["total"],
            "stale": 1 - (f["stale"] / f["open"] if f["open"] else 0),
            "rebound": max(0.0, 1 - (f["rebounds_to_date"] / f["ever_closed"] if f["ever_closed"] else 0)),
            "lag": max(0.0, 1 - (f["lag_points"] / f["open"] if f["open"] else 0) / 100),
        }
        score = round(100 * sum(weights[k] * v for k, v in inputs.items()) / sum(weights.values()), 2)
        assert score == item["score"], item["id"]
    assert [d["score"] for d in ranked] == sorted((d["score"] for d in ranked), reverse=True)
    assert [d["rank"] for d in ranked] == list(range(1, len(ranked) + 1))
    rules = data["rules"]
    praised = [d["id"] for d in ranked if d["score"] >= rules["praise_min_score"]
               and d["figures"]["overdue"] == 0][:rules["praise_count"]]
    criticised = [d["id"] for d in reversed(ranked) if d["score"] < rules["criticise_below"]][:rules["criticise_count"]]
    assert data["praised"] == praised and data["criticised"] == criticised
    assert criticised  # the sample's October has departments under 60: the rule is exercised


def test_the_month_in_progress_is_marked_and_past_months_are_not(sample) -> None:
    _, campaign, cycle = sample
    assert cycle.months[-1].period.key == "2026-11" and cycle.months[-1].in_progress
    assert cycle.months[-1].cut == AS_OF
    assert not any(m.in_progress for m in cycle.months[:-1])
    assert cycle.months[0].period.start == month_of(campaign.portal.campaign_start).start


def test_a_past_bulletin_is_the_same_whenever_it_is_built(tmp_path: Path) -> None:
    """March 2026's bulletin built as of 2026-04-05 and as of the sample's today: the same page (but for the
    footer's as-of date), the same ranking data and the same Word file."""
    from generator.writing.build import build

    pages = {}
    for as_of in (D(2026, 4, 5), AS_OF):
        docs = tmp_path / as_of.isoformat()
        build(ROOT / "ledgers", docs, as_of, "same", AS_OF)
        page = (docs / "reports/monthly/2026-03.md").read_text(encoding="utf-8")
        pages[as_of] = (page.split("主办：")[0],
                        (docs / "data/bulletins/bulletin-2026-03.json").read_bytes(),
                        (docs / "data/bulletins/bulletin-2026-03.csv").read_bytes(),
                        (docs / "reports/monthly/2026-03.docx").read_bytes(),
                        (docs / "reports/xun/2026-03-2.md").read_text(encoding="utf-8").split("主办：")[0])
    early, late = pages.values()
    assert "〔2026〕第 3 期" in early[0] and "进行中" not in early[0]
    for a, b in zip(early, late, strict=True):
        assert a == b
    april = (tmp_path / "2026-04-05/reports/monthly/2026-04.md").read_text(encoding="utf-8")
    assert "进行中" in april and "数据截至 2026年4月5日" in april
