"""Validation of a whole ledger (a folder, or a git commit): load everything, run every rule, report everything."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..loading.ledger import Ledger, ParsedFiles, load_ledger
from ..loading.tree import LedgerTree
from ..model.findings import CODES, Finding, Severity, most_serious_first
from ..parallel import collector_paused
from .codeowners import check_committed
from .rules import check_all

MESSAGE_LIMIT = 600  # characters of one finding in the text format
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _Findings:
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    def valid(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def verdict(self, strict: bool) -> str:
        if self.valid(strict):
            return " 校验通过。"
        if not self.errors:
            return " 因使用 --strict，提醒也视为不通过。"
        return " 校验未通过，请按上面每行指出的文件和行号逐一改正。"


@dataclass(frozen=True)
class Report(_Findings):
    ledger: Ledger
    findings: tuple[Finding, ...]

    def summary(self, strict: bool = False) -> str:
        ledger = self.ledger
        return (f"共检查 {ledger.problem_files} 个问题文件、{len(ledger.inspections)} 份督查记录；"
                f"错误 {len(self.errors)} 个，提醒 {len(self.warnings)} 个。") + self.verdict(strict)

    def stats(self) -> dict:
        ledger = self.ledger
        return {
            "problem_files": ledger.problem_files,
            "problems": len(ledger.problems),
            "inspections": len(ledger.inspections),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    @property
    def notes(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class CheckReport(_Findings):
    """The findings of a check of a change against its base (check-history, check-ownership)."""

    check: str  # the command's name
    changed_files: int
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()  # lines for the reader after the findings (whose approval a change needs)

    def summary(self, strict: bool = False) -> str:
        return (f"{self.check}：与基准提交相比改动了 {self.changed_files} 个台账或快照文件；"
                f"错误 {len(self.errors)} 个，提醒 {len(self.warnings)} 个。") + self.verdict(strict)

    def stats(self) -> dict:
        return {"changed_files": self.changed_files, "errors": len(self.errors), "warnings": len(self.warnings)}


def validate(source: LedgerTree | Path, today: dt.date, repository: Path | None = None,
             history: bool = False, memo: ParsedFiles | None = None) -> Report:
    """`source` is a ledger folder's path or a tree (`FolderTree`, `GitTree`). With `repository` (the root the
    ledger folder lies in), its committed CODEOWNERS files are checked against the registries too. With
    `history`, a valid ledger in a folder is also checked against the snapshots published beside it and their
    git history (E340-E345). `memo`: the problem files a previous load parsed (loading/ledger.py ParsedFiles),
    of which only those whose bytes changed are parsed again; the rules across files run over all of them."""
    with collector_paused():
        ledger = load_ledger(source, memo=memo)
        findings = list(ledger.findings)
        findings.extend(check_all(ledger, today))
    if repository is not None:
        findings.extend(check_committed(repository, ledger.root))
    if history and isinstance(source, Path) and not any(f.severity == Severity.ERROR for f in findings):
        from .rules.published import check as check_published

        findings.extend(check_published(ledger, source, today))
    return Report(ledger, tuple(most_serious_first(findings)))


def summary(report: Report | CheckReport, strict: bool = False) -> str:
    return report.summary(strict)


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A finding on one line whatever a ledger holds: line breaks and other control characters made
    visible (\\n, \\u2028), and cut at `limit` characters, so that a value echoed in a message can neither
    split a finding in two nor inject a line into whatever reads the log."""
    visible = _INVISIBLE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)
    return visible if len(visible) <= limit else visible[:limit - 1] + "…"


def format_text(report: Report, strict: bool = False) -> str:
    lines = [one_line(f"{f.file}:{f.line}:{f.column}: {f.code} {f.title}：{f.message}") for f in report.findings]
    return "\n".join([*lines, *report.notes, report.summary(strict)])


def format_json(report: Report, strict: bool = False) -> str:
    payload = {
        "valid": report.valid(strict),
        "stats": report.stats(),
        "findings": [f.to_dict() for f in report.findings],
    }
    if report.notes:
        payload["notes"] = list(report.notes)
    return json.dumps(payload, ensure_ascii=False, indent=2)


def github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property (file=, title=), escaped as GitHub's toolkit does (escapeProperty):
    a comma or colon in a file name would otherwise end the property and send the note elsewhere."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report, strict: bool = False) -> str:
    """GitHub workflow commands: each finding becomes an annotation on the pull request's diff."""
    lines = []
    for f in report.findings:
        level = "error" if f.severity == Severity.ERROR or strict else "warning"
        message = github_data(f"{f.title}：{f.message}")
        title = github_property(f"{f.code} {CODES[f.code].slug}")
        lines.append(f"::{level} file={github_property(f.file)},line={f.line},col={f.column},title={title}::{message}")
    lines.extend(f"::notice::{github_data(note)}" for note in report.notes)
    lines.append(report.summary(strict))
    return "\n".join(lines)


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def format_gitlab(report: Report | CheckReport, strict: bool = False) -> str:
    """GitLab's Code Quality report (a JSON array), which shows each finding on the merge request's diff.

    The fingerprint leaves the line out, so that a finding that moves with an edit above it is the same
    finding to GitLab; a count tells apart the same finding made twice in one file."""
    issues = []
    seen: dict[str, int] = {}
    for f in report.findings:
        identity = "\0".join((f.code, f.file, f.field, f.message))
        seen[identity] = seen.get(identity, 0) + 1
        digest = hashlib.sha256(f"{identity}\0{seen[identity]}".encode()).hexdigest()
        severity = "major" if strict else _GITLAB_SEVERITY[f.severity]
        issues.append({
            "description": one_line(f"{f.code} {f.title}：{f.message}"),
            "check_name": f"{f.code} {CODES[f.code].slug}",
            "fingerprint": digest,
            "severity": severity,
            "location": {"path": f.file, "lines": {"begin": f.line}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2)


FORMATS = {"text": format_text, "json": format_json, "github": format_github, "gitlab": format_gitlab}
