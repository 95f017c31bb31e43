"""check-history and check-ownership on real commits: each rule has a change it refuses, and honest changes pass.

Every case is a temporary git repository whose first commit holds the test ledger and one weekly snapshot;
the change is made in the working folder (as a clerk runs the check before committing) or committed (as CI
runs it), and the command runs through its real entry point.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import BASE
from .test_cli import rectify
from .test_tree import commit_all, git

PROBLEM = "ledgers/ecology-env/STHJ-2025-001.yml"  # open, two progress entries, two milestones
CLOSED = "ledgers/ecology-env/STHJ-2025-002.yml"  # extended, noticed, closed, reviewed
EDUCATION = "ledgers/education/JY-2026-001.yml"
SNAPSHOT = "snapshots/2026-W44.json"  # records the ledger to Sunday 2026-11-01


@pytest.fixture(autouse=True)
def outside_ci(monkeypatch) -> None:
    """Each case sets the CI variables it means: none of the job's own (this suite runs in CI too)."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "GITLAB_", "CI_", "RECTIFY_")):
            monkeypatch.delenv(name)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(BASE, repository / "ledgers")
    portal = repository / "ledgers" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8") + 'owners: ["@office-clerk"]\n', encoding="utf-8")
    departments = repository / "ledgers" / "departments.yml"
    departments.write_text(departments.read_text(encoding="utf-8").replace(
        'owners: ["@test-city/sthj"]', 'owners: ["@test-city/sthj", "@sthj-clerk"]'), encoding="utf-8")
    (repository / "snapshots").mkdir()
    (repository / "snapshots" / "2026-W43.json").write_text('{"week": "2026-W43"}\n', encoding="utf-8")
    (repository / SNAPSHOT).write_text('{"week": "2026-W44"}\n', encoding="utf-8")
    commit_all(repository, "base")
    return repository


def edit(repo: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = repo / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(repo: Path, name: str, text: str, start: int = 1) -> int:
    lines = (repo / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if i >= start and text in line)


def history(capsys, repo: Path, *extra: str) -> tuple[int, str]:
    code, out, err = rectify(capsys, "check-history", "--repo", str(repo), "--base", "main", *extra)
    assert not err, err
    return code, out


def findings(out: str) -> list[tuple[str, int, str]]:
    """(file, line, code) of every finding line of the text format."""
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"^(\S+?):(\d+):\d+: ([EW]\d{3}) ", out, re.MULTILINE)]


PROGRESS = """  - date: 2026-11-20
    type: progress
    step: implement
    percent: 90
    summary: 治理工程完成验收准备。
"""


# ---------------------------------------------------------------- changes that must pass


def test_nothing_changed_passes(capsys, repo: Path) -> None:
    code, out = history(capsys, repo)
    assert code == 0, out
    assert "改动了 0 个" in out


def test_appended_entry_passes(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS)
    code, out = history(capsys, repo)
    assert code == 0, out
    assert "改动了 1 个" in out and "校验通过" in out


def test_appended_extension_passes(capsys, repo: Path) -> None:
    append(repo, PROBLEM, """  - date: 2026-11-20
    type: extension
    deadline: 2027-06-30
    reason: 治理工程受汛期影响。
    approved_by: 测试市问题整改工作专班
""")
    code, out = history(capsys, repo)
    assert code == 0, out


def test_new_problem_passes(capsys, repo: Path) -> None:
    text = (repo / PROBLEM).read_text(encoding="utf-8")
    text = text.replace("STHJ-2025-001", "STHJ-2026-009").replace("opened: 2025-03-01", "opened: 2026-11-10")
    text = text.split("log:")[0] + "log: []\n"
    (repo / "ledgers/ecology-env/STHJ-2026-009.yml").write_text(text, encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 0, out


def test_milestone_done_filled_in_passes(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "  - title: 完成治理工程\n    due: 2026-10-31\n",
         "  - title: 完成治理工程\n    due: 2026-10-31\n    done: 2026-11-02\n")  # after the archived week
    code, out = history(capsys, repo)
    assert code == 0, out


def test_a_missed_milestone_cannot_be_marked_done_on_time_afterwards(capsys, repo: Path) -> None:
    """The snapshot of 2026-W44 archived 完成治理工程 (due 2026-10-31) as not done: filling in 2026-10-30 now
    would turn a milestone the 旬 report published as missed into one met on time."""
    edit(repo, PROBLEM, "  - title: 完成治理工程\n    due: 2026-10-31\n",
         "  - title: 完成治理工程\n    due: 2026-10-31\n    done: 2026-10-30\n")
    code, out = history(capsys, repo)
    assert code == 1 and findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "done: 2026-10-30"), "E508")], out


REVISION = """  - date: 2026-11-20
    type: revision
    field: target
    from: 受污染耕地安全利用率达到 95% 以上。
    to: 受污染耕地安全利用率达到 90% 以上。
    reason: 经省级评估，部分地块需退耕，安全利用率目标相应调整。
    approved_by: 市问题整改工作专班办公室
    document: 整改专班函〔2026〕31号
"""


def test_appended_revision_passes_and_leaves_the_original_in_place(capsys, repo: Path) -> None:
    """The honest way to lower a target: the original stays, a revision entry is appended."""
    append(repo, PROBLEM, REVISION)
    code, out = history(capsys, repo)
    assert code == 0, out


def test_writing_out_a_default_or_requoting_a_commitment_passes(capsys, repo: Path) -> None:
    append(repo, EDUCATION, "supervision: none\ncooperating: []\n")  # absent is none: nothing changed
    edit(repo, PROBLEM, "target: 受污染耕地安全利用率达到 95% 以上。", 'target: "受污染耕地安全利用率达到 95% 以上。"')
    code, out = history(capsys, repo)
    assert code == 0, out


def test_reformatting_an_old_entry_passes(capsys, repo: Path) -> None:
    """Values are compared as YAML reads them: quoting an old summary changes nothing on record."""
    edit(repo, PROBLEM, "summary: 召开专题会议分析研判。", 'summary: "召开专题会议分析研判。"')
    code, out = history(capsys, repo)
    assert code == 0, out


