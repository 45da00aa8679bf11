"""A planted credential of every supported family stays out of every output.

Families: each gitleaks rule Switchyard runs (its first true positive from gitleaks' own
rule tests, tests/fixtures/public/gitleaks-rules), Switchyard's own kinds (private key
block, AWS secret key, JWT, password in a URL, password and secret assignments, bearer
token) and each vendor format of bot/secrets/services.py (tests/test_secrets_services.py),
each planted in its own file of one change.

Three runs share the change (module-scoped, so the families' checks cost one run each):
- cloud: the OpenAI cloud fake only, and the org lets files with secrets go to the cloud
  (`secrets_make_restricted: false`), so every file is sent and only redaction stands
  between a value and the cloud. The cloud fake must receive every file and no value.
- echo: the self-hosted fake only. It receives the values (on premises, unredacted) and
  answers with findings and a summary that quote them, as a careless model would. The
  report, the log (stderr) and the ledger must not show them.
- pull request: the same echo model behind the pull-request door against the fake GitHub
  (the trust-boundary matrix's `run_pull_request_here`): no comment, review or check run
  it posts, and no report, may quote a value.
In both, the state folder (the ledger's database, the cache) is read byte for byte.

Then the allow-list: `secrets.allow` in the server/org file lets a value or a path through
everywhere, and a repository file that sets it is refused (exit 2).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.secrets import find_secrets
from bot.secrets.allow import AllowList, configure, fingerprint
from bot.secrets.device_configs import junos_decoded, type7_decoded
from bot.secrets.passphrases import drawn_phrase
from bot.secrets.wording import random_letters, random_lower
from tests.cli import Result, base_env, switchyard
from tests.fakes.github_server import FakeGitHub
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.test_secrets_device_configs import junos, type7
from tests.test_secrets_encoded_keys import encoded_pkcs12, encoded_private_key
from tests.test_secrets_microsoft import VALUES as MICROSOFT_VALUES
from tests.test_secrets_prefixed import FORMATS as PREFIXED_FORMATS
from tests.test_secrets_services import CASES as SERVICE_CASES
from tests.test_secrets_services import SEED_WORDS
from tests.test_trust_boundaries import GH_REPO, GH_TOKEN, Setup, run_pull_request_here

FIXTURE = Path(__file__).parent / "fixtures" / "public" / "gitleaks-rules" / "cases.jsonl"
_RNG = random.Random("secret-families")
OTP_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32's
_BANNED = ("test", "mock", "fake", "your", "todo", "xxxx", "example", "sample", "dummy")


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    """Random-looking, built at run time: no secret-looking literal in this file. A digit,
    and an upper-case letter when the alphabet has them (asked for hex, it once looped on)."""
    upper = any(c.isupper() for c in alphabet)
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(n))
        mixed = any(c.isdigit() for c in value) and (not upper or any(c.isupper() for c in value))
        if mixed and not any(b in value.lower() for b in _BANNED):
            return value


def _uuid() -> str:
    h = _rand(32, "0123456789abcdef")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class Family:
    name: str
    path: str
    text: str
    value: str  # what must never leave: the detected value


def _own_families() -> list[tuple[str, str, str]]:
    """(name, path, text) for the kinds Switchyard finds with its own patterns."""
    b64 = string.ascii_letters + string.digits + "+/"
    pem = "\n".join(_rand(64, b64) for _ in range(6))
    header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    jwt = f"{header}.eyJzdWIiOiI{_rand(24)}.{_rand(43)}"
    hex_key = hashlib.sha256(_rand(16).encode()).hexdigest()
    key_bytes = ", ".join(f"0x{b:02x}" for b in hashlib.sha256(hex_key.encode()).digest()[:16])
    # A key of letters only (`_rand` insists on a digit).
    drawn = ("".join(_RNG.choice(string.ascii_letters) for _ in range(24)) for _ in range(50))
    letters = next(v for v in drawn if random_letters(v))
    lowers = ("".join(_RNG.choice(string.ascii_lowercase) for _ in range(32)) for _ in range(50))
    lower = next(v for v in lowers if random_lower(v))
    # A passphrase of drawn words (diceware), none of them one that prose would use.
    phrases = (" ".join(_RNG.sample(SEED_WORDS, 5)) for _ in range(50))
    phrase = next(p for p in phrases if drawn_phrase(p))
    return [
        (
            "private-key-block",
            "deploy/id_rsa.pem",
            f"-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----\n",
        ),
        ("aws-secret-key", "deploy/aws.py", f'AWS_SECRET_ACCESS_KEY = "{_rand(20)}/{_rand(19)}"\n'),
        ("jwt", "app/session.py", f'SESSION = "{jwt}"\n'),
        ("url-password", "app/db.py", f'DSN = "postgres://app:{_rand(18)}@db.internal:5432/app"\n'),
        ("yaml-password", "deploy/compose.yml", f"    POSTGRES_PASSWORD: {_rand(16)}\n"),
        ("secret-assignment", "app/settings.py", f'CLIENT_SECRET = "{_rand(32)}"\n'),
        ("bearer-token", "scripts/call.sh", f'curl -H "Authorization: Bearer {_rand(40)}" x\n'),
        ("setter-argument", "src/main/java/app/Db.java", f'ds.setPassword("{_rand(20)}");\n'),
        ("wrapped-literal", "cmd/sign.go", f'key, err := hex.DecodeString("{hex_key}")\n'),
        ("csrf-signing-secret", "app/csrf.py", f'WTF_CSRF_SECRET_KEY = "{_rand(32)}"\n'),
        ("key-bytes", "src/crypt.c", f"static const uint8_t key[16] = {{{key_bytes}}};\n"),
        ("random-letters-key", "config/app.properties", f"app.secret={letters}\n"),
        ("random-lower-key", "fixtures/credentials.json", f'  "credential_value": "{lower}",\n'),
        ("drawn-passphrase", "backup/restic.env", f"RESTIC_PASSWORD={phrase}\n"),
        (
            "session-cookie",
            "spec/cassettes/login.yml",
            f"      set-cookie:\n      - sessionid={_rand(32)}; Path=/; HttpOnly\n",
        ),
        (
            "wrapped-value",
            "src/upload.ts",
            f"const fields = {{\n  apiToken:\n    '{_rand(40)}',\n}};\n",
        ),
        ("heredoc-password", "infra/db.tf", f"  password = <<-EOT\n    {_rand(20)}\n  EOT\n"),
        ("rails-master-key", "config/master.key", _rand(32, "0123456789abcdef") + "\n"),
        ("ansible-vault-password-file", "deploy/.vault_pass", _rand(24) + "\n"),
        (
            "wallet-seed-phrase",
            "hardhat.config.js",
            'module.exports = {\n  networks: { main: { accounts: { mnemonic: "'
            + " ".join(_RNG.sample(SEED_WORDS, 12))
            + '" } } },\n};\n',
        ),
        (
            "gradle-signing-password",
            "app/build.gradle",
            f'android {{\n  signingConfigs {{\n    release {{\n      storePassword "{_rand(18)}"\n'
            "    }\n  }\n}\n",
        ),
        (
            "expect-prompt-answer",
            "scripts/login.exp",
            f'spawn ssh deploy@db1\nexpect "password:"\nsend "{_rand(14)}\\r"\ninteract\n',
        ),
        (
            "authorization-scheme",
            "scripts/alert.sh",
            f'curl -H "Authorization: GenieKey {_uuid()}" https://api.opsgenie.com/v2/alerts\n',
        ),
        # Told in a sentence, as a pull request's description or a README says it.
        (
            "password-told-in-a-sentence",
            "docs/STAGING.md",
            f"The admin password is {_rand(12)} for now.\n",
        ),
        ("key-told-in-a-sentence", "docs/SETUP.md", f"Your API key is {_rand(32)}.\n"),
        (
            "jwt-key-in-a-call",
            "src/auth.js",
            f"const t = jwt.sign({{ id: user.id }}, '{_rand(24)}', {{ expiresIn: '1h' }});\n",
        ),
        (
            "sql-inserted-row",
            "db/seed.sql",
            "INSERT INTO service_accounts (name, api_token) VALUES\n"
            f"  ('billing', '{_rand(32)}');\n",
        ),
        (
            "xml-rsa-private-key",
            "config/signing-key.xml",
            "<RSAKeyValue>\n"
            f"  <Modulus>{_rand(342, b64)}==</Modulus>\n  <Exponent>AQAB</Exponent>\n"
            + "".join(f"  <{n}>{_rand(171, b64)}=</{n}>\n" for n in ("P", "Q", "DP", "DQ"))
            + f"  <InverseQ>{_rand(171, b64)}=</InverseQ>\n  <D>{_rand(342, b64)}==</D>\n"
            "</RSAKeyValue>\n",
        ),
        (
            "ssh-com-private-key",
            "deploy/id_rsa.ssh2",
            '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "deploy"\n'
            + "".join(_rand(70, b64) + "\n" for _ in range(8))
            + "---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
        ),
        (
            "putty-private-key",
            "deploy/id_rsa.ppk",
            "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: deploy\n"
            "Public-Lines: 2\n"
            + "".join(_rand(64, b64) + "\n" for _ in range(2))
            + "Private-Lines: 4\n"
            + "".join(_rand(64, b64) + "\n" for _ in range(4))
            + f"Private-MAC: {_rand(40, '0123456789abcdef')}\n",
        ),
        (
            "openvpn-static-key",
            "vpn/ta.key",
            "-----BEGIN OpenVPN Static key V1-----\n"
            + "".join(_rand(32, "0123456789abcdef") + "\n" for _ in range(16))
            + "-----END OpenVPN Static key V1-----\n",
        ),
        # A network device's backup (RANCID, Oxidized): a type 7 password, which the echo
        # model decodes, a plain one, an SNMP community; a VPN's and a proxy's own files.
        (
            "cisco-type-7-password",
            "configs/core-sw1",
            f"username netops privilege 15 password 7 {type7(_rand(12), 6)}\n",
        ),
        ("cisco-plain-secret", "configs/core-sw2", f"username backup secret 0 {_rand(14)}\n"),
        ("snmp-community", "configs/core-sw3", f"snmp-server community {_rand(14)} RW\n"),
        ("strongswan-psk", "etc/ipsec.secrets", f': PSK "{_rand(20)}"\n'),
        ("haproxy-stats-auth", "haproxy/haproxy.cfg", f"    stats auth admin:{_rand(16)}\n"),
        (
            "openvpn-inline-login",
            "vpn/office.ovpn",
            f"<auth-user-pass>\nalice\n{_rand(16)}\n</auth-user-pass>\n",
        ),
        (
            "junos-secret",
            "junos/edge1.conf",
            f'    pre-shared-key ascii-text "{junos(_rand(16), _RNG)}"; ## SECRET-DATA\n',
        ),
        # A key or a keystore in base64 under a name that says nothing of a secret.
        ("private-key-der", "deploy/.env", f"RELEASE_BUNDLE={encoded_private_key()}\n"),
        ("pkcs12-keystore", "android/keystore.properties", f"storeData={encoded_pkcs12()}\n"),
        # A TOTP seed given to the library that computes the codes.
        ("otp-seed", "app/mfa.py", f'totp = pyotp.TOTP("{_rand(32, OTP_ALPHABET)}")\n'),
    ]


def _service_families() -> list[tuple[str, str, str]]:
    """Each vendor format of bot/secrets/services.py, as its own test writes it."""
    return [
        (kind, f"svc/own-{i}-{kind.lower().replace(' ', '-')}.txt", text + "\n")
        for i, (kind, text) in enumerate(SERVICE_CASES)
    ]


def _prefixed_families() -> list[tuple[str, str, str]]:
    """Each format of bot/secrets/prefixed.py, a value built as its own test builds it."""
    return [
        (f"{f.kind} {f.prefix}", f"svc/prefixed-{i}.env", f"TOKEN={f.value()}\n")
        for i, f in enumerate(PREFIXED_FORMATS)
    ]


_CASK_CATCH_ALL = "Microsoft common annotated security key"


def _microsoft_families() -> list[tuple[str, str, str]]:
    """Each Azure identifiable key shape of bot/secrets/microsoft, bare in a settings file
    (the annotated keys' fifty services share one shape: Azure OpenAI's and the catch-all
    stand for them)."""
    return [
        (f"microsoft {kind}", f"svc/azure-{i}.json", f'{{"primary": "{value}"}}\n')
        for i, (kind, value) in enumerate(MICROSOFT_VALUES)
        if "JQQJ" not in value or kind in ("Azure OpenAI key", _CASK_CATCH_ALL)
    ]


def _gitleaks_families() -> list[tuple[str, str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str, str]] = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["label"] == "tp" and case["rule"] not in seen:
            seen.add(case["rule"])
            out.append((case["rule"], f"svc/{case['rule']}.txt", case["text"] + "\n"))
    return out


def _families() -> list[Family]:
    out: list[Family] = []
    own = _own_families()
    for name, path, text in [
        *own,
        *_service_families(),
        *_prefixed_families(),
        *_microsoft_families(),
        *_gitleaks_families(),
    ]:
        hits = find_secrets(text, path)
        if not hits:
            continue  # a look-alike by Switchyard's rules (see KNOWN_MISSES there)
        hit = max(hits, key=lambda h: h.end - h.start)
        value = "\n".join(text[s:e] for s, e in hit.parts)
        if len(value) >= 10:
            out.append(Family(name, path, text, value))
    # Switchyard's own kinds are each found: a finder that stops would otherwise only
    # shrink the list.
    assert {n for n, _, _ in own} <= {f.name for f in out}, "an own family is not found"
    return out


FAMILIES = _families()
# Every own kind, and all but the few gitleaks rules whose first sample is a look-alike by
# Switchyard's rules or too short to search for: the list cannot shrink unnoticed.
assert len(FAMILIES) >= 330, len(FAMILIES)


def _pieces(f: Family) -> list[str]:
    """The value, a distinctive middle piece of each of its lines (a partial leak is one),
    and what a base64 value decodes to, with a `user:password`'s password alone."""
    out = [f.value, *_decoded(f.value)]
    for line in f.value.split("\n"):
        if len(line) >= 20:
            mid = (len(line) - 12) // 2
            out.append(line[mid : mid + 12])
    return out


