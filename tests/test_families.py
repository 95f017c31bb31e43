"""The page families' declarations are true: one changed problem file touches the outputs the registry says
(its page, its departments' and category's pages, the city's summaries and lists, the reports of the periods
from the entry's day on), and writing only those again over the last full build gives a full build's bytes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.derivation.site import Part, changes
from generator.rendering import families
from generator.rendering.families import INDEX
from generator.writing.build import build, rewrite

from .conftest import AS_OF, sample_as_published

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


def test_every_family_is_registered_once_and_declares_what_it_reads() -> None:
    assert len({f.name for f in families.FAMILIES}) == len(families.FAMILIES)
    for family in families.FAMILIES:
        assert family.reads <= set(Part), family.name
        if family.per is not families.Per.SITE:
            assert Part.PROBLEMS in family.everything_read or Part.CYCLE in family.reads, family.name
