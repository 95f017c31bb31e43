"""`rectify site`: publish the generated pages with `mkdocs build --strict`, stamped with the as-of day.

MkDocs stamps sitemap.xml.gz with SOURCE_DATE_EPOCH; taking it from the as-of day (clock.epoch_of)
makes the same ledgers and date give the same bytes, whenever the build runs.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from .. import clock


def publish(config: Path, as_of: dt.date, *, quiet: bool = False, site_url: str | None = None) -> int:
    """Run `mkdocs build --strict` on `config`; returns its exit code (its messages go to the terminal)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(clock.epoch_of(as_of))}
    if site_url:
        env["SITE_URL"] = site_url
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    if quiet:
        command.append("--quiet")
    return subprocess.run(command, env=env, cwd=config.resolve().parent, check=False).returncode