# Each way a department could move its own goalposts in place before a bulletin: (file, old, new, code, line text).
GOALPOSTS = {
    "target-lowered": (PROBLEM, "达到 95% 以上", "达到 60% 以上", "E515", "target:"),
    "measures-rewritten": (PROBLEM, "  - 实施种植结构调整。\n", "  - 视情况调整种植结构。\n", "E515", "measures:"),
    "supervision-dropped": (PROBLEM, "supervision: province", "supervision: none", "E515", "supervision:"),
    "supervision-removed": (PROBLEM, "supervision: province\n", "", "E515", "id:"),  # no line left: the file's first
    "title-softened": (PROBLEM, "title: 金矿区周边农用地土壤重金属超标", "title: 金矿区周边农用地土壤质量提升", "E515", "title:"),
    "leader-replaced": (PROBLEM, "leader: 副市长 王某某", "leader: 局长 李某", "E515", "leader:"),
    "responsible-replaced": (PROBLEM, "responsible: 科长 张*", "responsible: 科员 赵*", "E515", "responsible:"),
    "team-renamed": (PROBLEM, "team: 土壤污染治理工作专班", "team: 土壤科", "E515", "team:"),
    "section-moved": (PROBLEM, "section: 土壤生态环境科", "section: 办公室", "E515", "section:"),
    "cooperating-dropped": (PROBLEM, "  - education\n", "", "E515", "cooperating:"),
    "source-kind": (PROBLEM, "kind: inspection", "kind: self_check", "E514", "  kind:"),
    "source-name": (PROBLEM, "name: 2024年省生态环境保护督察反馈意见", "name: 部门自查", "E514", "name:"),
    "source-dated": (PROBLEM, "  name: 2024年省生态环境保护督察反馈意见\n",
                     "  name: 2024年省生态环境保护督察反馈意见\n  date: 2024-12-01\n", "E514", "  date:"),
    "description": (PROBLEM, "约 300 亩农用地", "约 30 亩农用地", "E514", "description:"),
    "category": (PROBLEM, "category: ecology", "category: education", "E514", "category:"),
    "milestone-done-earlier": (PROBLEM, "done: 2025-06-20", "done: 2025-06-10", "E515", "- title: 完成详查"),
    "milestone-added": (PROBLEM, "    due: 2026-10-31\n", "    due: 2026-10-31\n  - title: 新节点\n    due: 2026-12-01\n",
                        "E515", "- title: 新节点"),
    "milestone-retitled": (PROBLEM, "title: 完成治理工程", "title: 完成治理工程方案", "E515", "- title: 完成治理工程方案"),
    "inspection-criticism-to-praise": ("ledgers/inspections/DC-2026-001.yml", "findings: 治理工程进度与台账一致。",
                                       "findings: 治理工程成效突出，予以表扬。", "E516", "findings:"),
}


@pytest.mark.parametrize("name", GOALPOSTS)
def test_a_commitment_moved_in_place_is_refused_with_the_entry_to_append(capsys, repo: Path, name: str) -> None:
    path, old, new, code, line_text = GOALPOSTS[name]
    edit(repo, path, old, new)
    status, out = history(capsys, repo)
    assert status == 1, out
    assert [f[2] for f in findings(out)] == [code], out
    assert findings(out)[0][1] == line_of(repo, path, line_text), out
    if code == "E515":
        assert "type: revision" in out and "恢复" in out


def test_a_milestone_without_a_date_is_a_commitment_too(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "    due: 2026-10-31\n", "    due: 2026-10-31\n  - title: 组织验收\n")
    commit_all(repo, "an undated milestone")
    edit(repo, PROBLEM, "  - title: 组织验收\n", "")
    status, out = history(capsys, repo)
    assert [f[2] for f in findings(out)] == ["E515"] and "删除了第 3 个节点（组织验收" in out, out


def test_the_refusal_names_the_content_in_force_after_an_earlier_revision(capsys, repo: Path) -> None:
    append(repo, PROBLEM, REVISION)
    commit_all(repo, "revision")
    edit(repo, PROBLEM, "达到 95% 以上", "达到 60% 以上")
    status, out = history(capsys, repo)
    assert status == 1 and "照抄现在有效的内容“受污染耕地安全利用率达到 90% 以上。”" in out, out
    assert "document（同意调整的文号）" in out  # a target needs the approving document


def test_committed_change_is_compared_too(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS)
    commit_all(repo, "progress")
    code, out = history(capsys, repo, "--base", "HEAD~1", "--head", "HEAD")  # the last --base counts
    assert code == 0, out
    assert "改动了 1 个" in out


# ---------------------------------------------------------------- changes that are refused, one per rule


def test_deleted_problem_is_refused(capsys, repo: Path) -> None:
    (repo / EDUCATION).unlink()
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(EDUCATION, 1, "E501")]
    assert "JY-2026-001" in out


def test_renamed_problem_is_refused(capsys, repo: Path) -> None:
    (repo / PROBLEM).rename(repo / "ledgers/ecology-env/STHJ-2025-009.yml")
    code, out = history(capsys, repo)
    assert code == 1
    assert ("ledgers/ecology-env/STHJ-2025-009.yml", 1, "E502") in findings(out)
    assert PROBLEM in out


def test_deleted_inspection_is_refused(capsys, repo: Path) -> None:
    (repo / "ledgers/inspections/DC-2026-001.yml").unlink()
    code, out = history(capsys, repo)
    assert code == 1
    assert [f[2] for f in findings(out)] == ["E501"]


def test_edited_entry_is_refused(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "percent: 10", "percent: 20")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "- date: 2025-03-10"), "E503")]
    assert "percent：10 → 20" in out


def test_removed_entry_is_refused_at_its_old_line(capsys, repo: Path) -> None:
    old_line = line_of(repo, PROBLEM, "- date: 2026-10-20")
    text = (repo / PROBLEM).read_text(encoding="utf-8")
    (repo / PROBLEM).write_text(text.split("  - date: 2026-10-20")[0], encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, old_line, "E504")]


def test_reordered_log_is_refused(capsys, repo: Path) -> None:
    text = (repo / PROBLEM).read_text(encoding="utf-8")
    head, entries = text.split("log:\n")
    first, second = entries.split("  - date: 2026-10-20")
    (repo / PROBLEM).write_text(head + "log:\n  - date: 2026-10-20" + second + first, encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert "E505" in {f[2] for f in findings(out)}, out


def test_entry_inserted_in_the_middle_is_refused(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "  - date: 2026-10-20", PROGRESS.replace("2026-11-20", "2026-11-21") + "  - date: 2026-10-20")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "- date: 2026-11-21"), "E506")]


