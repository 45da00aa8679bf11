"""One pull request as the door's ChangeSource (bot/forges/contract.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from github import Github

from bot.change.filters import UNFILTERED
from bot.change.model import Change
from bot.forges.contract import ChangeRequest, FetchedRules
from bot.forges.github.repo_files import fetch_rule_files
from bot.forges.github.source import change_from_github, get_file

log = logging.getLogger(__name__)


class GitHubSource:
    def __init__(self, gh: Github, repository: str, number: int) -> None:
        self.gh = gh
        self._repository = repository
        self.number = number

    @property
    def repository(self) -> str:
        return self._repository

    def read_change(self) -> tuple[Change, ChangeRequest]:
        return change_from_github(self.gh, self._repository, self.number, UNFILTERED)

    def read_file(self, path: str, ref: str, *, purpose: str) -> bytes | None:
        return get_file(self.gh, self._repository, path, ref, purpose=purpose)

    def rule_files(self, ref: str, rules: list[str], dest: Path) -> FetchedRules:
        return fetch_rule_files(self.gh, self._repository, ref, rules, dest)

    def changed_since(self, old_head: str, new_head: str) -> frozenset[str] | None:
        try:
            compared = self.gh.get_repo(self._repository).compare(old_head, new_head)
        except Exception as exc:  # whatever the API says, the safe answer is to review it all
            log.info("incremental range unavailable (%s): reviewing the whole pull request", exc)
            return None
        if compared.status not in ("ahead", "identical"):
            return None
        return frozenset(f.filename for f in compared.files)
