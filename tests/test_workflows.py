"""The CI workflows: they lint clean, and their pull-request steps do what they say when run as CI runs them.

The steps' own commands are taken from the workflow files and run with bash in a temporary repository, in an
environment like GitHub's (GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, GITHUB_ENV) or GitLab's (merge-request
variables), so a workflow that calls a command wrongly fails here, not on the first pull request. The one
command not run as written is the pip install of the base commit's tool (no package index here): it is
replaced by the same tool run from the base commit's worktree (`python -P`, so the pull request's own
generator/ cannot be imported instead), and a test checks what the real step installs. The platforms' APIs
are a small HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from .conftest import ROOT
from .test_tree import commit_all, git

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
GITLAB = ROOT / ".gitlab-ci.yml"
PROBLEM = "ledgers/ecology-env/STHJ-2026-001.yml"  # open, in progress
NEIGHBOUR = "ledgers/education/JY-2026-001.yml"  # another department's


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


PINNED = re.compile(r"^\s*(?:- )?uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+\.\d+\.\d+)$")


def test_actions_are_pinned_to_commits_and_permissions_are_declared_per_job() -> None:
    """A tag can be moved to other code; a commit cannot. The tag stays beside it, for the reader."""
    for path in WORKFLOWS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*(- )?uses: ", line) and "uses: ./" not in line:
                assert PINNED.match(line), f"{path.name}:{number}: pin to a full commit SHA with its tag: {line.strip()}"
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow.get("permissions") == {"contents": "read"}, f"{path.name}: least privilege at the top"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name} {name}: declare the job's own permissions"
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name} {name}: persisted token"


def test_only_the_snapshot_job_may_write_and_only_main_is_published() -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            writes = {k for k, v in job.get("permissions", {}).items() if v == "write"}
            if path.stem == "snapshot" and name == "snapshot":
                assert writes == {"contents"}
            elif path.stem == "publish" and name == "deploy" or path.stem == "snapshot" and name == "publish":
                assert writes == {"pages", "id-token"}
            else:
                assert not writes, f"{path.name} {name}: {writes}"
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    assert not (publish[True]["workflow_call"] or {}).get("inputs"), "a caller must not choose the ref to publish"
    for name, job in publish["jobs"].items():
        assert job["if"] == "github.ref == 'refs/heads/main'", name
    checkout = next(s for s in publish["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "main"
    snapshot = yaml.safe_load((ROOT / ".github/workflows/snapshot.yml").read_text(encoding="utf-8"))
    assert all(job["if"] == "github.ref == 'refs/heads/main'" for job in snapshot["jobs"].values())


def test_the_publish_jobs_refuse_to_build_without_the_site_address() -> None:
    """The feeds' links are absolute at the portal's address (issue 19): a publish job without it must fail, not
    publish feeds whose links a reader cannot follow. The refusal itself is tested in test_history_truth.py."""
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    builds = [s for s in publish["jobs"]["build"]["steps"] if "make site" in s.get("run", "")]
    assert len(builds) == 1 and builds[0]["env"]["SITE_URL"] == "${{ vars.SITE_URL }}"
    assert builds[0]["env"]["RECTIFY_REQUIRE_SITE_URL"] == "1"
    pages = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["pages"]["script"]
    sites = [line for line in pages if "rectify site" in line]
    assert len(sites) == 1 and "--require-site-url" in sites[0] and sites[0].startswith('SITE_URL="${SITE_URL:-')


def test_zizmor_finds_no_high_or_medium_issue() -> None:
    """zizmor (offline: no GitHub API here) over the workflows: before this test, 11 high (unpinned-uses) and
    1 medium (artipacked)."""
    done = subprocess.run([tool("zizmor"), "--offline", "--format", "json", str(ROOT / ".github" / "workflows")],
                          capture_output=True, text=True)
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr  # 1x: findings of the highest severity x
    found = json.loads(done.stdout)
    serious = [(f["ident"], f["determinations"]["severity"], f["locations"][0]["symbolic"]["key"])
               for f in found if f["determinations"]["severity"] in ("High", "Medium")]
    assert serious == [], serious


def test_snapshot_runs_monday_midnight_in_beijing() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/snapshot.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "0 16 * * 0"}] and "workflow_dispatch" in triggers
    steps = [step.get("run", "") for step in workflow["jobs"]["snapshot"]["steps"]]
    assert any("rectify snapshot" in run for run in steps)
    assert any("github-actions[bot]" in run and "git push" in run for run in steps)
    assert workflow["jobs"]["publish"]["uses"] == "./.github/workflows/publish.yml"


# ---------------------------------------------------------------- the steps, run as CI runs them


TOOL_FILES = ("generator", "pyproject.toml", "constraints.txt", "Makefile")


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """The sample ledger and the tool committed as the base, with a clerk of the ecology department registered
    as an owner beside the department's team."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    for name in TOOL_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repository / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, repository / name)
    departments = repository / "ledgers" / "departments.yml"
    departments.write_text(departments.read_text(encoding="utf-8").replace(
        '- "@zhouzhou-city/sthj"', '- "@zhouzhou-city/sthj"\n      - "@sthj-clerk"'), encoding="utf-8")
    subprocess.run([tool("rectify"), "codeowners", "--repo", str(repository)], check=True, capture_output=True)
    base = commit_all(repository, "base")
    git(repository, "checkout", "-q", "-b", "update")
    return repository, base