def _decoded(value: str) -> list[str]:
    """A model on premises may decode a base64 value it was shown (`Basic YWRt…` is
    `admin:…`): the text, and the password of a `user:password`; and what a Cisco type 7 or
    a Junos `$9$` value encodes."""
    if (password := type7_decoded(value) or junos_decoded(value)) is not None:
        return [password]
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except ValueError:
        return []
    if len(text) < 8 or not text.isprintable():
        return []
    user, _, password = text.partition(":")
    return [text, password] if user and len(password) >= 6 else [text]


def _state_bytes(state: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(state.rglob("*")) if p.is_file())


@dataclass
class Run:
    result: Result
    fake: FakeOpenAIServer
    state: bytes

    def outputs(self) -> dict[str, str | bytes]:
        return {"report": self.result.out, "log": self.result.err, "ledger": self.state}


@dataclass(frozen=True)
class Change:
    path: Path
    patch: str  # main...feature, for the pull request on the fake GitHub
    base_sha: str
    head_sha: str


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Change:
    root = tmp_path_factory.mktemp("families") / "repo"
    repo = GitRepo.init(root)
    repo.write("README.md", "demo\n")
    repo.commit("base")
    repo.git("switch", "-q", "-c", "feature")
    for f in FAMILIES:
        repo.write(f.path, f.text)
    repo.commit("credentials everywhere")
    patch = repo.git("diff", "--full-index", "main...feature") + "\n"
    return Change(root, patch, repo.sha("main"), repo.sha("feature"))


