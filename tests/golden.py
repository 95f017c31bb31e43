"""Regenerate the golden output: `make golden` (python -m tests.golden) after an intended change.

The golden files are the Markdown pages and data files that `rectify build` writes for the sample
city as of a fixed date; tests/test_golden.py diffs a fresh build against them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from generator.commands.build import build

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
AS_OF = dt.date(2026, 11, 24)
COMMIT = "golden"
# Text outputs worth diffing; the XLSX is binary and plotly.min.js is a copy of the package's file.
SUFFIXES = (".md", ".csv", ".json")


def render(target: Path) -> list[Path]:
    build(ROOT / "ledgers", target, AS_OF, COMMIT)
    return sorted(p for p in target.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        files = render(docs)
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for path in files:
            target = GOLDEN / path.relative_to(docs)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    print(f"wrote {len(files)} golden files to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
