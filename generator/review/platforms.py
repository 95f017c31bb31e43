"""The git platforms' REST APIs, as check-ownership needs them: who opened a merge request, whether a person
is in a team, and who approved a pull request (the office's sign-off on extensions, revisions and close-outs). The tool's only network access is here.

Every request goes through one `Transport` (urllib by default); the tests pass their own, so no test touches
the network. Nothing here prints or exits: a question the platform cannot answer raises PlatformError with a
message for the clerk that names the variable to set and the permission its token needs.

GitHub: `GET /orgs/{org}/teams/{team}/memberships/{user}` needs a token that can read the organisation's teams
(a classic token with `read:org`, or a fine-grained token or GitHub App with the organisation permission
"Members: read"); the workflow's own GITHUB_TOKEN cannot. It is the repository secret RECTIFY_TEAMS_TOKEN, which
GitHub does not give to workflows started by a pull request from a fork.
GitLab: the merge request (`GET /projects/:id/merge_requests/:iid`, for its author) and the group members
(`GET /groups/:id/members/all/:user_id`, inherited members included) need a token with `read_api` in the
CI/CD variable RECTIFY_GITLAB_TOKEN, unless the project and groups are public; CI_JOB_TOKEN may not call them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

GITHUB_TOKEN_VARIABLE = "RECTIFY_TEAMS_TOKEN"
GITLAB_TOKEN_VARIABLE = "RECTIFY_GITLAB_TOKEN"
TIMEOUT = 20  # seconds per request

# (url, headers) -> (HTTP status, body). Raises PlatformError when the server cannot be reached at all.
Transport = Callable[[str, Mapping[str, str]], tuple[int, bytes]]


class PlatformError(Exception):
    """The platform could not answer; the message (Chinese) says what to set up."""


def urllib_transport(url: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=dict(headers), method="GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:  # refused, no route, a timeout
        reason = getattr(exc, "reason", exc)
        raise PlatformError(f"无法连接 {urlsplit(url).netloc}（{reason}）") from None


def _json(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _split_team(team: str) -> tuple[str, str]:
    """`@org/team` -> ("org", "team"); for GitLab the part before the last slash may itself be nested."""
    path = team.strip().lstrip("@")
    parent, _, name = path.rpartition("/")
    return parent, name


@dataclass
class GitHub:
    """GitHub's REST API (GITHUB_API_URL), with the token of RECTIFY_TEAMS_TOKEN."""

    api: str = "https://api.github.com"
    token: str | None = None
    transport: Transport = urllib_transport
    review_token: str | None = None  # the workflow's GITHUB_TOKEN: enough to read a pull request's reviews

    name = "GitHub"

    def _get(self, path: str, token: str | None = None) -> tuple[int, object]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": "rectify-portal", "Authorization": f"Bearer {token or self.token}"}
        status, body = self.transport(self.api.rstrip("/") + path, headers)
        return status, _json(body)

    def is_member(self, user: str, team: str) -> bool:
        org, slug = _split_team(team)
        if not self.token:
            raise PlatformError(
                f"没有设置仓库密钥 {GITHUB_TOKEN_VARIABLE}（需要能读取组织团队的令牌：classic 令牌的 read:org 权限，"
                "或细粒度令牌、GitHub App 的组织权限 Members: read；工作流自带的 GITHUB_TOKEN 不能读取团队）。"
                "来自复刻仓库（fork）的拉取请求拿不到仓库密钥：请在台账仓库里新建分支提交")
        status, _ = self._get(f"/orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}")
        if status != 200:
            raise PlatformError(self._refused(status, f"团队 @{org}/{slug}"))
        status, payload = self._get(f"/orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}"
                                    f"/memberships/{quote(user.lstrip('@'), safe='')}")
        if status == 404:
            return False
        if status != 200:
            raise PlatformError(self._refused(status, f"团队 @{org}/{slug} 的成员"))
        return isinstance(payload, dict) and payload.get("state") == "active"  # "pending": invited, not yet in

    def approvers(self, repository: str, number: int, head: str) -> list[str]:
        """Who approved pull request #number as it stands (their latest review approves the head commit): a
        push after an approval needs approving again. Reads with the workflow's GITHUB_TOKEN (pull-requests:
        read) when RECTIFY_TEAMS_TOKEN is not set."""
        status, payload = self._get(f"/repos/{repository}/pulls/{int(number)}/reviews?per_page=100",
                                    self.token or self.review_token)
        if status != 200 or not isinstance(payload, list):
            raise PlatformError(f"无法读取拉取请求 #{number} 的审核意见（GitHub 返回 {status}；工作流需要 pull-requests: read 权限"
                                "和 GITHUB_TOKEN）")
        latest: dict[str, dict] = {}
        for review in payload:  # oldest first; a comment neither gives nor takes an approval
            user = review.get("user") if isinstance(review, dict) else None
            if isinstance(user, dict) and user.get("login") and review.get("state") != "COMMENTED":
                latest[str(user["login"])] = review
        return sorted(login for login, review in latest.items()
                      if review.get("state") == "APPROVED" and review.get("commit_id") == head)

    def _refused(self, status: int, what: str) -> str:
        if status == 401:
            return f"{GITHUB_TOKEN_VARIABLE} 中的令牌无效或已过期（GitHub 返回 401）"
        if status == 404:
            return (f"GitHub 上找不到{what}：团队名写错了，或者 {GITHUB_TOKEN_VARIABLE} 中的令牌没有 read:org"
                    "（Members: read）权限、看不到这个团队（GitHub 返回 404）")
        if status == 403:
            return f"{GITHUB_TOKEN_VARIABLE} 中的令牌没有读取{what}的权限（需要 read:org），或请求次数超限（GitHub 返回 403）"
        return f"查询{what}时 GitHub 返回 {status}"


