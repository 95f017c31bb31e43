"""`rectify diff`: the reviewer's summary of a pull request, in Chinese Markdown, with the checks' findings.

It always succeeds when it can run: the checks fail the job in their own steps, and the summary is there
to read either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from ..rendering.summary import markdown
from ..review import history, ownership
from ..review.changes import ChangeSet
from ..review.summary import summarize


def diff(repository: Path, base: str, today: dt.date, author: str | None = None, teams: Iterable[str] = (),
         head: str | None = None, is_member: Callable[[str], bool] | None = None) -> str:
    """The summary; with an author, whose approval the change needs is among its findings (`is_member` asks
    the platform about the author's teams, as check-ownership does)."""
    with ChangeSet(repository, base, head) as changes:
        findings = history.check(changes)
        if author:
            findings += ownership.check(changes, author, teams, is_member)[0]
        return markdown(summarize(changes, today), sorted(findings))
