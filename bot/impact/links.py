"""Links to a file at a commit on the forge, for notes about code outside the diff."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_HOST = re.compile(r"^(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^/:]+)[:/](?P<path>.+?)(?:\.git)?/?$")
_SAFE_URL = re.compile(r"^https://[^\s()<>\[\]`]+$")


@dataclass(frozen=True, slots=True)
class WebRepo:
    """A repository's web address, and how its forge spells a file's address."""

    url: str  # "https://github.com/acme/api"
    kind: str  # "github" | "gitlab"

    def file_url(self, sha: str, path: str, line: int) -> str:
        middle = "/-/blob/" if self.kind == "gitlab" else "/blob/"
        return f"{self.url}{middle}{sha}/{quote(path)}#L{line}"


def web_repo(environ: Mapping[str, str], remote_url: str | None = None) -> WebRepo | None:
    """The repository's web address from the CI's variables (GitHub Actions, GitLab CI),
    else from an https or ssh remote on github.com or a host named gitlab; None when
    nothing says it (a plain `path:line` is shown then)."""
    server, repo = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    if server and repo:
        return _checked(f"{server.rstrip('/')}/{repo}", "github")
    if project := environ.get("CI_PROJECT_URL"):
        return _checked(project.rstrip("/"), "gitlab")
    if not remote_url or (m := _HOST.match(remote_url.strip())) is None:
        return None
    host, path = m.group("host"), m.group("path").strip("/")
    if host == "github.com":
        return _checked(f"https://{host}/{path}", "github")
    if "gitlab" in host:
        return _checked(f"https://{host}/{path}", "gitlab")
    return None


_CHANGE_URL = re.compile(
    r"^(?P<repo>https://[^\s?#]+?)(?:/-/merge_requests/|/pull/)[0-9]+(?:[/?#].*)?$"
)


def web_repo_of_change(url: str) -> WebRepo | None:
    """The repository's address from a pull or merge request's (ChangeRequest.web_url),
    for a forge door: `…/pull/42` is GitHub's, `…/-/merge_requests/7` GitLab's."""
    m = _CHANGE_URL.match(url)
    if m is None:
        return None
    return _checked(m.group("repo"), "gitlab" if "/-/merge_requests/" in url else "github")


def _checked(url: str, kind: str) -> WebRepo | None:
    return WebRepo(url, kind) if _SAFE_URL.match(url) else None


def where(web: WebRepo | None, sha: str | None, path: str, line: int) -> str:
    """`path:line` as a Markdown link to the file at `sha` when the forge is known."""
    text = f"{path}:{line}"
    if web is None or not sha:
        return f"`{text}`"
    label = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({web.file_url(sha, path, line)})"


def origin_url(root: Path) -> str | None:
    """The checkout's origin remote, if it has one."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True, text=True, check=False, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
