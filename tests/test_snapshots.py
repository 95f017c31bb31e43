"""Weekly snapshots and honest history: the committed sample chain, the command's refusals, and a
rewritten past entry or snapshot caught by `rectify validate --history` and shown publicly by the build."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator.commands.snapshot import SnapshotError, take
from generator.derivation.snapshot import check_history, publication, render, sha256, snapshot_of
from generator.loading.snapshots import SnapshotFile, read_folder, read_saved_copy
from generator.model import delta
from generator.model.calendar import Week, week_label, weeks
from generator.validation.report import validate
from generator.writing.build import build

from .conftest import AS_OF, ROOT, sample_as_published
from .test_cli import rectify

D = dt.date


# ---------------------------------------------------------------- the sample's committed snapshots


def test_the_sample_ships_a_snapshot_for_every_finished_week_in_one_chain() -> None:
    files = read_folder(ROOT / "snapshots")
    ledger = validate(ROOT / "ledgers", AS_OF).ledger
    expected = [w.label for w in weeks(ledger.portal.campaign_start, AS_OF) if w.finished(AS_OF)]
    assert [week_label(f.name) for f in files][:len(expected)] == expected
    previous = None
    for file in files:
        snapshot = json.loads(file.data)
        assert snapshot["previous"] == (sha256(previous.data) if previous else None), file.name
        assert snapshot["as_of"] == Week.parse(snapshot["week"]).last.isoformat()
        previous = file


def test_the_committed_snapshots_reproduce_from_todays_ledger() -> None:
    ledger = validate(ROOT / "ledgers", AS_OF).ledger
    check = check_history(ledger, read_folder(ROOT / "snapshots"))
    assert check.intact, check.discrepancies[:5]
    assert len(check.weeks) >= 92


def test_a_snapshot_records_what_a_reader_checks() -> None:
    snapshot = json.loads((ROOT / "snapshots" / "2026-W47.json").read_text(encoding="utf-8"))
    assert snapshot["format"] == 2
    assert snapshot["problem_fields"] == ["status", "light", "percent", "deadline", "log_sha256", "record_sha256"]
    # JY-2025-005: reopened on 2026-08-14 with a new deadline of 2026-11-15, overdue on 2026-11-22
    assert snapshot["problems"]["JY-2025-005"][:4] == ["overdue", "red", 70, "2026-11-15"]
    assert snapshot["thresholds"]["stale_days"] == 45
    assert snapshot["city"]["total"] == sum(d["total"] for d in snapshot["departments"].values())
    assert len(snapshot["commit"]) == 40
    assert sorted(snapshot["inspections"]) == sorted(
        i.inspection.id for i in validate(ROOT / "ledgers", AS_OF).ledger.inspections if i.inspection.date <= D(2026, 11, 22))


# ---------------------------------------------------------------- the command


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of the sample as published on AS_OF, outside any git repository."""
    return sample_as_published(tmp_path)


def test_taking_a_snapshot_twice_gives_the_same_bytes(repository: Path) -> None:
    shutil.rmtree(repository / "snapshots")
    first = take(repository / "ledgers", AS_OF, every_week=True)
    data = {t.path.name: t.path.read_bytes() for t in first}
    shutil.rmtree(repository / "snapshots")
    take(repository / "ledgers", AS_OF, every_week=True)
    assert {p.name: p.read_bytes() for p in (repository / "snapshots").iterdir()} == data
    assert json.loads(data["2025-W08.json"])["commit"] is None  # not a git repository
    assert [t.outcome for t in take(repository / "ledgers", AS_OF, every_week=True)] == []


def test_a_finished_week_is_kept_and_never_overwritten_with_different_contents(repository: Path) -> None:
    ledgers = repository / "ledgers"
    path = repository / "snapshots" / "2026-W38.json"
    before = path.read_bytes()
    assert take(ledgers, AS_OF, D(2026, 9, 16))[0].outcome == "unchanged"
    problem = ledgers / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")
    with pytest.raises(SnapshotError, match="不能覆盖"):
        take(ledgers, AS_OF, D(2026, 9, 16))
    assert path.read_bytes() == before


def test_the_running_week_is_provisional_and_replaced_until_it_ends(repository: Path) -> None:
    ledgers = repository / "ledgers"
    today = D(2026, 11, 25)  # a Wednesday
    taken = take(ledgers, today)[0]
    assert (taken.week.label, taken.as_of, taken.outcome) == ("2026-W48", today, "provisional")
    link = json.loads(taken.path.read_bytes())["previous"]
    assert link == sha256((repository / "snapshots" / "2026-W47.json").read_bytes())
    final = take(ledgers, D(2026, 11, 30), every_week=True)  # the week is over: the final snapshot replaces it
    assert [(t.week.label, t.as_of, t.outcome) for t in final] == [("2026-W48", D(2026, 11, 29), "written")]


