"""The CI workflows: they lint clean, and their pull-request steps do what they say when run as CI runs them.

The steps' own commands are taken from the workflow files and run with bash in a temporary repository, in an
environment like GitHub's (GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY) or GitLab's (merge-request variables), so
a workflow that calls a command wrongly fails here, not on the first pull request.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .test_tree import commit_all, git

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
GITLAB = ROOT / ".gitlab-ci.yml"
PROBLEM = "ledgers/ecology-env/STHJ-2026-001.yml"  # open, in progress


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is not installed: run make test (it installs the test extras)"
    return str(path)


def test_there_are_workflows_for_pull_requests_publishing_and_snapshots() -> None:
    names = {path.stem for path in WORKFLOWS}
    assert {"pull-request", "publish", "snapshot"} <= names


def test_github_workflows_pass_actionlint() -> None:
    done = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("schema, files", [
    ("vendor.github-workflows", WORKFLOWS),
    ("vendor.gitlab-ci", [GITLAB]),
    ("vendor.github-issue-forms", [ROOT / ".github/ISSUE_TEMPLATE/feedback.yml"]),
    ("vendor.github-issue-config", [ROOT / ".github/ISSUE_TEMPLATE/config.yml"]),
], ids=["github", "gitlab", "issue-form", "issue-config"])
def test_workflows_match_their_platforms_schema(schema: str, files: list[Path]) -> None:
    done = subprocess.run([tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actions_are_pinned_to_a_version_and_permissions_are_declared() -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "permissions" in workflow, f"{path.name}: no top-level permissions"
        assert workflow["permissions"] == {"contents": "read"}, f"{path.name}: least privilege at the top"
        for name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if "uses" in step:
                    action, _, version = step["uses"].partition("@")
                    assert version.startswith("v") and version.count(".") == 2, f"{path.name} {name}: {step['uses']}"


def test_snapshot_runs_monday_midnight_in_beijing() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/snapshot.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "0 16 * * 0"}] and "workflow_dispatch" in triggers
    steps = [step.get("run", "") for step in workflow["jobs"]["snapshot"]["steps"]]
    assert any("rectify snapshot" in run for run in steps)
    assert any("github-actions[bot]" in run and "git push" in run for run in steps)
    assert workflow["jobs"]["publish"]["uses"] == "./.github/workflows/publish.yml"


# ---------------------------------------------------------------- the steps, run as CI runs them


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """The sample ledger committed as the base, with a clerk of the ecology department registered as an owner."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    departments = repository / "ledgers" / "departments.yml"
    departments.write_text(departments.read_text(encoding="utf-8").replace(
        '- "@zhouzhou-city/sthj"', '- "@zhouzhou-city/sthj"\n      - "@sthj-clerk"'), encoding="utf-8")
    subprocess.run([tool("rectify"), "codeowners", "--repo", str(repository)], check=True, capture_output=True)
    base = commit_all(repository, "base")
    git(repository, "checkout", "-q", "-b", "update")
    return repository, base


def honest_update(repository: Path) -> None:
    path = repository / PROBLEM
    path.write_text(path.read_text(encoding="utf-8") + f"""  - date: {_today()}
    type: progress
    step: implement
    percent: 95
    summary: 完成治理工程竣工验收准备。
""", encoding="utf-8")


def _today() -> str:
    from generator.clock import today

    return today().isoformat()


def rewrite_history(repository: Path) -> int:
    """Change the first log entry's percent; returns the line of that entry."""
    path = repository / PROBLEM
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("log:"))
    entry = next(i for i in range(start, len(lines)) if lines[i].startswith("  - date:"))
    percent = next(i for i in range(entry, len(lines)) if "percent:" in lines[i])
    lines[percent] = "    percent: 99\n"
    path.write_text("".join(lines), encoding="utf-8")
    return entry + 1


def github_steps() -> list[dict]:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["checks"]["steps"]
    return [s for s in steps if "run" in s and "rectify" in s["run"] and "rectify site" not in s["run"]]


def run_github(repository: Path, base: str, tmp_path: Path) -> tuple[list[tuple[int, str]], str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"},
                                                  "user": {"login": "sthj-clerk"}}}), encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTOR": "office-reviewer",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    results = []
    for step in github_steps():
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repository, env=env, capture_output=True, text=True)
        assert "Traceback" not in done.stderr, done.stderr
        results.append((done.returncode, done.stdout))
    return results, summary.read_text(encoding="utf-8")


