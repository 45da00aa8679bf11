"""A Change from a git checkout: what `head` adds on top of where it left `base`."""

from __future__ import annotations

import threading
from pathlib import Path

import git
from git.exc import GitCommandError, GitCommandNotFound, InvalidGitRepositoryError, NoSuchPathError

from bot.change.filters import apply_filters
from bot.change.model import Change, FileStatus, Side
from bot.change.parse import parse_diff
from bot.config.model import FilterConfig
from bot.errors import InputError

# Every option that user or system git config could otherwise change is pinned, so the
# hunks (and so the commentable lines) match what the forge shows for the same commits.
_DIFF_ARGS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--find-renames",
    "--unified=3",
    "--submodule=short",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_BINARY_SNIFF = 8000  # git's own heuristic looks for a NUL in the first 8000 bytes


def change_from_git(
    repo_dir: str | Path,
    base: str,
    head: str = "HEAD",
    filters: FilterConfig | None = None,
) -> Change:
    """The change `head` makes since it branched from `base`, like `git diff base...head`.

    The diff runs from merge-base(base, head) to head, so commits that landed on base
    after the branch point do not show up. With head="HEAD" only committed changes
    count: staged and unstaged edits in the working tree are not part of the change,
    as they would not be part of a pull request either.

    Raises InputError when `repo_dir` is not in a repository, a ref is unknown, the
    two refs share no history, or there is no difference at all. A diff whose every
    file is filtered is not an error here; Change.files is then empty.
    """
    repo = _open_repo(repo_dir)
    try:
        return _build(repo, base, head, filters or FilterConfig())
    except GitCommandNotFound:
        raise InputError(
            "git is not installed or not on PATH", hint="install git, or pass --diff FILE"
        ) from None
    except GitCommandError as exc:
        raise _git_failure(exc, repo) from None


def _build(repo: git.Repo, base: str, head: str, filters: FilterConfig) -> Change:
    head_sha = _resolve(repo, head, "head")
    base_sha = _resolve(repo, base, "base")
    merge_base = _merge_base(repo, base, head, base_sha, head_sha)
    source = f"git {base}...{head}"

    raw: bytes = repo.git(c="core.quotePath=false").diff(
        *_DIFF_ARGS,
        merge_base,
        head_sha,
        "--",
        stdout_as_string=False,
        strip_newline_in_stdout=False,
    )
    if not raw.strip():
        raise InputError(
            f"no changes between {base} and {head}",
            hint=f"{head} has no commits that {base} lacks; commit your work first "
            "(uncommitted changes are not reviewed)",
        )
    # Undecodable bytes (a latin-1 source file) become U+FFFD rather than failing the
    # whole run; such lines are still shown and anchored correctly.
    files = parse_diff(raw.decode("utf-8", errors="replace"), source)
    old_paths = {f.path: f.old_path for f in files if f.status is FileStatus.RENAMED and f.old_path}
    kept, skipped = apply_filters(files, filters)
    root = repo.working_tree_dir or repo.git_dir
    return Change(
        files=kept,
        skipped=skipped,
        source=source,
        base_sha=merge_base,
        head_sha=head_sha,
        repo_root=str(root),
        load_content=GitContentLoader(repo, merge_base, head_sha, old_paths),
    )


def _open_repo(repo_dir: str | Path) -> git.Repo:
    try:
        return git.Repo(repo_dir, search_parent_directories=True)
    except NoSuchPathError:
        raise InputError(f"{repo_dir} does not exist") from None
    except InvalidGitRepositoryError:
        raise InputError(
            f"{repo_dir} is not inside a git repository; run in a checkout or pass --diff FILE"
        ) from None


def _resolve(repo: git.Repo, ref: str, role: str) -> str:
    try:
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        )
    except GitCommandError as exc:
        if _is_dubious(exc):
            raise
        raise InputError(f"unknown {role} ref '{ref}'", hint=_ref_hint(repo, ref)) from None


