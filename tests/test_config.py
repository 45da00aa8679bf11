"""Settings layers: files, environment, flags; and the errors a user sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.config import (
    ConfigProblems,
    LoadedSettings,
    ProviderConfig,
    Settings,
    load_settings,
    settings_json_schema,
)
from bot.config.env import settings_from_env
from bot.config.keys import api_key_for
from bot.config.loader import Layer, merge_layers
from bot.errors import EXIT_USAGE, ConfigError
from bot.findings.model import Severity

LOCAL_ENV = {"SWITCHYARD_LOCAL_BASE_URL": "http://gpu01:8000/v1", "SWITCHYARD_LOCAL_MODEL": "qwen"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(
    tmp_path: Path,
    *,
    repo: str | None = None,
    server: str | None = None,
    environ: dict[str, str] | None = None,
    **kwargs: Any,
) -> LoadedSettings:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir(exist_ok=True)
    if repo is not None:
        write(repo_dir / ".switchyard.yml", repo)
    config_path = write(tmp_path / "org.yml", server) if server is not None else None
    return load_settings(
        repo_dir=repo_dir, config_path=config_path, environ=environ or {}, **kwargs
    )


def error_of(tmp_path: Path, **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, **kwargs)
    assert info.value.exit_code == EXIT_USAGE
    return info.value.message


# --------------------------------------------------------------------------- precedence


def test_nothing_configured_gives_defaults(tmp_path: Path) -> None:
    loaded = load(tmp_path)
    assert loaded.settings == Settings()
    assert loaded.sources == []


def test_precedence_server_repo_env_flags(tmp_path: Path) -> None:
    server = """
providers:
  local:
    base_url: http://org-gpu:8000/v1
    model: org-model
    context_tokens: 16384
    max_output_tokens: 2048
    api_key_env: ORG_GPU_KEY
fail_on: critical
review: {max_findings: 10, extra_context_lines: 3}
filters: {exclude: ["org/**", "vendor/**"]}
"""
    repo = """
