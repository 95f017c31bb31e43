"""Revisions (调整) as the public and the office see them: the original commitment stays on the page, the
portal as of a day shows what was in force that day, and the 旬 report and the bulletin list each revision.

The sample city's JT-2025-004 lowers a target on 2026-11-23 (发车间隔 10 → 12 分钟, with its document
number) and replaces its responsible cadre on 2026-11-24.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document

from generator.derivation import periods
from generator.derivation.campaign import campaign_of
from generator.derivation.site import site_of
from generator.model import permanence
from generator.model.schema import Problem
from generator.rendering.bulletinview import bulletin_view
from generator.rendering.wordfile import bulletin_docx
from generator.validation.report import validate
from generator.writing.build import build

from .conftest import AS_OF, ROOT

PROBLEM = "JT-2025-004"
BEFORE, AFTER = "不超过10分钟", "不超过12分钟"


@pytest.fixture(scope="module")
def ledger():
    report = validate(ROOT / "ledgers", AS_OF)
    assert report.valid(), report.errors
    return report.ledger


def test_every_field_of_a_problem_has_one_rule_for_how_it_may_change() -> None:
    assert set(permanence.RULES) == set(Problem.model_fields)
    assert permanence.RULES["target"] == permanence.Rule.REVISED
    assert permanence.RULES["description"] == permanence.Rule.FIXED
    assert permanence.RULES["deadline"] == permanence.Rule.EXTENDED


def test_the_problem_page_keeps_the_original_struck_through_beside_the_content_in_force(sample_docs: Path) -> None:
    page = (sample_docs / "problems" / f"{PROBLEM}.html").read_text(encoding="utf-8")
    target_row = next(line for line in page.splitlines() if line.startswith("<tr><th") and "整改目标" in line)
    assert "<del>19个新建小区" in target_row and BEFORE in target_row.split("</del>")[0]
    assert AFTER in target_row.split("→")[1] and "经 1 次调整" in target_row
    assert "<del>城市交通科科长 边*</del>" in page and "<strong>城市交通科副科长 刘*</strong>" in page
    assert "已调整整改目标、责任人" in page
    log = page.split("工作记录")[-1]
    assert "调整整改目标" in log and "整改专班函〔2026〕31号" in log and "理由：新增车辆到位前" in log


def test_the_portal_as_of_a_day_before_the_revision_shows_the_target_then_in_force(base_ledger: Path,
                                                                                  tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    build(ROOT / "ledgers", docs, dt.date(2026, 11, 22), "test", AS_OF)
    page = (docs / "problems" / f"{PROBLEM}.html").read_text(encoding="utf-8")
    assert BEFORE in page and AFTER not in page and "<del>" not in page.split("完成时限")[0]
    assert "城市交通科科长 边*" in page and "刘*" not in page


def test_the_xun_report_and_the_bulletin_count_and_list_each_revision(ledger) -> None:
    campaign = campaign_of(ledger, AS_OF)
    site = site_of(campaign)
    cycle, bulletins = site.cycle, site.bulletins
    xun = next(r for r in cycle.xuns if r.period.key == "2026-11-3")
    assert xun.city.revisions == 2 and xun.departments["transport"].revisions == 2
    assert [(m.row.problem.id, m.entry.field.value) for m in xun.revised] == [(PROBLEM, "target"), (PROBLEM, "responsible")]
    assert sum(r.city.revisions for r in cycle.xuns) == 2  # counted once, in the 旬 it was approved
    november = next(b for b in bulletins if b.key == "2026-11")
    assert november.report.city.revisions == 2
    departments = {d.id: d for d in campaign.departments}
    months = periods.group_by_month(cycle.xuns)
    document = Document(io.BytesIO(bulletin_docx(bulletin_view(november, campaign.portal, departments,
                                                               months["2026-11"], periods.LIST_LIMIT))))
    assert "调整整改承诺 2 项" in "\n".join(p.text for p in document.paragraphs)
    changes = next(t for t in document.tables if [c.text for c in t.rows[0].cells][3:4] == ["调整"])
    rows = [[c.text for c in row.cells] for row in changes.rows[1:]]
    assert [(row[1], row[3]) for row in rows] == [(PROBLEM, "整改目标"), (PROBLEM, "责任人")]
    assert BEFORE in rows[0][4] and AFTER in rows[0][5]
    assert "整改专班函〔2026〕31号" in rows[0][7]


def test_the_xun_report_page_lists_the_lowered_target_first(sample_docs: Path) -> None:
    page = (sample_docs / "reports" / "xun" / "2026-11-3.md").read_text(encoding="utf-8")
    section = page.split("## 本旬调整整改承诺的问题")[1].split("\n## ")[0]
    assert section.index("整改目标") < section.index("责任人")
    assert f"<del>{'19个新建小区'}" in section and "整改专班函〔2026〕31号" in section


def test_a_weekly_snapshot_after_a_revision_reproduces(capsys, tmp_path: Path) -> None:
    """A snapshot of the week after JT-2025-004's revisions hashes the file as written (the revisions are log
    entries), not the commitments in force, so the next build's check reproduces it."""
    import shutil

    from .test_cli import rectify

    shutil.copytree(ROOT / "ledgers", tmp_path / "ledgers")
    shutil.copytree(ROOT / "snapshots", tmp_path / "snapshots")
    (tmp_path / "snapshots" / "2026-W48.json").unlink(missing_ok=True)
    ledgers = str(tmp_path / "ledgers")
    code, out, _ = rectify(capsys, "snapshot", "--ledgers", ledgers, "--week", "2026-11-29", "--today", "2026-12-03")
    assert code == 0, out
    code, out, _ = rectify(capsys, "validate", ledgers, "--history", "--today", "2026-12-03")
    assert code == 0 and "E340" not in out, out
