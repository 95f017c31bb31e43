"""Past reports are the reports that were published: each period's 旬 report and bulletin use portal.yml's rules
(weights, praise and criticism rules, thresholds) as git records them at the period's end, so a rule changed
later leaves every earlier report byte for byte as it was."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.derivation.rulebook import current_only
from generator.derivation.site import Part
from generator.loading.portalhistory import read_portal_history
from generator.loading.yamlio import read_document
from generator.model.schema import Portal
from generator.writing.build import build, rules_through_time

from .conftest import AS_OF, ROOT
from .test_cli import rectify
from .test_tree import GIT_ENV

D = dt.date
CITY = "*州市"


def git(repository: Path, *args: str, when: str | None = None) -> str:
    """git in `repository`; `when` (ISO 8601 with the zone) dates both the authoring and the commit."""
    dates = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
    done = subprocess.run(["git", "-C", str(repository), *args], env={**os.environ, **GIT_ENV, **dates},
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit_on(repository: Path, when: str, message: str) -> str:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message, when=when)
    return git(repository, "rev-parse", "--short=10", "HEAD")


def edit_portal(repository: Path, old: str, new: str) -> None:
    path = repository / "ledgers" / "portal.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def portal_of(repository: Path) -> Portal:
    return Portal.model_validate(read_document(repository / "ledgers" / "portal.yml").data)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The sample ledger committed before the campaign started (2025-01-10, city time)."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    commit_on(repository, "2025-01-10T10:00:00+08:00", "sample ledger")
    return repository


def _outputs(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*")
            if p.is_file() and p.relative_to(docs).as_posix().startswith(("reports/", "data/bulletins/"))}


def _bulletin_files(key: str) -> list[str]:
    return [f"reports/monthly/{key}.md", f"reports/monthly/{key}.docx", f"data/bulletins/bulletin-{key}.csv",
            f"data/bulletins/bulletin-{key}.json"]


def test_a_weight_and_a_threshold_changed_later_leave_every_earlier_report_as_it_was(repository, tmp_path) -> None:
    before = build(repository / "ledgers", tmp_path / "before", AS_OF, "test", AS_OF)
    edit_portal(repository, "    on_time: 30\n", "    on_time: 60\n")
    weight_commit = commit_on(repository, "2026-03-05T09:00:00+08:00", "weights: on-time counts double")
    edit_portal(repository, "  red_lag: 30\n", "  red_lag: 10\n")
    commit_on(repository, "2026-06-15T09:00:00+08:00", "thresholds: red from 10 points behind")
    after = build(repository / "ledgers", tmp_path / "after", AS_OF, "test", AS_OF)
    assert not after.warnings  # the whole history was read
    old, new = _outputs(tmp_path / "before"), _outputs(tmp_path / "after")
    assert sorted(old) == sorted(new)

    old_site, new_site = (b.site.completed(frozenset({Part.CYCLE})) for b in (before, after))
    old_bulletins, new_bulletins = old_site.bulletins, new_site.bulletins
    months = [b.key for b in new_bulletins]
    earlier = [key for key in months if key < "2026-03"]
    assert earlier[0] == "2025-02" and earlier[-1] == "2026-02"
    for key in earlier:  # the page, the Word file and the ranking data: every byte as published
        for name in _bulletin_files(key):
            assert new[name] == old[name], name
    for bulletin in new_bulletins:
        weight = bulletin.report.rules.reports.weights.on_time
        assert weight == (30 if bulletin.key < "2026-03" else 60), bulletin.key
    march = next(b for b in new_bulletins if b.key == "2026-03")
    assert f"专班办公室自 2026-03-05 起施行的规则（台账版本 {weight_commit}）" in march.rules_note
    assert march.rules_note in new["reports/monthly/2026-03.md"].decode("utf-8")
    assert b'"on_time": 60' in new["data/bulletins/bulletin-2026-03.json"]
    assert new["data/bulletins/bulletin-2026-03.json"] != old["data/bulletins/bulletin-2026-03.json"]
    # a ranking moved by the new weight: the later bulletins are not the earlier rules' bulletins
    assert any([s.score for s in a.standings] != [s.score for s in b.standings]
               for a, b in zip(old_bulletins, new_bulletins, strict=True) if a.key >= "2026-03")

    # the thresholds drive the lights, and so the reports' figures: as they stood, period by period
    old_cycle, new_cycle = old_site.cycle, new_site.cycle
    for a, b in zip(old_cycle.xuns, new_cycle.xuns, strict=True):
        key = a.period.key
        if b.cut < D(2026, 6, 15):
            assert b.rules.thresholds.red_lag == 30 and b.city.red == a.city.red, key
            if b.cut < D(2026, 3, 5):
                assert new[f"reports/xun/{key}.md"] == old[f"reports/xun/{key}.md"], key
        else:
            assert b.rules.thresholds.red_lag == 10, key
    assert any(b.city.red > a.city.red for a, b in zip(old_cycle.xuns, new_cycle.xuns, strict=True)
               if b.cut >= D(2026, 6, 15))
    # the index names the rules in force at the as-of date and lists each version
    index = new["reports/index.md"].decode("utf-8")
    assert "规则的修改记录" in index and "2026-06-15" in index and "2026-03-05" in index


def test_a_rule_counts_from_the_day_it_was_merged_not_from_its_authors_date(repository) -> None:
    git(repository, "checkout", "-q", "-b", "weights")
    edit_portal(repository, "    closure: 20\n", "    closure: 40\n")
    commit_on(repository, "2025-03-01T09:00:00+08:00", "backdated weight change")
    git(repository, "checkout", "-q", "main")
    git(repository, "merge", "-q", "--no-ff", "-m", "merge weights", "weights", when="2026-04-02T16:00:00+08:00")
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert [v.since for v in book.versions] == [D(2025, 1, 10), D(2026, 4, 2)]
    assert book.at(D(2026, 3, 31)).reports.weights.closure == 20
    assert book.at(D(2026, 4, 2)).reports.weights.closure == 40


def test_a_change_outside_the_rules_is_no_new_version_and_a_clock_gone_back_is_no_earlier_day(repository) -> None:
    edit_portal(repository, 'title: "', 'title: "新')
    commit_on(repository, "2025-05-01T09:00:00+08:00", "a new title")
    edit_portal(repository, "  stale_days: 45\n", "  stale_days: 30\n")
    commit_on(repository, "2024-12-01T09:00:00+08:00", "a commit from a clock set wrong")
    history = read_portal_history(repository / "ledgers", CITY)
    assert history.gap is None
    assert [(v.since, v.thresholds.stale_days) for v in history.versions] == [(D(2025, 1, 10), 45),
                                                                            (D(2025, 5, 1), 30)]


def test_the_day_is_the_citys_day(repository) -> None:
    edit_portal(repository, "  yellow_lag: 10\n", "  yellow_lag: 15\n")
    commit_on(repository, "2026-02-28T17:30:00+00:00", "late on the last day of February, UTC")  # 1 March, 01:30 in the city
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert book.versions[-1].since == D(2026, 3, 1)
    assert book.at(D(2026, 2, 28)).thresholds.yellow_lag == 10


def test_an_uncommitted_edit_is_in_force_from_today_only(repository) -> None:
    edit_portal(repository, "    lag: 10\n", "    lag: 25\n")
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert [(v.since, v.commit is None) for v in book.versions] == [(D(2025, 1, 10), False), (AS_OF, True)]
    assert book.at(AS_OF - dt.timedelta(days=1)).reports.weights.lag == 10
    assert "尚未提交" in book.sentence(AS_OF, "排名权重")


def test_a_forked_portal_starts_its_record_with_its_own_city(repository) -> None:
    edit_portal(repository, f'city: "{CITY}"', 'city: "某市"')
    edit_portal(repository, "    overdue: 20\n", "    overdue: 35\n")
    commit_on(repository, "2026-01-20T09:00:00+08:00", "another city's portal")
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert [v.since for v in book.versions] == [D(2026, 1, 20)]  # the upstream sample's rules are not its rules
    assert book.at(D(2025, 6, 30)).reports.weights.overdue == 35
    sentence = book.sentence(D(2025, 6, 30), "排名权重")
    assert "现存最早的一版（2026-01-20 起施行" in sentence and "没有更早的规则记录" in sentence
    assert book.warning() is None


def test_a_version_the_schema_no_longer_reads_ends_the_record_and_says_so(repository) -> None:
    edit_portal(repository, "  stale_days: 45\n", "  stale_days: 45\n  old_key: 1\n")
    commit_on(repository, "2025-04-01T09:00:00+08:00", "a key later renamed")
    edit_portal(repository, "  old_key: 1\n", "")
    edit_portal(repository, "    rebound: 10\n", "    rebound: 5\n")
    commit_on(repository, "2025-09-01T09:00:00+08:00", "renamed")
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert [v.since for v in book.versions] == [D(2025, 9, 1)]
    assert "读不出规则" in book.gap and "2025-09-01 以前" in book.warning()
    assert "修改记录不完整" in book.sentence(D(2025, 6, 30), "排名权重")


def test_a_shallow_clone_says_its_history_is_incomplete(repository, tmp_path) -> None:
    edit_portal(repository, "    on_time: 30\n", "    on_time: 50\n")
    commit_on(repository, "2026-03-05T09:00:00+08:00", "weights")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repository}", str(clone)],
                   env={**os.environ, **GIT_ENV}, check=True, capture_output=True)
    book = rules_through_time(clone / "ledgers", portal_of(clone), AS_OF)
    assert [v.since for v in book.versions] == [D(2026, 3, 5)]
    assert "浅克隆" in book.gap and "fetch-depth: 0" in book.warning()


def test_without_a_repository_every_report_uses_todays_file_and_the_build_says_so(capsys, tmp_path) -> None:
    shutil.copytree(ROOT / "ledgers", tmp_path / "ledgers")
    portal = portal_of(tmp_path)
    book = rules_through_time(tmp_path / "ledgers", portal, AS_OF)
    assert book.versions == current_only(portal).versions
    assert "不在 git 仓库中" in book.warning() and "fetch-depth: 0" in book.warning()
    assert "未读到规则的修改记录" in book.sentence(D(2025, 6, 30), "排名权重")
    docs = tmp_path / "docs"
    code, _, err = rectify(capsys, "build", "--ledgers", str(tmp_path / "ledgers"), "--docs", str(docs),
                           "--as-of", AS_OF.isoformat(), "--today", AS_OF.isoformat())
    assert code == 0
    assert f"提醒：{book.warning()}" in err
    index = (docs / "reports" / "index.md").read_text(encoding="utf-8")
    assert book.notice() in index and book.warning() not in index  # the public reads the notice, not the tools


def test_a_site_as_of_a_past_day_lists_only_the_versions_known_that_day(repository) -> None:
    edit_portal(repository, "    on_time: 30\n", "    on_time: 50\n")
    commit_on(repository, "2026-03-05T09:00:00+08:00", "weights")
    book = rules_through_time(repository / "ledgers", portal_of(repository), AS_OF)
    assert [v.since for v in book.known_on(D(2026, 3, 4))] == [D(2025, 1, 10)]
    assert [v.since for v in book.known_on(D(2026, 3, 5))] == [D(2025, 1, 10), D(2026, 3, 5)]
    assert [v.since for v in book.known_on(D(2024, 1, 1))] == [D(2025, 1, 10)]  # the oldest, always


def test_a_weight_changed_the_day_the_ledger_was_first_committed_leaves_the_days_before_as_they_were(
        tmp_path) -> None:
    """A ledger put into git after the campaign began, its weights changed the same day: the periods before that day
    keep the first version on record, and the day itself has the change."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    first = commit_on(repository, "2026-12-03T09:00:00+08:00", "sample ledger")
    edit_portal(repository, "    on_time: 30\n", "    on_time: 45\n")
    commit_on(repository, "2026-12-03T15:00:00+08:00", "weights")
    book = rules_through_time(repository / "ledgers", portal_of(repository), D(2026, 12, 3))
    assert book.at(AS_OF).reports.weights.on_time == 30 and book.at(AS_OF).commit == first
    assert book.at(D(2026, 12, 3)).reports.weights.on_time == 45
    edit_portal(repository, "    on_time: 45\n", "    on_time: 50\n")  # and an uncommitted edit that day too
    book = rules_through_time(repository / "ledgers", portal_of(repository), D(2026, 12, 3))
    assert [(v.reports.weights.on_time, v.commit is None) for v in book.versions] == [(30, False), (50, True)]


def test_a_partial_clone_without_old_file_contents_says_its_history_is_incomplete(repository, tmp_path) -> None:
    edit_portal(repository, "    on_time: 30\n", "    on_time: 50\n")
    commit_on(repository, "2026-03-05T09:00:00+08:00", "weights")
    git(repository, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", f"file://{repository}", str(clone)],
                   env={**os.environ, **GIT_ENV}, check=True, capture_output=True)
    book = rules_through_time(clone / "ledgers", portal_of(clone), AS_OF)
    assert [v.since for v in book.versions] == [D(2026, 3, 5)]
    assert "部分克隆" in book.gap and book.warning()