review: {max_findings: 20}
filters: {exclude: ["docs/**"]}
fail_on: major
"""
    loaded = load(
        tmp_path,
        server=server,
        repo=repo,
        environ={"SWITCHYARD_LOCAL_MODEL": "env-model", "SWITCHYARD_FAIL_ON": "MINOR"},
        overrides={"fail_on": "nit", "review": {"extra_context_lines": None}},
    )
    local = loaded.settings.providers["local"]
    assert local.base_url == "http://org-gpu:8000/v1"  # server only
    assert local.context_tokens == 16384  # server only, kept through the per-field merge
    assert local.api_key_env == "ORG_GPU_KEY"
    assert local.max_output_tokens == 2048
    assert local.model == "env-model"  # env beats server, per field
    assert loaded.settings.review.max_findings == 20  # repo beats server
    assert loaded.settings.review.extra_context_lines == 3  # None flag means "not given"
    assert loaded.settings.filters.exclude == ["docs/**"]  # lists are replaced, not joined
    assert loaded.settings.fail_on is Severity.NIT  # flag beats env beats files
    assert loaded.sources == [str(tmp_path / "org.yml"), str(tmp_path / "repo/.switchyard.yml")]
    assert loaded.origins["providers.local.model"] == "SWITCHYARD_LOCAL_MODEL"
    assert loaded.origins["providers.local.base_url"] == str(tmp_path / "org.yml")
    assert loaded.origins["review.max_findings"] == ".switchyard.yml"
    assert loaded.origins["fail_on"] == "command line"


def test_env_without_flags_beats_files(tmp_path: Path) -> None:
    loaded = load(tmp_path, repo="fail_on: nit\n", environ={"SWITCHYARD_FAIL_ON": "major"})
    assert loaded.settings.fail_on is Severity.MAJOR


def test_server_file_from_environment_variable(tmp_path: Path) -> None:
    org = write(tmp_path / "etc/switchyard.yml", "review: {max_findings: 7}\n")
    loaded = load_settings(repo_dir=None, config_path=None, environ={"SWITCHYARD_CONFIG": str(org)})
    assert loaded.settings.review.max_findings == 7
    assert loaded.sources == [str(org)]


def test_config_flag_wins_over_environment_variable(tmp_path: Path) -> None:
    flag = write(tmp_path / "flag.yml", "review: {max_findings: 1}\n")
    loaded = load_settings(
        repo_dir=None, config_path=flag, environ={"SWITCHYARD_CONFIG": str(tmp_path / "nope")}
    )
    assert loaded.settings.review.max_findings == 1


def test_yaml_extension_accepted_and_empty_file_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "repo/.switchyard.yaml", "# nothing yet\n")
    loaded = load_settings(repo_dir=tmp_path / "repo", config_path=None, environ={})
    assert loaded.settings == Settings()
    assert loaded.sources == [str(tmp_path / "repo/.switchyard.yaml")]


def test_commented_out_section_is_empty_not_an_error(tmp_path: Path) -> None:
    loaded = load(tmp_path, repo="providers:\n  # local: {}\nreview:\n")
    assert loaded.settings.providers == {}


def test_dotted_override_keys(tmp_path: Path) -> None:
    loaded = load(tmp_path, overrides={"review.min_severity": "major"})
    assert loaded.settings.review.min_severity is Severity.MAJOR


# --------------------------------------------------------------------------- environment only


def test_env_only_local(tmp_path: Path) -> None:
    loaded = load(tmp_path, environ={**LOCAL_ENV, "SWITCHYARD_LOCAL_CONTEXT_TOKENS": "65536"})
    assert list(loaded.settings.providers) == ["local"]
    local = loaded.settings.providers["local"]
    assert (
        local.model_dump()
        == ProviderConfig(
            kind="openai_compatible",
            base_url="http://gpu01:8000/v1",
            model="qwen",
            location="local",
            context_tokens=65536,
        ).model_dump()
    )
    assert local.resolved_location() == "local"
    assert local.location_declaration() == "local (declared by SWITCHYARD_LOCAL_BASE_URL)"


def test_env_only_openai(tmp_path: Path) -> None:
    loaded = load(tmp_path, environ={"OPENAI_API_KEY": "sk-test"})
    openai = loaded.settings.providers["openai"]
    assert openai.model == "gpt-4o-mini"
    assert openai.base_url is None
    assert openai.resolved_location() == "cloud"
    # The key is found by keys.py at call time and never copied into the settings.
    assert "sk-test" not in loaded.settings.model_dump_json()
    assert api_key_for("openai", openai, {"OPENAI_API_KEY": "sk-test"}) == "sk-test"


def test_env_only_both(tmp_path: Path) -> None:
    environ = {**LOCAL_ENV, "OPENAI_API_KEY": "sk-test", "SWITCHYARD_OPENAI_MODEL": "gpt-4.1"}
    settings = load(tmp_path, environ=environ).settings
    assert set(settings.providers) == {"local", "openai"}
    assert settings.providers["openai"].model == "gpt-4.1"
    assert settings.providers["local"].resolved_location() == "local"
    assert settings.providers["openai"].resolved_location() == "cloud"


def test_openai_base_url_honoured(tmp_path: Path) -> None:
    environ = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://vllm.internal:8000/v1"}
    openai = load(tmp_path, environ=environ).settings.providers["openai"]
    assert openai.base_url == "http://vllm.internal:8000/v1"
    # Never inferred from the address: only the org file or SWITCHYARD_LOCAL_BASE_URL makes a
    # target local, so a gateway or proxy that OPENAI_BASE_URL names stays cloud.
    assert openai.resolved_location() == "cloud"
    environ["OPENAI_BASE_URL"] = "https://api.openai.com/v1"
    assert load(tmp_path, environ=environ).settings.providers["openai"].resolved_location() == (
        "cloud"
    )


def test_openai_base_url_alone_declares_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, environ={"OPENAI_BASE_URL": "http://x/v1"}).settings.providers == {}


def test_openai_key_does_not_rewrite_a_declared_provider(tmp_path: Path) -> None:
    server = "providers:\n  openai: {model: gpt-4o, base_url: 'https://gw.corp/v1'}\n"
    openai = load(tmp_path, server=server, environ={"OPENAI_API_KEY": "k"}).settings.providers[
        "openai"
    ]
    assert (openai.model, openai.base_url) == ("gpt-4o", "https://gw.corp/v1")


def test_env_overrides_fields_of_a_file_declared_provider(tmp_path: Path) -> None:
    server = "providers:\n  local: {base_url: 'http://a/v1', model: m, context_tokens: 8192}\n"
    # One variable alone is fine here: the file already declares the provider.
    local = load(tmp_path, server=server, environ={"SWITCHYARD_LOCAL_BASE_URL": "http://b/v1"})
    assert local.settings.providers["local"].base_url == "http://b/v1"
    assert local.settings.providers["local"].context_tokens == 8192
    assert local.settings.providers["local"].model == "m"


def test_file_providers_come_before_env_defaults(tmp_path: Path) -> None:
    server = "providers:\n  gpu: {base_url: 'http://a/v1', model: m}\n"
    settings = load(tmp_path, server=server, environ={"OPENAI_API_KEY": "k"}).settings
    assert list(settings.providers) == ["gpu", "openai"]


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"SWITCHYARD_LOCAL_BASE_URL": "http://gpu01:8000/v1"}, "SWITCHYARD_LOCAL_MODEL"),
        ({"SWITCHYARD_LOCAL_MODEL": "qwen"}, "SWITCHYARD_LOCAL_BASE_URL"),
        ({"SWITCHYARD_LOCAL_MODEL": "qwen", "SWITCHYARD_LOCAL_BASE_URL": ""}, "BASE_URL"),
    ],
)
def test_half_declared_local_env_is_an_error(
    tmp_path: Path, given: dict[str, str], missing: str
) -> None:
    message = error_of(tmp_path, environ=given)
    assert f"{missing} is not" in message or f"{missing} are not" in message


def test_settings_from_env_is_a_layer_dict() -> None:
    environ = {**LOCAL_ENV, "OPENAI_API_KEY": "sk-secret", "SWITCHYARD_FAIL_ON": "Major"}
    layer = settings_from_env(environ)
    assert layer == {
        "providers": {
            "local": {
                "kind": "openai_compatible",
                "location": "local",
                "base_url": "http://gpu01:8000/v1",
                "model": "qwen",
            },
            "openai": {"kind": "openai_compatible", "model": "gpt-4o-mini"},
        },
        "fail_on": "major",
    }
    assert "sk-secret" not in str(layer)


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    environ = {**LOCAL_ENV, "SWITCHYARD_LOCAL_CONTEXT_TOKENS": "lots"}
    message = error_of(tmp_path, environ=environ)
    assert message.startswith("SWITCHYARD_LOCAL_CONTEXT_TOKENS: providers.local.context_tokens: ")
    message = error_of(tmp_path, environ={"SWITCHYARD_FAIL_ON": "sometimes"})
    assert message.startswith("SWITCHYARD_FAIL_ON: fail_on: Input should be")


def test_bad_flag_names_the_flag(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, overrides={"fail_on": "often"}, flag_names={"fail_on": "--fail-on"}
    )
    assert message.startswith("--fail-on: fail_on: ")
    assert error_of(tmp_path, overrides={"fail_on": "often"}).startswith("command line: fail_on:")


# --------------------------------------------------------------------------- file errors


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    server = "providers:\n  local: {base_url: 'http://a/v1', model: m, contxt_tokens: 4096}\n"
    message = error_of(tmp_path, server=server)
    assert message == (
        f"{tmp_path / 'org.yml'}: providers.local.contxt_tokens: "
        "unknown key 'contxt_tokens' (did you mean 'context_tokens'?)"
    )
    # In a repository file too: a misspelt key is not refused as a key it may not set.
    message = error_of(tmp_path, repo="reviw:\n  max_findings: 3\n")
    assert message == ".switchyard.yml: reviw: unknown key 'reviw' (did you mean 'review'?)"


def test_unknown_key_without_close_match_lists_the_allowed_ones(tmp_path: Path) -> None:
    message = error_of(tmp_path, repo="review:\n  colour: blue\n")
    assert "review.colour: unknown key 'colour' (expected one of: extra_context_lines," in message


def test_unknown_top_level_section(tmp_path: Path) -> None:
    message = error_of(tmp_path, server="reviw:\n  max_findings: 3\n")
    assert message == f"{tmp_path / 'org.yml'}: reviw: unknown key 'reviw' (did you mean 'review'?)"


def test_out_of_range_value(tmp_path: Path) -> None:
    server = "providers:\n  local: {base_url: 'http://a/v1', model: m, context_tokens: 512}\n"
    message = error_of(tmp_path, server=server)
    assert message.startswith(
        f"{tmp_path / 'org.yml'}: providers.local.context_tokens: "
        "Input should be greater than or equal to 1024"
    )


def test_wrong_type(tmp_path: Path) -> None:
    message = error_of(tmp_path, repo="review:\n  max_findings: many\n")
    assert message.startswith(
        ".switchyard.yml: review.max_findings: Input should be a valid integer"
    )
    message = error_of(tmp_path, repo="filters:\n  include: src/**\n")
    assert message.startswith(".switchyard.yml: filters.include: Input should be a valid list")


def test_errors_attributed_to_the_layer_that_set_the_key(tmp_path: Path) -> None:
    server = "providers:\n  local: {base_url: 'http://a/v1', model: m, max_retries: 99}\n"
    repo = "review: {min_severity: huge, max_findings: 0}\n"
    with pytest.raises(ConfigProblems) as info:
        load(tmp_path, server=server, repo=repo)
    org = str(tmp_path / "org.yml")
    problems = info.value.problems
    assert any(p.startswith(f"{org}: providers.local.max_retries: ") for p in problems)
    assert any(p.startswith(".switchyard.yml: review.max_findings: ") for p in problems)
    assert any(
        p.startswith(".switchyard.yml: review.min_severity: Input should be") for p in problems
    )
    assert len(problems) == 3
    assert info.value.message.startswith("3 configuration problems:\n")


def test_missing_required_field_names_who_declared_the_provider(tmp_path: Path) -> None:
    message = error_of(tmp_path, server="providers:\n  gpu: {base_url: 'http://a/v1'}\n")
    assert message.startswith(f"{tmp_path / 'org.yml'}: providers.gpu.model: required")


def test_bad_yaml_names_file_line_and_column(tmp_path: Path) -> None:
    repo = "review:\n  max_findings: 3\n  instructions: [unclosed\n"
    message = error_of(tmp_path, repo=repo)
    assert message.startswith(".switchyard.yml:4:")
    assert "invalid YAML" in message
    message = error_of(tmp_path, repo="review:\n  max_findings: 3\n   bad: indent\n")
    assert message.startswith(".switchyard.yml:3:")


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, repo="fail_on: major\nfail_on: nit\n")
    assert message.startswith(".switchyard.yml:2:1: invalid YAML: key 'fail_on' appears twice")


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a string")])
def test_non_mapping_file(tmp_path: Path, text: str, kind: str) -> None:
    message = error_of(tmp_path, repo=text)
    assert message.startswith(".switchyard.yml: the top level must be a mapping")
    assert message.endswith(f"not {kind}")


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yml: file not found"):
        load_settings(repo_dir=None, config_path=tmp_path / "nope.yml", environ={})
    with pytest.raises(ConfigError, match=r"nope\.yml \(from SWITCHYARD_CONFIG\): file not found"):
        load_settings(
            repo_dir=None,
            config_path=None,
            environ={"SWITCHYARD_CONFIG": str(tmp_path / "nope.yml")},
        )


def test_both_repo_file_spellings_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "repo/.switchyard.yml", "{}\n")
    write(tmp_path / "repo/.switchyard.yaml", "{}\n")
    with pytest.raises(ConfigError, match="keep one"):
        load_settings(repo_dir=tmp_path / "repo", config_path=None, environ={})


# --------------------------------------------------------------------------- keys


def test_key_in_repo_file_rejected(tmp_path: Path) -> None:
    repo = "providers:\n  openai:\n    model: gpt-4o\n    api_key: sk-abc\n"
    message = error_of(tmp_path, repo=repo)
    assert message.startswith(".switchyard.yml: providers.openai.api_key: API keys")
    assert "SWITCHYARD_OPENAI_API_KEY" in message
    assert "sk-abc" not in message


def test_key_in_server_file_rejected_too(tmp_path: Path) -> None:
    message = error_of(tmp_path, server="providers:\n  gpu:\n    model: m\n    token: abc\n")
    assert message.startswith(f"{tmp_path / 'org.yml'}: providers.gpu.token: API keys")
    assert "api_key_env / api_key_file" in message


def test_token_count_fields_are_not_mistaken_for_keys(tmp_path: Path) -> None:
    server = "providers:\n  token: {model: m, context_tokens: 8192, max_output_tokens: 512}\n"
    assert load(tmp_path, server=server).settings.providers["token"].max_output_tokens == 512


@pytest.mark.parametrize("key", ["api_key", "apiKey", "secret", "password", "auth_token"])
def test_key_looking_fields_anywhere(tmp_path: Path, key: str) -> None:
    message = error_of(tmp_path, repo=f"review:\n  {key}: x\n")
    assert message.startswith(f".switchyard.yml: review.{key}: API keys and secrets never go")


@pytest.mark.parametrize("field", ["api_key_env", "api_key_file"])
def test_key_source_in_repo_file_rejected(tmp_path: Path, field: str) -> None:
    repo = f"providers:\n  local:\n    {field}: HOME\n"
    message = error_of(tmp_path, repo=repo)
    assert message == (
        f".switchyard.yml: providers.local.{field}: a repository file may not set "
        f"providers.local.{field} (it would choose which secret the bot reads); set it in the "
        "server/org config (--config or SWITCHYARD_CONFIG) or the environment"
    )


def test_key_source_in_server_file_allowed(tmp_path: Path) -> None:
    server = (
        "providers:\n  local:\n    model: m\n    api_key_env: GPU_KEY\n    api_key_file: /run/k\n"
    )
    local = load(tmp_path, server=server).settings.providers["local"]
    assert (local.api_key_env, local.api_key_file) == ("GPU_KEY", "/run/k")


def test_org_locks_bind_later_repo_layers_even_on_allowed_keys() -> None:
    org = Layer("org.yml", {"review": {"max_findings": 5}}, locks=frozenset({"review"}))
    repo = Layer(".switchyard.yml", {"review": {"max_findings": 50}}, from_repo=True)
    with pytest.raises(
        ConfigProblems, match=r"\.switchyard\.yml: review\.max_findings: locked by org\.yml"
    ):
        merge_layers([org, repo])
    env = Layer("environment", {"review": {"max_findings": 50}})
    assert merge_layers([org, env]).data == {"review": {"max_findings": 50}}


# --------------------------------------------------------------------------- JSON schema


GOOD_EXAMPLE = """
providers:
  local:
    kind: openai_compatible
    base_url: http://gpu01:8000/v1
    model: qwen2.5-coder-32b
    context_tokens: 32768
  openai:
    model: gpt-4o-mini
