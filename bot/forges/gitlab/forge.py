"""GitLab as the registry knows it (bot/forges/forge.py): its addresses, its credentials,
its webhook.

One instance per deployment: GITLAB_URL (default https://gitlab.com, a relative root
allowed) and GITLAB_TOKEN, a project, group or personal access token with the api scope
(read_api is enough to review, not to post). A job names its instance (Job.api_url, which
the webhook fills from GITLAB_URL); a job for any other instance is not run, since the
token is GITLAB_URL's. A slash command runs only for a member with the Developer role or
above (permissions.py, asked of GitLab by the worker).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.errors import ConfigError
from bot.forges.forge import ChangeRef, Opened
from bot.forges.gitlab import mr_url
from bot.forges.gitlab.client import TOKEN_ENV, GitLabAPI, gitlab_api
from bot.jobs import Job

if TYPE_CHECKING:
    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description
    from bot.describe.publish import EditResult
    from bot.forges.contract import ChangeSource
    from bot.forges.webhook import WebhookReceiver

log = logging.getLogger(__name__)

NAME = "gitlab"
WEBHOOK_SECRET_ENV = "GITLAB_WEBHOOK_SECRET"
_TOKEN_HINT = (
    f"set {TOKEN_ENV} to a project access token with the api scope and the Developer role "
    "(in GitLab CI: a masked CI/CD variable; CI_JOB_TOKEN may not write notes)"
)


class GitLabForge:
    name = NAME
    address_example = mr_url.EXAMPLE
    webhook_secret_env = WEBHOOK_SECRET_ENV

    def claims(self, address: str) -> bool:
        return mr_url.claims(address)

    def parse_ref(self, address: str, environ: Mapping[str, str]) -> ChangeRef:
        ref = mr_url.parse_mr_ref(address, mr_url.instance_url(environ))
        return ChangeRef(NAME, ref.instance, ref.project, ref.iid, sigil="!")

    def open_ref(self, ref: ChangeRef, environ: Mapping[str, str]) -> Opened:
        return _opened(_api(ref.api_url, environ), ref.repository, ref.number)

    def open_job(self, job: Job, environ: Mapping[str, str]) -> Opened | None:
        from bot.forges.gitlab.permissions import command_allowed

        instance = mr_url.instance_url(environ)
        if job.api_url.rstrip("/") != instance:
            log.warning(
                "not run: %s!%d names the instance %s, and %s is %s's",
                job.repository,
                job.number,
                job.api_url,
                TOKEN_ENV,
                instance,
            )
            return None
        api = _api(instance, environ)
        if not command_allowed(api.gl, job):
            return None
        return _opened(api, job.repository, job.number)

    def webhook(self, environ: Mapping[str, str]) -> WebhookReceiver | None:
        if not environ.get(WEBHOOK_SECRET_ENV):
            return None
        # Imported here: `switchyard review` never loads the receiver.
        from bot.forges.gitlab.webhook import GitLabWebhook

        return GitLabWebhook.from_env(environ)

    def credentials_problem(self, environ: Mapping[str, str]) -> str | None:
        mr_url.instance_url(environ)  # a GITLAB_URL that is no address stops the server now
        if environ.get(TOKEN_ENV):
            return None
        return f"{TOKEN_ENV} is not set: workers will not be able to reach GitLab"

    def edit_description(
        self, source: ChangeSource, description: Description, cfg: DescribeConfig
    ) -> EditResult:
        from bot.forges.gitlab.description import edit_gitlab_description
        from bot.forges.gitlab.source import GitLabSource

        if not isinstance(source, GitLabSource):
            raise TypeError(f"not a GitLab merge request: {type(source).__name__}")
        return edit_gitlab_description(source.api, source.repository, source.iid, description, cfg)


def _api(instance: str, environ: Mapping[str, str]) -> GitLabAPI:
    token = environ.get(TOKEN_ENV)
    if not token:
        raise ConfigError("reading a merge request needs a token", hint=_TOKEN_HINT)
    return gitlab_api(instance, token)


def _opened(api: GitLabAPI, project: str, iid: int) -> Opened:
    from bot.forges.gitlab.publisher import GitLabPublishers
    from bot.forges.gitlab.source import GitLabSource

    source = GitLabSource(api, project, iid)
    return Opened(source, GitLabPublishers(source))


FORGE = GitLabForge()
