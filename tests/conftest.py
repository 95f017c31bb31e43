"""Shared fixtures: the fixed as-of date of every test, and ledgers built from the example folders."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.model.calendar import week_of_file

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CASES = TESTS / "cases"
BASE = CASES / "base"
AS_OF = dt.date(2026, 11, 24)


def materialize(case: Path | None, target: Path) -> Path:
    """The base ledger with a case's files laid over it (and its `remove:` files taken away)."""
    from generator.loading.yamlio import read_document

    root = target / "ledgers"
    shutil.copytree(BASE, root)
    if case is None:
        return root
    spec = read_document(case / "case.yml").data
    for name in spec.get("remove") or []:
        path = root / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    overlay = case / "ledger"
    if overlay.is_dir():
        shutil.copytree(overlay, root, dirs_exist_ok=True, symlinks=True)  # a link stays a link (E328)
    return root


def sample_as_published(target: Path, day: dt.date = AS_OF) -> Path:
    """A copy of the sample city as published on `day`: ledgers/ and the weekly snapshots of the weeks ended
    before it side by side (the sample's later snapshots were not taken yet on that day)."""
    def taken_later(_, names):
        return [n for n in names if (week := week_of_file(n)) is not None and week.last >= day]

    shutil.copytree(ROOT / "ledgers", target / "ledgers")
    shutil.copytree(ROOT / "snapshots", target / "snapshots", ignore=taken_later)
    return target


@pytest.fixture
def base_ledger(tmp_path: Path) -> Path:
    return materialize(None, tmp_path)


@pytest.fixture(scope="session")
def sample_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample city's generated docs/ as of AS_OF, built once for the tests that only read it."""
    from generator.writing.build import build

    target = tmp_path_factory.mktemp("sample") / "docs"
    build(ROOT / "ledgers", target, AS_OF, "test", AS_OF)
    return target
