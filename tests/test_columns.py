"""The one declaration of a problem's columns: every ledger column reads back what it wrote, and every
tabular output uses exactly these columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.derivation.asof import ledger_at
from generator.derivation.campaign import campaign_of
from generator.loading.problemfile import problem_template
from generator.model import columns
from generator.model.schema import Problem
from generator.validation.report import validate

from .conftest import AS_OF, ROOT

NOT_TABULAR = {"milestones", "log"}  # lists of records: the JSON download carries them whole


@pytest.fixture(scope="module")
def campaign():
    report = validate(ROOT / "ledgers", AS_OF)
    return campaign_of(ledger_at(report.ledger, AS_OF), AS_OF)


@pytest.fixture(scope="module")
def docs(sample_docs: Path) -> Path:
    return sample_docs


def test_keys_and_headings_are_unique() -> None:
    assert len({c.key for c in columns.COLUMNS}) == len(columns.COLUMNS)
    assert len({c.heading for c in columns.COLUMNS}) == len(columns.COLUMNS)


def test_every_field_of_a_problem_has_a_column() -> None:
    covered = {c.field.split(".")[0] for c in columns.LEDGER_COLUMNS}
    assert set(Problem.model_fields) - NOT_TABULAR == covered


def test_every_ledger_column_reads_back_what_it_wrote(campaign) -> None:
    """Write each sample problem as a spreadsheet row and read it back: the same ledger fields."""
    lookup = columns.Lookup.of(campaign.departments, campaign.portal.categories)
    for row in campaign.rows:
        sheet_row = {c.heading: str(cell) for c, cell in zip(columns.COLUMNS, columns.cells(row), strict=True)}
        fields = columns.read_problem(sheet_row, lookup)
        original = row.problem.model_dump(exclude=NOT_TABULAR, exclude_none=True)
        # a registered department named in full comes back as its id, as the guide asks clerks to write it
        original["cooperating"] = [lookup.department_id(unit) for unit in original["cooperating"]]
        assert Problem.model_validate({**fields, "log": [], "milestones": []}).model_dump(
            exclude=NOT_TABULAR, exclude_none=True) == original, row.problem.id


def test_the_csv_and_xlsx_have_the_declared_columns(docs: Path, campaign) -> None:
    headings = [c.heading for c in columns.COLUMNS]
    text = (docs / "data" / "problems.csv").read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == headings and len(table) == len(campaign.rows) + 1
    book = load_workbook(docs / "data" / "problems.xlsx")
    for unit in campaign.departments:  # a title row with the as-of date, then the headings (rendering/workbook.py)
        assert [cell.value for cell in book[unit.name][2]] == headings
    assert sum(book[unit.name].max_row - 2 for unit in campaign.departments) == len(campaign.rows)


def test_the_json_download_carries_every_derived_column(docs: Path) -> None:
    payload = json.loads((docs / "data" / "problems.json").read_text(encoding="utf-8"))
    derived = payload["problems"][0]["derived"]
    assert {c.key for c in columns.DERIVED_COLUMNS} <= set(derived)
    assert derived["status_label"] and derived["light_label"]


def test_the_finder_names_its_fields_by_column_key(docs: Path, campaign) -> None:
    index = json.loads((docs / "data" / "finder.json").read_text(encoding="utf-8"))
    assert index["fields"] == list(columns.FINDER_KEYS)
    first = dict(zip(index["fields"], index["problems"][0], strict=True))
    row = campaign.rows[0]
    assert first["id"] == row.problem.id and first["effective_deadline"] == row.state.deadline.isoformat()
    assert index["departments"][first["department"]][0] == row.department.id


def test_a_problem_page_shows_the_page_columns(docs: Path) -> None:
    page = (docs / "problems" / "FGW-2025-001.html").read_text(encoding="utf-8")
    for column in columns.PAGE_COLUMNS:
        assert f"<tr><th data-pagefind-ignore=\"all\">{column.heading}</th>" in page


def test_the_scaffold_asks_for_what_the_columns_declare() -> None:
    import datetime as dt

    text = problem_template("STHJ-2026-009", "ecology-env", "ecology", dt.date(2026, 11, 24))
    for column in columns.LEDGER_COLUMNS:
        if column.placeholder:
            assert column.placeholder in text, column.key
