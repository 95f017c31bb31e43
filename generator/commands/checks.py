"""`rectify check-history` and `rectify check-ownership`: a change judged against the base of its pull request.

Both read the base commit and the changed files only (generator/review/changes.py). The base and the
author default to what GitHub Actions or GitLab CI tell a pull-request job, so the same command runs on a
laptop (`--base origin/main`) and in CI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..review import history, ownership
from ..review.changes import ChangeSet
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


def author_of(given: str | None) -> str:
    """--author; else the pull request's author on GitHub, the user who started the GitLab pipeline, or
    the GitHub actor."""
    if given:
        return given
    user = _pull_request().get("user")
    if isinstance(user, dict) and user.get("login"):
        return str(user["login"])
    for name in ("GITLAB_USER_LOGIN", "GITHUB_ACTOR"):
        if os.environ.get(name):
            return os.environ[name]
    raise CheckUsageError("不知道改动的作者：请用 --author 指定 git 平台上的账号（在 CI 里会自动取拉取请求的作者）。")


def check_history(repository: Path, base: str, head: str | None = None) -> CheckReport:
    with ChangeSet(repository, base, head) as changes:
        findings = history.check(changes)
        return CheckReport("check-history", len(changes.changes), tuple(findings))


def check_ownership(repository: Path, base: str, author: str, teams: Iterable[str] = (),
                    head: str | None = None) -> CheckReport:
    with ChangeSet(repository, base, head) as changes:
        findings, approvals = ownership.check(changes, author, teams)
        notes = ownership.approval_notes(approvals)
        return CheckReport("check-ownership", len(changes.changes), tuple(findings), (f"作者：{author}", *notes))