def test_moved_deadline_is_refused(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "deadline: 2026-12-31", "deadline: 2027-06-30")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "deadline:"), "E507")]
    assert "extension" in out


def test_moved_milestone_due_date_is_refused(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "due: 2026-10-31", "due: 2026-12-15")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "due: 2026-12-15"), "E507")]


def test_moved_opening_date_is_refused(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "opened: 2025-03-01", "opened: 2025-03-05")
    code, out = history(capsys, repo)
    assert code == 1
    assert [f[2] for f in findings(out)] == ["E507"]


def test_backdated_entry_is_refused(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS.replace("2026-11-20", "2026-11-01"))  # the Sunday 2026-W44 recorded
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "- date: 2026-11-01"), "E508")]
    assert "2026-W44" in out


def test_entry_on_the_monday_after_the_snapshot_passes(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS.replace("2026-11-20", "2026-11-02"))
    code, out = history(capsys, repo)
    assert code == 0, out


def test_backdated_new_problem_is_refused(capsys, repo: Path) -> None:
    text = (repo / PROBLEM).read_text(encoding="utf-8").replace("STHJ-2025-001", "STHJ-2026-009")
    (repo / "ledgers/ecology-env/STHJ-2026-009.yml").write_text(text, encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert {f[2] for f in findings(out)} == {"E508"}


def test_backdated_inspection_is_refused(capsys, repo: Path) -> None:
    original = (repo / "ledgers/inspections/DC-2026-001.yml").read_text(encoding="utf-8")
    record = re.sub(r"^date: .*$", "date: 2026-10-30", original.replace("DC-2026-001", "DC-2026-009"), flags=re.M)
    (repo / "ledgers/inspections/DC-2026-009.yml").write_text(record, encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [("ledgers/inspections/DC-2026-009.yml", line_of(repo, "ledgers/inspections/DC-2026-009.yml",
                                                                               "date: 2026-10-30"), "E508")]
    (repo / "ledgers/inspections/DC-2026-009.yml").write_text(record.replace("date: 2026-10-30", "date: 2026-11-02"),
                                                               encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 0, out


def test_changed_snapshot_is_refused(capsys, repo: Path) -> None:
    (repo / SNAPSHOT).write_text('{"week": "2026-W44", "edited": true}\n', encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(SNAPSHOT, 1, "E509")]


def test_deleted_snapshot_is_refused(capsys, repo: Path) -> None:
    (repo / "snapshots/2026-W43.json").unlink()
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [("snapshots/2026-W43.json", 1, "E509")]


def test_edited_close_out_is_refused(capsys, repo: Path) -> None:
    edit(repo, CLOSED, "document: 测销号〔2025〕8号", "document: 测销号〔2025〕9号")
    code, out = history(capsys, repo)
    assert code == 1
    assert findings(out) == [(CLOSED, line_of(repo, CLOSED, "type: close") - 1, "E510")]


def test_every_rule_is_reported_in_one_run(capsys, repo: Path) -> None:
    """Nothing stops at the first finding: each broken file is reported."""
    (repo / EDUCATION).unlink()
    edit(repo, PROBLEM, "deadline: 2026-12-31", "deadline: 2027-06-30")
    (repo / SNAPSHOT).write_text("{}\n", encoding="utf-8")
    code, out = history(capsys, repo)
    assert code == 1
    assert {f[2] for f in findings(out)} == {"E501", "E507", "E509"}


# ---------------------------------------------------------------- ownership


def ownership(capsys, repo: Path, author: str, *extra: str) -> tuple[int, str]:
    code, out, err = rectify(capsys, "check-ownership", "--repo", str(repo), "--base", "main",
                             "--author", author, *extra)
    assert not err, err
    return code, out


def test_department_owner_may_change_its_files(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS)
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 0, out
    assert "测试市生态环境局（ecology-env）：1 个文件" in out


def test_team_membership_counts(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS)
    code, out = ownership(capsys, repo, "someone", "--team", "@test-city/sthj")
    assert code == 0, out
    code, out = ownership(capsys, repo, "someone")
    assert code == 1


def test_cross_department_change_names_each_department_and_its_owners(capsys, repo: Path) -> None:
    append(repo, PROBLEM, PROGRESS)
    edit(repo, EDUCATION, "title: ", "title: （修改）")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1
    assert findings(out) == [(EDUCATION, 1, "E511")]
    assert "测试市生态环境局（ecology-env）：1 个文件" in out and "测试市教育局（education）：1 个文件" in out
    assert "涉及 2 个管理单位" in out


def test_office_files_are_the_offices(capsys, repo: Path) -> None:
    edit(repo, "ledgers/portal.yml", "feedback: 12345", "feedback: 12345 热线")
    (repo / "snapshots/2026-W45.json").write_text("{}\n", encoding="utf-8")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1
    assert findings(out) == [("ledgers/portal.yml", 1, "E512"), ("snapshots/2026-W45.json", 1, "E512")]
    assert "@office-clerk" in out
    code, out = ownership(capsys, repo, "office-clerk")
    assert code == 0, out


def test_owners_are_read_from_the_base_not_the_change(capsys, repo: Path) -> None:
    """A pull request cannot make its author an owner and use it in the same change."""
    edit(repo, "ledgers/departments.yml", '"@sthj-clerk"]', '"@sthj-clerk", "@intruder"]')
    append(repo, PROBLEM, PROGRESS)
    code, out = ownership(capsys, repo, "intruder")
    assert code == 1
    assert {f[2] for f in findings(out)} == {"E511", "E512"}


# ---------------------------------------------------------------- as CI runs them


def test_base_and_author_come_from_the_github_event(capsys, repo: Path, tmp_path: Path, monkeypatch) -> None:
    base = git(repo, "rev-parse", "HEAD")
    edit(repo, EDUCATION, "title: ", "title: （修改）")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "user": {"login": "sthj-clerk"}}}),
                     encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_ACTOR", "office-clerk")  # who re-ran the job: not the author
    code, out, _ = rectify(capsys, "check-ownership", "--repo", str(repo), "--format", "github")
    assert code == 1
    assert out.startswith(f"::error file={EDUCATION},line=1,col=1,title=E511 not-owner::")


