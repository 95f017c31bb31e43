"""The sample city's generated pages and data files, as of fixed dates, match the committed golden output."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from .golden import DATES, GOLDEN, render


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_generated_output_matches_golden(tmp_path: Path, as_of: dt.date) -> None:
    docs = tmp_path / "docs"
    golden = GOLDEN / as_of.isoformat()
    produced = {p.relative_to(docs).as_posix(): p for p in render(docs, as_of)}
    expected = {p.relative_to(golden).as_posix(): p for p in golden.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(expected), "files added or missing; run `make golden` if intended"
    for name, path in produced.items():
        new, old = path.read_text(encoding="utf-8"), expected[name].read_text(encoding="utf-8")
        if new != old:
            diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, name, n=2))
            raise AssertionError(f"{name} differs from the golden output (run `make golden` if intended):\n{diff[:4000]}")


def test_build_is_deterministic(tmp_path: Path) -> None:
    first = render(tmp_path / "a")
    second = render(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    xlsx_a = (tmp_path / "a" / "data" / "problems.xlsx").read_bytes()
    xlsx_b = (tmp_path / "b" / "data" / "problems.xlsx").read_bytes()
    assert xlsx_a == xlsx_b
