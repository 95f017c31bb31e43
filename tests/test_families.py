"""The page families' declarations are true: one changed problem file touches the outputs the registry says
(its page, its departments' and category's pages, the city's summaries and lists, the reports of the periods
from the entry's day on), and writing only those again over the last full build gives a full build's bytes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.derivation.campaign import campaign_of
from generator.derivation.site import NOT_DERIVED, Part, changes, site_of
from generator.rendering import families, urls
from generator.rendering.families import INDEX
from generator.rendering.outputs import Page
from generator.validation.report import validate
from generator.writing.build import build, rewrite
from generator.writing.writer import Writer

from .conftest import AS_OF, ROOT, sample_as_published

CHANGED = "STHJ-2025-002"  # led by ecology-env, in the ecology category; agriculture and natural-resources cooperate
ENTRY = """  - date: {day}
    type: progress
    step: implement
    percent: 85
    summary: 秋季水稻抽检合格率96.1%，低积累品种替代率提高到83%。
"""


def _build(root: Path, docs: Path):
    return build(root / "ledgers", docs, AS_OF, "test", AS_OF, rule_history=False, git_history=False)


def _files(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("day", "xuns"), [
    (AS_OF, {"2026-11-3"}),  # the 旬 in progress
    # inside weeks whose snapshots were published: the history check now finds them rewritten, which the
    # problem's page, the home page, the history page and the city's feed say
    (dt.date(2026, 11, 12), {"2026-11-2", "2026-11-3"}),
])
def test_one_changed_problem_rewrites_only_what_it_touches_and_gives_a_full_builds_bytes(
        tmp_path: Path, day: dt.date, xuns: set[str]) -> None:
    root = sample_as_published(tmp_path / "city")
    before = _build(root, tmp_path / "before")
    path = root / "ledgers" / "ecology-env" / f"{CHANGED}.yml"
    path.write_text(path.read_text(encoding="utf-8") + ENTRY.format(day=day.isoformat()), encoding="utf-8")
    after = _build(root, tmp_path / "after")

    changed = changes(before.campaign, after.campaign)
    assert [(c.id, c.since) for c in changed] == [(CHANGED, day)]
    site = after.site.completed(frozenset({Part.CYCLE}))
    keys = families.affected(changed, site)
    departments = {d.id for d in site.campaign.departments}
    assert keys["problems"] == {CHANGED}
    assert keys["departments"] & departments == {"ecology-env", "agriculture", "natural-resources"}
    assert INDEX in keys["departments"]  # the ranking of all departments
    assert keys["categories"] == {"ecology", INDEX}
    assert keys["xun"] == xuns
    assert keys["bulletin"] == {"2026-11", INDEX}
    assert keys["feeds"] & departments == {"ecology-env", "agriculture", "natural-resources"}
    assert keys["working"] & departments == {"ecology-env", "agriculture", "natural-resources"}
    assert INDEX not in keys["working"]  # no site-wide output
    for name in ("home", "lists", "lookback", "history", "data", "reference"):
        assert keys[name] == {INDEX}, name
    assert "assets" not in keys and "inspections" not in keys

    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(tmp_path / "before", rebuilt)
    written = rewrite(site, rebuilt, keys, "test")
    old, new, full = _files(tmp_path / "before"), _files(rebuilt), _files(tmp_path / "after")
    assert new == full
    differing = {p for p in full if old.get(p) != full[p]}
    assert differing and differing <= set(written)
    problem_pages = [p for p in written if p.startswith("problems/")]
    assert problem_pages == [f"problems/{CHANGED}.html"]
    assert {p for p in written if p.startswith("reports/xun/")} == {f"reports/xun/{key}.md" for key in xuns}
    assert {p for p in written if p.startswith("departments/") and p.endswith(".md")} == {
        "departments/index.md", "departments/ecology-env.md", "departments/agriculture.md",
        "departments/natural-resources.md"}
    assert ("history.md" in differing) == (day < AS_OF - dt.timedelta(days=2))
    # the working workbooks of the problem's departments, only the leader's with different bytes
    assert {p for p in written if p.startswith("data/working/")} == {
        "data/working/ecology-env.xlsx", "data/working/agriculture.xlsx", "data/working/natural-resources.xlsx"}
    assert {p for p in differing if p.startswith("data/working/")} == {"data/working/ecology-env.xlsx"}


def test_each_family_makes_its_outputs_from_the_derived_parts_it_declares_and_no_others() -> None:
    """The build gives a family only the derived parts it declares (the others are not derived in the process
    that writes it): each family, given a site with exactly those, makes every output; a site without one of
    them is refused."""
    report = validate(ROOT / "ledgers", AS_OF)
    campaign = campaign_of(report.ledger, AS_OF)
    writer = Writer(ROOT / "unused", {"portal": campaign.portal, "as_of": AS_OF, "commit": "test",
                                      "generated_on": None, "urls": urls})

    def made(family, site) -> list[str]:
        """The family's outputs as the writer makes them: its pages rendered, so that a template's use counts."""
        return [writer.render(o) if isinstance(o, Page) else o.path for o in family.outputs(site, None)]

    derived = frozenset({Part.CYCLE, Part.HISTORY})
    for family in families.FAMILIES:
        declared = (family.reads | family.index_reads) & derived
        site = site_of(campaign, history=None if Part.HISTORY in declared else NOT_DERIVED,
                       derive=declared - {Part.HISTORY})
        assert made(family, site), family.name
        for missing in declared:
            bare = site_of(campaign, history=NOT_DERIVED if missing is Part.HISTORY else None,
                           derive=declared - {Part.HISTORY, missing})
            with pytest.raises(RuntimeError, match="does not declare"):
                made(family, bare)