def _org_file(tmp: Path, fake: FakeOpenAIServer, provider: str, cloud: bool) -> Path:
    """Files with secrets may go to the cloud (`secrets_make_restricted: false`): only
    redaction stands between a value and a cloud target."""
    org = tmp / "org.yml"
    where = "" if cloud else "    location: local\n"
    key = ""
    if cloud:
        (tmp / "openai.key").write_text("sk-org-" + _rand(32) + "\n")
        key = f"    api_key_file: {tmp / 'openai.key'}\n"
    org.write_text(
        f"providers:\n  {provider}:\n    base_url: {fake.base_url}\n    model: m\n{where}{key}"
        "    max_retries: 0\n"
        "data_classes:\n  secrets_make_restricted: false\n"
        f"routing:\n  order: [{provider}]\n"
    )
    return org


def _review(change: Change, tmp: Path, fake: FakeOpenAIServer, provider: str, cloud: bool) -> Run:
    org = _org_file(tmp, fake, provider, cloud)
    result = switchyard(
        "review", "--base", "main", "--format", "json", "--config", str(org),
        cwd=change.path, env=base_env(tmp), timeout=120,
    )  # fmt: skip
    return Run(result, fake, _state_bytes(tmp / "state"))


@pytest.fixture(scope="module")
def cloud_run(change: Change, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        fake.responder = lambda body: Reply({"summary": "ok", "findings": []})
        yield _review(change, tmp_path_factory.mktemp("cloud"), fake, "openai", cloud=True)


def _decoding(value: str) -> str:
    return "".join(f"(it decodes to {d}) " for d in _decoded(value))


# The echo's reply quotes every value (~24,000 tokens a call): streamed a token a chunk, the
# SDK's parsing of each chunk took 10 s of the run. A runner started with vLLM's
# `--stream-interval 16` sends it so; what the reply says, and where, is unchanged.
_ECHO_INTERVAL = 16


def _value_line(f: Family) -> tuple[int, str]:
    """(number, text) of the line holding the value's first line (the first line else)."""
    lines = f.text.splitlines() or [""]
    first = f.value.splitlines()[0] if f.value else ""
    return next(((i, ln) for i, ln in enumerate(lines, 1) if first and first in ln), (1, lines[0]))


def _echo(body: dict[str, Any]) -> Reply:
    """A model that quotes every secret it was shown, in its summary and its findings, and
    suggests the value's line back as it was (a style fix that keeps the value)."""
    sent = json.dumps(body.get("messages"))
    shown = [f for f in FAMILIES if json.dumps(f.value)[1:-1] in sent]
    findings = [
        {
            "path": f.path,
            "line": _value_line(f)[0],
            "severity": "major",
            "title": f"Hard-coded {f.name}: {f.value.splitlines()[0][:150]}",
            "body": f"The value {f.value} {_decoding(f.value)}is in the code.",
            "suggestion": _value_line(f)[1],
        }
        for f in shown
    ]
    summary = "Seen: " + " ".join(f.value.splitlines()[0] for f in shown[:10])
    return Reply({"summary": summary, "findings": findings})


@pytest.fixture(scope="module")
def echo_run(change: Change, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with FakeOpenAIServer("vllm", models=["m"]) as fake:
        fake.responder = _echo
        fake.stream_interval = _ECHO_INTERVAL
        yield _review(change, tmp_path_factory.mktemp("echo"), fake, "local", cloud=False)


FAMILY_IDS = [f.name for f in FAMILIES]


@pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_IDS)
def test_the_cloud_gets_the_file_but_not_the_value(family: Family, cloud_run: Run) -> None:
    assert cloud_run.result.code == 0, cloud_run.result.both
    # Positive control: the file was sent (redacted), so redaction is what kept it out.
    assert cloud_run.fake.where(family.path), f"{family.path} never reached the cloud"
    for piece in _pieces(family):
        assert not cloud_run.fake.where(piece), f"the cloud received {family.name}"
    for name, text in cloud_run.outputs().items():
        needle: str | bytes = family.value.encode() if isinstance(text, bytes) else family.value
        assert needle not in text, f"the {name} shows {family.name}"


@pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_IDS)
def test_a_model_quoting_the_value_is_masked_everywhere(family: Family, echo_run: Run) -> None:
    assert echo_run.result.code == 0, echo_run.result.both
    # Positive control: the on-premises model saw the value and quoted it back.
    assert echo_run.fake.where(family.value.splitlines()[0]), f"{family.name} was not sent"
    for name, text in echo_run.outputs().items():
        for piece in _pieces(family):
            needle: str | bytes = piece.encode() if isinstance(text, bytes) else piece
            assert needle not in text, f"the {name} shows {family.name}"