def test_github_steps_pass_an_honest_update(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    results, summary = run_github(repository, base, tmp_path)
    assert [s["name"] for s in github_steps()] == ["校验台账", "检查历史记录（只能追加，不能改写）", "检查修改权限", "改动摘要"]
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    assert "## 本次拉取请求的改动摘要" in summary and "完成治理工程竣工验收准备" in summary
    assert "检查均已通过" in summary


def test_github_steps_annotate_rewritten_history(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    line = rewrite_history(repository)
    commit_all(repository, "rewrite")
    results, summary = run_github(repository, base, tmp_path)
    codes = [code for code, _ in results]
    assert codes == [0, 1, 0, 0], results
    history = results[1][1]
    assert history.startswith(f"::error file={PROBLEM},line={line},col=5,title=E503 entry-changed::")
    assert "E503 改动了已合并的记录" in summary


def test_gitlab_checks_job_writes_code_quality_reports(pull_request) -> None:
    repository, base = pull_request
    rewrite_history(repository)
    commit_all(repository, "rewrite")
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["checks"]
    env = {**os.environ, "CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
           "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "GITLAB_USER_LOGIN": "sthj-clerk",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in ("GITHUB_EVENT_PATH", "GITHUB_ACTOR"):
        env.pop(name, None)
    script = "\n".join(job["script"])
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=repository, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    reports = {name: json.loads((repository / name).read_text(encoding="utf-8"))
               for name in job["artifacts"]["reports"]["codequality"]}
    assert reports["quality-validate.json"] == [] or all(i["severity"] == "minor" for i in reports["quality-validate.json"])
    assert [i["check_name"] for i in reports["quality-history.json"]] == ["E503 entry-changed"]
    assert reports["quality-ownership.json"] == []
    assert "本次拉取请求的改动摘要" in (repository / "review-summary.md").read_text(encoding="utf-8")


def test_contributing_is_the_guides_pull_request_section() -> None:
    from generator.rendering.contributing import contributing_text

    committed = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert committed == contributing_text(), "CONTRIBUTING.md is stale: run make contributing"
    for words in ("检查历史记录", "检查修改权限", "改动摘要", "`E507`", "`E508`", "`E511`", "type: extension", "VS Code"):
        assert words in committed, words


# ---------------------------------------------------------------- the public-feedback issue template


def test_every_problem_page_opens_the_feedback_form_with_its_id(sample_docs: Path) -> None:
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    form = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE/feedback.yml").read_text(encoding="utf-8"))
    fields = {item.get("id") for item in form["body"]}
    pages = list((sample_docs / "problems").glob("*.html"))
    assert len(pages) > 60
    for page in pages:
        links = re.findall(r'<a href="([^"]+/issues/new\?[^"]+)">在台账仓库公开留言</a>', page.read_text(encoding="utf-8"))
        assert len(links) == 1, page.name
        query = parse_qs(urlsplit(html.unescape(links[0])).query)
        assert query["template"] == ["feedback.yml"] and query["problem"] == [page.stem], page.name
        assert set(query) - {"template", "title", "labels"} <= fields  # every prefilled field is one of the form's


def test_a_gitlab_repository_gets_its_issue_template() -> None:
    from urllib.parse import parse_qs, urlsplit

    from generator.rendering.urls import FEEDBACK_TEMPLATE, feedback_issue

    link = feedback_issue("https://git.example.gov.cn/city/zhenggai", "STHJ-2025-001")
    parts = urlsplit(link)
    assert parts.path == "/city/zhenggai/-/issues/new"
    query = parse_qs(parts.query)
    assert query["issuable_template"] == [FEEDBACK_TEMPLATE] and "STHJ-2025-001" in query["issue[title]"][0]
    assert (ROOT / ".gitlab" / "issue_templates" / f"{FEEDBACK_TEMPLATE}.md").is_file()


def test_snapshot_commit_step_pushes_a_bot_commit_only_when_there_is_a_new_snapshot(tmp_path: Path) -> None:
    """The weekly workflow's commit step, run in a clone whose origin is a bare repository (the snapshot
    itself is written here: `rectify snapshot` is its own command's to test)."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/snapshot.yml").read_text(encoding="utf-8"))
    step = next(s for s in workflow["jobs"]["snapshot"]["steps"] if s.get("name") == "提交快照")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    clone = tmp_path / "clone"
    clone.mkdir()
    git(clone, "init", "-q", "-b", "main")
    (clone / "snapshots").mkdir()
    (clone / "snapshots" / ".gitkeep").write_text("", encoding="utf-8")
    commit_all(clone, "base")
    git(clone, "remote", "add", "origin", str(origin))
    git(clone, "push", "-q", "origin", "main")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    (clone / "snapshots" / "2026-W47.json").write_text("{}\n", encoding="utf-8")
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    log = subprocess.run(["git", "--git-dir", str(origin), "log", "-1", "--format=%an <%ae>|%s", "main"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert log == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|每周快照：2026-W47.json"

    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "无需提交" in done.stdout