def test_missing_base_is_a_usage_error(capsys, repo: Path, monkeypatch) -> None:
    for name in ("GITHUB_EVENT_PATH", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_SHA"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = rectify(capsys, "check-history", "--repo", str(repo))
    assert code == 2 and "--base" in err
    code, _, err = rectify(capsys, "check-history", "--repo", str(repo), "--base", "no-such-branch")
    assert code == 2 and "找不到提交“no-such-branch”" in err


def test_gitlab_code_quality_report(capsys, repo: Path) -> None:
    edit(repo, PROBLEM, "percent: 10", "percent: 20")
    code, out = history(capsys, repo, "--format", "gitlab")
    assert code == 1
    issues = json.loads(out)
    assert len(issues) == 1
    issue = issues[0]
    assert issue["check_name"] == "E503 entry-changed" and issue["severity"] == "major"
    assert issue["location"] == {"path": PROBLEM, "lines": {"begin": line_of(repo, PROBLEM, "- date: 2025-03-10")}}
    assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"]) and "改动了已经合并的" in issue["description"]


def upload(repo: Path, *paths: str) -> None:
    """Commit spreadsheets on a branch, as the platform's "Upload files" page does (files outside the data
    folders are compared commit to commit)."""
    git(repo, "checkout", "-q", "-b", "upload")
    for path in paths:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(b"PK\x03\x04 a spreadsheet")
    commit_all(repo, "upload")


def test_a_department_may_upload_to_its_own_submissions_folder(capsys, repo: Path) -> None:
    upload(repo, "submissions/ecology-env/台账.xlsx")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 0, out
    assert "测试市生态环境局（ecology-env）：1 个文件" in out and "台账和快照以外" not in out
    git(repo, "rm", "-q", "submissions/ecology-env/台账.xlsx")
    commit_all(repo, "the sheet converted and deleted")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 0, out


def test_an_upload_to_another_departments_folder_is_not_yours(capsys, repo: Path) -> None:
    upload(repo, "submissions/education/台账.xlsx", "submissions/台账.xlsx", "submissions/no-such-unit/台账.xlsx")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1
    assert findings(out) == [("submissions/education/台账.xlsx", 1, "E511"),
                             ("submissions/no-such-unit/台账.xlsx", 1, "E520"), ("submissions/台账.xlsx", 1, "E520")]
    assert "上传的表格只能放在已登记部门的文件夹 submissions/部门编号/ 里" in out
    code, out = ownership(capsys, repo, "office-clerk")
    assert code == 0, out


def test_codeowners_give_each_department_its_submissions_folder(capsys, repo: Path) -> None:
    rectify(capsys, "codeowners", "--repo", str(repo))
    rules = (repo / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    assert "/submissions/ecology-env/ @test-city/sthj @sthj-clerk" in rules
    assert "/submissions/education/ @office-clerk" in rules


# ---------------------------------------------------------------- convert-submissions


def convert(capsys, repo: Path, *extra: str) -> tuple[int, str]:
    code, out, err = rectify(capsys, "convert-submissions", "--repo", str(repo), "--base", "main", "--head", "HEAD",
                             "--today", "2026-11-24", *extra)
    return code, out + err


def upload_county_sheet(repo: Path, path: str, *rows) -> None:
    from .test_excel import county_row, county_sheet

    git(repo, "checkout", "-q", "-b", "upload")
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    county_sheet(repo / path, list(rows) or [county_row(1)])
    commit_all(repo, "upload")


def test_convert_submissions_writes_the_sheets_problems_into_ledgers_and_the_artifact(capsys, repo: Path,
                                                                                       tmp_path: Path) -> None:
    upload_county_sheet(repo, "submissions/ecology-env/台账.xlsx")
    code, out = convert(capsys, repo, "--artifact", str(tmp_path / "artifact"), "--summary", str(tmp_path / "s.md"))
    assert code == 0, out
    written = "ledgers/ecology-env/STHJ-2025-003.yml"
    assert f"写入 {written}" in out and "submissions/ecology-env/台账.xlsx: 台账.xlsx:Sheet1!K4: 提醒 整改时限" in out
    assert (tmp_path / "artifact" / written).read_bytes() == (repo / written).read_bytes()
    assert [p.relative_to(tmp_path / "artifact").as_posix() for p in (tmp_path / "artifact").rglob("*.yml")] == [written]
    assert (tmp_path / "s.md").read_text(encoding="utf-8").startswith("## 上传表格的转换结果\n")
    code, out, _ = rectify(capsys, "validate", str(repo / "ledgers"), "--today", "2026-11-24")
    assert code == 0, out


def test_convert_submissions_refuses_each_file_it_cannot_convert_by_name(capsys, repo: Path, monkeypatch) -> None:
    from generator.commands import submissions

    upload_county_sheet(repo, "submissions/台账.xlsx")
    for path, content in (("submissions/no-such-unit/台账.xlsx", b"x"), ("submissions/education/说明.docx", b"x"),
                          ("submissions/education/大表.xlsx", b"x" * 2048), ("submissions/education/.gitkeep", b"")):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(content)
    commit_all(repo, "more")
    monkeypatch.setattr(submissions, "MAX_BYTES", 1024)
    code, out = convert(capsys, repo, "--format", "github")
    assert code == 1
    refused = dict(re.findall(r"^::error file=([^,]+),title=表格不能转换::(.*)$", out, re.MULTILINE))
    expected = {"submissions/education/大表.xlsx": "文件有 0.0 MB，超过了", "submissions/education/说明.docx": "说明.docx 不是表格",
                "submissions/no-such-unit/台账.xlsx": "文件夹 submissions/no-such-unit/ 不是已登记的部门",
                "submissions/台账.xlsx": "表格直接放在了 submissions/ 下"}
    assert sorted(refused) == sorted(expected), out
    assert all(refused[path].startswith(start) for path, start in expected.items()), out
    assert list((repo / "ledgers").rglob("STHJ-2025-003.yml")) == []


def test_convert_submissions_without_an_upload_or_a_base(capsys, repo: Path) -> None:
    code, out = convert(capsys, repo)
    assert code == 0 and "没有在 submissions/ 下上传表格" in out
    upload_county_sheet(repo, "submissions/ecology-env/台账.xlsx")
    git(repo, "rm", "-q", "submissions/ecology-env/台账.xlsx")
    commit_all(repo, "converted and deleted")
    code, out = convert(capsys, repo)
    assert code == 0 and "没有在 submissions/ 下上传表格" in out  # a deletion converts nothing
    code, out, err = rectify(capsys, "convert-submissions", "--repo", str(repo))
    assert code == 2 and "--base" in err


def test_nothing_published_reads_submissions(tmp_path: Path) -> None:
    """The uploaded sheet is the clerk's working copy, private data and all: the portal is built from ledgers/
    (and snapshots/) only. A build with a submissions/ folder beside the ledger, holding a sheet and a problem
    file, writes the same files as one without; and no module that builds the site names the folder."""
    from generator.writing.build import build

    from .conftest import AS_OF, ROOT, materialize
    from .test_excel import county_row, county_sheet

    outputs = []
    for name, uploads in (("plain", False), ("uploads", True)):
        ledgers = materialize(None, tmp_path / name)
        if uploads:
            folder = tmp_path / name / "submissions" / "ecology-env"
            folder.mkdir(parents=True)
            county_sheet(folder / "台账.xlsx", [county_row(1, 备注="独一无二的上传标记 138 1234 5678")])
            shutil.copyfile(ledgers / "ecology-env" / "STHJ-2025-001.yml", folder / "STHJ-2025-999.yml")
        docs = tmp_path / name / "docs"
        build(ledgers, docs, AS_OF, "test", AS_OF, git_history=False)
        outputs.append({p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]
    readers = {path.relative_to(ROOT / "generator").as_posix() for path in (ROOT / "generator").rglob("*.py")
               if "SUBMISSIONS" in path.read_text(encoding="utf-8") or "submission_department" in path.read_text(encoding="utf-8")}
    assert readers == {"loading/layout.py", "review/ownership.py", "validation/codeowners.py", "commands/checks.py",
                       "commands/submissions.py"}


# ---------------------------------------------------------------- CODEOWNERS


def test_codeowners_written_for_both_platforms_and_checked_by_validate(capsys, repo: Path, monkeypatch) -> None:
    code, out, _ = rectify(capsys, "codeowners", "--repo", str(repo))
    assert code == 0, out
    github = (repo / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert (repo / ".gitlab/CODEOWNERS").read_text(encoding="utf-8") == github
    rules = [line for line in github.splitlines() if line and not line.startswith("#")]
    assert rules[0] == "* @office-clerk"
    assert "/ledgers/ecology-env/ @test-city/sthj @sthj-clerk" in rules
    assert "/ledgers/education/ @office-clerk" in rules  # no owners of its own: the office's
    assert rules.index("/snapshots/ @office-clerk") < rules.index("/ledgers/ecology-env/ @test-city/sthj @sthj-clerk")

    monkeypatch.chdir(repo)
    code, out, _ = rectify(capsys, "validate", "ledgers", "--today", "2026-11-24")
    assert code == 0, out
    edit(repo, "ledgers/departments.yml", '"@sthj-clerk"]', '"@sthj-lead"]')
    code, out, _ = rectify(capsys, "validate", "ledgers", "--today", "2026-11-24")
    assert code == 1
    stale = [f for f in findings(out) if f[2] == "E513"]
    line = github.splitlines().index("/ledgers/ecology-env/ @test-city/sthj @sthj-clerk") + 1
    assert stale == [(".github/CODEOWNERS", line, "E513"), (".gitlab/CODEOWNERS", line, "E513")]
    assert "rectify codeowners" in out


def test_sample_codeowners_are_up_to_date() -> None:
    from generator.loading.ledger import owners_of
    from generator.loading.tree import FolderTree
    from generator.validation.codeowners import PLATFORMS, codeowners_text

    from .conftest import ROOT

    expected = codeowners_text(owners_of(FolderTree(ROOT / "ledgers")))
    for relative in PLATFORMS.values():
        assert (ROOT / relative).read_text(encoding="utf-8") == expected, f"run rectify codeowners ({relative})"


# ---------------------------------------------------------------- the reviewer's summary


def test_diff_tells_the_reviewer_what_the_change_does(capsys, repo: Path) -> None:
    append(repo, PROBLEM, """  - date: 2026-11-20
    type: extension
    deadline: 2027-06-30
    reason: 受汛期影响 <script>alert(1)</script>
    approved_by: 测试市问题整改工作专班
  - date: 2026-11-21
    type: progress
    step: implement
    percent: 100
    summary: 治理工程完工。
""")
    text = (repo / PROBLEM).read_text(encoding="utf-8").replace("STHJ-2025-001", "STHJ-2026-009")
    text = text.replace("opened: 2025-03-01", "opened: 2026-11-10").replace("deadline: 2026-12-31", "deadline: 2026-11-20")
    (repo / "ledgers/ecology-env/STHJ-2026-009.yml").write_text(text.split("log:")[0] + "log: []\n", encoding="utf-8")
    code, out, _ = rectify(capsys, "diff", "--repo", str(repo), "--base", "main", "--today", "2026-11-24")
    assert code == 0
    sections = dict(re.findall(r"^### (\S+?)（\d+）\n\n(.*?)(?=\n###|\Z)", out, re.MULTILINE | re.DOTALL))
    assert "检查发现的问题" not in out and "检查均已通过" in out
    assert "STHJ\\-2026\\-009" in sections["新增问题"] and "逾期·红灯" in sections["新增问题"]
    assert "STHJ\\-2026\\-009" in sections["新红灯"]  # opened and already past its deadline
    assert "| 2026\\-12\\-31 | 2027\\-06\\-30 |" in sections["延期"]
    assert "整改中·黄灯 | 已完成待销号·绿灯" in sections["状态或亮灯的变化"]
    assert sections["新增记录"].count("STHJ\\-2025\\-001") == 2
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_diff_names_each_revision_before_the_close_outs(capsys, repo: Path) -> None:
    append(repo, PROBLEM, REVISION)
    code, out, _ = rectify(capsys, "diff", "--repo", str(repo), "--base", "main", "--today", "2026-11-24")
    assert code == 0
    sections = dict(re.findall(r"^### (\S+?)（\d+）\n\n(.*?)(?=\n###|\Z)", out, re.MULTILINE | re.DOTALL))
    row = sections["调整整改承诺"].splitlines()[-1]
    assert "| 整改目标 | 受污染耕地安全利用率达到 95% 以上。 | 受污染耕地安全利用率达到 90% 以上。 |" in row, row
    assert "整改专班函〔2026〕31号" in row
    assert out.index("### 调整整改承诺") < out.index("### 新增记录")


def test_diff_lists_the_checks_findings(capsys, repo: Path) -> None:
    edit(repo, CLOSED, "document: 测销号〔2025〕8号", "document: 测销号〔2025〕9号")
    code, out, _ = rectify(capsys, "diff", "--repo", str(repo), "--base", "main", "--today", "2026-11-24",
                           "--author", "office-clerk")
    assert code == 0
    assert "### 检查发现的问题（2 个错误）" in out
    assert "E510 改动了销号记录" in out and "E511 无权修改这个部门的台账" in out


# ---------------------------------------------------------------- beyond the data folders


def test_a_department_may_not_change_code_workflows_or_settings(capsys, repo: Path) -> None:
    """The gate's own files are the office's: a clerk's pull request that edits them is refused."""
    (repo / "Makefile").write_text("test:\n\ttrue\n", encoding="utf-8")
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/pull-request.yml").write_text("on: pull_request\n", encoding="utf-8")
    (repo / "generator/review").mkdir(parents=True)
    (repo / "generator/review/history.py").write_text("def check(changes):\n    return []\n", encoding="utf-8")
    append(repo, PROBLEM, PROGRESS)
    git(repo, "checkout", "-q", "-b", "change")  # the base stays main
    commit_all(repo, "a clerk's change with code in it")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1
    assert findings(out) == [(".github/workflows/pull-request.yml", 1, "E520"), ("Makefile", 1, "E520"),
                             ("generator/review/history.py", 1, "E520")]
    assert "持续集成的工作流" in out and "门户程序的代码" in out and "构建和安装门户的设置" in out
    assert "台账和快照以外改动了 3 个文件" in out and "专班办公室：3 个文件" in out
    code, out = ownership(capsys, repo, "office-clerk", "--head", "HEAD")
    assert code == 1 and {f[2] for f in findings(out)} == {"E511"}  # the office owns code, not the department's file


def test_git_settings_files_are_the_offices_in_any_folder(capsys, repo: Path) -> None:
    """A .gitattributes can mark a neighbour's folder -diff: the reviewer would see no change there."""
    (repo / ".gitattributes").write_text("ledgers/education/** -diff\n", encoding="utf-8")
    (repo / "ledgers/ecology-env/.gitattributes").write_text("*.yml linguist-generated\n", encoding="utf-8")
    git(repo, "checkout", "-q", "-b", "change")  # the base stays main
    commit_all(repo, "attributes")
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1
    assert findings(out) == [(".gitattributes", 1, "E522"), ("ledgers/ecology-env/.gitattributes", 1, "E522")]
    code, out = ownership(capsys, repo, "office-clerk")
    assert code == 0, out


def test_symlinks_and_submodules_are_refused_from_anyone(capsys, repo: Path) -> None:
    os.symlink("../education/JY-2026-001.yml", repo / "ledgers/ecology-env/STHJ-2026-009.yml")
    os.symlink("ledgers", repo / "data")
    git(repo, "checkout", "-q", "-b", "change")  # the base stays main
    commit_all(repo, "links")
    submodule = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{submodule},ledgers/ecology-env/vendor")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{submodule},vendor")
    git(repo, "commit", "-q", "-m", "submodules")
    for author in ("sthj-clerk", "office-clerk"):
        code, out = ownership(capsys, repo, author, "--head", "HEAD")
        assert code == 1
        e521 = [f for f in findings(out) if f[2] == "E521"]
        assert e521 == [("data", 1, "E521"), ("ledgers/ecology-env/STHJ-2026-009.yml", 1, "E521"),
                        ("ledgers/ecology-env/vendor", 1, "E521"), ("vendor", 1, "E521")], out
        assert "符号链接" in out and "子模块" in out
    code, out = history(capsys, repo, "--head", "HEAD")  # a submodule's content is not there to read: no crash
    assert "Traceback" not in out


def test_the_working_folder_is_compared_with_head_outside_the_data(capsys, repo: Path) -> None:
    """A laptop's .venv/ or site/ is no pull request's: outside the data folders the committed HEAD counts."""
    (repo / ".venv").mkdir()
    (repo / ".venv/pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    append(repo, PROBLEM, PROGRESS)
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 0, out


# ---------------------------------------------------------------- teams and authors, asked of the platform


class FakeAPI:
    """The platforms' REST APIs as a transport: (url, headers) -> (status, body), and the requests it saw."""

    def __init__(self, answers: dict[str, tuple[int, object]]):
        self.answers = answers
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, url: str, headers) -> tuple[int, bytes]:
        self.requests.append((url, dict(headers)))
        parts = urlsplit(url)
        path = unquote(parts.path).removeprefix("/api/v4") + (f"?{parts.query}" if parts.query else "")
        status, payload = self.answers.get(path, (404, {"message": "404 Not Found"}))
        return status, json.dumps(payload).encode()


GITHUB_TEAM = {"/orgs/test-city/teams/sthj": (200, {"slug": "sthj"}),
               "/orgs/test-city/teams/sthj/memberships/li-clerk": (200, {"state": "active", "role": "member"}),
               "/orgs/test-city/teams/sthj/memberships/invited": (200, {"state": "pending", "role": "member"})}
GITLAB_TEAM = {"/projects/42/merge_requests/7": (200, {"iid": 7, "author": {"id": 301, "username": "li-clerk"}}),
               "/groups/test-city/sthj": (200, {"id": 9, "full_path": "test-city/sthj"}),
               "/groups/test-city/sthj/members/all/301": (200, {"id": 301, "username": "li-clerk", "state": "active"}),
               "/users?username=wang": (200, [{"id": 302, "username": "wang"}])}


def on_github(monkeypatch, api: FakeAPI, token: str | None = "ghp-test") -> None:
    import generator.review.platforms as platforms

    monkeypatch.setattr(platforms, "urllib_transport", api)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_API_URL", "https://api.github.test")
    if token:
        monkeypatch.setenv("RECTIFY_TEAMS_TOKEN", token)


def on_gitlab(monkeypatch, api: FakeAPI, token: str | None = "glpat-test", starter: str = "office-clerk") -> None:
    import generator.review.platforms as platforms

    monkeypatch.setattr(platforms, "urllib_transport", api)
    for name, value in {"GITLAB_CI": "true", "CI_API_V4_URL": "https://gitlab.test/api/v4", "CI_PROJECT_ID": "42",
                        "CI_MERGE_REQUEST_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7",
                        "GITLAB_USER_LOGIN": starter}.items():
        monkeypatch.setenv(name, value)
    if token:
        monkeypatch.setenv("RECTIFY_GITLAB_TOKEN", token)


def check_ownership_in_ci(capsys, repo: Path, *extra: str) -> tuple[int, str]:
    code, out, err = rectify(capsys, "check-ownership", "--repo", str(repo), "--base", "main", *extra)
    assert not err, err
    return code, out


def test_a_team_member_passes_on_github(capsys, repo: Path, monkeypatch) -> None:
    append(repo, PROBLEM, PROGRESS)
    api = FakeAPI(GITHUB_TEAM)
    on_github(monkeypatch, api)
    code, out = check_ownership_in_ci(capsys, repo, "--author", "li-clerk")
    assert code == 0, out
    assert api.requests[-1][0] == "https://api.github.test/orgs/test-city/teams/sthj/memberships/li-clerk"
    assert api.requests[-1][1]["Authorization"] == "Bearer ghp-test"
    code, out = check_ownership_in_ci(capsys, repo, "--author", "invited")  # invited, not yet a member
    assert code == 1 and findings(out) == [(PROBLEM, 1, "E511")]
    code, out = check_ownership_in_ci(capsys, repo, "--author", "stranger")
    assert code == 1 and findings(out) == [(PROBLEM, 1, "E511")]


def test_a_personal_owner_needs_no_token(capsys, repo: Path, monkeypatch) -> None:
    append(repo, PROBLEM, PROGRESS)
    api = FakeAPI({})
    on_github(monkeypatch, api, token=None)
    code, out = check_ownership_in_ci(capsys, repo, "--author", "sthj-clerk")
    assert code == 0, out
    assert api.requests == []


def test_a_team_owner_without_a_token_names_the_secret_and_its_scope(capsys, repo: Path, monkeypatch) -> None:
    append(repo, PROBLEM, PROGRESS)
    on_github(monkeypatch, FakeAPI(GITHUB_TEAM), token=None)
    code, out = check_ownership_in_ci(capsys, repo, "--author", "li-clerk")
    assert code == 1
    assert findings(out) == [(PROBLEM, 1, "E523")]
    assert "RECTIFY_TEAMS_TOKEN" in out and "read:org" in out and "@test-city/sthj" in out


def test_a_token_that_cannot_see_the_team_is_not_taken_for_no(capsys, repo: Path, monkeypatch) -> None:
    """GitHub answers 404 both for "not a member" and for "this token cannot see the team"."""
    append(repo, PROBLEM, PROGRESS)
    on_github(monkeypatch, FakeAPI({}))
    code, out = check_ownership_in_ci(capsys, repo, "--author", "li-clerk")
    assert code == 1 and findings(out) == [(PROBLEM, 1, "E523")]
    assert "read:org" in out


def test_gitlab_author_is_the_merge_requests_not_the_pipelines_starter(capsys, repo: Path, monkeypatch) -> None:
    """The office re-runs a clerk's pipeline: GITLAB_USER_LOGIN becomes the office, the author stays the clerk."""
    edit(repo, "ledgers/portal.yml", "feedback: 12345", "feedback: 12345 热线")
    api = FakeAPI(GITLAB_TEAM)
    on_gitlab(monkeypatch, api, starter="office-clerk")
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 1
    assert findings(out) == [("ledgers/portal.yml", 1, "E512")] and "作者：li-clerk" in out
    assert api.requests[0][0] == "https://gitlab.test/api/v4/projects/42/merge_requests/7"
    assert api.requests[0][1]["PRIVATE-TOKEN"] == "glpat-test"


def test_a_team_member_passes_on_gitlab(capsys, repo: Path, monkeypatch) -> None:
    append(repo, PROBLEM, PROGRESS)
    api = FakeAPI(GITLAB_TEAM)
    on_gitlab(monkeypatch, api)
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 0, out
    assert "作者：li-clerk" in out
    assert api.requests[-1][0] == "https://gitlab.test/api/v4/groups/test-city%2Fsthj/members/all/301"
    code, out = check_ownership_in_ci(capsys, repo, "--author", "wang")  # asked by name: its id first
    assert code == 1 and findings(out) == [(PROBLEM, 1, "E511")]


def test_gitlab_without_a_token_cannot_name_the_author(capsys, repo: Path, monkeypatch) -> None:
    append(repo, PROBLEM, PROGRESS)
    on_gitlab(monkeypatch, FakeAPI({}), token=None, starter="sthj-clerk")
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 1
    assert findings(out) == [(PROBLEM, 1, "E524")]
    assert "RECTIFY_GITLAB_TOKEN" in out and "read_api" in out and "GITLAB_USER_LOGIN" in out


def test_an_unreachable_platform_is_a_finding_not_a_traceback(capsys, repo: Path, monkeypatch) -> None:
    from generator.review.platforms import PlatformError

    def offline(url, headers):
        raise PlatformError("无法连接 api.github.test（Connection refused）")

    append(repo, PROBLEM, PROGRESS)
    on_github(monkeypatch, FakeAPI({}))
    monkeypatch.setattr("generator.review.platforms.urllib_transport", offline)
    code, out = check_ownership_in_ci(capsys, repo, "--author", "li-clerk")
    assert code == 1 and findings(out) == [(PROBLEM, 1, "E523")] and "无法连接" in out


def test_the_transport_is_urllib_and_reports_a_refused_connection() -> None:
    import socket

    from generator.review.platforms import PlatformError, urllib_transport

    with socket.socket() as unused:  # a port nothing listens on: refused at once, no network needed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(PlatformError, match="无法连接 127.0.0.1"):
        urllib_transport(f"http://127.0.0.1:{port}/orgs/x/teams/y", {})


# ---------------------------------------------------------------- the office's sign-off on what it approves

EXTENSION = """  - date: 2026-11-20
    type: extension
    deadline: 2027-06-30
    reason: 受汛期影响。
    approved_by: 市问题整改工作专班
"""
CLOSE = """  - date: 2026-11-21
    type: close
    approved_by: 市问题整改工作专班
    document: 测整改销〔2026〕1号
    summary: 整改到位。
"""


@pytest.mark.parametrize("entry", [EXTENSION, REVISION, CLOSE], ids=["extension", "revision", "close"])
def test_a_department_cannot_approve_its_own_extension_revision_or_close_out(capsys, repo: Path, entry: str) -> None:
    """The red light gone before the bulletin: the department's own reviewer approves a deadline pushed back,
    a target lowered or a problem closed, with the office's name typed into approved_by."""
    append(repo, PROBLEM, entry)
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert code == 1, out
    assert findings(out) == [(PROBLEM, line_of(repo, PROBLEM, "- date: 2026-11-2"), "E517")], out
    assert "专班办公室" in out and "@office-clerk" in out
    code, out = ownership(capsys, repo, "office-clerk")  # the office's own entry is signed (its E511 aside)
    assert [f[2] for f in findings(out)] == ["E511"], out
    append(repo, PROBLEM, PROGRESS.replace("2026-11-20", "2026-11-22"))  # progress needs no sign-off
    code, out = ownership(capsys, repo, "sthj-clerk")
    assert [f[2] for f in findings(out)] == ["E517"], out


GITHUB_REVIEWS = "/repos/test-city/ledger/pulls/12/reviews?per_page=100"


def on_github_pull_request(monkeypatch, tmp_path: Path, api: FakeAPI, head: str) -> None:
    on_github(monkeypatch, api)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12, "head": {"sha": head}, "user": {"login": "sthj-clerk"}}}),
                     encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_REPOSITORY", "test-city/ledger")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs-workflow")