def test_the_quoting_findings_are_kept_with_markers(echo_run: Run) -> None:
    """Masking keeps the answer: its findings stay, each value replaced by a marker."""
    report = json.loads(echo_run.result.out)
    bodies = [f["body"] for f in report["findings"] if f["body"].startswith("The value ")]
    assert len(bodies) >= len(FAMILIES) // 2, report["findings"][:3]
    assert all("[REDACTED:" in b and "is in the code." in b for b in bodies)


# -- the pull-request door: comments, reviews and check runs on the fake GitHub ---------------


@dataclass
class PullRequestRun:
    code: int
    reports: str
    github: FakeGitHub
    fake: FakeOpenAIServer


@pytest.fixture(scope="module")
def pr_run(change: Change, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PullRequestRun]:
    """The echo model behind the pull-request door (run_pull_request in this process, as
    the trust-boundary matrix runs it): what it posts must not quote a value."""
    tmp = tmp_path_factory.mktemp("pr")
    with FakeOpenAIServer("vllm", models=["m"]) as fake:
        fake.responder = _echo
        fake.stream_interval = _ECHO_INTERVAL
        org = _org_file(tmp, fake, "local", cloud=False)
        gh = FakeGitHub().start()
        try:
            gh.add_repo(GH_REPO)
            gh.add_token(GH_TOKEN, "switchyard-bot", type="Bot")
            gh.set_permission(GH_REPO, "switchyard-bot", "write")
            gh.add_pr(
                GH_REPO, 7, base_sha=change.base_sha, head_sha=change.head_sha, diff=change.patch
            )
            for f in FAMILIES:
                gh.set_file(GH_REPO, change.head_sha, f.path, f.text)
            gh.set_file(GH_REPO, change.head_sha, "README.md", "demo\n")
            gh.set_file(GH_REPO, "main", "README.md", "demo\n")
            setup = Setup(env={**base_env(tmp), "SWITCHYARD_CONFIG": str(org)}, config=org,
                          hostile=None, names=["local"])  # fmt: skip
            with pytest.MonkeyPatch.context() as mp:
                code, reports = run_pull_request_here(setup, gh, mp, ("review",))
            yield PullRequestRun(code, reports, gh, fake)
        finally:
            gh.stop()


@pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_IDS)
def test_nothing_posted_on_the_pull_request_quotes_the_value(
    family: Family, pr_run: PullRequestRun
) -> None:
    assert pr_run.code == 0, pr_run.reports[-2000:]
    assert pr_run.fake.where(family.value.splitlines()[0]), f"{family.name} was not sent"
    # Positive control: comments were posted, with markers where the values were.
    assert pr_run.github.where("[REDACTED:"), "nothing was posted"
    for piece in _pieces(family):
        assert not pr_run.github.where(piece), f"GitHub received {family.name}"
        assert piece not in pr_run.reports, f"the report shows {family.name}"


def test_no_posted_suggestion_would_commit_a_mask(pr_run: PullRequestRun) -> None:
    """The echo model suggests each value's line back; masked, it is shown as code, never
    as a suggestion a reviewer could commit over the value."""
    comments = [c["body"] for c in pr_run.github.pr(7, repo=GH_REPO).review_comments]
    assert comments, "nothing was posted on a line"
    for body in comments:
        for block in body.split("```suggestion")[1:]:
            assert "REDACTED" not in block.split("```")[0], body
    shown = [b for b in comments if "Suggested code:" in b and "[REDACTED:" in b]
    assert shown, "no masked suggestion was shown as code"


# -- look-alikes ----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


