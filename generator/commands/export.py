"""`rectify export`: the ledger as of a date as the workbook of rendering/workbook.py, the portal's own download;
with a department, that department's working workbook for the next 旬 (its download on the portal too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..clock import unreportable
from ..derivation.campaign import campaign_of
from ..rendering.workbook import ledger_workbook, working_workbook
from ..validation import registered
from ..validation.report import Report, validate


class ExportError(Exception):
    """Nothing was exported; the message says why, in Chinese (with the validation report when the ledger is invalid)."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Exported:
    problems: int
    as_of: dt.date
    department: str | None = None  # the department's name, when its working workbook was written


def export_workbook(ledger_root: Path, out: Path, as_of: dt.date, today: dt.date,
                    department: str | None = None) -> Exported:
    """Validate against `today` as the build does, then write the ledger as it stood at the end of `as_of`: the
    whole export, or `department`'s working workbook (本旬进展 to fill in, then its sheet, 工作记录 and 节点)."""
    if out.suffix.lower() != ".xlsx":
        raise ExportError(f"输出文件 {out.name} 应以 .xlsx 结尾。")
    report = validate(ledger_root, today)
    if not report.valid(False):
        raise ExportError("台账有错误，请先改正（见上面的信息）。", report)
    refusal = unreportable(as_of, today, report.ledger.portal.campaign_start if report.ledger.portal else None)
    if refusal is not None:
        raise ExportError(refusal)
    if department is not None:
        try:
            registered.department(report.ledger, department)
        except registered.NotRegistered as exc:
            raise ExportError(str(exc)) from None
    campaign = campaign_of(report.ledger, as_of)
    data = ledger_workbook(campaign) if department is None else working_workbook(campaign, department)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    rows = [r for r in campaign.rows if department in (None, r.department.id)]
    return Exported(len(rows), campaign.as_of, next((d.name for d in campaign.departments if d.id == department), None))
