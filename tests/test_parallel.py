"""Work shared between forked processes gives what one process gives: the ledger read, the history checked."""

from __future__ import annotations

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