_UUID = str(uuid.UUID(int=_RNG.getrandbits(128)))
_SHA512 = _b64(hashlib.sha512(_rand(16).encode()).digest())
LOOK_ALIKES = [
    ("a uuid under an id name", "app/models.py", f'request_id = "{_UUID}"\n'),
    ("a uuid under a generic key name", "app/jobs.py", f'idempotency_key = "{_UUID}"\n'),
    ("an npm lockfile hash", "package-lock.json", f'      "integrity": "sha512-{_SHA512}",\n'),
    ("a yarn lockfile hash", "yarn.lock", f"  integrity sha512-{_SHA512}\n"),
    (
        "a poetry lockfile hash",
        "poetry.lock",
        f'    {{file = "x.whl", hash = "sha256:{hashlib.sha256(_UUID.encode()).hexdigest()}"}},\n',
    ),
    (
        "a go.sum hash",
        "go.sum",
        f"github.com/x/y v1.0.0 h1:{_b64(hashlib.sha256(b'g').digest())}\n",
    ),
    ("a commit sha", "app/version.py", f'COMMIT = "{hashlib.sha1(_UUID.encode()).hexdigest()}"\n'),
    (
        "AWS's documented example keys",
        "docs/aws.md",
        "export AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7EXAMPLE\n"
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\n",
    ),
    (
        "a docs line marked as an example",
        "README.md",
        f'stripe.api_key = "sk_test_{_rand(24)}"  # example key, not a real one\n',
    ),
    ("a placeholder", "config/.env.example", "OPENAI_API_KEY=your-api-key-here\n"),
    ("a reference", "deploy/compose.yml", "    POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"),
    ("a name, not a value", "gitlab/const.py", 'CI_MUST_PASS = "ci_must_pass"\n'),
    ("a public key", "app/crypto.py", f'public_key = "{_rand(43)}"\n'),
    ("a CSRF token in a form", "app/form.html", f'<input name="csrf_token" value="{_rand(64)}">\n'),
    ("a signature", "app/hook.json", f'{{"signature": "{_rand(86)}"}}\n'),
    ("one repeated character", "app/keys.py", 'GOOGLE_KEY = "AIza' + "a" * 35 + '"\n'),
    (
        "code that checks for a key's armour",
        "app/pem.py",
        'def is_key(text):\n    if text.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n'
        '        return text.rstrip().endswith("-----END RSA PRIVATE KEY-----")\n',
    ),
]


