"""A Kubernetes Secret's `data` (bot/secrets/manifests.py): every value there is base64 of
a secret whatever its key is called, so a pull secret's `.dockerconfigjson` or a mounted
`config.yaml` is found and masked whole; a certificate, a username beside the password, a
stand-in, a ConfigMap, a SealedSecret and a Helm template are not."""

from __future__ import annotations

import base64
import json
import random
import string

from bot.secrets import find_secrets, mask
from bot.secrets.manifests import KUBERNETES_SECRET

_RANDOM = random.Random(31)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _r(n: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(n)) + "7"


def _found(text: str) -> list[str]:
    return [text[h.start : h.end] for h in find_secrets(text, "k8s/secrets.yaml")]


def test_every_value_of_a_secrets_data_is_found_whatever_its_key_is_called() -> None:
    password = _r(14)
    pull = _b64(json.dumps({"auths": {"registry.example.org": {"auth": _b64(f"ci:{password}")}}}))
    config = _b64(f"db:\n  host: db.internal\n  password: {password}\n")
    token = _b64(_r(24))
    manifest = (
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\n"
        f"data:\n  .dockerconfigjson: {pull}\n---\n"
        f'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  config.yaml: "{config}"\n'
        f"  session: {token}\ntype: Opaque\n"
    )
    assert _found(manifest) == [pull, config, token]
    masked = mask(manifest)
    assert pull not in masked and config not in masked and token not in masked


def test_public_plain_and_templated_values_are_not_secrets() -> None:
    cert = _b64("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n")
    manifest = (
        "kind: Secret\ndata:\n"
        f"  ca.crt: {cert}\n  username: {_b64('admin')}\n  host: {_b64('db.internal')}\n"
        f'  token: {_b64("changeme")}\n  empty: ""\n'
        "  helm: {{ .Values.apiToken | b64enc }}\n"
        f"---\nkind: ConfigMap\ndata:\n  settings: {_b64(_r(20))}\n"
        f"---\nkind: SealedSecret\nspec:\n  template:\n    data:\n      token: {_b64(_r(20))}\n"
    )
    # (`token: <base64 of changeme>` and the SealedSecret template's `token` are left to
    # the name rules, which read the base64 and do not decode it.)
    kinds = {h.kind for h in find_secrets(manifest, "k8s/secrets.yaml")}
    assert KUBERNETES_SECRET not in kinds


def test_a_secret_added_in_a_diff_or_shown_in_a_prompt_is_found_past_the_line_prefixes() -> None:
    token = _b64(_r(24))
    lines = ["apiVersion: v1", "kind: Secret", "data:", f"  session: {token}", "type: Opaque"]
    diff = "@@ -0,0 +1,5 @@\n" + "".join(f"+{line}\n" for line in lines)
    rows = "@@ -0,0 +1,5 @@\n" + "".join(
        f"{'':>5} {n:>5} + | {line}\n" for n, line in enumerate(lines, 1)
    )
    assert _found(diff) == [token]
    assert _found(rows) == [token]


def test_base64_of_a_stand_in_under_a_secrets_name_is_a_stand_in() -> None:
    """`password: cGFzc3dvcmQ=` is base64 of "password": a stand-in, as the word is."""
    manifest = f"kind: Secret\ndata:\n  password: {_b64('password')}\n  token: {_b64('changeme')}\n"
    assert _found(manifest) == []
    real = _b64(_r(14))
    assert _found(f"kind: Secret\ndata:\n  password: {real}\n") == [real]
