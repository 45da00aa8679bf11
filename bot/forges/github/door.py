"""The GitHub door: a pull request in, a review, a check and a summary out.

Used by `switchyard review --pr URL` and by the worker for webhook jobs. The repository's
`.switchyard.yml` is read from the base branch, so a pull request cannot lower its own
policy; on a new push only the files changed since the last reviewed head are reviewed.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.change.filters import UNFILTERED, apply_filters
from bot.change.model import Change, SkippedFile
from bot.config.loader import LoadedSettings, load_settings
from bot.errors import SwitchyardError
from bot.forges.github.publisher import GitHubPublisher, PriorState, PublishResult
from bot.forges.github.source import PRInfo, change_from_github, repo_config_from_base

if TYPE_CHECKING:
    from github import Github

    from bot.config.model import Settings
    from bot.execution import Services
    from bot.pipeline import Progress
    from bot.planning import RunContext
    from bot.report import RunReport

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PullRequestRun:
    info: PRInfo
    report: RunReport
    published: PublishResult | None


def load_pr_settings(
    gh: Github,
    repository: str,
    base_ref: str,
    *,
    config_path: Path | None,
    environ: Mapping[str, str],
    overrides: dict[str, object] | None = None,
) -> LoadedSettings:
    """Settings with the base branch's `.switchyard.yml` as the repository layer."""
    repo_layer = repo_config_from_base(gh, repository, base_ref)
    with tempfile.TemporaryDirectory(prefix="switchyard-config-") as tmp:
        if repo_layer is not None:
            (Path(tmp) / ".switchyard.yml").write_text(
                yaml.safe_dump(repo_layer, sort_keys=False), encoding="utf-8"
            )
        return load_settings(
            repo_dir=Path(tmp),
            config_path=config_path,
            environ=environ,
            overrides=overrides,
        )


def since_last_review(gh: Github, change: Change, info: PRInfo, prior: PriorState) -> Change:
    """Only files that commits since the last reviewed head touched, when that head is still
    an ancestor (after a force-push the whole pull request is reviewed again)."""
    last = prior.last_head_sha
    if not last or last == info.head_sha:
        return change
    try:
        compared = gh.get_repo(info.repository).compare(last, info.head_sha)
    except Exception as exc:  # whatever the API says, the safe answer is to review it all
        log.info("incremental range unavailable (%s): reviewing the whole pull request", exc)
        return change
    if compared.status not in ("ahead", "identical"):
        return change
    touched = {f.filename for f in compared.files}
    kept = [f for f in change.files if f.path in touched]
    unchanged = [
        SkippedFile(f.path, f"unchanged since the last review ({last[:12]})")
        for f in change.files
        if f.path not in touched
    ]
    return Change(
        files=kept,
        skipped=[*change.skipped, *unchanged],
        source=change.source,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        load_content=change.load_content,
    )


def run_pull_request(
    gh: Github,
    repository: str,
    number: int,
    *,
    tasks: Sequence[str],
    config_path: Path | None,
    environ: Mapping[str, str],
    publish: bool,
    overrides: dict[str, object] | None = None,
    only: tuple[str, ...] = (),
    no_cache: bool = False,
    progress: Progress | None = None,
    login: str | None = None,
    on_settings: Callable[[LoadedSettings], None] | None = None,
) -> list[PullRequestRun]:
    """Each of `tasks` on the pull request, in order. The pull request, its settings and
    its files are read once for all of them (the contents loader keeps what it read);
    each task posts its own review, check run (`switchyard / <task>`) and summary comment
    as soon as it is done."""
    from bot.cli.setup import open_providers
    from bot.ledger.store import Ledger
    from bot.pipeline import Services
    from bot.planning import RunContext

    # The pull request is read once, unfiltered: the filters are the base branch's, which
    # only the pull request's base ref can find.
    change, info = change_from_github(gh, repository, number, UNFILTERED)
    loaded = load_pr_settings(
        gh,
        repository,
        info.base_ref,
        config_path=config_path,
        environ=environ,
        overrides=overrides,
    )
    if on_settings is not None:
        on_settings(loaded)
    settings = loaded.settings
    if no_cache:
        settings = settings.model_copy(
            update={"cache": settings.cache.model_copy(update={"enabled": False})}
        )
    kept, filtered = apply_filters(change.files, settings.filters)
    change = dataclasses.replace(change, files=kept, skipped=[*change.skipped, *filtered])
    providers = open_providers(loaded, only)
    ledger = Ledger.from_settings(settings, environ)
    services = Services(providers=providers, ledger=ledger)
    ctx = RunContext(repository=repository, change_ref=f"pr/{number}", labels=info.labels)
    runs: list[PullRequestRun] = []
    failed: SwitchyardError | None = None
    try:
        for task in tasks:
            publisher = GitHubPublisher(
                gh, repository, number, info.head_sha, task=task, login=login
            )
            prior = publisher.read_state() if publish else None
            # Each task has its own last reviewed head: the range is per task.
            task_change = change if prior is None else since_last_review(gh, change, info, prior)
            try:
                report = _run_task(task, gh, task_change, info, settings, services, ctx, progress)
            except SwitchyardError as exc:
                # One task that cannot run (a review with no model) does not stop the
                # others (the scanners need none); its error is raised once they are done.
                failed = failed or exc
                continue
            published = publisher.publish(report, prior) if publish else None
            runs.append(PullRequestRun(info, report, published))
            if prior is not None and prior.identity.login:
                login = prior.identity.login  # the next task's publisher need not ask
    finally:
        for p in providers.values():
            p.close()
        ledger.close()
    if failed is not None:
        raise failed
    return runs


def _run_task(
    task: str,
    gh: Github,
    change: Change,
    info: PRInfo,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
) -> RunReport:
    """Runs one task. The security task gets the repository's own semgrep rules as the
    base branch has them (there is no checkout): a pull request must not change the rules
    it is scanned under, as it must not change its settings."""
    if task != "security":
        from bot.pipeline import run_review

        return run_review(
            change, settings, services, ctx=ctx, fail_on=settings.fail_on, progress=progress
        )
    from bot.forges.github.repo_files import fetch_rule_files
    from bot.security.run import run_security
    from bot.security.scanners.semgrep_runner import FETCHED_RULES_PREFIX

    named = settings.security.semgrep_rules
    with tempfile.TemporaryDirectory(prefix=FETCHED_RULES_PREFIX) as tmp:
        fetched = (
            fetch_rule_files(gh, info.repository, info.base_ref, named, Path(tmp))
            if named
            else None
        )
        report = run_security(
            change,
            settings,
            services,
            ctx=ctx,
            fail_on=settings.fail_on,
            progress=progress,
            repo_rules=fetched.paths if fetched is not None else None,
        )
    if fetched is not None:
        report.notes[:0] = fetched.notes
    return report
