"""Open data: the whole ledger as CSV (UTF-8 with BOM, for Excel), JSON and XLSX, and the finder's index.

Their columns are the ones declared in model/columns.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile

import xlsxwriter

from ..derivation.campaign import Campaign
from ..model import columns
from ..model.vocabulary import Light, Status
from . import urls


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
    payload = {
        "as_of": campaign.as_of.isoformat(),
        "title": campaign.portal.title,
        "problems": [
            {
                **row.problem.model_dump(mode="json"),
                "derived": columns.derived(row),
            }
            for row in campaign.rows
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def problems_xlsx(campaign: Campaign) -> bytes:
    """The CSV's table as a workbook: wide columns wrapped, the id and title frozen. Written with XlsxWriter,
    which takes a column's format for every cell written without one: styling 290,000 cells one by one
    was a third of a 10,000-problem build with openpyxl (issue 9)."""
    raw = io.BytesIO()
    book = xlsxwriter.Workbook(raw, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    fixed = _midnight(campaign)
    book.set_properties({"author": campaign.portal.office, "created": fixed})
    sheet = book.add_worksheet("问题台账")
    wrap, plain = book.add_format({"text_wrap": True, "valign": "top"}), book.add_format()
    for index, column in enumerate(columns.COLUMNS):
        sheet.set_column(index, index, 40 if column.wide else 14, wrap)
    sheet.write_row(0, 0, [c.heading for c in columns.COLUMNS], plain)
    for number, row in enumerate(campaign.rows, start=1):
        sheet.write_row(number, 0, [_csv_safe(v) for v in columns.cells(row)])
    sheet.freeze_panes(1, 2)
    book.close()
    return _stable_zip(raw.getvalue(), fixed.timetuple()[:6])


def _midnight(campaign: Campaign) -> dt.datetime:
    return dt.datetime.combine(campaign.as_of, dt.time())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable_zip(data: bytes, stamp: tuple) -> bytes:
    """Rewrite a zip with fixed member times, so the same ledger gives the same bytes."""
    stamp_text = dt.datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # the modified time is the save time: ours instead
                data = _MODIFIED.sub(rb"\g<1>" + stamp_text + rb"\g<2>", data)
            target.writestr(member, data)
    return out.getvalue()


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