def test_a_longer_run_is_redacted_whole_or_not_at_all() -> None:
    """Eight more letters and digits glued to each family's value: a format's pattern that
    stops at its length must not leave the rest of the run out of the redaction. (Values
    ending in base64 padding, a dotted part or a user name before the password end their
    run there, so gluing onto them makes no longer run.)"""
    cut: list[str] = []
    for f in FAMILIES:
        if "\n" in f.value or f.value.endswith("=") or "." in f.value or ":" in f.value:
            continue
        at = f.text.index(f.value) + len(f.value)
        text = f.text[:at] + _rand(8) + f.text[at:]
        start, end = at - len(f.value), at + 8
        covered: set[int] = set()
        for hit in find_secrets(text, f.path):
            covered.update(range(max(hit.start, start), min(hit.end, end)))
        if covered and len(covered) < end - start:
            cut.append(f.name)
    assert cut == []


@pytest.mark.parametrize(
    ("path", "text"), [c[1:] for c in LOOK_ALIKES], ids=[c[0] for c in LOOK_ALIKES]
)
def test_look_alikes_are_not_flagged(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


def test_the_same_key_outside_docs_or_unmarked_is_flagged() -> None:
    """The control for the docs rule: it is the file and the word, not the key's shape."""
    line = f'stripe.api_key = "sk_test_{_rand(24)}"'
    assert find_secrets(line + "  # example key\n", "app/pay.py") != []
    assert find_secrets(line + "\n", "README.md") != []


# -- the allow-list ---------------------------------------------------------------------------


@pytest.fixture
def allow_reset() -> Iterator[None]:
    yield
    configure(AllowList())


def test_an_allowed_fingerprint_is_let_through_everywhere(allow_reset: None) -> None:
    from bot.secrets import mask, redact

    f = next(f for f in FAMILIES if f.name == "secret-assignment")
    other = next(f for f in FAMILIES if f.name == "aws-secret-key")
    configure(AllowList.of(fingerprints=[fingerprint(f.value)]))
    assert find_secrets(f.text, f.path) == []
    assert f.value in redact(f.text, f.path).text and f.value in mask(f.text)
    assert find_secrets(other.text, other.path) != []  # only that value


def test_an_allowed_path_is_not_scanned(allow_reset: None) -> None:
    f = next(f for f in FAMILIES if f.name == "secret-assignment")
    configure(AllowList.of(paths=["app/**"]))
    assert find_secrets(f.text, f.path) == []
    assert find_secrets(f.text, "lib/settings.py") != []


def test_the_server_file_sets_the_allow_list(tmp_path: Path, allow_reset: None) -> None:
    from bot.config import load_settings

    f = next(f for f in FAMILIES if f.name == "secret-assignment")
    org = tmp_path / "org.yml"
    org.write_text(
        "secrets:\n  allow:\n    paths: ['docs/**']\n"
        f"    fingerprints: ['{fingerprint(f.value)}']\n"
    )
    loaded = load_settings(repo_dir=None, config_path=org, environ={})
    assert loaded.settings.secrets.allow.paths == ["docs/**"]
    assert find_secrets(f.text, f.path) == []
    load_settings(repo_dir=None, config_path=None, environ={})  # a later load replaces it
    assert find_secrets(f.text, f.path) != []


def test_a_fingerprint_must_be_a_hash_not_the_value(tmp_path: Path) -> None:
    f = next(f for f in FAMILIES if f.name == "secret-assignment")
    org = tmp_path / "org.yml"
    org.write_text(f"secrets:\n  allow:\n    fingerprints: ['{f.value}']\n")
    r = switchyard("config", "validate", "--config", str(org), cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2, r.both
    assert "sha256:<64 hex digits>" in r.err
    assert f.value not in r.both


def test_a_repository_file_may_not_set_the_allow_list(tmp_path: Path) -> None:
    f = next(f for f in FAMILIES if f.name == "secret-assignment")
    (tmp_path / ".switchyard.yml").write_text(
        f"secrets:\n  allow:\n    fingerprints: ['{fingerprint(f.value)}']\n    paths: ['**']\n"
    )
    r = switchyard("config", "validate", cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2, r.both
    assert ".switchyard.yml: secrets.allow" in r.err
    assert "a repository file may not set secrets" in r.err
