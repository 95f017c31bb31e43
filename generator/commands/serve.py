"""`rectify serve`: mkdocs serve for the preview, and a ledger watcher that regenerates docs/ on change.

The preview has MkDocs render the problem pages from Markdown (`build(stitch=False)`): mkdocs serve
builds in memory, where no step can write pages into the shell afterwards. Slower at scale, the same pages.

After the first build, a change to problem files alone regenerates only the outputs it touches
(writing/incremental.py, the last build kept in memory), and `mkdocs serve --dirty` renders again only the
pages whose files were written; any other change is a full build, as before.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import click

from .. import clock
from ..clock import default_as_of
from ..loading.tree import commit_on
from ..validation.report import format_text
from ..writing import incremental
from ..writing.build import BuildError, build


def _fingerprint(root: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


# `mkdocs serve --dirty`, which renders again only the pages whose files changed; its warning that a dirty build
# may leave the navigation stale is true of the navigation alone, which no ledger changes, and must not abort the
# strict build (mkdocs.yml) at every change.
_DIRTY_SERVE = """
import logging, sys
logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
from mkdocs.__main__ import cli
sys.exit(cli())
"""


class Preview:
    """The docs/ the preview serves, with what its last build leaves for the next (in memory, for as long as it runs)."""

    def __init__(self, root: Path, docs: Path, as_of: dt.date | None, today: dt.date | None) -> None:
        self.root, self.docs, self.as_of, self.today = root, docs, as_of, today
        self.last: incremental.CachedBuild | None = None

    def _inputs(self, as_of: dt.date, today: dt.date) -> str:
        return incremental.inputs_digest(self.root, self.docs, None, as_of, today, "", options=("preview",))

    def regenerate(self) -> None:
        # a date not given is the default of the moment: a preview left running goes on with the day
        as_of, today = self.as_of or default_as_of(), self.today or clock.today()
        commit = commit_on(self.root, as_of)
        inputs = self._inputs(as_of, today)
        last, self.last = self.last, None
        why = incremental.refusal(last, inputs, self.docs, None)
        try:
            if why is None:
                try:
                    rebuilt = incremental.rebuild(last, self.root, self.docs, as_of, commit, today, stitch=False)
                    self.last = incremental.record(rebuilt.result, last.parsed, self._inputs(as_of, today), self.docs,
                                                   None, commit)
                    click.echo(f"只重新生成了受改动影响的 {len(rebuilt.written)} 个页面和文件。")
                    return
                except incremental.NotIncremental as reason:
                    why = str(reason)
                except BuildError as exc:
                    if exc.report is not None:  # nothing was written: the next change starts from the same build
                        self.last = last
                    raise
            memo = incremental.parsed_files()
            result = build(self.root, self.docs, as_of, commit, today, stitch=False, memo=memo)
            self.last = incremental.record(result, memo, self._inputs(as_of, today), self.docs, None, commit)
            click.echo(f"已重新生成 {result.pages} 个页面。")
        except BuildError as exc:
            if exc.report is not None:
                click.echo(format_text(exc.report), err=True)
            click.echo(f"{exc}（预览保留上一次成功生成的页面）", err=True)


def serve(root: Path, docs: Path, as_of: dt.date | None, today: dt.date | None, port: int) -> int:
    preview = Preview(root, docs, as_of, today)
    preview.regenerate()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-c", _DIRTY_SERVE, "serve", "--dirty", "--dev-addr",
                               f"127.0.0.1:{port}"], env=env)
    seen = _fingerprint(root)
    try:
        while server.poll() is None:
            time.sleep(1)
            now = _fingerprint(root)
            if now != seen:
                seen = now
                click.echo("台账有改动，正在重新生成……")
                preview.regenerate()
    except KeyboardInterrupt:
        server.terminate()
    return server.wait()