def test_the_offices_approval_of_the_head_commit_on_github_signs_it_off(capsys, repo: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    git(repo, "checkout", "-q", "-b", "lower-the-target")
    append(repo, PROBLEM, REVISION)
    commit_all(repo, "lower the target")
    head = git(repo, "rev-parse", "HEAD")
    reviews = [{"user": {"login": "sthj-clerk"}, "state": "APPROVED", "commit_id": head},
               {"user": {"login": "office-clerk"}, "state": "APPROVED", "commit_id": "0" * 40}]
    api = FakeAPI({GITHUB_REVIEWS: (200, reviews)})
    on_github_pull_request(monkeypatch, tmp_path, api, head)
    code, out = check_ownership_in_ci(capsys, repo, "--head", "HEAD")
    # the department's own approval does not count, nor the office's of an earlier commit
    assert code == 1 and [f[2] for f in findings(out)] == ["E517"], out
    assert any(url.endswith(GITHUB_REVIEWS) for url, _ in api.requests)
    reviews.append({"user": {"login": "office-clerk"}, "state": "APPROVED", "commit_id": head})
    code, out = check_ownership_in_ci(capsys, repo, "--head", "HEAD")
    assert code == 0, out
    reviews.append({"user": {"login": "office-clerk"}, "state": "CHANGES_REQUESTED", "commit_id": head})
    code, out = check_ownership_in_ci(capsys, repo, "--head", "HEAD")
    assert code == 1 and [f[2] for f in findings(out)] == ["E517"], out


def test_the_offices_approval_on_gitlab_signs_it_off_through_a_team(capsys, repo: Path, monkeypatch) -> None:
    edit(repo, "ledgers/portal.yml", '"@office-clerk"]', '"@office-clerk", "@test-city/office"]')
    commit_all(repo, "the office is a team too")
    append(repo, PROBLEM, EXTENSION)
    answers = {**GITLAB_TEAM, "/projects/42/merge_requests/7": (200, {"iid": 7, "author": {"id": 300, "username": "sthj-clerk"}}),
               "/projects/42/merge_requests/7/approvals": (200, {"approved_by": []}),
               "/groups/test-city/office": (200, {"id": 8}), "/users?username=zhao": (200, [{"id": 303, "username": "zhao"}]),
               "/groups/test-city/office/members/all/303": (200, {"id": 303, "username": "zhao", "state": "active"})}
    on_gitlab(monkeypatch, FakeAPI(answers))
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 1 and [f[2] for f in findings(out)] == ["E517"], out
    answers["/projects/42/merge_requests/7/approvals"] = (200, {"approved_by": [{"user": {"username": "zhao"}}]})
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 0, out


def test_approvals_that_cannot_be_read_are_a_finding_that_says_why(capsys, repo: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    append(repo, PROBLEM, CLOSE)
    on_github_pull_request(monkeypatch, tmp_path, FakeAPI({}), "f" * 40)
    code, out = check_ownership_in_ci(capsys, repo)
    assert code == 1 and [f[2] for f in findings(out)] == ["E517"], out
    assert "无法查询拉取请求的批准情况" in out and "pull-requests: read" in out


def test_every_code_of_the_checks_has_a_case_here() -> None:
    from generator.review import history, ownership
    from generator.validation import codeowners

    source = Path(__file__).read_text(encoding="utf-8")
    asserted = set(re.findall(r'"(E5\d\d)"', source.split("def test_every_code_of_the_checks")[0]))
    assert {*history.CODES, *ownership.CODES, *codeowners.CODES} <= asserted


def test_the_first_pull_request_of_a_new_repository(capsys, tmp_path: Path) -> None:
    """A base without a ledger yet: everything is new, the office owns nothing yet, nothing crashes."""
    repository = tmp_path / "new"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    (repository / "README.md").write_text("台账\n", encoding="utf-8")
    commit_all(repository, "empty")
    shutil.copytree(BASE, repository / "ledgers")
    code, out = history(capsys, repository)
    assert code == 0, out
    code, out = ownership(capsys, repository, "office-clerk")
    assert code == 1 and {f[2] for f in findings(out)} == {"E512"}  # no department registered yet: all the office's
    code, out, _ = rectify(capsys, "diff", "--repo", str(repository), "--base", "main", "--today", "2026-11-24")
    assert code == 0 and "### 新增问题（3）" in out
