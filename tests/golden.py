"""Regenerate the golden output: `make golden` (python -m tests.golden) after an intended change.

The golden files are the Markdown pages and data files that `rectify build` writes for the sample
city as of fixed dates, one folder per date: a day early in the campaign, one in the middle, and the
sample's "today". tests/test_golden.py diffs a fresh build against them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from generator.writing.build import build

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
TODAY = dt.date(2026, 11, 24)  # the sample ledger's newest entry is on or before this day
DATES = (dt.date(2025, 6, 30), dt.date(2026, 3, 31), TODAY)
COMMIT = "golden"
# Text outputs worth diffing (problem pages are HTML content the publisher stitches into the page shell);
# the XLSX is binary and plotly.min.js is a copy of the package's file.
SUFFIXES = (".md", ".html", ".csv", ".json")


def render(target: Path, as_of: dt.date = TODAY) -> list[Path]:
    # the same in any clone: today's portal.yml for every period and the snapshots' git history unread
    # (tests/test_rule_history.py and tests/test_history_attacks.py cover both read from git)
    build(ROOT / "ledgers", target, as_of, COMMIT, TODAY, rule_history=False, git_history=False)
    # the weekly snapshots offered for download are copies of the committed files in snapshots/
    return sorted(p for p in target.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                  and not p.relative_to(target).as_posix().startswith("data/snapshots/"))


def main() -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for as_of in DATES:
        with tempfile.TemporaryDirectory() as tmp:
            docs = Path(tmp) / "docs"
            files = render(docs, as_of)
            for path in files:
                target = GOLDEN / as_of.isoformat() / path.relative_to(docs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        print(f"wrote {len(files)} golden files to {(GOLDEN / as_of.isoformat()).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
