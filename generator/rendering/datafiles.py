"""Open data: the whole ledger as CSV (UTF-8 with BOM, for Excel), JSON and XLSX, and the finder's index.

Their columns are the ones declared in model/columns.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ..derivation.campaign import Campaign
from ..model import columns
from ..model.vocabulary import Light, Status
from . import urls

WRAP = Alignment(wrap_text=True, vertical="top")


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
    book = Workbook()
    sheet = book.active
    sheet.title = "问题台账"
    sheet.append([c.heading for c in columns.COLUMNS])
    for row in campaign.rows:
        sheet.append([_csv_safe(v) for v in columns.cells(row)])
    sheet.freeze_panes = "C2"
    for index, column in enumerate(columns.COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.wide else 14
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP
    fixed = _midnight(campaign)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = campaign.portal.office
    raw = io.BytesIO()
    book.save(raw)
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
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time over ours
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
