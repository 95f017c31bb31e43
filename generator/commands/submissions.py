"""`rectify convert-submissions`: the spreadsheets a pull request uploads to submissions/<department>/, converted
into problem files in the checkout's ledgers/ as `rectify import` converts a sheet.

A clerk without git uploads the filled 台账 through the platform's web page ("Add file > Upload files"), which
opens a pull request. The uploaded files are found by comparing the head commit with the base (the files
outside the data folders, review/changes.py), read from git, and each is converted into the working folder's
ledgers/, so that validate, check-history, check-ownership and diff then judge the result like a hand-written
change. The converter is passed in by cli.py (commands/importing.py's import_sheet: no command imports
another), and its report is read generically: notes at cells, rows, summary(). The sheet itself is never
published: nothing but this command reads submissions/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..loading import layout
from ..loading.ledger import owners_of
from ..loading.tree import FolderTree
from ..review.changes import DELETED, ChangeSet, FileChange
from ..spreadsheet.report import ImportRefused, ImportReport
from ..validation.report import github_data, github_property, one_line

MAX_BYTES = 20 * 1024 * 1024  # the web page takes 25 MB; a 台账 of a few thousand rows is well under 5 MB
REFUSED_TITLE = "表格不能转换"

# import_sheet(ledger_root, file, department, today) -> ImportReport; raises ImportRefused
Converter = Callable[[Path, Path, str, dt.date], ImportReport]


class SubmissionsUsageError(Exception):
    """The command cannot run as asked (no ledgers/ folder); the message is for the clerk."""


@dataclass(frozen=True)
class SheetNote:
    """One thing reported about an uploaded file: at a cell of it (`台账.xlsx:Sheet1!F12`) or about the whole file."""

    file: str  # the uploaded file's path in the repository
    where: str  # the cell or row, or the REFUSED_TITLE for the whole file
    error: bool
    message: str


@dataclass
class Submission:
    """One uploaded file and what became of it."""

    path: PurePosixPath
    department: str | None
    department_name: str = ""
    refused: str | None = None  # why the file was not converted at all
    report: ImportReport | None = None
    written: list[PurePosixPath] = field(default_factory=list)  # ledger files added or changed, repository paths

    def notes(self) -> list[SheetNote]:
        if self.refused is not None:
            return [SheetNote(str(self.path), REFUSED_TITLE, True, self.refused)]
        return [SheetNote(str(self.path), note.where, note.error, note.message)
                for note in (self.report.notes if self.report is not None else [])]


@dataclass
class SubmissionsReport:
    submissions: list[Submission]

    @property
    def notes(self) -> list[SheetNote]:
        return [note for item in self.submissions for note in item.notes()]

    @property
    def errors(self) -> int:
        return sum(1 for note in self.notes if note.error)

    @property
    def written(self) -> list[PurePosixPath]:
        return [path for item in self.submissions for path in item.written]

    def valid(self) -> bool:
        return self.errors == 0

    def summary(self) -> str:
        if not self.submissions:
            return "这次改动没有在 submissions/ 下上传表格，没有要转换的。"
        return (f"共转换 {len(self.submissions)} 个上传的表格：写入或更新 {len(self.written)} 个问题文件，"
                f"错误 {self.errors} 个。" + ("" if self.valid() else "有错误的行没有写入，请按上面指出的单元格改正表格后重新上传。"))


def uploaded(changes: ChangeSet) -> list[FileChange]:
    """The files the change adds or modifies under submissions/ (a deletion converts nothing)."""
    return [c for c in changes.outside
            if c.kind != DELETED and c.new is not None and c.new.parts[0] == layout.SUBMISSIONS
            and not layout.is_ignored(c.new.name)]


def convert_submissions(repository: Path, base: str, head: str | None, today: dt.date, converter: Converter,
                        artifact: Path | None = None) -> SubmissionsReport:
    """Convert every uploaded spreadsheet into `repository/ledgers/`; with `artifact`, copy the files written there
    too, under their repository paths. Never raises for a mistake in an uploaded file."""
    ledger_root = repository / layout.LEDGERS
    if not ledger_root.is_dir():
        raise SubmissionsUsageError(f"“{repository}”下没有 ledgers 文件夹；请在台账仓库的根目录运行，或用 --repo 指定。")
    owners = owners_of(FolderTree(ledger_root))
    submissions = []
    with ChangeSet(repository, base, head) as changes, tempfile.TemporaryDirectory(prefix="rectify-") as scratch:
        for number, change in enumerate(uploaded(changes)):
            department = layout.submission_department(change.new)
            item = Submission(change.new, department, owners.names.get(department or "", ""))
            item.refused = _refusal(change, department, owners.departments)
            if item.refused is None:
                raw = changes.new_bytes(change)
                if len(raw) > MAX_BYTES:
                    item.refused = (f"文件有 {len(raw) / 1024 / 1024:.1f} MB，超过了 {MAX_BYTES // 1024 // 1024} MB 的上限；"
                                    "请删去图片和无关的工作表后另存，再重新上传。")
                else:
                    _convert(item, raw, Path(scratch) / str(number), ledger_root, today, converter)
            submissions.append(item)
    report = SubmissionsReport(submissions)
    if artifact is not None:
        artifact.mkdir(parents=True, exist_ok=True)
        for path in report.written:
            target = artifact / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repository / path, target)
    return report


def _refusal(change: FileChange, department: str | None, departments: dict) -> str | None:
    path = change.new
    if change.makes_link is not None:
        return "这是符号链接或子模块，不是表格文件本身；请上传表格文件。"
    if department is None:
        return (f"表格直接放在了 {layout.SUBMISSIONS}/ 下，不知道是哪个部门的；"
                f"请上传到 {layout.SUBMISSIONS}/本部门编号/ 文件夹（部门编号见 ledgers/departments.yml）。")
    if department not in departments:
        return (f"文件夹 {layout.SUBMISSIONS}/{department}/ 不是已登记的部门：“{department}”不是 departments.yml 中的部门编号；"
                f"请上传到 {layout.SUBMISSIONS}/本部门编号/ 文件夹。")
    if path.suffix.lower() not in layout.SPREADSHEET_SUFFIXES:
        return (f"{path.name} 不是表格文件：只能转换 {'、'.join(layout.SPREADSHEET_SUFFIXES)} 文件；"
                "请用 Excel 或 WPS 另存为 .xlsx 后上传。")
    return None


def _convert(item: Submission, raw: bytes, scratch: Path, ledger_root: Path, today: dt.date,
             converter: Converter) -> None:
    """One sheet into its department's folder; what it added or changed there is found by content, whatever
    the converter's outcomes are called (a sheet may also update problems already in the ledger)."""
    assert item.department is not None
    scratch.mkdir()
    sheet = scratch / item.path.name  # the notes name the cell in the file's own name: 台账.xlsx:Sheet1!F12
    sheet.write_bytes(raw)
    folder = ledger_root / layout.department_folder(item.department)
    before = _digests(folder)
    try:
        item.report = converter(ledger_root, sheet, item.department, today)
    except ImportRefused as exc:
        item.refused = str(exc)
        return
    after = _digests(folder)
    item.written = [PurePosixPath(layout.LEDGERS, layout.department_folder(item.department), name)
                    for name in sorted(after) if before.get(name) != after[name]]