def _ref_hint(repo: git.Repo, ref: str) -> str:
    if ref == "HEAD":
        return "the repository has no commits yet"
    remotes = [r.name for r in repo.remotes]
    remote, _, branch = ref.removeprefix("refs/remotes/").partition("/")
    if branch and (remote in remotes or remote == "origin"):
        # CI checkouts often fetch only the head branch; the base must be fetched.
        return f"fetch it first: `git fetch {remote} {branch}`"
    for name in remotes:
        if _exists(repo, f"refs/remotes/{name}/{ref}"):
            return f"did you mean '{name}/{ref}'?"
    if remotes:
        return f"check the name; if it is a branch on the remote, `git fetch {remotes[0]} {ref}`"
    return "check the name with `git branch -a`"


def _exists(repo: git.Repo, ref: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
    except GitCommandError:
        return False
    return True


def _merge_base(repo: git.Repo, base: str, head: str, base_sha: str, head_sha: str) -> str:
    try:
        return str(repo.git.merge_base(base_sha, head_sha)).strip()
    except GitCommandError as exc:
        if _is_dubious(exc):
            raise
        shallow = str(repo.git.rev_parse("--is-shallow-repository")).strip() == "true"
        hint = (
            "this is a shallow clone: fetch more history (`git fetch --unshallow`, or "
            "`fetch-depth: 0` in actions/checkout)"
            if shallow
            else f"{base} and {head} share no history; pick the branch {head} was made from"
        )
        raise InputError(f"no merge base between {base} and {head}", hint=hint) from None


def _is_dubious(exc: GitCommandError) -> bool:
    return "dubious ownership" in str(exc.stderr)


def _git_failure(exc: GitCommandError, repo: git.Repo) -> InputError:
    if _is_dubious(exc):
        root = repo.working_tree_dir or repo.git_dir
        return InputError(
            f"git refuses to read {root}: the checkout is owned by another user",
            hint=f"run `git config --global --add safe.directory {root}`",
        )
    stderr = " ".join(str(exc.stderr or "").split()).removeprefix("stderr: ").strip("'")
    return InputError(f"git failed: {stderr or exc}")


class GitContentLoader:
    """File text at the merge-base (LEFT) or head (RIGHT), read on demand and cached.

    All reads go through one long-lived `git cat-file --batch` process, so loading
    2,000 files costs 2,000 pipe round trips, not 2,000 process starts. Safe to call
    from several threads. Returns None for binary, missing or non-UTF-8 content.
    """

    def __init__(
        self, repo: git.Repo, base_sha: str, head_sha: str, old_paths: dict[str, str]
    ) -> None:
        self._repo = repo
        self._commits = {Side.LEFT: base_sha, Side.RIGHT: head_sha}
        # A renamed file is asked for by its head path; at base it had another name.
        self._old_paths = old_paths
        self._cache: dict[tuple[str, Side], str | None] = {}
        self._lock = threading.Lock()

    def __call__(self, path: str, side: Side) -> str | None:
        key = (path, side)
        with self._lock:
            if key not in self._cache:
                real = self._old_paths.get(path, path) if side is Side.LEFT else path
                self._cache[key] = self._read(f"{self._commits[side]}:{real}")
            return self._cache[key]

    def _read(self, spec: str) -> str | None:
        if "\n" in spec:
            return None  # cat-file's protocol is one name per line
        try:
            _sha, kind, _size, data = self._repo.git.get_object_data(spec)
        except ValueError:  # gitpython's answer to "<spec> missing"
            return None
        # gitpython annotates the type as str but hands back bytes; accept either.
        if kind not in ("blob", b"blob") or b"\0" in data[:_BINARY_SNIFF]:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def close(self) -> None:
        """Stop the cat-file process; later calls still answer from the cache or restart it."""
        with self._lock:
            self._repo.git.clear_cache()
