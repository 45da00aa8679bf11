"""A generated password in the settings of build and deploy files is found, whatever
symbol it opens with or holds.

A drawn password opens with `]`, `,` or `)` as often as with a letter, and holds `(`,
`{` and `[`: read as code, such a value was "a call" or "no value", and a setting that
holds a setting of its own (systemd's `Environment="DB_PASSWORD=…"`, a Procfile's
`web: DB_PASSWORD=… node …`) was read no further once a bracket stood in it, so the
password was sent whole.
"""

from __future__ import annotations

import random

import pytest

from bench.secrets_drawn import draw_password
from bench.secrets_drawn_places import PLACES
from bot.secrets import find_secrets, redact


@pytest.mark.parametrize(
    ("path", "text", "password"),
    [
        # a setting inside a setting, brackets in its value
        ("deploy/app.service", 'Environment="DB_PASSWORD=E)tvl5is]32#+gI9"\n', "E)tvl5is]32#+gI9"),
        ("deploy/app.service", "Environment=DB_PASSWORD=v8D@hC@k{j4[38gv\n", "v8D@hC@k{j4[38gv"),
        ("Procfile", "web: DB_PASSWORD=6Jp9FOCkM/{-4G,3 node index.js\n", "6Jp9FOCkM/{-4G,3"),
        # a closing bracket or a comma opens it
        ("Dockerfile", "ARG DB_PASSWORD=]{~1wqY575-ybmnX\n", "]{~1wqY575-ybmnX"),
        ("scripts/env.cmd", "set DB_PASSWORD=,c9eZ9+*ret81P.e\n", ",c9eZ9+*ret81P.e"),
        ("Makefile", "DB_PASSWORD = ,{UaZ9woU3@us26]\n", ",{UaZ9woU3@us26]"),
        (
            "home/.pypirc",
            "[pypi]\nusername = app\npassword = )tMpj3M^-H2t1N8?\n",
            ")tMpj3M^-H2t1N8?",
        ),
        (
            "inventory/hosts",
            "web1 ansible_host=10.0.0.5 ansible_password=}u$p4d0Bqp9.x3#x\n",
            "}u$p4d0Bqp9.x3#x",
        ),
        # a Dockerfile's older `ENV NAME value`: the rest of the line, `;`, `&` and `)` too
        ("Dockerfile", "ENV DB_PASSWORD )0024xik&sSQq[(J\n", ")0024xik&sSQq[(J"),
        ("Dockerfile", "ENV DB_PASSWORD jl7858mAs|tE#V<@\n", "jl7858mAs|tE#V<@"),
        # a letter or two before `(` is no function's name
        ("Makefile", "DB_PASSWORD = P(Zww3,7KKY>98d,\n", "P(Zww3,7KKY>98d,"),
        ("Dockerfile", "ARG DB_PASSWORD=J0(U:40P}}Yk0CiW\n", "J0(U:40P}}Yk0CiW"),
    ],
)
def test_a_drawn_password_in_a_setting_is_masked_whole(path: str, text: str, password: str) -> None:
    masked = redact(text, path)
    assert masked.count == 1
    assert password not in masked.text
    # every run of its letters and digits is gone, and the quote that closes it is kept
    runs = [r for r in "".join(c if c.isalnum() else " " for c in password).split() if len(r) > 3]
    assert not [r for r in runs if r in masked.text]
    assert masked.text.count('"') == text.count('"')


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a comment after a space, a reference, an empty default, a call that closes
        (".env", "DB_PASSWORD= #set in the vault\n"),
        ("deploy/app.service", "Environment=DB_PASSWORD=${DB_PASSWORD}\n"),
        ("ci/run.sh", 'echo "${DB_PASSWORD:=}"\n'),
        ("app.properties", "db.password=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)\n"),
        ("Makefile", "DB_PASSWORD = $(shell cat .db_password)\n"),
        ("Dockerfile", "ENV DB_PASSWORD ${DB_PASSWORD}\n"),
        ("Dockerfile", "ENV DB_PASSWORD change me at first start\n"),
        # code: a call's keyword arguments, a slice
        ("app/db.py", "conn = connect(password=get_password(user), host=h)\n"),
        ("app/db.py", "secret = tokens[key: ]\n"),
    ],
)
def test_what_is_no_password_in_a_setting_stays(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


_SETTINGS = [p for p in PLACES if p[0] in {"Makefile", "scripts/env.cmd", "Dockerfile"}]


@pytest.mark.parametrize(("path", "template", "symbols"), _SETTINGS)
def test_drawn_passwords_in_build_settings_are_nearly_all_found(
    path: str, template: str, symbols: str
) -> None:
    """bench/secrets_drawn.py's build and deploy places, drawn with a seed of this test's
    own: 40 passwords each, nearly every one found (a few open with `=` or hold a call's
    shape, and stay read as code)."""
    draw = random.Random(23)
    found = 0
    for _ in range(40):
        password = draw_password(draw, symbols)
        text = template.replace("{v}", password) + "\n"
        found += password not in redact(text, path).text
    assert found >= 38


@pytest.mark.parametrize(
    "text",
    [
        "helm upgrade app ./chart --set auth.user=app,auth.password={p},image.tag=1.2\n",
        "helm install app ./chart --set-string db.password={p},db.user=app\n",
        "  - helm install app ./chart --set db.password={p},db.user=app\n",
    ],
)
def test_a_list_of_settings_is_masked_setting_by_setting(text: str) -> None:
    """Helm's `--set a=…,b=…`: the password is masked, the settings after it are not (a
    value masked to the next space took them with it)."""
    password = "Xk9mQ2zLp7wR4tYv"
    text = text.format(p=password)
    hits = find_secrets(text, "ci/deploy.yml")
    assert [text[h.start : h.end] for h in hits] == [password]


def test_a_password_with_a_comma_and_an_equals_sign_outside_a_set_list_is_masked_whole() -> None:
    """Only Helm's `--set` list splits at `,name=`: elsewhere they may be the password's
    own, and masked to the first of them its rest was sent."""
    text = "export DB_PASSWORD=Ab3,k=9zQ!Xk9mQ\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "ci/deploy.sh")] == [
        "Ab3,k=9zQ!Xk9mQ"
    ]
