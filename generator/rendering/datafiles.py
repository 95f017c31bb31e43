"""Open data: the whole ledger as CSV (UTF-8 with BOM, for Excel), JSON and XLSX, and the finder's index.

Their columns are the ones declared in model/columns.py."""

from __future__ import annotations

import csv
import io
import json

from ..derivation.campaign import Campaign
from ..model import columns
from ..model.vocabulary import Light, Status
from . import urls, workbook


def problems_csv(campaign: Campaign) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in columns.COLUMNS])
    for row in campaign.rows:
        writer.writerow([_csv_safe(v) for v in columns.cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: object) -> object:
    """Keep a spreadsheet from running ledger text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def problems_json(campaign: Campaign) -> bytes:
    """The whole ledger with what was derived from it, one problem to a line: a reader greps or diffs it line by
    line, a program reads it as one JSON document, and the build writes it with the C encoder (an indented
    file at 10,000 problems took four times as long and half as many bytes again)."""
    head = json.dumps({"as_of": campaign.as_of.isoformat(), "title": campaign.portal.title}, ensure_ascii=False)
    lines = ",\n".join(json.dumps({**row.problem.model_dump(mode="json"), "derived": columns.derived(row)},
                                   ensure_ascii=False) for row in campaign.rows)
    return f'{head[:-1]}, "problems": [\n{lines}\n]}}\n'.encode()


def problems_xlsx(campaign: Campaign) -> bytes:
    """The export workbook (rendering/workbook.py): what `rectify export` writes, for every department."""
    return workbook.ledger_workbook(campaign)


def template_xlsx(campaign: Campaign) -> bytes:
    """The empty 台账 template in the headings `rectify import` reads."""
    return workbook.template_workbook(campaign.portal)


def finder_index(campaign: Campaign) -> bytes:
    """The compact index the finder page loads: one array per problem in the order of `fields` (department
    and category as positions in their lookup tables), the labels of statuses and lights, and the pattern
    of a problem page's URL."""
    dept_index = {d.id: i for i, d in enumerate(campaign.departments)}
    cat_index = {c.id: i for i, c in enumerate(campaign.portal.categories)}
    encode = {"department": lambda r: dept_index[r.department.id], "category": lambda r: cat_index[r.category.id]}
    fields = [encode.get(key) or columns.BY_KEY[key].json for key in columns.FINDER_KEYS]
    payload = {
        "as_of": campaign.as_of.isoformat(),
        "fields": list(columns.FINDER_KEYS),
        "departments": [[d.id, d.short or d.name, d.name] for d in campaign.departments],
        "categories": [[c.id, c.name] for c in campaign.portal.categories],
        "statuses": Status.labels(),
        "lights": Light.labels(),  # in the order the finder sorts by: red first
        "problem_url": urls.finder_problem_url(),
        "problems": [[value(r) for value in fields] for r in campaign.rows],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
