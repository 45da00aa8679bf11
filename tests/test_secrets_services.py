"""Service token formats of bot/secrets/services.py, and the context rules beside them.

Every value here was made up for this file (random characters in the vendor's documented
shape); none comes from a suite that bench/secrets_eval.py scores.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets

CASES = [  # (kind, line)
    ("Adafruit IO key", 'IO_KEY = "aio_hkFsKUHNqZKZ4ZS7wW9Rqa9joHBC"'),
    (
        "Azure DevOps token",
        "pat: av9PxqCrK6HMOMhswJZUuyBJAZ5zqEJCHbptaOJN48YY1Uxbc7smQE6pemITHzs7Dcd6AnLzdfHUAZDOuH7p",
    ),
    (
        "Azure connection key",
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=DrL0XV9yi2DPL7jQVmXTbpER6OzvLvMqTwG4AXEjWV91",
    ),
    ("crates.io token", "cargo login cio9SHTbG9KEKcPDcqpM0NfrFSuzKNNFCEr"),
    ("Dependency-Track key", "X-Api-Key: odt_ASZ4y20xmL6iFxXwRuGul8zTG7dzRIRB"),
    ("Docker Hub token", "docker login -u me -p dckr_pat_kBrMN7w7Sk5qG3RUYYhyWOnByrK"),
    ("Vault token", "VAULT_TOKEN=hvs.XhkJbT5eofXUY66ILrRzJwyC"),
    (
        "Jenkins initial admin password",
        "Please use the following password to proceed to installation:\n\n"
        "5e0c81f3a9b24d7e8c6f1a2b3d4e5f60\n\nThis may also be found at: ...",
    ),
    ("Vault unseal key", "Unseal Key 3: n0Qx9b7Kf1VZ3gE8yWcRr5tLmA2jD6hUo4sPiXe+T/kB"),
    ("New Relic key", "license_key: 4de6bc155caa9bafd43a1e934ce45f9ded2fNRAL"),
    ("NuGet API key", "nuget push pkg.nupkg oy2bpszqcc56u3u3tsg9ivddz68dibkwx048yiumy3iyq2"),
    ("Okta API token", "Authorization: SSWS 00VwRyKqgzOrjRCgUda1h2Huj2oJvScDIVMuOP40gt"),
    ("Sourcegraph token", "src: sgp_f729b14a9de7c6c5_37660562da197878a32d427ede5d88df6a95eb9c"),
    ("Square token", "sq0atp-Fx2JlZZFZ0uhkBrtj6xJwr"),
    ("Telegram bot token", "bot = Bot('622160452:AAXjLa8Z7eWoz6OM5ersoUGctSTGOldvcvG')"),
    ("Twitch stream key", "stream: live_711421632_53aSg7yJ2RYrlGcLkkTzyfCuxvJufv"),
    (
        "Groq API key",
        "client = Groq(api_key='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')",
    ),
    (
        "Google OAuth client secret",
        '{"web": {"client_secret": "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"}}',
    ),
    ("LangSmith API key", "LANGCHAIN_API_KEY=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"),
    ("Replicate API token", "r8_Go5IWHaEFhYyrhyAjgtkFHwQKWZKtmzwXHnGw"),
    ("Supabase access token", "sbp_f20bb008dbc7b5db469abf303487277216b2f5f0"),
    ("Tavily API key", "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"),
    (
        "xAI API key",
        "xai-d0uSQvuE66c4BhT5MSlwWTSTALzNypTuITn1JPvbGkVGM3sHtry7Ip12yMVoAhLPggpBGHYQdJ6BQoao",
    ),
    ("HTTP basic credentials", "Authorization: Basic YWRtaW46cjBzM2J1ZCE="),
    (
        "token in URL",
        'requests.get("https://api.example.io/v1/get?token=uSd23xn6Od25qKAjmHkGdfS8&pin=1")',
    ),
    (
        "password in connection string",
        '"Server=db1;Database=app;User Id=svc;Password=sK!g2Ex_=jJ6Gx5v;"',
    ),
]


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[k for k, _ in CASES])
def test_service_format_is_found_under_its_kind(kind: str, text: str) -> None:
    assert [h.kind for h in find_secrets(text)] == [kind]


LOOK_ALIKES = [
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",  # user:password
    "Authorization: Basic aGVsbG8gd29ybGQ=",  # "hello world": no user:password pair
    "https://example.com/search?token=correct_horse_battery",  # words, no digit
    "Server=db;User Id=app;Password=${DB_PASSWORD};",  # a reference
    "uid=#{opts[:user]};pwd=#{opts[:secret]}",  # Ruby interpolation
    "Data Source=x;User ID=sa;Password=;",  # empty
    '"db_password": "&lt;mysqlrootpw&gt;"',  # an HTML-escaped <placeholder>
    "precious-cioabcdefghijklmnopqrstuvwxyzABCDEF",  # "cio" inside a word, a typed run
    "sq0atp-xxxxxxxxxxxxxxxxxxxxxx",
    "hvs.deprecated_setting_name_in_docs",  # no digits or upper case: a name
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_not_reported(text: str) -> None:
    assert find_secrets(text) == []


def test_assignment_with_escaped_quotes_inside_a_string_literal() -> None:
    text = r'$sql = "$user = \"mg1021\"; $password = \"g00dSp3c!\";";'
    hits = find_secrets(text)
    assert [text[h.start : h.end] for h in hits] == ["g00dSp3c!"]
