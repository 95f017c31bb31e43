"""`rectify check-history` and `rectify check-ownership`: a change judged against the base of its pull request.

Both read the base commit and the changed files only (generator/review/changes.py). The base and the
author default to what GitHub Actions or GitLab CI tell a pull-request job, so the same command runs on a
laptop (`--base origin/main`) and in CI. In CI, the platform is asked (generator/review/platforms.py) who
opened a GitLab merge request and which teams its author is in; on a laptop teams come from --team.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..loading import layout
from ..model.findings import Finding
from ..review import history, ownership, platforms
from ..review.changes import ChangeSet
from ..review.platforms import PlatformError
from ..validation.report import CheckReport


class CheckUsageError(Exception):
    """The check cannot run as asked (no base, no author); the message is for the clerk."""


def _event() -> dict:
    """The GitHub Actions event payload, when a workflow runs the command."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _pull_request() -> dict:
    request = _event().get("pull_request")
    return request if isinstance(request, dict) else {}


def base_ref(given: str | None) -> str:
    """--base; else the pull request's base commit (GitHub's event, GitLab's merge-request variables)."""
    if given:
        return given
    base = _pull_request().get("base")
    if isinstance(base, dict) and base.get("sha"):
        return str(base["sha"])
    for name in ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_SHA"):
        if os.environ.get(name):
            return os.environ[name]
    raise CheckUsageError("没有给出比较的基准：请用 --base 指定，如 --base origin/main"
                          "（在 GitHub Actions 或 GitLab CI 的合并请求里运行时会自动取基准提交）。")


def author_of(given: str | None, platform: platforms.GitHub | platforms.GitLab | None = None) -> str:
    """--author; else the pull request's author on GitHub (its event), the merge request's author on GitLab
    (asked of the API: GITLAB_USER_LOGIN is whoever started the pipeline, which a reviewer's re-run changes),
    or, outside a pull request, the user who started the pipeline or the GitHub actor.

    Raises PlatformError when GitLab cannot say who opened the merge request."""
    if given:
        return given
    user = _pull_request().get("user")
    if isinstance(user, dict) and user.get("login"):
        return str(user["login"])
    iid = os.environ.get("CI_MERGE_REQUEST_IID")
    if iid:
        gitlab = platform if isinstance(platform, platforms.GitLab) else platforms.from_environment(
            {**os.environ, "GITLAB_CI": "true", "GITHUB_ACTIONS": ""})
        project = os.environ.get("CI_MERGE_REQUEST_PROJECT_ID") or os.environ.get("CI_PROJECT_ID") or ""
        return gitlab.merge_request_author(project, iid)
    for name in ("GITLAB_USER_LOGIN", "GITHUB_ACTOR"):
        if os.environ.get(name):
            return os.environ[name]
    raise CheckUsageError("不知道改动的作者：请用 --author 指定 git 平台上的账号（在 CI 里会自动取拉取请求的作者）。")


def office_approver(platform: platforms.GitHub | platforms.GitLab | None) -> Callable[[list[str]], str | None] | None:
    """The question the office's sign-off asks in CI: which office owner approved this pull request as it stands
    (GitHub: the event's pull request and head commit; GitLab: the merge request). None outside a pull request."""
    if isinstance(platform, platforms.GitHub):
        request = _pull_request()
        head = request.get("head") if isinstance(request.get("head"), dict) else {}
        repository = os.environ.get("GITHUB_REPOSITORY", "")
        if not (request.get("number") and head.get("sha") and repository):
            return None

        def approvers() -> list[str]:
            return platform.approvers(repository, int(request["number"]), str(head["sha"]))
    elif isinstance(platform, platforms.GitLab) and os.environ.get("CI_MERGE_REQUEST_IID"):
        project = os.environ.get("CI_MERGE_REQUEST_PROJECT_ID") or os.environ.get("CI_PROJECT_ID") or ""

        def approvers() -> list[str]:
            return platform.approvers(project, os.environ["CI_MERGE_REQUEST_IID"])
    else:
        return None

    def ask(handles: list[str]) -> str | None:
        people = {ownership.normal(h) for h in handles if not ownership.is_team(h)}
        teams = [h for h in handles if ownership.is_team(h)]
        for user in approvers():
            if ownership.normal(user) in people or any(platform.is_member(user, team) for team in teams):
                return user
        return None
    return ask


def reviewed_author(given: str | None) -> tuple[str, Callable[[str], bool] | None]:
    """The author and the platform's membership question for them (None outside CI): what check-ownership
    and diff judge with. Raises PlatformError when the author cannot be found."""
    platform = platforms.from_environment(os.environ)
    author = author_of(given, platform)
    is_member = (lambda team: platform.is_member(author, team)) if platform is not None else None
    return author, is_member


def check_history(repository: Path, base: str, head: str | None = None) -> CheckReport:
    with ChangeSet(repository, base, head) as changes:
        findings = history.check(changes)
        return CheckReport("check-history", len(changes.changes), tuple(findings))


def check_ownership(repository: Path, base: str, author: str | None, teams: Iterable[str] = (),
                    head: str | None = None) -> CheckReport:
    """`author` None: the pull request's, as CI tells it (author_of)."""
    with ChangeSet(repository, base, head) as changes:
        try:
            author, is_member = reviewed_author(author)
        except PlatformError as exc:
            first = next((str(c.path) for c in (*changes.changes, *changes.outside)), ".gitlab-ci.yml")
            unknown = Finding.make(
                "E524", first, (1, 1),
                f"无法确定这个合并请求的作者，因此无法检查修改权限：{exc}。作者是创建合并请求的人，不是启动流水线的人"
                "（GITLAB_USER_LOGIN），要向 GitLab 查询。")
            return CheckReport("check-ownership", len(changes.changes), (unknown,), ("作者：未知",))
        findings, approvals = ownership.check(changes, author, teams, is_member,
                                              office_approver(platforms.from_environment(os.environ)))
        notes = ownership.approval_notes(approvals)
        others = [c for c in changes.outside if layout.submission_department(c.path) is None]
        if others:
            notes = (f"台账和快照以外改动了 {len(others)} 个文件（代码、工作流或设置），须经专班办公室审核。", *notes)
        return CheckReport("check-ownership", len(changes.changes), tuple(findings), (f"作者：{author}", *notes))
