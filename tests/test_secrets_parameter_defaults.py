"""A template parameter's default under a secret's name (bot/secrets/parameter_defaults.py
for YAML, keyed_forms.py for JSON): CloudFormation's `DBPassword:` with `Default: …`
below it."""

from __future__ import annotations

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

PASSWORD = "Vq9mT2w!Lp4~Zx8"

YAML = f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DBUser:
    Type: String
    Default: admin
  DBPassword:
    Type: String
    NoEcho: true
    MinLength: 8
    # the master password, for the demo stack
    Default: {PASSWORD}
  InstanceType:
    Type: String
    Default: t3.micro
  DBPasswordParameter:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /app/db/password
  StackSecret:
    Type: String
    Default: !Ref AWS::NoValue
"""


def test_a_secret_parameters_default_in_yaml_is_masked_and_no_other_default_is() -> None:
    assert [YAML[h.start : h.end] for h in find_secrets(YAML, "infra/template.yaml")] == [PASSWORD]
    sent = redact(YAML, "infra/template.yaml").text
    assert PASSWORD not in sent and "Default: admin" in sent and "t3.micro" in sent


def test_a_secret_parameters_default_in_json_is_masked() -> None:
    text = (
        '{"Parameters": {\n  "DBPassword": {\n    "Type": "String",\n    "NoEcho": "true",\n'
        f'    "Default": "{PASSWORD}"\n  }},\n'
        '  "InstanceType": {"Type": "String", "Default": "t3.micro"}\n}}'
    )
    assert [text[h.start : h.end] for h in find_secrets(text, "infra/template.json")] == [PASSWORD]


def test_a_default_under_a_key_that_is_not_its_parameters_is_not_read_as_one() -> None:
    """`Default:` belongs to the nearest key above it indented less: here `Settings`, not
    the `AdminPassword` sibling before it."""
    text = "AdminPassword:\n  Type: String\nSettings:\n  Default: Xk9mQ2zLp7wR\n"
    assert find_secrets(text, "infra/template.yaml") == []
