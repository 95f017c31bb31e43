"""Attacks on the published history, each tried as the office or a department could (issue 17, part 2): a forged
figure with the chain re-hashed, a department's figure forged where a problem differs too, an in-place edit of
a problem's fields or of an inspection record, the newest snapshot deleted, the chain rebuilt from scratch, and a
rewrite that only a saved copy of the feed can prove (`rectify verify`). Each is reported by the check, by
`rectify validate --history`, and publicly by the build (history page, home page, feed)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.commands.snapshot import take
from generator.commands.verify import verify
from generator.derivation.snapshot import check_history, render, sha256, trend
from generator.loading.snapshots import (
    MissingFile,
    SavedCopyError,
    git_record,
    read_folder,
    read_saved,
    read_saved_copy,
)
from generator.model import delta
from generator.validation.report import validate
from generator.writing.build import build

from .conftest import AS_OF, ROOT, sample_as_published
from .test_cli import rectify

GIT_ENV = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of the sample as published on AS_OF, outside any git repository."""
    return sample_as_published(tmp_path)


def _check(repository: Path, today: dt.date = AS_OF):
    return check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"),
                         today=today)


def _forge(repository: Path, name: str, change: Callable[[dict], None]) -> None:
    """Edit one snapshot, then re-hash the chain after it, as someone who knows how the chain works would."""
    folder = repository / "snapshots"
    snapshot = json.loads((folder / name).read_bytes())
    change(snapshot)
    (folder / name).write_bytes(render(snapshot))
    previous = None
    for file in read_folder(folder):
        if previous is not None and file.name > name:
            later = json.loads(file.data)
            later["previous"] = sha256(previous)
            (folder / file.name).write_bytes(render(later))
        previous = (folder / file.name).read_bytes()


def _rewrite_an_old_entry(repository: Path) -> None:
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")


def _git(repository: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repository), *args], check=True, env={**os.environ, **GIT_ENV},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _commit_all(repository: Path, message: str) -> None:
    _git(repository, "add", "-A", "ledgers", "snapshots")
    _git(repository, "commit", "-q", "-m", message)


# ---------------------------------------------------------------- forged figures


def _more_and_redder(snapshot: dict) -> None:
    snapshot["city"]["total"] += 55
    snapshot["city"]["light"]["red"] += 8