def _digests(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.iterdir() if path.is_file() and layout.is_ledger_name(path.name)}


# ---------------------------------------------------------------- what the command prints


def _lines(item: Submission) -> list[str]:
    unit = f"{item.department_name}（{item.department}）" if item.department_name else (item.department or "")
    head = f"{item.path}" + (f" -> {unit}" if unit else "")
    lines = [head]
    lines.extend(f"写入 {path}" for path in item.written)
    if item.report is not None:
        lines.append(item.report.summary())
    return lines


def format_text(report: SubmissionsReport) -> str:
    lines = []
    for item in report.submissions:
        lines.extend(_lines(item)[:1])
        lines.extend(one_line(f"{note.file}: {note.where}: {'错误' if note.error else '提醒'} {note.message}")
                     for note in item.notes())
        lines.extend(_lines(item)[1:])
    return "\n".join([*lines, report.summary()])


def format_github(report: SubmissionsReport) -> str:
    """Each note an annotation on the uploaded file, titled with its cell: the sheet has no lines to point at."""
    lines = [f"::{'error' if note.error else 'warning'} file={github_property(note.file)},"
             f"title={github_property(note.where)}::{github_data(note.message)}" for note in report.notes]
    for item in report.submissions:
        lines.extend(_lines(item))
    lines.append(report.summary())
    return "\n".join(lines)


def format_gitlab(report: SubmissionsReport) -> str:
    """GitLab's Code Quality report, one issue per note, on the uploaded file's first line."""
    issues = []
    seen: dict[str, int] = {}
    for note in report.notes:
        identity = "\0".join((note.file, note.where, note.message))
        seen[identity] = seen.get(identity, 0) + 1
        issues.append({
            "description": one_line(f"{note.where}: {note.message}"),
            "check_name": "convert-submissions",
            "fingerprint": hashlib.sha256(f"{identity}\0{seen[identity]}".encode()).hexdigest(),
            "severity": "major" if note.error else "minor",
            "location": {"path": note.file, "lines": {"begin": 1}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2)


def format_markdown(report: SubmissionsReport) -> str:
    """The reviewer's section of the job summary; the diff of the converted problems follows it."""
    lines = ["## 上传表格的转换结果", ""]
    for item in report.submissions:
        unit = f"{item.department_name}（{item.department}）" if item.department_name else "未知部门"
        state = item.refused or (item.report.summary() if item.report is not None else "")
        lines.append(f"- `{item.path}`，{unit}：{one_line(state)}")
        lines.extend(f"  - {'错误' if note.error else '提醒'} `{note.where}`：{one_line(note.message)}"
                     for note in item.notes() if item.refused is None)
        lines.extend(f"  - 写入 `{path}`" for path in item.written)
    lines += ["", report.summary()]
    if report.written:
        lines.append("转换出的问题文件在本次运行的附件 converted-ledgers 里：维护人员下载后提交到这个拉取请求，"
                     "并在同一次提交中删除上传的表格。")
    return "\n".join(lines) + "\n\n"


FORMATS = {"text": format_text, "github": format_github, "gitlab": format_gitlab}
