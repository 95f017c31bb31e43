"""Open data: the whole ledger as CSV (UTF-8 with BOM, for Excel), JSON and XLSX, and the finder's index."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ..derivation.campaign import Campaign, Row
from ..model.vocabulary import Light, Status
from . import urls
from .markup import iso


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], object]


WRAP = Alignment(wrap_text=True, vertical="top")

# The column map of CSV and XLSX, declared once.
COLUMNS: tuple[Column, ...] = (
    Column("问题编号", lambda r: r.problem.id),
    Column("问题名称", lambda r: r.problem.title),
    Column("类别", lambda r: r.category.name),
    Column("牵头部门", lambda r: r.department.name),
    Column("配合单位", lambda r: "、".join(r.cooperating)),
    Column("状态", lambda r: r.state.status.label),
    Column("亮灯", lambda r: r.state.light.label),
    Column("亮灯原因", lambda r: "；".join(r.state.reasons)),
    Column("完成度（%）", lambda r: r.state.percent),
    Column("序时进度（%）", lambda r: r.state.schedule),
    Column("所处步骤", lambda r: r.step.name if r.step else ""),
    Column("挂牌督办", lambda r: r.problem.supervision.label),
    Column("问题来源", lambda r: f"{r.problem.source.kind.label}：{r.problem.source.name}"),
    Column("问题描述", lambda r: r.problem.description),
    Column("整改目标", lambda r: r.problem.target),
    Column("整改措施", lambda r: "\n".join(f"{i}. {m}" for i, m in enumerate(r.problem.measures, 1))),
    Column("挂帅领导", lambda r: r.problem.leader),
    Column("工作专班", lambda r: r.problem.team),
    Column("承担股室", lambda r: r.problem.section),
    Column("责任人", lambda r: r.problem.responsible),
    Column("列入台账日期", lambda r: iso(r.problem.opened)),
    Column("原定完成时限", lambda r: iso(r.problem.deadline)),
    Column("现行完成时限", lambda r: iso(r.state.deadline)),
    Column("延期次数", lambda r: r.state.extensions),
    Column("完成日期", lambda r: iso(r.state.done_on) if r.state.done_on else ""),
    Column("销号日期", lambda r: iso(r.state.closed_on) if r.state.closed_on else ""),
    Column("最近记录日期", lambda r: iso(r.state.last_entry) if r.state.last_entry else ""),
)


def _cells(row: Row) -> list[object]:
    return [column.value(row) for column in COLUMNS]


def problems_csv(campaign: Campaign) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in campaign.rows:
        writer.writerow([_csv_safe(v) for v in _cells(row)])
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
                "derived": {
                    "status": row.state.status.value,
                    "status_label": row.state.status.label,
                    "light": row.state.light.value,
                    "light_reasons": list(row.state.reasons),
                    "percent": row.state.percent,
                    "schedule": row.state.schedule,
                    "effective_deadline": iso(row.state.deadline),
                    "extensions": row.state.extensions,
                    "done_on": iso(row.state.done_on) if row.state.done_on else None,
                    "closed_on": iso(row.state.closed_on) if row.state.closed_on else None,
                },
            }
            for row in campaign.rows
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def problems_xlsx(campaign: Campaign) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题台账"
    sheet.append([c.header for c in COLUMNS])
    for row in campaign.rows:
        sheet.append([_csv_safe(v) for v in _cells(row)])
    sheet.freeze_panes = "C2"
    wide = {"问题名称", "问题描述", "整改目标", "整改措施", "亮灯原因", "问题来源", "配合单位"}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.header in wide else 14
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
    """The compact index the finder page loads: one array per problem in the order of `fields`, lookup
    tables once, the labels of statuses and lights, and the pattern of a problem page's URL."""
    dept_index = {d.id: i for i, d in enumerate(campaign.departments)}
    cat_index = {c.id: i for i, c in enumerate(campaign.portal.categories)}
    payload = {
        "as_of": campaign.as_of.isoformat(),
        "fields": ["id", "title", "department", "category", "status", "light", "supervision", "percent",
                   "deadline"],
        "departments": [[d.id, d.short or d.name, d.name] for d in campaign.departments],
        "categories": [[c.id, c.name] for c in campaign.portal.categories],
        "statuses": Status.labels(),
        "lights": Light.labels(),  # in the order the finder sorts by: red first
        "problem_url": urls.finder_problem_url(),
        "problems": [
            [r.problem.id, r.problem.title, dept_index[r.department.id], cat_index[r.category.id],
             r.state.status.value, r.state.light.value, r.problem.supervision.value, r.state.percent,
             iso(r.state.deadline)]
            for r in campaign.rows
        ],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
