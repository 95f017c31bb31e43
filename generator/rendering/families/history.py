"""历史记录核验 and 本周变化: every published weekly snapshot up to the as-of date, downloadable with its
digest (the newest in full, each older one as its delta from the next: derivation/snapshot.py `publication`), what no longer holds (summarised per run of weeks and per problem, never one row per problem and
week), and the week's changes."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.site import Part, Site
from ...derivation.snapshot import FIELD_LABELS, publication, trend, week_changes
from ...loading import layout
from ...loading.snapshots import SUMS
from ...model.calendar import Week, week_of_file
from ...model.delta import SUFFIX, delta_name
from .. import charts, urls
from ..outputs import File, Output, Page
from .family import INDEX, Family, Per

HISTORY_ROWS = 500  # problems listed on the history page: a rewrite of a whole ledger stays a readable page


def history_by_week(check) -> list[dict]:
    """The weeks with something wrong, consecutive weeks that found the same merged into one row (a ledger
    rewritten long ago differs the same way every week since)."""
    rows: list[dict] = []
    for summary in check.by_week:
        same = (summary.problems, summary.inspections, summary.issues)
        last = rows[-1] if rows else None
        if last is not None and last["same"] == same and Week.parse(last["last"]).next().label == summary.week:
            last.update(last=summary.week, as_of=summary.as_of, weeks=last["weeks"] + 1)
        else:
            rows.append({"first": summary.week, "last": summary.week, "as_of": summary.as_of, "weeks": 1,
                         "same": same, "problems": summary.problems, "inspections": summary.inspections,
                         "issues": summary.issues})
    return rows


def history_by_problem(check) -> list[dict]:
    """One row per problem whose published past today's ledger no longer gives: what differs, from which week to
    which, in how many snapshots, and the first difference."""
    rows: dict[str, dict] = {}
    for d in check.discrepancies:
        if not d.problem:
            continue
        row = rows.get(d.problem)
        if row is None:
            rows[d.problem] = {"problem": d.problem, "fields": [FIELD_LABELS.get(d.field, d.field)], "first": d,
                               "last": d.last or d.week, "weeks": d.weeks}
            continue
        row["fields"].append(FIELD_LABELS.get(d.field, d.field))
        row["last"] = max(row["last"], d.last or d.week)
        row["weeks"] = max(row["weeks"], d.weeks)
        if d.week < row["first"].week:
            row["first"] = d
    return list(rows.values())


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c, check = site.campaign, site.history
    published = {p.name: p for p in publication(check.files if check else ())}
    repository = c.portal.repository if c.portal else None
    chain = []
    for name, digest in check.digests if check else ():
        shown = published.get(name)
        if shown is not None:
            yield File(urls.snapshot(name) if shown.full else urls.snapshot_delta(name), shown.data)
        week = week_of_file(name)
        chain.append({"name": name, "week": week.label, "as_of": check.as_of(week.label), "sha256": digest,
                      "path": None if shown is None else urls.snapshot(name) if shown.full else urls.snapshot_delta(name),
                      "delta": None if shown is None or shown.full else delta_name(name),
                      "base": shown.base if shown is not None else None, "bytes": len(shown.data) if shown else 0,
                      "repository": urls.repository_file(repository, f"{layout.SNAPSHOTS}/{name}") if repository else None})
    if chain:  # what `rectify verify https://…/data/snapshots/` reads, in sha256sum's format
        yield File(urls.snapshot(SUMS), "".join(f"{s['sha256']}  {s['name']}\n" for s in chain).encode("ascii"))
    problems = history_by_problem(check) if check else []
    yield Page(urls.HISTORY, "history.md.j2", "历史记录核验", {
        "check": check, "chain": list(reversed(chain)), "labels": FIELD_LABELS, "sums": urls.snapshot(SUMS),
        "delta_suffix": SUFFIX, "repository": repository,
        "problems": problems[:HISTORY_ROWS], "problems_total": len(problems),
        "weeks": history_by_week(check) if check else [],
        "inspections": [d for d in check.discrepancies if d.inspection] if check else [],
        "snapshot_issues": check.of_snapshots() if check else [],
        "problem_ids": {r.problem.id for r in c.rows},
    }, hide=(), searchable=True)
    points = trend(check) if check else []
    yield Page(urls.CHANGES, "changes.md.j2", "本周变化", {
        "changes": week_changes(check) if check else None,
        "rows": {r.problem.id: r for r in c.rows},
        "trend": charts.trend_chart("changes-trend", points) if points else None,
    }, hide=("toc",))


FAMILY = Family("history", Per.SITE, frozenset({Part.PROBLEMS, Part.HISTORY}), outputs)
