"""Rules across files and within a problem's log; one small module per rule family."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from ...loading.ledger import Ledger
from ...model.findings import Finding
from . import history, identity, placement, privacy, records, references, revisions, schedule

Rule = Callable[[Ledger, dt.date], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    placement.check,
    identity.check,
    references.check,
    history.check,
    revisions.check,
    records.check,
    schedule.check,
    privacy.check,
)


def check_all(ledger: Ledger, today: dt.date) -> list[Finding]:
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(ledger, today))
    return findings