routing:
  order: [local, openai]
filters:
  exclude: ["vendor/**"]
review:
  min_severity: minor
  instructions: Prefer early returns.
fail_on: major
"""


def test_schema_accepts_examples_and_rejects_unknown_keys() -> None:
    schema = settings_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["description"]
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(validator.iter_errors(yaml.safe_load(GOOD_EXAMPLE))) == []
    # A file is a partial layer: one field of a provider another layer declares is fine.
    assert list(validator.iter_errors({"providers": {"local": {"context_tokens": 8192}}})) == []
    assert list(validator.iter_errors({"providers": {"local": {"contxt_tokens": 8192}}}))
    assert list(validator.iter_errors({"reviw": {}}))
    assert list(validator.iter_errors({"fail_on": "sometimes"}))


def test_good_example_loads(tmp_path: Path) -> None:
    settings = load(tmp_path, server=GOOD_EXAMPLE).settings
    assert settings.routing.order == ["local", "openai"]
    assert settings.review.min_severity is Severity.MINOR


def test_repo_file_may_raise_its_own_data_class(tmp_path: Path) -> None:
    (tmp_path / ".switchyard.yml").write_text("data_class: restricted\n")
    loaded = load_settings(repo_dir=tmp_path, config_path=None, environ={})
    assert loaded.settings.data_class == "restricted"


# --------------------------------------------------------------------------- repository file

WHERE = "set it in the server/org config (--config or SWITCHYARD_CONFIG) or the environment"


@pytest.mark.parametrize(
    ("text", "key", "named", "why"),
    [
        (
            "providers:\n  openai:\n    base_url: https://evil.example/v1\n",
            "providers.openai.base_url",
            "providers",
            "it would choose where code and keys are sent",
        ),
        ("providers:\n  x:\n    kind: anthropic\n", "providers.x.kind", "providers", None),
        (
            "providers:\n  local:\n    metrics_url: http://evil/metrics\n",
            "providers.local.metrics_url",
            "providers",
            None,
        ),
        (
            "providers:\n  openai:\n    location: local\n",
            "providers.openai.location",
            "providers",
            None,
        ),
        (
            "routing:\n  order: [openai]\n",
            "routing.order",
            "routing",
            "it would choose which target receives the code",
        ),
        ("prompts_dir: .switchyard/prompts\n", "prompts_dir", "prompts_dir", None),
        (
            "security:\n  bandit_args: ['-o', '/tmp/x']\n",
            "security.bandit_args",
            "security.bandit_args",
            "they are handed to bandit as written",
        ),
        ("security:\n  timeout_s: 9999\n", "security.timeout_s", "security.timeout_s", None),
        ("budgets:\n  monthly_usd: 100000\n", "budgets.monthly_usd", "budgets", None),
        ("ledger:\n  url: sqlite:////tmp/elsewhere.db\n", "ledger.url", "ledger", None),
        ("data_classes:\n  default: public\n", "data_classes.default", "data_classes", None),
        ("state_dir: /tmp/elsewhere\n", "state_dir", "state_dir", None),
        ("cache:\n  enabled: false\n", "cache.enabled", "cache", None),
    ],
)
def test_repo_file_may_not_set_what_is_not_on_its_allow_list(
    tmp_path: Path, text: str, key: str, named: str, why: str | None
) -> None:
    message = error_of(tmp_path, repo=text)
    assert message.startswith(f".switchyard.yml: {key}: a repository file may not set {named} (")
    assert message.endswith(WHERE)
    if why:
        assert f"({why})" in message


def test_every_refused_key_is_reported_at_once(tmp_path: Path) -> None:
    repo = (
        "providers:\n  openai: {base_url: 'https://evil/v1', model: m}\n"
        "routing: {order: [openai]}\n"
        "review: {max_findings: 5}\n"
        "prompts_dir: p\n"
    )
    with pytest.raises(ConfigProblems) as info:
        load(tmp_path, repo=repo)
    assert [p.split(": ")[1] for p in info.value.problems] == [
        "providers.openai.base_url",
        "providers.openai.model",
        "routing.order",
        "prompts_dir",
    ]
    assert info.value.exit_code == EXIT_USAGE


REPO_EXAMPLE = """
filters:
  include: ["src/**"]
  exclude: ["docs/**"]
  default_filters: false
  max_file_changed_lines: 900
