"""Where an imported problem file came from: the sheet row's place and a fingerprint of its content, kept in the
file's `imported` field, so that a second import of the same sheet knows every row it has seen."""

from __future__ import annotations

import hashlib
import json

from ..loading.ledger import Ledger
from ..model import excel
from .rows import Row

REFERENCE_SEPARATOR = "｜"


def fingerprint(row: Row) -> str:
    """The row's content, whatever the order of its columns: a second import knows an unchanged row by it."""
    items = sorted((key, row.text(key)) for key in row.cells if key not in (excel.SERIAL, "imported"))
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def reference(row: Row) -> tuple[str, str]:
    """(where the row came from, its fingerprint): the file, the sheet and the row's 序号 (or its number)."""
    serial = row.text(excel.SERIAL)
    label = f"序号 {serial}" if serial and row.serial_unique else f"第 {row.index + 1} 行"
    return REFERENCE_SEPARATOR.join((row.sheet.file, row.sheet.name, label)), fingerprint(row)


def kept(place: str, content: str) -> str:
    """The `imported` field of a problem file written from a row: its place and fingerprint."""
    return f"{place}{REFERENCE_SEPARATOR}{content}"


def imported_rows(ledger: Ledger) -> dict[str, tuple[str, str]]:
    """Rows imported before: where they came from -> (problem id, fingerprint)."""
    out = {}
    for item in ledger.problems:
        kept = item.problem.imported
        if kept and REFERENCE_SEPARATOR in kept:
            place, _, content = kept.rpartition(REFERENCE_SEPARATOR)
            out[place] = (item.problem.id, content)
    return out