def test_a_missing_week_before_a_later_snapshot_is_not_filled_in(repository: Path) -> None:
    (repository / "snapshots" / "2026-W10.json").unlink()
    with pytest.raises(SnapshotError, match="快照链就断了"):
        take(repository / "ledgers", AS_OF, D(2026, 3, 4))


def test_the_command_refuses_in_chinese_with_exit_1(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")
    code, _, err = rectify(capsys, "snapshot", "--ledgers", str(repository / "ledgers"), "--week", "2026-09-16",
                           "--today", AS_OF.isoformat())
    assert code == 1 and "2026-W38" in err and "已发布的历史记录不得改写" in err and "Traceback" not in err


# ---------------------------------------------------------------- tamper evidence


def _rewrite_an_old_entry(repository: Path) -> None:
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")


def test_an_edited_old_entry_is_an_error_of_validate_history_naming_problem_week_and_entry(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _rewrite_an_old_entry(repository)
    ledgers = str(repository / "ledgers")
    assert rectify(capsys, "validate", ledgers, "--today", AS_OF.isoformat())[0] == 0  # the ledger itself is valid
    code, out, _ = rectify(capsys, "validate", ledgers, "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    lines = [line for line in out.splitlines() if " E340 " in line]
    assert lines and all(line.startswith(f"{ledgers}/education/JY-2025-005.yml:67:") for line in lines), out
    assert "2026年第 38 周（9月14日—9月20日）" in lines[0] and "第 7 条（2026-09-15）" in lines[0] and "“50%”" in out and "“55%”" in out


def test_a_deleted_entry_and_a_backdated_one_are_caught(repository: Path) -> None:
    problem = repository / "ledgers" / "health" / "WJW-2025-003.yml"
    text = problem.read_text(encoding="utf-8")
    start = text.index("  - date: 2026-11-03")
    problem.write_text(text[:start], encoding="utf-8")  # the newest entry removed
    check = check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"))
    assert {(d.week, d.problem) for d in check.discrepancies} >= {("2026-W45", "WJW-2025-003")}
    opened = repository / "ledgers" / "transport" / "JT-2026-001.yml"
    text = opened.read_text(encoding="utf-8")
    day = text.split("opened: ")[1][:10]
    opened.write_text(text.replace(f"opened: {day}", "opened: 2025-03-01"), encoding="utf-8")
    check = check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"))
    assert any(d.problem == "JT-2026-001" and d.field == "presence" for d in check.discrepancies)


def test_an_edited_old_snapshot_breaks_the_chain(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repository / "snapshots" / "2025-W30.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"not_started"', '"in_progress"', 1), encoding="utf-8")
    code, out, _ = rectify(capsys, "validate", str(repository / "ledgers"), "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    chain = [line for line in out.splitlines() if " E341 " in line]
    assert len(chain) == 1 and chain[0].startswith(f"{repository / 'snapshots' / '2025-W31.json'}:"), out
    assert "2025-W30.json" in chain[0]


def test_thresholds_changed_later_do_not_count_as_rewritten_history(repository: Path) -> None:
    portal = repository / "ledgers" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("stale_days: 45", "stale_days: 20"), encoding="utf-8")
    check = check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"))
    assert check.intact


def test_the_build_shows_a_public_notice_on_the_page_of_a_problem_whose_past_changed(repository: Path) -> None:
    _rewrite_an_old_entry(repository)
    docs = repository / "docs"
    build(repository / "ledgers", docs, AS_OF, "test", AS_OF)
    page = (docs / "problems" / "JY-2025-005.html").read_text(encoding="utf-8")
    assert "历史记录变更公示" in page and "2026年第 38 周（9月14日—9月20日）起" in page and "快照记录为“50%”，现在的台账为“55%”" in page
    assert "历史记录变更公示" not in (docs / "problems" / "JY-2025-001.html").read_text(encoding="utf-8")
    history = (docs / "history.md").read_text(encoding="utf-8")
    # one row per problem: what differs, from which week to which, in how many snapshots, and the first difference
    assert '<tr><td class="rc-nowrap"><a href="../problems/JY-2025-005/">JY-2025-005</a></td><td>完成度、工作记录</td>' \
           '<td>2026年第 38 周（9月14日—9月20日）</td><td>2026年第 47 周（11月16日—11月22日）</td><td>10</td><td>完成度：50%</td>' \
           '<td>55%</td></tr>' in history
    # and one row per run of weeks that found the same
    assert '<tr><td>2026年第 38 周（9月14日—9月20日）至2026年第 47 周（11月16日—11月22日）（10 周）</td>' \
           '<td class="rc-nowrap">2026-11-22</td><td>1</td>' \
           '<td>0</td><td>—</td></tr>' in history
    assert "历史记录变更公示" in (docs / "index.md").read_text(encoding="utf-8")


def test_the_sample_build_says_its_history_checks_out_and_offers_every_snapshot(sample_docs: Path) -> None:
    history = (sample_docs / "history.md").read_text(encoding="utf-8")
    assert "**核验通过**" in history and "历史记录变更公示" not in (sample_docs / "index.md").read_text(encoding="utf-8")
    name = "2026-W47.json"
    data = (sample_docs / "data" / "snapshots" / name).read_bytes()
    assert data == (ROOT / "snapshots" / name).read_bytes() and sha256(data) in history
    assert "[历史记录核验](history.md)" in (sample_docs / "rules.md").read_text(encoding="utf-8")


def test_the_published_folder_rebuilds_every_week_byte_for_byte_from_the_newest_file_and_the_deltas(
        sample_docs: Path) -> None:
    """Issue 21: the newest week in full, every older week as a delta; walking back from the newest file gives
    every committed file exactly, with the digest SHA256SUMS names."""
    folder = sample_docs / "data" / "snapshots"
    sums = [line.split("  ") for line in (folder / "SHA256SUMS").read_text(encoding="ascii").splitlines()]
    names = [name for _, name in sums]
    assert len(names) == 92 and names == sorted(names) and names[-1] == "2026-W47.json"
    assert (folder / names[-1]).read_bytes() == (ROOT / "snapshots" / names[-1]).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(n + ".delta" for n in names[:-1]), names[-1],
                                                               "SHA256SUMS"])
    data = (folder / names[-1]).read_bytes()
    for digest, name in reversed(sums[:-1]):
        data = delta.apply(data, (folder / (name + ".delta")).read_bytes())
        assert data == (ROOT / "snapshots" / name).read_bytes(), name
        assert sha256(data) == digest
    published = sum(p.stat().st_size for p in folder.iterdir())
    assert published < 0.4 * sum((ROOT / "snapshots" / n).stat().st_size for n in names)
    history = (sample_docs / "history.md").read_text(encoding="utf-8")
    assert '<a href="../data/snapshots/2026-W47.json" download>完整文件</a>' in history
    assert '<a href="../data/snapshots/2026-W46.json.delta" download aria-label="2026年第 46 周（11月9日—11月15日）：差量文件">' \
           '差量文件</a><br><a href="https://github.com/zhouzhou-city/zhenggai/blob/HEAD/snapshots/2026-W46.json"' in history
    assert "<code>(cat 2026-W46.json.delta; echo w) | ed -s 复制的文件</code>" in history
    copy = read_saved_copy(str(folder))
    assert copy.issues == () and [(d.name, d.data) for d in copy.digests] == [
        (n, (ROOT / "snapshots" / n).read_bytes()) for n in names]


def test_a_delta_is_the_ed_script_diff_e_writes() -> None:
    """The documented format: commands from the end of the file to its start, numbering the next week's lines."""
    assert delta.make(b"a\nb\nc\n", b"a\nB\nc\nd\n") == b"3a\nd\n.\n2c\nB\n.\n"
    assert delta.make(b"a\nb\nc\nd\n", b"b\nd\n") == b"3d\n1d\n"
    assert delta.make(b"", b"x\n") == b"0a\nx\n.\n" and delta.make(b"x\ny\n", b"") == b"1,2d\n"
    assert delta.make(b"same\n", b"same\n") == b""


@pytest.mark.parametrize(("base", "target"), [
    (b"", b""),
    (b"{\n},\n},\n}\n", b"},\n{\n},\n}\n"),  # lines found more than once
    (b"1\n2\n3\n4\n5\n", b"5\n4\n3\n2\n1\n"),  # in another order: the longest run in order is kept
    (b"a\nb\n", b"\n\nb\n\n"),  # empty lines
    (b"k1:1\nk2:2\nk3:3\n", b"k0:0\nk1:1\nk3:4\nk4:4\n"),
    ("第一\n第二\n".encode(), "第一\n第三\r\n".encode()),
])
def test_a_delta_rebuilds_its_file_exactly(base: bytes, target: bytes) -> None:
    assert delta.apply(base, delta.make(base, target)) == target


def test_a_file_no_ed_script_can_rebuild_is_published_in_full() -> None:
    """An ed script cannot hold a line that is only "." nor a file without a final newline: such a week (no
    `rectify snapshot` writes one) is offered in full; the others around it still as deltas."""
    files = [SnapshotFile("2026-W45.json", b"{\n.\n}\n"), SnapshotFile("2026-W46.json", b'{"x":1}'),
             SnapshotFile("2026-W47.json", b"{\n}\n")]
    published = publication(files)
    assert [(p.name, p.full, p.base) for p in published] == [
        ("2026-W45.json", True, None), ("2026-W46.json", True, None), ("2026-W47.json", True, None)]
    files[1] = SnapshotFile("2026-W46.json", b'{"x":1}\n')
    published = publication(files)
    assert [(p.full, p.base) for p in published] == [(True, None), (False, "2026-W47.json"), (True, None)]
    assert delta.apply(files[2].data, published[1].data) == files[1].data


@pytest.mark.parametrize(("script", "why"), [
    (b"1c\nx\n.\n3d\n", "不是从后往前排列"),  # commands must run from the end of the file to its start
    (b"9d\n", "超出了后一周文件的行数"),
    (b"2c\nx\n", "缺少结束的"),
    (b"rm -rf /\n", "不是编辑命令"),
    (b"2d", "最后一行没有换行"),
])
def test_a_delta_that_is_not_a_plain_ed_script_of_this_form_is_refused(script: bytes, why: str) -> None:
    with pytest.raises(delta.DeltaError, match=why):
        delta.apply(b"a\nb\nc\n", script)


def test_render_puts_one_problem_on_a_line_and_is_valid_json() -> None:
    ledger = validate(ROOT / "ledgers", AS_OF).ledger
    snapshot = snapshot_of(ledger, Week.of(AS_OF), AS_OF)
    data = render(snapshot)
    assert json.loads(data) == snapshot
    assert sum(1 for line in data.decode().splitlines() if line.startswith('"STHJ-')) == len(
        [p for p in ledger.problems if p.problem.id.startswith("STHJ")])


def test_this_weeks_changes_come_from_the_last_two_snapshots(sample_docs: Path) -> None:
    changes = (sample_docs / "changes.md").read_text(encoding="utf-8")
    assert "2026年第 47 周（11月16日—11月22日）与2026年第 46 周（11月9日—11月15日）" in changes
    overdue = changes.split("## 新逾期")[1].split("## ")[0]
    # JY-2025-005's new round was due on 2026-11-15: a rebound in week 46, overdue in week 47
    assert '<a href="../problems/JY-2025-005/">JY-2025-005</a>' in overdue
    assert "<td>40%</td><td>50%</td>" in changes.split(">NYNC-2025-003</a>")[1].split("</tr>")[0]


def test_weekly_trends_from_the_snapshots_on_home_and_department_pages(sample_docs: Path) -> None:
    home = (sample_docs / "index.md").read_text(encoding="utf-8")
    assert 'id="chart-home-trend"' in home and "[本周变化](changes.md)" in home
    department = (sample_docs / "departments" / "education.md").read_text(encoding="utf-8")
    assert 'id="chart-department-education-trend"' in department
    table = department.split('id="chart-department-education-trend"')[1].split("</table>")[0]
    assert ">2026-11-22</td>" in table  # the table keeps each month's last week


def test_an_entry_slipped_in_between_two_old_ones_is_caught_at_its_week(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Backdating: an entry added today but dated in the past, in date order, so the ledger itself is valid."""
    problem = repository / "ledgers" / "education" / "JY-2025-005.yml"
    text = problem.read_text(encoding="utf-8")
    slipped = ("  - date: 2026-10-10\n    type: progress\n    step: implement\n    percent: 60\n"
               "    summary: 补记的进展。\n")
    problem.write_text(text.replace("  - date: 2026-11-05\n", slipped + "  - date: 2026-11-05\n"), encoding="utf-8")
    ledgers = str(repository / "ledgers")
    assert rectify(capsys, "validate", ledgers, "--today", AS_OF.isoformat())[0] == 0
    code, out, _ = rectify(capsys, "validate", ledgers, "--today", AS_OF.isoformat(), "--history")
    assert code == 1
    line = text[:text.index("  - date: 2026-11-05\n")].count("\n") + 1  # where the slipped entry now starts
    findings = [f for f in out.splitlines() if " E340 " in f]
    assert findings and all(f.startswith(f"{ledgers}/education/JY-2025-005.yml:{line}:") for f in findings), out
    assert "2026年第 41 周（10月5日—10月11日）（截至 2026-10-11）" in findings[0] and "（2026-10-10）" in findings[0]


def test_a_deleted_snapshot_is_missing_and_breaks_the_link_of_the_next(repository: Path) -> None:
    (repository / "snapshots" / "2026-W10.json").unlink()
    check = check_history(validate(repository / "ledgers", AS_OF).ledger, read_folder(repository / "snapshots"))
    assert [(d.week, d.field) for d in check.discrepancies] == [("2026-W10", "missing"), ("2026-W11", "chain")]
    assert "2026-W09.json" in check.discrepancies[1].now


def test_snapshot_takes_a_date_or_every_week_not_both(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = rectify(capsys, "snapshot", "--all", "--week", "2026-01-01")
    assert code == 2 and "只能用一个" in err
