"""A page per problem (its facts, steps, milestones, log, revisions, inspections and any rewritten history),
written as HTML content the publisher puts into one shell page that MkDocs renders (publishing/stitch.py)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator

from ...derivation import revisions, selection
from ...derivation.site import Part, Site
from ...derivation.snapshot import FIELD_LABELS
from ...model import columns
from ...model.schema import Problem, Revision
from .. import charts, urls
from ..outputs import Output, Page
from .family import INDEX, Family, Per

# The placeholders of the problem page shell (templates/shell.md.j2), which the publisher replaces.
SHELL_TITLE = "rc-shell-title"
SHELL_DESCRIPTION = "rc-shell-description"
SHELL_MARKS = {"start": "rc-shell-content-start", "end": "rc-shell-content-end", "heading": "rc-shell-heading"}
# The lean page around a problem (overrides/problem.html): the shell and, in the live preview, every problem page.
THEME_TEMPLATE = "problem.html"

DESCRIPTION_CHARS = 90  # of the problem's own description; search engines show about 120 Chinese characters


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    c = site.campaign
    if keys is None or INDEX in keys:
        yield Page(urls.PROBLEM_SHELL, "shell.md.j2", SHELL_TITLE, {"marks": SHELL_MARKS}, hide=("navigation",),
                   description=SHELL_DESCRIPTION, shell=True, theme_template=THEME_TEMPLATE)
    step_names = {s.id: s.name for s in c.portal.steps}
    names = {d.id: d.name for d in c.departments}
    inspections = selection.inspections_by_problem(c)
    for row in c.rows:
        problem = row.problem
        if keys is not None and problem.id not in keys:
            continue
        yield Page(urls.problem(problem.id), "problem.md.j2", f"{problem.id} {problem.title}", {
            "row": row, "page_columns": columns.PAGE_COLUMNS, "steps": c.portal.steps, "step_names": step_names,
            "feedback": c.portal.feedback,
            "feedback_issue": urls.feedback_issue(c.portal.repository, problem.id) if c.portal.repository else None,
            "milestones": charts.milestone_chart(row),
            "undated": [m for m in problem.milestones if m.due is None],
            "inspections": inspections.get(problem.id, []),
            "rewritten": _rewritten(site, problem.id),
            "revised": _revised(problem, names),
            "revision_view": functools.partial(_revision_view, names=names),
        }, hide=("navigation",), description=problem_description(row), stitched=True, theme_template=THEME_TEMPLATE)


def problem_description(row) -> str:
    """The problem in one sentence for search results and shared links: who leads, where it stands, what it is."""
    problem, state = row.problem, row.state
    text = " ".join(problem.description.split())
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rstrip("，、；：。,;: ") + "……"
    return (f"{row.department.name}牵头整改，{state.status.label}，亮{state.light.label}，"
            f"完成时限 {state.deadline.isoformat()}。{text}")


def _revised(problem: Problem, names: dict[str, str]) -> dict[str, dict]:
    """Per revised field (by key): what was first promised, and how many revisions since."""
    return {field.value: {"label": field.label, "original": revisions.shown(field, story.original, names),
                          "count": len(story.entries), "last": story.entries[-1].date}
            for field, story in revisions.stories(problem).items()}


def _revision_view(entry: Revision, names: dict[str, str]) -> dict:
    field = entry.field
    return {"label": field.label, "before": revisions.shown(field, entry.from_, names),
            "after": revisions.shown(field, entry.to, names)}


def _rewritten(site: Site, problem_id: str) -> list[dict]:
    """What of a problem's published history today's ledger no longer reproduces: one line per field, at the
    first week it shows."""
    if site.history is None:
        return []
    return [{"week": d.week, "what": FIELD_LABELS.get(d.field, d.field), "recorded": d.recorded, "now": d.now,
             "weeks": d.weeks} for d in site.history.for_problem(problem_id)]


FAMILY = Family("problems", Per.PROBLEM,
                frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.INSPECTIONS, Part.HISTORY}), outputs,
                index_reads=frozenset({Part.CONFIG}))
