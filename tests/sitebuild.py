"""Build a whole portal (generation plus `mkdocs build --strict`) in a scratch folder, for tests and the benchmark."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator.commands.build import build
from generator.commands.site import publish

ROOT = Path(__file__).resolve().parent.parent


def build_site(ledgers: Path, work: Path, as_of: dt.date, commit: str = "test", site_url: str | None = None,
               today: dt.date | None = None, stitch: bool = True) -> Path:
    """Generate into work/docs and publish into work/site with the project's own mkdocs.yml.

    Material's instant navigation only works where the site is served at `site_url` (host and port),
    so a test server passes its own address here. `stitch=False` has MkDocs render the problem pages
    itself, as the live preview does."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", work / "overrides", dirs_exist_ok=True)
    shutil.copytree(ROOT / "docs" / "assets", work / "docs" / "assets", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("vendor"))
    build(ledgers, work / "docs", as_of, commit, today, stitch)
    if publish(work / "mkdocs.yml", as_of, quiet=True, site_url=site_url) != 0:
        raise RuntimeError("mkdocs build --strict failed; its messages are above")
    return work / "site"