review:
  instructions: We use SQLAlchemy Core, never the ORM.
  min_severity: minor
  max_findings: 20
  extra_context_lines: 4
  packing: per_file
fail_on: major
data_class: restricted
security:
  mode: diff_context
  semgrep_rules: [ci/semgrep, ./rules/house.yml]
  bandit_skip: [B101, B603]
"""


def test_repo_file_may_set_every_review_level_key(tmp_path: Path) -> None:
    server = "providers:\n  local: {base_url: 'http://gpu:8000/v1', model: m}\n"
    settings = load(tmp_path, server=server, repo=REPO_EXAMPLE).settings
    assert settings.filters.max_file_changed_lines == 900
    assert settings.review.packing == "per_file"
    assert settings.fail_on is Severity.MAJOR
    assert settings.data_class == "restricted"
    assert settings.security.semgrep_rules == ["ci/semgrep", "./rules/house.yml"]
    assert settings.security.bandit_skip == ["B101", "B603"]
    assert settings.providers["local"].model == "m"


def test_the_allow_list_names_real_settings() -> None:
    from bot.config.policy import REFUSED_WHY, REPO_ALLOWED
    from bot.config.schema import fields_at

    for pattern in [*REPO_ALLOWED, *(p for p, _ in REFUSED_WHY)]:
        *parent, leaf = pattern.split(".")
        assert leaf in fields_at(parent), pattern


def test_repo_file_cannot_lower_the_class_the_server_file_sets(tmp_path: Path) -> None:
    message = error_of(tmp_path, server="data_class: restricted\n", repo="data_class: public\n")
    assert message.startswith(
        ".switchyard.yml: data_class: a repository file can only raise its data class, "
        f"not lower it below restricted (set by {tmp_path / 'org.yml'})"
    )
    raised = load(tmp_path, server="data_class: internal\n", repo="data_class: restricted\n")
    assert raised.settings.data_class == "restricted"


def test_repo_class_below_the_org_policy_leaves_the_org_class(tmp_path: Path) -> None:
    from bot.classify.data_class import classify_path
    from bot.config.classes import DataClass

    server = "data_classes:\n  default: internal\n  paths: [{glob: 'b/**', class: restricted}]\n"
    settings = load(tmp_path, server=server, repo="data_class: public\n").settings
    # The repository's own class only ever raises: the org's class and paths stand.
    for path, wanted in (("app.py", DataClass.INTERNAL), ("b/x.py", DataClass.RESTRICTED)):
        found = classify_path(path, settings.data_classes, settings.data_class, "acme/app")
        assert found.data_class is wanted, path


@pytest.mark.parametrize(
    "rule",
    [
        "../x.yml",
        "rules/../../x.yml",
        "/etc/x.yml",
        "~/x.yml",
        "https://evil.example/x.yml",
        "file:///etc/x.yml",
        "C:/rules.yml",
        "..\\x.yml",
        "p/python",
        "r/python.lang.security",
        "auto",
        "secrets,code",
        ".",
        "",
    ],
)
@pytest.mark.parametrize("layer", ["repo", "server"])
def test_semgrep_rules_must_be_paths_inside_the_repository(
    tmp_path: Path, rule: str, layer: str
) -> None:
    text = yaml.safe_dump({"security": {"semgrep_rules": [rule]}})
    message = error_of(tmp_path, **{layer: text})
    assert "security.semgrep_rules: Value error, " in message
    assert ("registry or cloud name" in message) or ("not a path inside the repository" in message)


@pytest.mark.parametrize("entry", ["-o /tmp/x", "B1011", "b101", "B10", "--exit-zero", "B101\n"])
def test_bandit_skip_takes_test_ids_only(tmp_path: Path, entry: str) -> None:
    message = error_of(tmp_path, repo=yaml.safe_dump({"security": {"bandit_skip": [entry]}}))
    assert message.startswith(".switchyard.yml: security.bandit_skip: Value error, ")
    assert "is not a bandit test id" in message


def test_bandit_args_stay_free_in_the_server_file(tmp_path: Path) -> None:
    server = "security:\n  bandit_args: ['--severity-level', 'medium']\n  timeout_s: 300\n"
    settings = load(tmp_path, server=server).settings
    assert settings.security.bandit_args == ["--severity-level", "medium"]


def test_relative_prompts_dir_is_beside_the_server_file(tmp_path: Path) -> None:
    loaded = load(tmp_path, server="prompts_dir: prompts\n")
    assert loaded.settings.prompts_dir == str(tmp_path / "prompts")
    loaded = load(tmp_path, server="prompts_dir: /srv/prompts\n")
    assert loaded.settings.prompts_dir == "/srv/prompts"
