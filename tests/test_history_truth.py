"""The history page and the feeds tell the truth plainly (issue 19, fifth point): a finished week without a snapshot
is a finding wherever the history is reported, weeks are named as the public names them, and the feeds' links are
absolute at the portal's address when it is known."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.model.calendar import Week
from generator.writing.build import build

from .conftest import AS_OF, ROOT, sample_as_published
from .test_cli import rectify

ATOM = "{http://www.w3.org/2005/Atom}"
WEEK_48 = "第 48 周（11月23日—11月29日）"
TODAY = dt.date(2026, 12, 3)  # a Thursday: week 48 ended on Sunday 29 November and its snapshot is due
GIT_ENV = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def test_a_week_is_named_as_the_public_names_it() -> None:
    assert Week(2026, 48).name == "2026年第 48 周（11月23日—11月29日）"
    assert Week(2026, 1).name == "2026年第 1 周（2025年12月29日—1月4日）"  # the year its number counts in
    assert Week(2026, 53).name == "2026年第 53 周（12月28日—2027年1月3日）"


@pytest.fixture
def week_48_not_taken(tmp_path: Path) -> Path:
    """The sample with its snapshots up to week 47 in a git repository: week 48's was never taken."""
    repository = sample_as_published(tmp_path)
    for args in (("init", "-q", "-b", "main"), ("add", "-A", "ledgers", "snapshots"), ("commit", "-q", "-m", "x")):
        subprocess.run(["git", "-C", str(repository), *args], check=True, env={**os.environ, **GIT_ENV},
                       stdout=subprocess.DEVNULL)
    assert sorted(p.name for p in (repository / "snapshots").glob("*.json"))[-1] == "2026-W47.json"
    return repository


def test_validate_history_reports_a_finished_week_after_the_last_snapshot(
        week_48_not_taken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = rectify(capsys, "validate", str(week_48_not_taken / "ledgers"), "--today", TODAY.isoformat(),
                           "--history")
    found = [line for line in out.splitlines() if " E343 " in line]
    assert code == 1 and len(found) == 1, out
    assert "snapshots/2026-W48.json:1:1: E343 " in found[0]
    assert WEEK_48 in found[0] and "2026-W48" not in found[0].split(" E343 ")[1]
    assert "rectify snapshot --all" in found[0]


def test_on_the_monday_the_week_just_ended_is_awaited_not_reported(
        week_48_not_taken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monday = dt.date(2026, 11, 30)
    code, out, _ = rectify(capsys, "validate", str(week_48_not_taken / "ledgers"), "--today", monday.isoformat(),
                           "--history")
    assert " E343 " not in out, out
    docs = week_48_not_taken / "docs"
    build(week_48_not_taken / "ledgers", docs, monday, "test", monday)
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "核验通过" in history and f"{WEEK_48}已于 2026年11月29日结束，它的快照由每周一的快照任务生成，尚未发布" in history


def test_the_portal_says_a_week_has_no_snapshot(week_48_not_taken: Path) -> None:
    docs = week_48_not_taken / "docs"
    build(week_48_not_taken / "ledgers", docs, TODAY, "test", TODAY)
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "核验通过" not in history and "快照链完整" not in history
    assert f"1 周的快照没有生成：2026年{WEEK_48}" in history
    assert "最新一份快照：[2026年第 47 周（11月16日—11月22日）]" in history
    home = (docs / "index.md").read_text(encoding="utf-8")
    assert "历史记录变更公示" in home and f"1 周的快照没有生成：2026年{WEEK_48}" in home
    feed = ET.parse(docs / "feed.xml").getroot()
    notices = [e.findtext(f"{ATOM}summary") for e in feed.iter(f"{ATOM}entry")
               if e.findtext(f"{ATOM}title") == "历史记录变更公示"]
    assert len(notices) == 1 and f"1 周的快照没有生成：2026年{WEEK_48}" in notices[0]
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "每周快照：2026年第 47 周（11月16日—11月22日）" in titles
    for text in (history, home, notices[0]):
        assert "第 2026-W" not in text


def test_a_build_for_a_past_day_asks_only_for_the_weeks_ended_by_then(week_48_not_taken: Path) -> None:
    docs = week_48_not_taken / "docs"
    build(week_48_not_taken / "ledgers", docs, AS_OF, "test", TODAY)  # as of Tuesday of week 48, built later
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "核验通过" in history and "2026年第 48 周" not in history


def _links(feed: Path) -> list[str]:
    return [link.get("href") for link in ET.parse(feed).getroot().iter(f"{ATOM}link")]


def test_feed_links_are_absolute_at_the_site_address(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    build(ROOT / "ledgers", docs, AS_OF, "test", AS_OF, site_url="https://zhenggai.example.gov.cn/portal")
    base = "https://zhenggai.example.gov.cn/portal/"
    for feed in (docs / "feed.xml", docs / "feeds" / "education.xml"):
        links = _links(feed)
        assert len(links) > 20 and all(link.startswith(base) for link in links), feed
    city = _links(docs / "feed.xml")
    assert base + "feed.xml" in city and base in city and base + "reports/xun/2026-11-2/" in city
    assert base + "problems/JY-2025-005/" in _links(docs / "feeds" / "education.xml")
    assert base + "feeds/education.xml" in _links(docs / "feeds" / "education.xml")


def test_a_local_build_without_an_address_keeps_relative_links(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    build(ROOT / "ledgers", docs, AS_OF, "test", AS_OF)
    assert "reports/xun/2026-11-2/" in _links(docs / "feed.xml")
    assert any(link.startswith("../problems/") for link in _links(docs / "feeds" / "education.xml"))


def test_the_build_takes_the_address_from_site_url(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://zg.example.cn/")
    code, _, err = rectify(capsys, "build", "--ledgers", str(ROOT / "ledgers"), "--docs", str(tmp_path / "docs"),
                           "--as-of", AS_OF.isoformat(), "--today", AS_OF.isoformat(), "--commit", "test")
    assert code == 0, err
    assert all(link.startswith("https://zg.example.cn/") for link in _links(tmp_path / "docs" / "feed.xml"))


@pytest.mark.parametrize("address", ["", "/"])
def test_publishing_refuses_without_the_site_address(tmp_path: Path, capsys, monkeypatch, address: str) -> None:
    monkeypatch.setenv("SITE_URL", address)  # what the publish jobs pass when the address was never set
    monkeypatch.setenv("RECTIFY_REQUIRE_SITE_URL", "1")  # what they set
    code, _, err = rectify(capsys, "site", "--ledgers", str(ROOT / "ledgers"), "--docs", str(tmp_path / "docs"),
                           "--config", str(ROOT / "mkdocs.yml"), "--as-of", AS_OF.isoformat(),
                           "--today", AS_OF.isoformat(), "--commit", "test")
    assert code == 2 and "SITE_URL" in err and "完整的 http(s) 网址" in err, err
    assert not (tmp_path / "docs").exists()  # nothing was generated
