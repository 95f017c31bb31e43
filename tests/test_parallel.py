"""Work shared between forked processes gives what one process gives: the ledger read, the history checked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import parallel
from generator.derivation import snapshot
from generator.derivation.snapshot import check_history
from generator.loading import ledger
from generator.loading.snapshots import read_folder
from generator.validation.report import validate

from .conftest import AS_OF, ROOT


def test_split_keeps_every_item_in_order() -> None:
    items = list(range(11))
    for parts in (1, 2, 3, 4, 11, 20):
        runs = parallel.split(items, parts)
        assert [i for run in runs for i in run] == items
        assert max(map(len, runs)) - min(map(len, runs)) <= 1


def test_fork_map_returns_the_parts_in_order_and_reports_a_failed_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    assert parallel.fork_map(sum, list(range(10))) == [sum(range(4)), sum(range(4, 7)), sum(range(7, 10))]

    def fails_on_the_last(run):
        if 9 in run:
            raise ValueError("part failed")
        return len(run)

    with pytest.raises(parallel.ParallelError, match="part failed"):
        parallel.fork_map(fails_on_the_last, list(range(10)))


def test_fork_map_deals_the_items_out_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    assert parallel.fork_map(list, list(range(8)), dealt=True) == [[0, 3, 6], [1, 4, 7], [2, 5]]


def test_fork_map_without_fork_runs_once_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    monkeypatch.setattr(parallel, "forking", lambda: None)
    here = os.getpid()
    assert parallel.fork_map(lambda run: (os.getpid(), list(run)), range(5), dealt=True) == [(here, [0, 1, 2, 3, 4])]
    assert parallel.fork_map(list, [1, 2], worth_it=False) == [[1, 2]]


def _niceness() -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def test_started_work_runs_in_a_fork_at_its_niceness_and_is_collected_later() -> None:
    here, niceness = _niceness()
    started = parallel.start(_niceness, niceness=3)
    pid, forked_niceness = started.result()
    assert pid != here and forked_niceness == min(niceness + 3, 19) and os.nice(0) == niceness


def test_started_work_that_fails_raises_its_traceback_here() -> None:
    started = parallel.start(lambda: 1 / 0)
    with pytest.raises(parallel.ParallelError, match="ZeroDivisionError"):
        started.result()


def test_started_work_without_fork_runs_here_when_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "forking", lambda: None)
    ran: list[int] = []
    started = parallel.start(lambda: ran.append(os.getpid()) or "done", niceness=3)
    assert ran == []  # nothing runs before its result is asked for
    assert started.result() == "done" and ran == [os.getpid()] and os.nice(0) == _niceness()[1]
    with pytest.raises(ZeroDivisionError):
        parallel.start(lambda: 1 / 0).result()  # here, a failure is the exception itself


@pytest.fixture
def tampered(tmp_path: Path) -> Path:
    """The sample with an old entry rewritten and an error in one problem file: findings to merge."""
    shutil.copytree(ROOT / "ledgers", tmp_path / "ledgers")
    shutil.copytree(ROOT / "snapshots", tmp_path / "snapshots")
    problem = tmp_path / "ledgers" / "education" / "JY-2025-005.yml"
    problem.write_text(problem.read_text(encoding="utf-8").replace("percent: 50", "percent: 55"), encoding="utf-8")
    return tmp_path / "ledgers"


def test_the_ledger_read_in_several_processes_is_the_ledger_read_in_one(tampered: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tampered / "health" / "WJW-2025-002.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("deadline: ", "deadline: 2025-13-", 1),
                      encoding="utf-8")
    alone = validate(tampered, AS_OF)
    monkeypatch.setattr(ledger, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    shared = validate(tampered, AS_OF)
    assert shared.findings == alone.findings and any(f.file.endswith("WJW-2025-002.yml") for f in alone.findings)
    assert [p.problem for p in shared.ledger.problems] == [p.problem for p in alone.ledger.problems]
    assert shared.ledger.problem_files == alone.ledger.problem_files == 66


def test_the_history_checked_in_several_processes_is_the_history_checked_in_one(
        tampered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = validate(tampered, AS_OF)
    files = read_folder(tampered.parent / "snapshots")
    alone = check_history(report.ledger, files)
    monkeypatch.setattr(snapshot, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    shared = check_history(report.ledger, files)
    assert not alone.intact and {d.problem for d in alone.discrepancies} == {"JY-2025-005"}
    assert shared == alone