def honest_update(repository: Path, path: str = PROBLEM) -> None:
    target = repository / path
    target.write_text(target.read_text(encoding="utf-8") + f"""  - date: {_today()}
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


def switch_off_the_checks(repository: Path) -> None:
    """What a pull request that wants every check green would do to the tool in its own tree."""
    stub = "def check(*args, **kwargs):\n    return [] if 'history' in __name__ else ([], [])\n"
    for module in ("history", "ownership"):
        path = repository / "generator" / "review" / f"{module}.py"
        path.write_text(path.read_text(encoding="utf-8") + "\n\n" + stub, encoding="utf-8")
    (repository / "Makefile").write_text(".PHONY: all\nall:\n\ttrue\n", encoding="utf-8")


def base_tool(folder: Path, today: dt.date | None = None) -> Path:
    """The test double of the pip install of the base worktree: the base commit's own generator/, run with the
    test environment's packages. -P keeps the working folder (the pull request's tree) off sys.path. With
    `today`, the runner's clock reads that day (clock.today, every command's default for --today)."""
    wrapper = folder / "rectify"
    if today is None:
        run = "-m generator"
    else:
        run = ("-c 'import datetime, generator.clock as clock; "
               f"clock.today = lambda: datetime.date({today.year}, {today.month}, {today.day}); "
               "from generator.cli import main; main()'")
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="$RECTIFY_BASE" exec "{sys.executable}" -P {run} "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def clean_environment() -> dict[str, str]:
    """The test process's environment without any CI platform's variables (this suite runs in CI too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "RECTIFY_"))}
    env.pop("CI", None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env | {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class PlatformAPI:
    """GitHub's and GitLab's REST APIs on 127.0.0.1, as far as the checks ask them: canned answers by path."""

    def __init__(self, answers: dict[str, tuple[int, object]]):
        self.answers = answers
        self.asked: list[tuple[str, str]] = []  # (path, token header)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                path = unquote(parts.path).removeprefix("/api/v4") + (f"?{parts.query}" if parts.query else "")
                outer.asked.append((path, self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN") or ""))
                status, payload = outer.answers.get(path, (404, {"message": "Not Found"}))
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# The teams' answers: li-clerk is in the ecology department's team (and not listed by name); sthj-clerk, listed
# by name in ecology-env's owners, is in neither the education department's team nor the office's.
GITHUB_TEAMS = {"/orgs/zhouzhou-city/teams/sthj": (200, {"slug": "sthj"}),
                "/orgs/zhouzhou-city/teams/sthj/memberships/li-clerk": (200, {"state": "active", "role": "member"}),
                "/orgs/zhouzhou-city/teams/jy": (200, {"slug": "jy"}),
                "/orgs/zhouzhou-city/teams/office": (200, {"slug": "office"})}
GITLAB_USERS = {"li-clerk": 301, "sthj-clerk": 300}
GITLAB_TEAMS = {"/groups/zhouzhou-city/sthj": (200, {"id": 9, "full_path": "zhouzhou-city/sthj"}),
                "/groups/zhouzhou-city/sthj/members/all/301": (200, {"id": 301, "username": "li-clerk",
                                                                     "state": "active"}),
                "/groups/zhouzhou-city/jy": (200, {"id": 10, "full_path": "zhouzhou-city/jy"}),
                "/groups/zhouzhou-city/office": (200, {"id": 11, "full_path": "zhouzhou-city/office"})}


def pull_request_job() -> dict:
    return yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text(encoding="utf-8"))["jobs"]["checks"]


def github_steps() -> list[dict]:
    return [s for s in pull_request_job()["steps"] if "run" in s]


def run_github(repository: Path, base: str, tmp_path: Path, author: str = "sthj-clerk",
               token: bool = True, today: dt.date | None = None) -> tuple[list[tuple[int, str]], str, PlatformAPI]:
    """Every `run` step of the checks job, in order, as Actions runs them: values a step appends to GITHUB_ENV
    reach the later steps, and `${{ }}` expressions in a step's env are filled in as GitHub would; the
    repository secret RECTIFY_TEAMS_TOKEN is set when `token`; with `today`, the runner's clock reads that day."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"},
                                                  "user": {"login": author}}}), encoding="utf-8")
    summary, github_env, runner_temp = tmp_path / "summary.md", tmp_path / "github_env", tmp_path / "runner"
    summary.write_text("", encoding="utf-8")
    github_env.write_text("", encoding="utf-8")
    runner_temp.mkdir()
    expressions = {"${{ github.event.pull_request.base.sha }}": base,
                   "${{ secrets.RECTIFY_TEAMS_TOKEN }}": "ghs-teams-token" if token else ""}
    api = PlatformAPI(GITHUB_TEAMS)
    env = clean_environment() | {
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ENV": str(github_env), "GITHUB_ACTOR": "office-reviewer",
        "RUNNER_TEMP": str(runner_temp), "GITHUB_API_URL": api.url,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    results = []
    try:
        for step in github_steps():
            step_env = {**env, **{k: expressions.get(v, v) for k, v in step.get("env", {}).items()}}
            for line in github_env.read_text(encoding="utf-8").splitlines():
                name, _, value = line.partition("=")
                step_env[name] = value
            if "env.SUBMISSIONS == '1'" in step.get("if", "") and step_env.get("SUBMISSIONS") != "1":
                continue  # as Actions skips the steps for uploaded sheets when nothing was uploaded
            command = step["run"]
            if "pip install" in command:  # no package index here: the same tool, from the same worktree
                assert '-c "$RECTIFY_BASE/constraints.txt" "$RECTIFY_BASE"' in command and "make" not in command
                command = f'echo "RECTIFY={base_tool(runner_temp, today)}" >> "$GITHUB_ENV"'
            done = subprocess.run(["bash", "-e", "-c", command], cwd=repository, env=step_env, capture_output=True,
                                  text=True)
            assert "Traceback" not in done.stderr, done.stderr
            results.append((done.returncode, done.stdout + done.stderr))
    finally:
        api.close()
    return results[2:], summary.read_text(encoding="utf-8"), api  # the two setup steps' output is not a check's


def test_the_checks_job_never_runs_the_pull_requests_tree() -> None:
    """No make, no install of the checkout: the tool is the base commit's, installed from its worktree."""
    job = pull_request_job()
    commands = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make" not in commands.split() and ".venv" not in commands
    assert 'git worktree add --detach "$RUNNER_TEMP/rectify-base" "$BASE_SHA"' in commands
    assert all('"$RECTIFY" ' in s["run"] for s in github_steps()[2:])
    assert not any("cache" in step.get("with", {}) for step in job["steps"])
    secret_steps = {s["name"] for s in job["steps"] if "secrets." in json.dumps(s)}
    assert secret_steps == {"检查修改权限", "改动摘要", "检查转换结果"}
    preview = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text(encoding="utf-8"))["jobs"]["preview"]
    assert "secrets." not in json.dumps(preview) and preview["permissions"] == {"contents": "read"}


def test_github_steps_pass_an_honest_update(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    results, summary, _ = run_github(repository, base, tmp_path)
    assert [s["name"] for s in github_steps()][2:] == ["校验台账", "检查历史记录（只能追加，不能改写）", "检查修改权限", "改动摘要",
                                                       "转换上传的表格", "检查转换结果"]
    assert "没有要转换的表格" in results[4][1]  # nothing uploaded: nothing converted, nothing more checked
    assert [code for code, _ in results] == [0, 0, 0, 0, 0], results
    assert "## 本次拉取请求的改动摘要" in summary and "完成治理工程竣工验收准备" in summary
    assert "检查均已通过" in summary


def test_github_steps_pass_an_honest_update_by_a_team_member(pull_request, tmp_path: Path) -> None:
    """Owners are teams: the clerk is in @zhouzhou-city/sthj, as GitHub's API says, and is not listed by name."""
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    results, summary, api = run_github(repository, base, tmp_path, author="li-clerk")
    assert [code for code, _ in results] == [0, 0, 0, 0, 0], results
    assert "检查均已通过" in summary
    assert ("/orgs/zhouzhou-city/teams/sthj/memberships/li-clerk", "Bearer ghs-teams-token") in api.asked


def test_github_steps_refuse_a_team_owned_change_without_the_token(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    results, _, _ = run_github(repository, base, tmp_path, author="li-clerk", token=False)
    assert [code for code, _ in results] == [0, 0, 1, 0, 0], results
    assert "title=E523 team-unresolved::" in results[2][1] and "RECTIFY_TEAMS_TOKEN" in results[2][1]


def test_github_steps_annotate_rewritten_history(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    line = rewrite_history(repository)
    commit_all(repository, "rewrite")
    results, summary, _ = run_github(repository, base, tmp_path)
    codes = [code for code, _ in results]
    assert codes == [0, 1, 0, 0, 0], results
    history = results[1][1]
    assert history.startswith(f"::error file={PROBLEM},line={line},col=5,title=E503 entry-changed::")
    assert "E503 改动了已合并的记录" in summary


def test_a_pull_request_cannot_switch_off_the_github_checks(pull_request, tmp_path: Path) -> None:
    """It stubs out the checks in its own generator/, empties the Makefile, rewrites its own history and edits
    a neighbour's problem: the base commit's tool runs, and refuses all of it."""
    repository, base = pull_request
    switch_off_the_checks(repository)
    rewrite_history(repository)
    honest_update(repository, NEIGHBOUR)
    commit_all(repository, "all green, please")
    results, summary, _ = run_github(repository, base, tmp_path)
    assert [code for code, _ in results] == [0, 1, 1, 0, 0], results
    assert "title=E503 entry-changed::" in results[1][1]
    ownership = results[2][1]
    for expected in (f"file={NEIGHBOUR},line=1,col=1,title=E511", "file=Makefile,line=1,col=1,title=E520",
                     "file=generator/review/history.py,line=1,col=1,title=E520",
                     "file=generator/review/ownership.py,line=1,col=1,title=E520"):
        assert expected in ownership, ownership
    assert "E520 改动了台账以外的文件" in summary


def test_a_pull_request_touching_the_gate_itself_is_flagged(pull_request, tmp_path: Path) -> None:
    """A workflow, .gitattributes that would hide a neighbour's diff, and a symlink."""
    repository, base = pull_request
    (repository / ".github/workflows").mkdir(parents=True)
    (repository / ".github/workflows/pull-request.yml").write_text("on: pull_request\njobs: {}\n", encoding="utf-8")
    (repository / ".gitattributes").write_text("ledgers/education/** -diff\n", encoding="utf-8")
    os.symlink("STHJ-2026-001.yml", repository / "ledgers/ecology-env/STHJ-2026-099.yml")
    commit_all(repository, "gate")
    results, _, _ = run_github(repository, base, tmp_path)
    ownership = results[2][1]
    assert results[2][0] == 1
    for expected in ("file=.github/workflows/pull-request.yml,line=1,col=1,title=E520",
                     "file=.gitattributes,line=1,col=1,title=E522",
                     "file=ledgers/ecology-env/STHJ-2026-099.yml,line=1,col=1,title=E521"):
        assert expected in ownership, ownership


SUBMISSION = "submissions/ecology-env/县台账.xlsx"


def upload_sheet(repository: Path, path: str = SUBMISSION) -> None:
    """What a clerk's "Upload files" commits: a county's filled sheet, its second row with a mobile number."""
    from .test_excel import county_row, county_sheet

    target = repository / path
    target.parent.mkdir(parents=True, exist_ok=True)
    county_sheet(target, [county_row(1), county_row(2, 备注="联系人手机 138 1234 5678")])


def converted(folder: Path) -> dict[str, str]:
    """The converted ledger files under a folder, by their repository path."""
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.yml"))}


def test_github_steps_convert_an_uploaded_sheet(pull_request, tmp_path: Path) -> None:
    """The sheet converted by the base's tool, the cell with private data annotated and never converted, the
    result checked and summarised, the problem file in the artifact's folder."""
    repository, base = pull_request
    upload_sheet(repository)
    commit_all(repository, "upload")
    results, summary, _ = run_github(repository, base, tmp_path)
    assert [code for code, _ in results] == [0, 0, 0, 0, 1, 0], results
    conversion = results[4][1]
    assert f"::error file={SUBMISSION},title=县台账.xlsx%3ASheet1!P5::有疑似手机号码（138…）" in conversion
    assert f"::warning file={SUBMISSION},title=县台账.xlsx%3ASheet1!K4::整改时限“2025年6月底”没有写到日" in conversion
    checks = results[5][1]
    assert "::error" not in checks and "校验通过" in checks, checks
    assert summary.index("## 上传表格的转换结果") < summary.index("### 本次拉取请求的改动摘要")
    section = summary.split("## 上传表格的转换结果", 1)[1]
    assert "错误 `县台账.xlsx:Sheet1!P5`" in section and "新增问题（1）" in section and "镇第1处废弃矿坑未复绿" in section
    artifact = converted(tmp_path / "runner" / "converted")
    assert len(artifact) == 1 and all(path.startswith("ledgers/ecology-env/STHJ-") for path in artifact)
    (path, text), = artifact.items()
    assert (repository / path).read_text(encoding="utf-8") == text and "镇第1处" in text and "镇第2处" not in text
    everything = "\n".join([summary, *(out for _, out in results), text])
    assert "5678" not in everything
    upload = next(s for s in pull_request_job()["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "converted-ledgers" and upload["with"]["path"] == "${{ runner.temp }}/converted"
    assert upload["if"] == "${{ !cancelled() && env.SUBMISSIONS == '1' }}"
    preview = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text(encoding="utf-8"))["jobs"]["preview"]
    assert upload["uses"] == next(s["uses"] for s in preview["steps"] if "upload-artifact" in s.get("uses", ""))


def test_github_steps_refuse_an_upload_to_a_neighbours_folder(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    upload_sheet(repository, "submissions/education/台账.xlsx")
    (repository / "submissions/ecology-env").mkdir(parents=True)
    (repository / "submissions/ecology-env/说明.docx").write_bytes(b"PK not a sheet")
    commit_all(repository, "upload")
    results, _, _ = run_github(repository, base, tmp_path)
    assert [code for code, _ in results] == [0, 0, 1, 0, 1, 1], results
    assert "file=submissions/education/台账.xlsx,line=1,col=1,title=E511" in results[2][1]
    assert "::error file=submissions/ecology-env/说明.docx,title=表格不能转换::说明.docx 不是表格文件" in results[4][1]
    assert "title=E511" in results[5][1]  # the education problems the sheet became are not the author's either


def test_a_pull_request_cannot_switch_off_the_conversion(pull_request, tmp_path: Path) -> None:
    """It uploads a sheet with private data and changes the converter in its own tree to let everything
    through: the base's tool converts the sheet, and refuses the row."""
    repository, base = pull_request
    switch_off_the_checks(repository)
    for module in ("spreadsheet/conversion.py", "commands/submissions.py"):
        (repository / "generator" / module).write_text("raise SystemExit(0)\n", encoding="utf-8")
    upload_sheet(repository)
    commit_all(repository, "all green, please")
    results, _, _ = run_github(repository, base, tmp_path)
    assert [code for code, _ in results] == [0, 0, 1, 0, 1, 1], results
    assert "title=县台账.xlsx%3ASheet1!P5::有疑似手机号码" in results[4][1]
    assert "file=generator/spreadsheet/conversion.py,line=1,col=1,title=E520" in results[5][1]
    assert len(converted(tmp_path / "runner" / "converted")) == 1


# An update sheet: the department's working workbook (its 填报表) as the portal offers it, filled in and uploaded.
UPDATE_DAY = dt.date(2026, 12, 1)  # the runner's day: after the sample's last entries (November 2026)
WORKING = "submissions/ecology-env/ecology-env.xlsx"  # the portal's download keeps its name (urls.working_sheet)
PROGRESS = {"日期": UPDATE_DAY, "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 72,
            "内容": "完成二期清淤2.1万立方米，累计清淤3.0万立方米。"}
APPENDED = f"""  - date: {UPDATE_DAY.isoformat()}
    type: progress
    step: implement
    percent: 72
    summary: 完成二期清淤2.1万立方米，累计清淤3.0万立方米。
"""
LATE = {"日期": dt.date(2026, 10, 8), "记录类型": "整改进展", "所处步骤": "推进整改", "完成度（%）": 60,
        "内容": "补记十月的清淤进度。"}  # before the problem's last merged entry (2026-11-12)


def download_working_sheet(repository: Path, path: str = WORKING) -> Path:
    """`rectify export --department ecology-env` of the repository's ledgers, as the department page offers it."""
    target = repository / path
    target.parent.mkdir(parents=True, exist_ok=True)
    day = UPDATE_DAY.isoformat()
    subprocess.run([tool("rectify"), "export", str(target), "--department", "ecology-env", "--ledgers",
                    str(repository / "ledgers"), "--as-of", day, "--today", day], check=True, capture_output=True)
    return target


def fill_working_rows(sheet: Path, problem_id: str, *rows: dict) -> list[str]:
    """Fill the problem's empty 本旬进展 rows in order, as a clerk types them (openpyxl: as Excel or WPS saves);
    returns each row's 日期 cell."""
    from openpyxl import load_workbook

    book = load_workbook(sheet)
    working = book["本旬进展"]
    columns = {cell.value: cell.column_letter for cell in working[9]}  # the heading row, under 8 rows of notes
    first = next(row[0].row for row in working.iter_rows(min_row=10) if row[0].value == problem_id)
    for number, values in enumerate(rows, start=first):
        for heading, value in values.items():
            working[f"{columns[heading]}{number}"] = value
    book.save(sheet)
    return [f"本旬进展!{columns['日期']}{number}" for number in range(first, first + len(rows))]


def test_github_steps_append_an_uploaded_working_sheets_progress(pull_request, tmp_path: Path) -> None:
    """The department's 填报表 with two rows for an open problem: this 旬's progress, appended to its log exactly
    as if written by hand, and a row dated before its last merged entry, annotated at its cell and not taken.
    The converted change passes the gate's checks as an honest update does."""
    repository, base = pull_request
    before = (repository / PROBLEM).read_text(encoding="utf-8")
    sheet = download_working_sheet(repository)
    taken, late = fill_working_rows(sheet, "STHJ-2026-001", PROGRESS, LATE)
    commit_all(repository, "upload")
    results, summary, _ = run_github(repository, base, tmp_path, today=UPDATE_DAY)
    assert [code for code, _ in results] == [0, 0, 0, 0, 1, 0], results
    conversion = results[4][1]
    refused = [line for line in conversion.splitlines() if line.startswith("::error")]
    assert refused == [f"::error file={WORKING},title=ecology-env.xlsx%3A{late}::STHJ-2026-001：日期 2026-10-08 "
                       "早于台账中最后一条已合并记录的日期（2026-11-12）；记录只能按日期追加在末尾，这一条没有导入。"], conversion
    assert taken not in conversion and f"写入 {PROBLEM}" in conversion
    checks = results[5][1]
    assert "::error" not in checks and f"file={PROBLEM}" not in checks and checks.count("校验通过") == 3, checks
    section = summary.split("## 上传表格的转换结果", 1)[1]
    assert f"错误 `ecology-env.xlsx:{late}`" in section and "台账中已有的问题：1 个已追加 1 条记录" in section
    added = section.split("新增记录（1）", 1)[1]
    assert "| STHJ\\-2026\\-001 | 2026\\-12\\-01 | 整改进展 | 完成度 72%：完成二期清淤2\\.1万立方米" in added, added
    assert "补记十月" not in summary and "历史记录和修改权限的检查均已通过" in summary
    assert f"状态和亮灯按 {UPDATE_DAY.isoformat()} 计算" in summary  # the runner's day, not the wall clock's
    artifact = converted(tmp_path / "runner" / "converted")
    assert artifact == {PROBLEM: before + APPENDED}  # the log ends with the new entry; nothing else changed
    assert (repository / PROBLEM).read_text(encoding="utf-8") == before + APPENDED


def test_github_steps_refuse_an_uploaded_sheet_that_edits_a_merged_record(pull_request, tmp_path: Path) -> None:
    """The 工作记录 sheet of the 填报表 is locked, but a sheet can be unprotected: an earlier entry's 内容 edited
    there is refused at its cell and never reaches the problem file; the new progress beside it is taken."""
    from openpyxl import load_workbook

    repository, base = pull_request
    before = (repository / PROBLEM).read_text(encoding="utf-8")
    sheet = download_working_sheet(repository)
    fill_working_rows(sheet, "STHJ-2026-001", PROGRESS)
    book = load_workbook(sheet)
    records = book["工作记录"]
    columns = {cell.value: cell.column_letter for cell in records[2]}
    first = next(row[0].row for row in records.iter_rows(min_row=3) if row[0].value == "STHJ-2026-001")
    edited = f"{columns['内容']}{first}"
    assert records[edited].value == "研判2025年调查数据，确定重点关注的6.5公里河段和2个灌溉取水口。"
    records[edited] = "研判2025年调查数据，确定重点关注的8公里河段。"
    book.save(sheet)
    commit_all(repository, "upload")
    results, summary, _ = run_github(repository, base, tmp_path, today=UPDATE_DAY)
    assert [code for code, _ in results] == [0, 0, 0, 0, 1, 0], results
    conversion = results[4][1]
    assert (f"::error file={WORKING},title=ecology-env.xlsx%3A工作记录!{edited}::STHJ-2026-001：工作记录第 1 条"
            "（2026-03-25 整改进展）与台账中已合并的记录不同（改动、删去或在中间插入了行）；已合并的记录不能修改") in conversion, \
        conversion
    assert conversion.count("::error") == 1
    artifact = converted(tmp_path / "runner" / "converted")
    assert artifact == {PROBLEM: before + APPENDED}
    assert "8公里" not in artifact[PROBLEM] + summary and "6.5公里河段" in artifact[PROBLEM]


def gitlab_job(name: str) -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))[name]


def run_gitlab(repository: Path, base: str, tmp_path: Path, author: str = "sthj-clerk",
               starter: str = "office-reviewer", today: dt.date | None = None
               ) -> tuple[subprocess.CompletedProcess, PlatformAPI]:
    """The checks job's before_script and script in one shell, as the runner runs them, with the merge
    request pipeline's variables: its author known only to the API, the pipeline's starter in GITLAB_USER_LOGIN;
    with `today`, the runner's clock reads that day."""
    job = gitlab_job("checks")
    tool_folder = tmp_path / "tool"
    tool_folder.mkdir()
    merge_request = {"iid": 7, "author": {"id": GITLAB_USERS.get(author, 399), "username": author}}
    api = PlatformAPI({**GITLAB_TEAMS, "/projects/42/merge_requests/7": (200, merge_request)})
    env = clean_environment() | {
        "CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_PROJECT_ID": "42",
        "CI_PROJECT_ID": "42", "GITLAB_USER_LOGIN": starter, "CI_API_V4_URL": f"{api.url}/api/v4",
        "RECTIFY_GITLAB_TOKEN": "glpat-read-api",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env |= {k: v.replace("/tmp/", f"{tmp_path}/") for k, v in job["variables"].items()}
    lines = []
    for line in job["before_script"]:
        if "pip install" in line or "-m venv" in line:  # no package index here: the same tool, from the worktree
            assert "pip install" not in line or '-c "$RECTIFY_BASE/constraints.txt" "$RECTIFY_BASE"' in line
            continue
        lines.append(line.replace('"$RECTIFY_TOOL/bin/rectify"', str(base_tool(tool_folder, today)))
                         .replace("$RECTIFY_TOOL/bin/rectify", str(base_tool(tool_folder, today))))
    script = "\n".join([*lines, *job["script"]])
    try:
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=repository, env=env,
                              capture_output=True, text=True)
    finally:
        api.close()
    assert "Traceback" not in done.stderr, done.stderr
    return done, api


def quality(repository: Path, name: str) -> list[str]:
    return [i["check_name"] for i in json.loads((repository / name).read_text(encoding="utf-8"))]


def test_gitlab_checks_job_writes_code_quality_reports(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    rewrite_history(repository)
    commit_all(repository, "rewrite")
    done, _ = run_gitlab(repository, base, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    job = gitlab_job("checks")
    reports = {name: json.loads((repository / name).read_text(encoding="utf-8"))
               for name in job["artifacts"]["reports"]["codequality"]}
    assert reports["quality-validate.json"] == [] or all(i["severity"] == "minor" for i in reports["quality-validate.json"])
    assert [i["check_name"] for i in reports["quality-history.json"]] == ["E503 entry-changed"]
    assert reports["quality-ownership.json"] == []
    assert "本次拉取请求的改动摘要" in (repository / "review-summary.md").read_text(encoding="utf-8")


def test_the_gitlab_checks_job_never_runs_the_merge_requests_tree() -> None:
    job = gitlab_job("checks")
    commands = "\n".join([*job["before_script"], *job["script"]])
    assert "make" not in commands.split() and ".venv" not in commands and "extends" not in job
    assert 'git worktree add --detach "$RECTIFY_BASE" "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in commands
    assert job["environment"] == {"name": "rectify-checks", "action": "prepare"}  # RECTIFY_GITLAB_TOKEN's scope
    preview = gitlab_job("site-preview")
    assert "environment" not in preview  # receives no scoped variable


def test_gitlab_secrets_never_reach_a_merge_request_pipeline() -> None:
    """The snapshot job and the deployment run only on the protected default branch, never for a merge request."""
    for name in ("snapshot", "pages"):
        rules = gitlab_job(name)["rules"]
        assert len(rules) == 1 and '$CI_COMMIT_REF_PROTECTED == "true"' in rules[0]["if"], name
        assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in rules[0]["if"]
        assert 'merge_request_event"' not in rules[0]["if"].replace('!= "merge_request_event"', "")
    snapshot = gitlab_job("snapshot")
    assert snapshot["before_script"][0] == 'push_token="$SNAPSHOT_PUSH_TOKEN" && unset SNAPSHOT_PUSH_TOKEN'
    assert "${push_token}" in snapshot["script"][-1] and "SNAPSHOT_PUSH_TOKEN" not in snapshot["script"][-1]
    header = GITLAB.read_text(encoding="utf-8").split("\nvariables:")[0]
    assert "protected" in header and "masked" in header and "read_api" in header


def test_a_merge_request_cannot_switch_off_the_gitlab_checks(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    switch_off_the_checks(repository)
    honest_update(repository, NEIGHBOUR)
    commit_all(repository, "all green, please")
    done, _ = run_gitlab(repository, base, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    found = quality(repository, "quality-ownership.json")
    assert found.count("E520 outside-ledgers") == 3 and "E511 not-owner" in found, found


def test_gitlab_author_is_the_merge_requests_author(pull_request, tmp_path: Path) -> None:
    """The office re-runs a clerk's pipeline: GITLAB_USER_LOGIN is the office's reviewer, who could change
    anything; the change is still judged as the clerk's."""
    repository, base = pull_request
    honest_update(repository, NEIGHBOUR)
    commit_all(repository, "a neighbour's file")
    done, _ = run_gitlab(repository, base, tmp_path, author="sthj-clerk", starter="zhouzhou-office")
    assert done.returncode == 1
    assert quality(repository, "quality-ownership.json") == ["E511 not-owner"]
    assert "作者：sthj-clerk" in done.stdout


def test_gitlab_passes_an_honest_update_by_a_team_member(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    done, api = run_gitlab(repository, base, tmp_path, author="li-clerk", starter="li-clerk")
    assert done.returncode == 0, done.stdout + done.stderr
    assert quality(repository, "quality-ownership.json") == []
    assert ("/groups/zhouzhou-city/sthj/members/all/301", "glpat-read-api") in api.asked


def test_gitlab_checks_job_converts_an_uploaded_sheet(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    upload_sheet(repository)
    commit_all(repository, "upload")
    done, _ = run_gitlab(repository, base, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # the row with the mobile number
    job = gitlab_job("checks")
    assert {"submission-summary.md", "converted/"} <= set(job["artifacts"]["paths"])
    reports = job["artifacts"]["reports"]["codequality"]
    assert "quality-submissions.json" in reports
    found = json.loads((repository / "quality-submissions.json").read_text(encoding="utf-8"))
    errors = [i for i in found if i["severity"] == "major" and i["location"]["path"] == SUBMISSION]
    assert any(i["description"].startswith("县台账.xlsx:Sheet1!P5: 有疑似手机号码") for i in errors), found
    for name in ("quality-converted-validate.json", "quality-converted-history.json", "quality-converted-ownership.json"):
        assert name in reports and [i for i in json.loads((repository / name).read_text(encoding="utf-8"))
                                    if i["severity"] == "major"] == [], name
    summary = (repository / "submission-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## 上传表格的转换结果") and "### 本次拉取请求的改动摘要" in summary
    assert "镇第1处废弃矿坑未复绿" in summary and "上传表格的转换结果" in done.stdout
    artifact = converted(repository / "converted")
    assert len(artifact) == 1 and "镇第2处" not in next(iter(artifact.values()))
    assert "5678" not in summary + done.stdout + json.dumps(found, ensure_ascii=False)


def test_gitlab_checks_job_appends_an_uploaded_working_sheets_progress(pull_request, tmp_path: Path) -> None:
    """The GitHub test's 填报表 on GitLab: the progress in the summary's 新增记录, the early row a Code Quality
    finding at its cell, the changed problem file in converted/, and the converted change passing the checks."""
    repository, base = pull_request
    before = (repository / PROBLEM).read_text(encoding="utf-8")
    sheet = download_working_sheet(repository)
    taken, late = fill_working_rows(sheet, "STHJ-2026-001", PROGRESS, LATE)
    commit_all(repository, "upload")
    done, _ = run_gitlab(repository, base, tmp_path, today=UPDATE_DAY)
    assert done.returncode == 1, done.stdout + done.stderr  # the refused row
    found = json.loads((repository / "quality-submissions.json").read_text(encoding="utf-8"))
    assert [(i["severity"], i["location"]["path"], i["description"]) for i in found] == [
        ("major", WORKING, f"ecology-env.xlsx:{late}: STHJ-2026-001：日期 2026-10-08 早于台账中最后一条已合并记录的日期"
                           "（2026-11-12）；记录只能按日期追加在末尾，这一条没有导入。")]
    assert taken not in json.dumps(found, ensure_ascii=False)
    for name in ("quality-converted-validate.json", "quality-converted-history.json", "quality-converted-ownership.json"):
        issues = json.loads((repository / name).read_text(encoding="utf-8"))
        assert [i for i in issues if i["severity"] == "major" or i["location"]["path"] == PROBLEM] == [], name
    summary = (repository / "submission-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## 上传表格的转换结果") and f"错误 `ecology-env.xlsx:{late}`" in summary
    added = summary.split("新增记录（1）", 1)[1]
    assert "| STHJ\\-2026\\-001 | 2026\\-12\\-01 | 整改进展 | 完成度 72%：完成二期清淤2\\.1万立方米" in added, added
    assert "补记十月" not in summary and "历史记录和修改权限的检查均已通过" in summary
    assert converted(repository / "converted") == {PROBLEM: before + APPENDED}


def test_gitlab_checks_job_without_an_upload_writes_empty_reports(pull_request, tmp_path: Path) -> None:
    repository, base = pull_request
    honest_update(repository)
    commit_all(repository, "progress")
    done, _ = run_gitlab(repository, base, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert quality(repository, "quality-submissions.json") == [] and "没有要转换的表格" in done.stdout
    assert not (repository / "submission-summary.md").exists() and not (repository / "converted").exists()


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
