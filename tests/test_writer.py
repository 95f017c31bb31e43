"""The one writer: what a build owns in docs/ is what it wrote, cleaned up on the next build; nothing
written twice; and a build that lost a problem on the way fails instead of publishing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from generator import parallel
from generator.rendering import families
from generator.rendering.outputs import File, Page
from generator.writing.build import BuildError, build
from generator.writing.writer import MANIFEST, WriteError, Writer

from .conftest import AS_OF, ROOT

EARLY = dt.date(2025, 6, 30)


def test_a_build_for_an_earlier_day_removes_what_only_the_later_one_wrote(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    hand_written = docs / "assets" / "css" / "portal.css"
    hand_written.parent.mkdir(parents=True)
    hand_written.write_text("/* mine */\n", encoding="utf-8")
    build(ROOT / "ledgers", docs, AS_OF, "test", AS_OF)
    later = {p.name for p in (docs / "problems").glob("*.html")}
    build(ROOT / "ledgers", docs, EARLY, "test", AS_OF)
    earlier = {p.name for p in (docs / "problems").glob("*.html")}
    assert earlier < later
    assert "STHJ-2026-001.html" in later - earlier
    assert hand_written.read_text(encoding="utf-8") == "/* mine */\n"
    listed = set((docs / MANIFEST).read_text(encoding="utf-8").split())
    on_disk = {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()}
    assert listed == on_disk - {MANIFEST, "assets/css/portal.css"}


def test_a_file_left_in_a_generated_folder_by_hand_or_an_old_build_is_removed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    stray = docs / "problems" / "OLD-2024-001.md"
    stray.parent.mkdir(parents=True)
    stray.write_text("# 旧页面\n", encoding="utf-8")
    build(ROOT / "ledgers", docs, AS_OF, "test", AS_OF)
    assert not stray.exists()


def test_two_outputs_for_one_path_are_refused(tmp_path: Path) -> None:
    writer = Writer(tmp_path, {})
    with pytest.raises(WriteError):
        writer.write_all([File("data/a.json", b"1"), File("data/a.json", b"2")])
    with pytest.raises(WriteError):
        writer.write_all([File("../outside.txt", b"x")])


def test_a_lost_problem_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If a page family dropped a problem, the build says so and fails rather than publish a gap."""
    original = families.BY_NAME["problems"]

    def all_but_one(site, keys):
        return iter(list(original.outputs(site, keys))[:-1])

    monkeypatch.setattr(families, "FAMILIES", tuple(dataclasses.replace(f, outputs=all_but_one) if f is original
                                                    else f for f in families.FAMILIES))
    with pytest.raises(BuildError, match="问题页面数"):
        build(ROOT / "ledgers", tmp_path / "docs", AS_OF, "test", AS_OF)


def test_every_page_is_a_page_with_a_title(tmp_path: Path) -> None:
    from generator.derivation.campaign import campaign_of
    from generator.derivation.site import site_of
    from generator.validation.report import validate

    campaign = campaign_of(validate(ROOT / "ledgers", AS_OF).ledger, AS_OF)
    outputs = list(families.outputs(site_of(campaign, history=None)))
    assert len({o.path for o in outputs}) == len(outputs)
    assert all(o.title for o in outputs if isinstance(o, Page))
    assert sum(1 for o in outputs if isinstance(o, Page) and o.stitched) == len(campaign.rows)
    assert [o.path for o in outputs if isinstance(o, Page) and o.shell] == ["problems/_shell.md"]


def test_the_problem_pages_are_whole_and_alone_when_the_build_says_so(tmp_path: Path) -> None:
    """The full-text index starts when the build reports its problem pages written: by then every problem page
    of this build is there and none that only an earlier build wrote."""
    docs = tmp_path / "docs"
    build(ROOT / "ledgers", docs, AS_OF, "test", AS_OF)
    seen: list[set[str]] = []
    result = build(ROOT / "ledgers", docs, EARLY, "test", AS_OF,
                   problem_pages_written=lambda: seen.append({p.stem for p in (docs / "problems").glob("*.html")}))
    assert len(seen) == 1
    assert seen[0] == {r.problem.id for r in result.campaign.rows}
    assert "STHJ-2026-001" not in seen[0]


def test_two_processes_writing_into_one_folder_are_refused(tmp_path: Path) -> None:
    writer = Writer(tmp_path, {})
    with pytest.raises(WriteError, match="data/"):
        writer.write_all([File("data/a.json", b"1")], apart=iter([File("data/b.json", b"2")]))
    early = writer.start(iter([File("data/c.json", b"3")]))
    with pytest.raises(WriteError, match="data/"):
        writer.write_all([File("data/d.json", b"4")], started=[early])


def test_outputs_started_early_are_written_and_owned_like_the_others(tmp_path: Path) -> None:
    writer = Writer(tmp_path, {})
    early = writer.start(iter([File("early/a.json", b"1")]))
    written = writer.write_all([File("here/b.json", b"2")], apart=iter([File("apart/c.json", b"3")]), started=[early])
    assert sorted(written.files) == ["apart/c.json", "early/a.json", "here/b.json"]
    assert (tmp_path / "early" / "a.json").read_bytes() == b"1"
    writer.write_all([File("here/b.json", b"2")])
    assert not (tmp_path / "early").exists() and not (tmp_path / "apart").exists()


def test_a_page_family_that_reads_what_it_does_not_declare_stops_the_build(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The families that declare they read neither the history check nor the cycle are written while the check
    runs, in a process that derives neither; one that reads either without declaring it stops the build instead
    of publishing a history with nothing wrong in it or a report without figures."""
    original = families.BY_NAME["categories"]
    for part in ("history", "cycle"):
        def undeclared(site, keys, part=part):
            if getattr(site, part):
                pass
            return original.outputs(site, keys)

        monkeypatch.setattr(families, "FAMILIES", tuple(dataclasses.replace(f, outputs=undeclared)
                                                        if f is original else f for f in families.FAMILIES))
        with pytest.raises(WriteError, match="does not declare"):
            build(ROOT / "ledgers", tmp_path / "docs", AS_OF, "test", AS_OF)


def test_where_the_system_cannot_fork_the_other_outputs_are_written_here(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "forking", lambda: None)
    writer = Writer(tmp_path, {})
    early = writer.start(iter([File("early/a.json", b"1")]))
    assert not (tmp_path / "early").exists()  # written when collected
    written = writer.write_all([File("here/b.json", b"2")], apart=iter([File("apart/c.json", b"3")]), started=[early])
    assert sorted(written.files) == ["apart/c.json", "early/a.json", "here/b.json"]
    assert (tmp_path / "apart" / "c.json").read_bytes() == b"3"