def test_a_forged_city_figure_with_the_chain_rehashed_is_reported_and_never_charted(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    honest = _check(repository)
    _forge(repository, "2025-W30.json", _more_and_redder)
    check = _check(repository)
    assert [(d.week, d.field) for d in check.discrepancies] == [("2025-W30", "city")]
    assert "共 " in check.discrepancies[0].recorded and check.discrepancies[0].recorded != check.discrepancies[0].now
    # the charts come from the ledger, week by week: the forged week is charted as the ledger gives it
    assert trend(check) == trend(honest)
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    findings = [line for line in out.splitlines() if " E342 " in line]
    assert len(findings) == 1 and findings[0].startswith(f"{repository / 'snapshots' / '2025-W30.json'}:3:"), out
    docs = repository / "docs"
    build(repository / "ledgers", docs, AS_OF, "test", AS_OF)
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "历史记录变更公示" in history and "全市统计" in history and "2025-W30" in history
    assert "统计数字不是其所记问题的合计" in (docs / "index.md").read_text(encoding="utf-8")
    assert "统计数字不是其所记问题的合计" in (docs / "feed.xml").read_text(encoding="utf-8")


def test_a_department_figure_forged_in_a_week_where_a_problem_differs_too_is_still_reported(repository: Path) -> None:
    _rewrite_an_old_entry(repository)  # JY-2025-005 differs from week 38 on

    def one_more_closed(snapshot: dict) -> None:
        market = snapshot["departments"]["market"]["status"]
        market["closed"] += 1
        market["in_progress"] -= 1

    _forge(repository, "2026-W40.json", one_more_closed)
    check = _check(repository)
    forged = [d for d in check.discrepancies if d.field == "department"]
    assert [(d.week, d.recorded.split("：")[0]) for d in forged] == [("2026-W40", "市市场监督管理局")]
    assert {d.problem for d in check.discrepancies if d.problem} == {"JY-2025-005"}
    week = next(s for s in check.by_week if s.week == "2026-W40")
    assert (week.problems, week.issues) == (1, ("department",))


# ---------------------------------------------------------------- fields and inspections edited in place


def test_a_target_lowered_in_place_is_a_rewritten_past(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    text = problem.read_text(encoding="utf-8")
    problem.write_text(text.replace("隐形变异培训行为全部查处", "隐形变异培训行为基本查处"), encoding="utf-8")
    check = _check(repository)
    found = check.for_problem("JY-2025-005")
    assert [(d.field, d.week, d.weeks) for d in found] == [("record_sha256", "2025-W23", 77)]
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    line = next(line for line in out.splitlines() if " E340 " in line)
    assert "JY-2025-005.yml:" in line and "问题信息" in line and "不得直接修改" in line


def test_a_milestone_marked_done_earlier_changes_only_the_weeks_between(repository: Path) -> None:
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    text = problem.read_text(encoding="utf-8")
    problem.write_text(text.replace("done: 2025-08-30", "done: 2025-08-10"), encoding="utf-8")
    found = _check(repository).for_problem("JY-2025-005")
    # from week 32 (as of 2025-08-10) the record as written differs: first "not done yet", then done on another day
    assert [(d.field, d.week, d.last, d.weeks) for d in found] == [("record_sha256", "2025-W32", "2026-W47", 68)]
    assert [d.field for d in found] == ["record_sha256"]  # the log, the status and the percent are untouched


def test_an_inspection_record_turned_from_criticism_to_praise_is_reported(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = repository / "ledgers" / "inspections" / "DC-2025-001.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("方案仍在征求意见，项目分类尚不清晰", "方案已印发，成效明显"), encoding="utf-8")
    check = _check(repository)
    assert [(d.inspection, d.week, d.field) for d in check.discrepancies] == [("DC-2025-001", "2025-W12", "inspection")]
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1 and any(line.startswith(f"{repository / 'ledgers'}/inspections/DC-2025-001.yml:2:") and " E345 " in line
                             for line in out.splitlines()), out


# ---------------------------------------------------------------- deleted snapshots


def test_a_deleted_newest_snapshot_is_reported_once_its_monday_has_passed(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repository / "snapshots" / "2026-W47.json").unlink()
    # Sunday the week ends, Monday the weekly job takes its snapshot: until then nothing is missing
    for day in (dt.date(2026, 11, 22), dt.date(2026, 11, 23)):
        check = _check(repository, today=day)
        assert check.intact and check.pending == ("2026-W47", dt.date(2026, 11, 22)), day
    check = _check(repository)  # Tuesday 2026-11-24
    assert [(d.week, d.field) for d in check.discrepancies] == [("2026-W47", "missing")]
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1 and sum(" E343 " in line and "2026-W47" in line for line in out.splitlines()) == 1, out
    docs = repository / "docs"
    build(repository / "ledgers", docs, AS_OF, "test", AS_OF)
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "缺少 1 周的快照：2026年第 47 周（11月16日—11月22日）" in history
    assert '<tr><td>2026年第 47 周（11月16日—11月22日）</td><td>缺少快照</td>' in history
    assert "缺少 1 周的快照" in (docs / "index.md").read_text(encoding="utf-8")
    assert "缺少 1 周的快照" in (docs / "feed.xml").read_text(encoding="utf-8")
    # the charts still have that week, from the ledger
    assert check.figures[-1][0] == "2026-W47"


def test_a_gap_in_the_middle_names_the_week(repository: Path) -> None:
    for name in ("2026-W10.json", "2026-W11.json"):
        (repository / "snapshots" / name).unlink()
    check = _check(repository)
    assert [(d.week, d.field) for d in check.discrepancies] == [
        ("2026-W10", "missing"), ("2026-W11", "missing"), ("2026-W12", "chain")]
    assert "2026年第 10 周（3月2日—3月8日）、2026年第 11 周（3月9日—3月15日）" in check.summary()


def _git_sample(repository: Path) -> None:
    _git(repository, "init", "-q", "-b", "main")
    _commit_all(repository, "the sample as published")


def test_with_the_git_history_a_deleted_week_is_told_from_one_never_taken(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git_sample(repository)
    (repository / "snapshots" / "2026-W47.json").unlink()
    _commit_all(repository, "the newest snapshot removed")
    ledgers = str(repository / "ledgers")
    code, out, _ = rectify(capsys, "validate", ledgers, "--today", AS_OF.isoformat(), "--history")
    assert code == 1 and any(" E343 " in line and "曾经提交过，后来被删除了" in line for line in out.splitlines()), out
    # a week the weekly job never took after the newest snapshot: the job can still take it (issue 19)
    later = dt.date(2026, 12, 2)  # a Wednesday: week 48 (to 2026-11-29) should have its snapshot
    _git(repository, "checkout", "-q", "HEAD~1", "--", "snapshots")
    _commit_all(repository, "the newest snapshot restored")
    code, out, _ = rectify(capsys, "validate", ledgers, "--today", later.isoformat(), "--history")
    assert code == 1 and any(" E343 " in line and "从未提交过" in line for line in out.splitlines()), out
    from generator.validation.rules.published import published_history

    check = published_history(validate(repository / "ledgers", later).ledger, repository / "ledgers", today=later)
    assert [(d.week, d.field) for d in check.discrepancies] == [("2026-W48", "overdue")]
    assert "1 周的快照没有生成：2026年第 48 周（11月23日—11月29日）" in check.summary()


def test_a_chain_rebuilt_from_scratch_is_caught_through_the_git_history(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git_sample(repository)
    _rewrite_an_old_entry(repository)
    for path in (repository / "snapshots").glob("*.json"):
        path.unlink()
    take(repository / "ledgers", AS_OF, every_week=True)  # README's own `rm snapshots/*.json && rectify snapshot --all`
    _commit_all(repository, "snapshots regenerated")
    ledger = validate(repository / "ledgers", AS_OF).ledger
    files = read_folder(repository / "snapshots")
    assert check_history(ledger, files, today=AS_OF).intact  # the files alone agree with the rewritten ledger
    record = git_record(repository / "snapshots", files)
    assert record.available and not record.shallow and len(record.gone) == 92
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    replaced = [line for line in out.splitlines() if " E344 " in line]
    assert [line.split("snapshots/")[1][:8] for line in replaced] == [f"2026-W{n}" for n in range(38, 48)], out
    assert any(" E340 " in line and "JY-2025-005.yml" in line for line in out.splitlines())
    docs = repository / "docs"
    build(repository / "ledgers", docs, AS_OF, "test", AS_OF)
    history = (docs / "history.md").read_text(encoding="utf-8")
    assert "10 份曾经提交的快照被替换或删除" in history and "内容与现在的台账相符" in history  # weeks 8 to 37 still agree
    assert "历史记录变更公示" in (docs / "problems" / "JY-2025-005.html").read_text(encoding="utf-8")
    assert "历史记录变更公示" in (docs / "index.md").read_text(encoding="utf-8")


def test_snapshots_replaced_by_a_new_format_are_listed_not_reported(repository: Path) -> None:
    """The honest migration: the chain regenerated by a new format, the ledger untouched."""
    _git_sample(repository)
    (repository / "snapshots" / "2026-W47.json").write_bytes(
        (repository / "snapshots" / "2026-W47.json").read_bytes().replace(b'"format":2', b'"format":2 '))
    check = check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"),
                          today=AS_OF, replaced=git_record(repository / "snapshots",
                                                           read_folder(repository / "snapshots")).gone)
    assert check.intact and [(r.week, r.reproduces) for r in check.replaced] == [("2026-W47", True)]


# ---------------------------------------------------------------- a saved copy proves a rewrite


def test_verify_against_a_saved_feed_proves_a_rewrite_even_after_a_force_push(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git_sample(repository)
    build(repository / "ledgers", repository / "docs", AS_OF, "test", AS_OF)
    saved = repository.parent / "feed-saved-last-month.xml"
    shutil.copyfile(repository / "docs" / "feed.xml", saved)
    folder = repository.parent / "snapshots-saved"
    shutil.copytree(repository / "docs" / "data" / "snapshots", folder)
    ledgers = str(repository / "ledgers")
    code, out, _ = rectify(capsys, "verify", str(saved), "--ledgers", ledgers, "--today", AS_OF.isoformat())
    assert code == 0 and "仍然原样给出" in out, out
    # the rewrite: an old entry changed, the chain regenerated, and the git history replaced (a force-push)
    _rewrite_an_old_entry(repository)
    for path in (repository / "snapshots").glob("*.json"):
        path.unlink()
    take(repository / "ledgers", AS_OF, every_week=True)
    shutil.rmtree(repository / ".git")
    _git_sample(repository)
    assert check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"),
                         today=AS_OF, replaced=git_record(repository / "snapshots", []).gone).intact
    code, out, _ = rectify(capsys, "verify", str(saved), "--ledgers", ledgers, "--today", AS_OF.isoformat())
    assert code == 1
    weeks = [line.split(" ")[1] for line in out.splitlines() if line.startswith("第 ")]
    assert weeks == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"], out  # the digests the feed carried
    assert "git 历史里也找不到这个版本" in out and "（2026-W44、2026-W45、2026-W46、2026-W47）" in out
    # a saved folder holds the files themselves: their content is checked too
    # (every file of a regenerated chain differs: each records the commit it was taken at and the link before it)
    result = verify(repository / "ledgers", str(folder), AS_OF)
    assert len(result.verdicts) == 92 and not any(v.outcome == "reproduced" for v in result.verdicts)
    rewritten = [v.week for v in result.verdicts if "现在的台账已算不出来" in v.detail]
    assert rewritten == [f"2026-W{n}" for n in range(38, 48)]
    assert all("仍然相符" in v.detail for v in result.verdicts if v.week not in rewritten)
    # an address saved earlier, read through the fetch it is given (no network in the tests): the published
    # folder's SHA256SUMS, newest file and deltas, every week rebuilt from them as from the saved folder
    fetched = []
    site = "https://example.org/zhenggai/"

    def fetch(url: str) -> bytes:
        fetched.append(url)
        if url.endswith("feed.xml"):
            return saved.read_bytes()
        path = folder / url.removeprefix(site + "data/snapshots/")
        if not path.is_file():
            raise MissingFile(url)
        return path.read_bytes()

    assert not verify(repository / "ledgers", site + "feed.xml", AS_OF, fetch).reproduced
    by_address = verify(repository / "ledgers", site + "data/snapshots/", AS_OF, fetch)
    assert fetched[:4] == [site + "feed.xml", site + "data/snapshots/SHA256SUMS", site + "data/snapshots/2026-W47.json",
                           site + "data/snapshots/2026-W46.json.delta"]
    assert len(fetched) == 2 + 92 and not by_address.issues
    assert by_address.verdicts == result.verdicts


def test_a_snapshot_saved_under_another_name_is_known_by_its_week(tmp_path: Path) -> None:
    (tmp_path / "download.json").write_text('{"week": "2026-W47"}', encoding="utf-8")
    assert [d.name for d in read_saved(str(tmp_path / "download.json"))] == ["2026-W47.json"]
    for week in ('"2026-W54"', '"47"', "47", "null"):
        (tmp_path / "download.json").write_text(f'{{"week": {week}}}', encoding="utf-8")
        with pytest.raises(SavedCopyError, match="不是周快照文件"):
            read_saved(str(tmp_path / "download.json"))


def test_verify_says_what_it_cannot_read_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("没有摘要\n", encoding="utf-8")
    code, _, err = rectify(capsys, "verify", str(tmp_path / "notes.txt"))
    assert code == 2 and "SHA-256" in err and "Traceback" not in err


# ---------------------------------------------------------------- the published folder itself (issue 21: deltas)


@pytest.fixture
def published(repository: Path, sample_docs: Path) -> Path:
    """A saved copy of the sample portal's data/snapshots/ (SHA256SUMS, the newest file, the older deltas)."""
    folder = repository / "saved-snapshots"
    shutil.copytree(sample_docs / "data" / "snapshots", folder)
    return folder


def _edit_delta(folder: Path, name: str) -> None:
    """A figure changed in a week's delta, as someone would who wants an old week to say something else."""
    path = folder / f"{name}.delta"
    text = path.read_text(encoding="utf-8")
    assert '"as_of":"' in text
    path.write_text(text.replace('"as_of":"', '"as_of":"1', 1), encoding="utf-8")


def _edit_sums(folder: Path, name: str) -> None:
    path = folder / "SHA256SUMS"
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    path.write_text("".join(("0" * 64 + line[64:]) if line.endswith(f"  {name}\n") else line for line in lines),
                    encoding="ascii")


def _edit_newest(folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(path.read_bytes().replace(b'"format":2', b'"format":3'))


def _drop_delta(folder: Path, name: str) -> None:
    (folder / f"{name}.delta").unlink()


def _drop_week(folder: Path, name: str) -> None:
    """A week taken out of the published chain: its line and its delta gone, the week before re-based on the
    week after, so that every file still rebuilds and has its digest."""
    names = [line.split("  ")[1] for line in (folder / "SHA256SUMS").read_text(encoding="ascii").splitlines()]
    before, after = names[names.index(name) - 1], names[names.index(name) + 1]
    _drop_delta(folder, name)
    sums = folder / "SHA256SUMS"
    sums.write_text("".join(line for line in sums.read_text(encoding="ascii").splitlines(keepends=True)
                            if not line.endswith(f"  {name}\n")), encoding="ascii")
    (folder / f"{before}.delta").write_bytes(delta.make((ROOT / "snapshots" / after).read_bytes(),
                                                        (ROOT / "snapshots" / before).read_bytes()))


@pytest.mark.parametrize(("tamper", "tampered", "week", "said"), [
    (_edit_delta, "2026-W40", "2026-W40", "所以是差量文件 2026-W40.json.delta 被改动过"),
    (_edit_sums, "2026-W30", "2026-W30", "SHA256SUMS 中这一周的摘要被改动过"),
    (_edit_newest, "2026-W47", "2026-W47", "最新一周的完整文件或 SHA256SUMS 被改动过"),
    (_drop_delta, "2025-W20", "2025-W20", "既没有差量文件 2025-W20.json.delta，也没有完整文件 2025-W20.json"),
    (_drop_week, "2026-W10", "2026-W11", "那是 2026-W10 周的快照，SHA256SUMS 里没有这一周，它被删去了"),
])
def test_verify_names_the_week_of_a_tampered_published_folder(
        repository: Path, published: Path, tamper: Callable[[Path, str], None], tampered: str, week: str, said: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    args = ("verify", str(published), "--ledgers", str(repository / "ledgers"), "--today", AS_OF.isoformat())
    code, out, _ = rectify(capsys, *args)
    assert code == 0 and "仍然原样给出" in out, out
    tamper(published, f"{tampered}.json")
    code, out, _ = rectify(capsys, *args)
    assert code == 1, out
    findings = [line for line in out.splitlines() if line.startswith("保存的快照文件夹里")]
    assert len(findings) == 1 and findings[0].startswith(f"保存的快照文件夹里第 {week} 周：") and said in findings[0], out
    assert f"保存的快照文件夹本身有 1 周对不上（{week}）" in out


def test_without_the_repositorys_files_a_lost_delta_leaves_the_weeks_before_it_unverifiable(published: Path) -> None:
    """Read alone (no repository to stand in for a week), each older delta needs the week after it."""
    (published / "2025-W20.json.delta").unlink()
    copy = read_saved_copy(str(published))
    assert [i.week for i in copy.issues] == ["2025-W19", "2025-W20"]
    assert copy.issues[0].message.startswith("2025年第 8 周（2月17日—2月23日）至2025年第 19 周（5月5日—5月11日）（12 周）"
                                             "的差量文件要套用在后一周的文件上"), copy.issues[0].message
    assert copy.issues[1].message.startswith("既没有差量文件 2025-W20.json.delta")
    assert sum(d.data is not None for d in copy.digests) == 92 - 13


def test_a_folder_saved_before_the_deltas_with_every_week_in_full_still_verifies(repository: Path) -> None:
    folder = repository / "saved-in-full"
    shutil.copytree(repository / "snapshots", folder)
    (folder / "SHA256SUMS").write_text("".join(f"{sha256(f.data)}  {f.name}\n" for f in read_folder(folder)),
                                       encoding="ascii")
    copy = read_saved_copy(str(folder))
    assert copy.issues == () and all(d.data is not None for d in copy.digests) and len(copy.digests) == 92


def test_an_address_is_read_over_http_and_a_missing_delta_is_a_finding_not_a_failure(published: Path) -> None:
    """The real download (fetch_url) from a plain web server: a file the server does not have (404) is a missing
    file of the folder, reported by week, and the rest is still read."""
    import functools
    import http.server
    import threading

    (published / "2026-W40.json.delta").unlink()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(published))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        copy = read_saved_copy(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        thread.join()
    assert len(copy.digests) == 92 and [i.week for i in copy.issues] == ["2026-W39", "2026-W40"]
    assert copy.issues[1].message == "既没有差量文件 2026-W40.json.delta，也没有完整文件 2026-W40.json"
    assert [d.data is not None for d in copy.digests][-7:] == [True] * 7