@dataclass
class GitLab:
    """GitLab's REST API v4 (CI_API_V4_URL), with the token of RECTIFY_GITLAB_TOKEN (or none, for public data)."""

    api: str = "https://gitlab.com/api/v4"
    token: str | None = None
    transport: Transport = urllib_transport
    _ids: dict[str, int] = field(default_factory=dict)  # username -> user id

    name = "GitLab"

    def _get(self, path: str) -> tuple[int, object]:
        headers = {"User-Agent": "rectify-portal", "Accept": "application/json"}
        if self.token:
            headers["PRIVATE-TOKEN"] = self.token
        status, body = self.transport(self.api.rstrip("/") + path, headers)
        return status, _json(body)

    def merge_request_author(self, project: str, iid: str) -> str:
        """The username of whoever opened merge request !iid of the project (an id or a path)."""
        status, payload = self._get(f"/projects/{quote(str(project), safe='')}/merge_requests/{quote(str(iid), safe='')}")
        author = payload.get("author") if isinstance(payload, dict) else None
        if status != 200 or not isinstance(author, dict) or not author.get("username"):
            raise PlatformError(self._refused(status, f"合并请求 !{iid}"))
        if isinstance(author.get("id"), int):
            self._ids[author["username"].lower()] = author["id"]
        return str(author["username"])

    def approvers(self, project: str, iid: str) -> list[str]:
        """Who has approved merge request !iid (GitLab resets approvals on a new push where the project says so)."""
        status, payload = self._get(f"/projects/{quote(str(project), safe='')}/merge_requests/{quote(str(iid), safe='')}"
                                    "/approvals")
        approved = payload.get("approved_by") if isinstance(payload, dict) else None
        if status != 200 or not isinstance(approved, list):
            raise PlatformError(self._refused(status, f"合并请求 !{iid} 的批准情况"))
        return sorted(str(item["user"]["username"]) for item in approved
                      if isinstance(item, dict) and isinstance(item.get("user"), dict) and item["user"].get("username"))

    def _user_id(self, user: str) -> int:
        name = user.lstrip("@").lower()
        if name not in self._ids:
            status, payload = self._get(f"/users?username={quote(name, safe='')}")
            if status != 200 or not isinstance(payload, list):
                raise PlatformError(self._refused(status, f"用户 {name}"))
            if not payload or not isinstance(payload[0], dict) or not isinstance(payload[0].get("id"), int):
                raise PlatformError(f"GitLab 上没有用户 {name}")
            self._ids[name] = payload[0]["id"]
        return self._ids[name]

    def is_member(self, user: str, team: str) -> bool:
        group = team.strip().lstrip("@")
        encoded = quote(group, safe="")
        status, _ = self._get(f"/groups/{encoded}")
        if status != 200:
            raise PlatformError(self._refused(status, f"群组 @{group}"))
        status, payload = self._get(f"/groups/{encoded}/members/all/{self._user_id(user)}")
        if status == 404:
            return False
        if status != 200:
            raise PlatformError(self._refused(status, f"群组 @{group} 的成员"))
        return isinstance(payload, dict) and payload.get("state", "active") == "active"

    def _refused(self, status: int, what: str) -> str:
        if not self.token:
            return (f"无法读取{what}（GitLab 返回 {status}）：没有设置 CI/CD 变量 {GITLAB_TOKEN_VARIABLE}"
                    "（需要有 read_api 权限的群组或项目访问令牌，角色 Reporter；CI_JOB_TOKEN 不能调用这些接口）")
        if status == 401:
            return f"{GITLAB_TOKEN_VARIABLE} 中的令牌无效或已过期（GitLab 返回 401）"
        if status in (403, 404):
            return (f"GitLab 上找不到{what}，或 {GITLAB_TOKEN_VARIABLE} 中的令牌没有 read_api 权限、看不到它"
                    f"（GitLab 返回 {status}）")
        return f"查询{what}时 GitLab 返回 {status}"


def from_environment(env: Mapping[str, str], transport: Transport | None = None) -> GitHub | GitLab | None:
    """The platform a CI job runs on, from its variables; None outside CI (on a laptop teams come from --team)."""
    transport = transport or urllib_transport
    if env.get("GITHUB_ACTIONS") == "true":
        return GitHub(env.get("GITHUB_API_URL") or "https://api.github.com", env.get(GITHUB_TOKEN_VARIABLE) or None,
                      transport, env.get("GITHUB_TOKEN") or None)
    if env.get("GITLAB_CI") == "true":
        api = env.get("CI_API_V4_URL") or (env.get("CI_SERVER_URL", "https://gitlab.com").rstrip("/") + "/api/v4")
        return GitLab(api, env.get(GITLAB_TOKEN_VARIABLE) or None, transport)
    return None
