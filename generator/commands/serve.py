"""`rectify serve`: mkdocs serve for the preview, and a ledger watcher that regenerates docs/ on change.

The preview has MkDocs render the problem pages from Markdown (`build(stitch=False)`): mkdocs serve
builds in memory, where no step can write pages into the shell afterwards. Slower at scale, the same pages.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import click

from ..clock import default_as_of
from ..validation.report import format_text
from ..writing.build import BuildError, build


def _fingerprint(root: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def _regenerate(root: Path, docs: Path, as_of: dt.date | None, today: dt.date | None) -> None:
    try:  # a date not given is the default of the moment: a preview left running goes on with the day
        result = build(root, docs, as_of or default_as_of(), today=today, stitch=False)
        click.echo(f"已重新生成 {result.pages} 个页面。")
    except BuildError as exc:
        if exc.report is not None:
            click.echo(format_text(exc.report), err=True)
        click.echo(f"{exc}（预览保留上一次成功生成的页面）", err=True)


def serve(root: Path, docs: Path, as_of: dt.date | None, today: dt.date | None, port: int) -> int:
    _regenerate(root, docs, as_of, today)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], env=env)
    seen = _fingerprint(root)
    try:
        while server.poll() is None:
            time.sleep(1)
            now = _fingerprint(root)
            if now != seen:
                seen = now
                click.echo("台账有改动，正在重新生成……")
                _regenerate(root, docs, as_of, today)
    except KeyboardInterrupt:
        server.terminate()
    return server.wait()
