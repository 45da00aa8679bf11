"""Where a target runs is declared, never inferred: hostile spellings of hosts cannot make a
cloud API look on-premises, and nothing but the operator's declaration makes a target local."""

from __future__ import annotations

import pytest

from bot.config import ProviderConfig, Settings
from bot.config.loader import load_settings
from bot.config.location import cloud_api_domain, normalised_host
from bot.errors import ConfigError

# Addresses a guess from the host would have called self-hosted: every one of them is cloud
# unless the operator declares it local.
UNDECLARED = [
    "https://API.OPENAI.COM/v1",
    "https://api.openai.com./v1",
    "https://gateway.corp.example/openai/v1",  # a corporate LLM gateway or proxy
    "https://api.groq.com/openai/v1",
    "https://api.deepseek.com",
    "https://acme.services.ai.azure.com/models",
    "http://127.0.0.1:8000/v1",  # a port forwarded to anything
    "http://[::1]:8000/v1",
    "http://10.0.0.5:8000/v1",
    "http://gpu01:8000/v1",
    "http://user:pass@gpu01:8000/v1",
]


@pytest.mark.parametrize("url", UNDECLARED)
def test_an_undeclared_target_is_cloud_whatever_its_host(url: str) -> None:
    cfg = ProviderConfig(base_url=url, model="m")
    assert cfg.resolved_location() == "cloud"
    assert "not declared" in cfg.location_declaration()


def test_a_declared_local_target_is_local() -> None:
    cfg = ProviderConfig(base_url="http://10.0.0.5:8000/v1", model="m", location="local")
    assert cfg.resolved_location() == "local"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://API.OPENAI.COM/v1", "api.openai.com"),
        ("https://api.openai.com./v1", "api.openai.com"),
        ("https://api.openai.com.../v1", "api.openai.com"),
        ("https://user:secret@api.openai.com/v1", "api.openai.com"),
        ("https://gpu01.corp@api.openai.com/v1", "api.openai.com"),  # user-info, not the host
        ("https://api.openai.com:443/v1", "api.openai.com"),
        ("http://[0:0:0:0:0:0:0:1]:8000/v1", "::1"),
        ("http://127.000.000.001:8000", "127.000.000.001"),  # not an IP to Python: a name
        ("http://bücher.example/v1", "xn--bcher-kva.example"),
        ("gpu01:8000/v1", "gpu01"),
        ("http:///v1", None),
    ],
)
def test_hosts_are_read_as_a_resolver_reads_them(url: str, host: str | None) -> None:
    assert normalised_host(url) == host


@pytest.mark.parametrize(
    "url",
    [
        "https://API.OPENAI.COM/v1",
        "https://api.openai.com./v1",
        "https://intranet.corp@api.openai.com/v1",
        "https://eu.api.openai.com/v1",
        "https://acme.openai.azure.com/openai/deployments/x",
        "https://generativelanguage.googleapis.com/v1beta/openai/",
        "https://API.ANTHROPIC.COM.",
        "https://openrouter.ai/api/v1",
    ],
)
def test_declaring_a_public_cloud_api_local_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="public cloud API"):
        ProviderConfig(base_url=url, model="m", location="local")


def test_a_lookalike_host_is_not_the_cloud_api_it_imitates() -> None:
    # Cyrillic "а" in "аpi": a different host (its punycode form), not OpenAI's.
    assert cloud_api_domain(normalised_host("https://\u0430pi.openai.com.evil.example")) is None
    assert cloud_api_domain(normalised_host("https://api.openai.com.evil.example")) is None
    assert cloud_api_domain(normalised_host("https://notapi.openai.com")) is None


def test_local_without_a_base_url_is_refused_since_the_sdk_would_call_the_cloud() -> None:
    with pytest.raises(ValueError, match="needs a base_url"):
        ProviderConfig(model="m", location="local")
    with pytest.raises(ValueError, match=r"api\.anthropic\.com"):
        ProviderConfig(kind="anthropic", model="m", location="local")


def test_openai_base_url_in_the_environment_stays_cloud() -> None:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    settings = load_settings(repo_dir=None, config_path=None, environ=env).settings
    assert settings.providers["openai"].resolved_location() == "cloud"


def test_anthropic_key_alone_declares_a_cloud_provider() -> None:
    env = {"ANTHROPIC_API_KEY": "sk-ant-test", "SWITCHYARD_ANTHROPIC_MODEL": "claude-opus-4-5"}
    settings = load_settings(repo_dir=None, config_path=None, environ=env).settings
    cfg = settings.providers["anthropic"]
    assert (cfg.kind, cfg.model, cfg.resolved_location()) == (
        "anthropic",
        "claude-opus-4-5",
        "cloud",
    )
    default = load_settings(
        repo_dir=None, config_path=None, environ={"ANTHROPIC_API_KEY": "k"}
    ).settings
    assert default.providers["anthropic"].model.startswith("claude-")


def test_the_declaration_names_the_file_or_variable_that_made_it(tmp_path) -> None:
    org = tmp_path / "org.yml"
    org.write_text(
        "providers:\n"
        "  gpu:\n    base_url: http://gpu01:8000/v1\n    model: m\n    location: local\n"
        "  gateway:\n    base_url: https://llm.corp.example/v1\n    model: m\n"
    )
    env = {"SWITCHYARD_LOCAL_BASE_URL": "http://gpu02:8000/v1", "SWITCHYARD_LOCAL_MODEL": "q"}
    providers = load_settings(repo_dir=None, config_path=org, environ=env).settings.providers
    assert providers["gpu"].location_declaration() == f"local (declared by {org})"
    assert providers["gateway"].location_declaration() == (
        "cloud (location not declared: cloud by default)"
    )
    assert providers["local"].location_declaration() == (
        "local (declared by SWITCHYARD_LOCAL_BASE_URL)"
    )


def test_a_local_declaration_for_a_cloud_host_names_the_file(tmp_path) -> None:
    org = tmp_path / "org.yml"
    org.write_text(
        "providers:\n  gpu:\n    base_url: https://API.OPENAI.COM/v1\n    model: m\n"
        "    location: local\n"
    )
    with pytest.raises(ConfigError) as err:
        load_settings(repo_dir=None, config_path=org, environ={})
    assert str(org) in str(err.value) and "providers.gpu" in str(err.value)


def test_settings_default_to_no_local_target() -> None:
    assert Settings().providers == {}
