"""A personal access token named "PAT" by its issuer (`GITHUB_PAT`, the Azure CLI's
`AZURE_DEVOPS_EXT_PAT`, `asana_pat`) is a token, as `GITHUB_TOKEN` is; "pat" in a name
of code's own (`url_pat`, `compat`, `path`) says nothing of a secret."""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact
from tests.drawn import NAMED_SETTINGS

VALUE = "q3x7hbbm5vy6fnd2ylfjz6b4"


@pytest.mark.parametrize(
    "name",
    ["GITHUB_PAT", "GH_PAT", "githubPat", "AZURE_DEVOPS_EXT_PAT", "ado_pat", "asana_pat",
     "GITLAB_PAT", "HF_PAT", "CI_BOT_PAT"],
)  # fmt: skip
@pytest.mark.parametrize(("path", "template"), [*NAMED_SETTINGS, (None, "export {n}={v}\n")])
def test_a_token_named_pat_by_its_issuer_is_masked(
    name: str, path: str | None, template: str
) -> None:
    text = template.format(n=name, v=VALUE)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [VALUE]
    assert VALUE not in redact(text, path).text


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("app/match.py", f'url_pat = "{VALUE}"\n'),
        ("app/match.py", f'pat = "{VALUE}"\n'),
        ("app/compat.py", f'compat = "{VALUE}"\n'),
        ("app/compat.py", f'github_path = "{VALUE}"\n'),
        ("config/app.yml", f"dispatch: {VALUE}\n"),
        # the issuer's name with a pattern beside it, not a token
        (".env", "GITHUB_PAT=${GITHUB_PAT}\n"),
    ],
)
def test_pat_in_a_name_of_code_says_no_secret(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
