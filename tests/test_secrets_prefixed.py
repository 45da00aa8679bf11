"""Vendor tokens known by their documented prefix (bot/secrets/prefixed.py).

Every value is built here from random characters in the vendor's documented shape; none is
a real token. Prefixes are split ("bk" + "ua_") so this file does not trip scanners.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from dataclasses import dataclass

import pytest

from bot.secrets import find_secrets

_RANDOM = random.Random(2026)
_DIGITS = string.digits
_HEX = "0123456789abcdef"
_LOWER = string.ascii_lowercase + string.digits
_UPPER = string.ascii_uppercase + string.digits
_ALNUM = string.ascii_letters + string.digits
_URL = _ALNUM + "_-"

Segment = str | tuple[str, int]  # a literal, or (alphabet, count) random characters
_UUID: tuple[Segment, ...] = ((_HEX, 8), "-", (_HEX, 4), "-", (_HEX, 4), "-", (_HEX, 4), "-")
_UUID += ((_HEX, 12),)


@dataclass(frozen=True)
class Format:
    kind: str
    prefix: str
    body: tuple[Segment, ...]

    def value(self, *, short: bool = False, fill: bool = False) -> str:
        """A value in the format; `short` drops one character of the last random part
        (every count below is the format's least); `fill` writes each random part as one
        character repeated, the way people type a stand-in."""
        last = max(i for i, s in enumerate(self.body) if isinstance(s, tuple))
        out = [self.prefix]
        for i, seg in enumerate(self.body):
            if isinstance(seg, str):
                out.append(seg)
                continue
            alphabet, n = seg
            n -= short and i == last
            out.append(
                alphabet[1] * n if fill else "".join(_RANDOM.choice(alphabet) for _ in range(n))
            )
        return "".join(out)


FORMATS = [
    Format("Buildkite token", "bk" + "ua_", ((_LOWER, 40),)),
    Format("Together AI key", "tgp" + "_v1_", ((_URL, 43),)),
    Format("Cerebras key", "cs" + "k-", ((_LOWER, 48),)),
    Format("Aikido CI token", "AIK" + "_CI_", ((_ALNUM, 20),)),
    Format("Neon API key", "nap" + "i_", ((_ALNUM, 64),)),
    Format(
        "Paddle API key",
        "pdl" + "_live_apikey_",
        ((_LOWER, 26), "_", (_ALNUM, 22), "_", (_ALNUM, 3)),
    ),
    Format("Polar token", "polar" + "_pat_", ((_URL, 20),)),
    Format("Polar token", "polar" + "_oat_", ((_URL, 20),)),
    Format("Weights & Biases API key", "wandb" + "_v1_", ((_ALNUM + "_", 77),)),
    Format("Zuplo API key", "zpk" + "a_", ((_LOWER, 32), "_", (_HEX, 8))),
    Format("Mergify key", "mergify" + "_application_key_", ((_URL, 40),)),
    Format("MailerSend token", "mls" + "n.", ((_ALNUM, 30),)),
    Format("UpCloud token", "uca" + "t_", ((_ALNUM, 24),)),
    Format("Unkey root key", "unke" + "y_", ((_ALNUM, 20),)),
    Format("Val Town token", "vtw" + "n_", ((_URL, 20),)),
    Format("Lichess token", "li" + "p_", ((_ALNUM + "_", 16),)),
    Format(
        "Mercury token",
        "mercury" + "_production_",
        ((string.ascii_lowercase, 3), "_", (_ALNUM, 40), "_yrucrem"),
    ),
    Format("Onfido live token", "api" + "_live.", ((_URL, 20),)),
    Format("Onfido live token", "api" + "_live_us.", ((_URL, 20),)),
    Format("Persona key", "persona" + "_production_", ((_LOWER + "_-", 20),)),
    Format("Pinterest token", "pin" + "a_", ((_URL, 20),)),
    Format("Samsara token", "samsara" + "_api_", ((_ALNUM, 26),)),
    Format("Thunderstore token", "ts" + "s_", ((_URL, 20),)),
    Format("WakaTime key", "wak" + "a_", ((_LOWER, 36),)),
    Format("CircleCI token", "CCIP" + "RJ_", ((_ALNUM, 22), "_", (_HEX, 40))),
    Format("Mapbox secret token", "s" + "k.eyJ1Ijoi", ((_URL, 8), ".", (_URL, 20))),
    Format("Teamwork token", "tkn" + ".v1_", ((_ALNUM, 60),)),
    Format("Mapbox secret token", "t" + "k.eyJ1Ijoi", ((_URL, 60), ".", (_URL, 20))),
    Format("Contentful token", "CF" + "PAT-", ((_URL, 43),)),
    Format("Doppler token", "dp" + ".st.", ((_ALNUM, 40),)),
    Format("Doppler token", "dp" + ".ct.", ((_ALNUM, 40),)),
    Format("Dropbox token", "s" + "l.", ((_URL, 130),)),
    Format("Fleetbase key", "flb" + "_live_", ((_ALNUM, 20),)),
    Format("Flexport key", "shl" + "tm_", ((_URL, 40),)),
    Format("HubSpot token", "pat" + "-na1-", _UUID),
    Format("Ionic token", "io" + "n_", ((_LOWER, 42),)),
    Format("MongoDB Atlas service account secret", "mdb_sa" + "_sk_", ((_URL, 40),)),
    Format("Nightfall key", "N" + "F-", ((_ALNUM, 32),)),
    Format("NVIDIA API key", "nv" + "api-", ((_URL, 60),)),
    Format("ElevenLabs API key", "s" + "k_", ((_HEX, 48),)),
    Format("Pagar.me key", "ak" + "_live_", ((_ALNUM, 30),)),
    Format("Sourcegraph Cody key", "sl" + "k_", ((_HEX, 64),)),
    Format("Supabase secret key", "sb_" + "secret_", ((_URL, 24),)),
    Format("Tailscale key", "ts" + "key-auth-", ((_ALNUM, 10), "-", (_ALNUM, 20))),
    Format("Typeform token", "tf" + "p_", ((_ALNUM + "_", 40),)),
    Format("Ubidots token", "BB" + "FF-", ((_ALNUM, 30),)),
    Format("Zoho token", "10" + "00.", ((_HEX, 32), ".", (_HEX, 32))),
    Format("Segment token", "sg" + "p_", ((_ALNUM, 64),)),
    Format("ClickUp token", "p" + "k_", ((_DIGITS, 6), "_", (_UPPER, 32))),
    Format("pganalyze key", "pg" + "ar_", ((_ALNUM, 27),)),
    Format("Rootly key", "root" + "ly_", ((_HEX, 64),)),
    Format("SpectralOps key", "sp" + "u-", ((_LOWER, 32),)),
    Format("Voiceflow key", "VF" + ".DM.", ((_HEX, 24), ".", (_ALNUM, 16))),
    Format("Bitbucket Data Center token", "BB" + "DC-", ((_ALNUM + "+/@_-", 40),)),
    Format("AWS AppSync key", "da" + "2-", ((_LOWER, 26),)),
    Format("Fly.io token", "FlyV1 " + "fm2_", ((_URL + "+/=,", 100),)),
    Format("TruffleHog Enterprise secret", "thog-" + "secret-", ((_HEX, 32),)),
    Format("Docker Swarm join token", "SWM" + "TKN-1-", ((_LOWER, 50), "-", (_LOWER, 25))),
    Format("Docker Swarm unlock key", "SWM" + "KEY-1-", ((_ALNUM + "+/", 43),)),
    Format("Sentry token", "sntr" + "ys_eyJ", ((_ALNUM + "+/_", 100),)),
    Format("Langfuse secret key", "sk-" + "lf-", _UUID),
    Format(
        "LaunchDarkly key",
        "sd" + "k-",
        ((_HEX, 8), "-", (_HEX, 4), "-4", (_HEX, 3), "-a", (_HEX, 3), "-", (_HEX, 12)),
    ),
    Format("PhotoRoom key", "sk_" + "pr_", ((_ALNUM, 10), "_", (_HEX, 40))),
    Format("Apify token", "apify" + "_api_", ((_ALNUM, 36),)),
    Format("CircleCI token", "CCI" + "PAT_", ((_ALNUM, 22), "_", (_HEX, 40))),
    Format("Cloudflare global API key", "cf" + "k_", ((_ALNUM, 40), (_HEX, 8))),
    Format("Cloudflare API token", "cf" + "ut_", ((_ALNUM, 40), (_HEX, 8))),
    Format("Cloudflare API token", "cf" + "at_", ((_ALNUM, 40), (_HEX, 8))),
    Format("Pinecone key", "pc" + "sk_", ((_ALNUM, 6), "_", (_ALNUM, 63))),
    Format("PostHog personal key", "ph" + "x_", ((_ALNUM, 43),)),
    Format("Ramp client secret", "ramp" + "_sec_", ((_ALNUM, 48),)),
    Format("SaladCloud key", "salad" + "_cloud_", ((_ALNUM, 5), "_", (_ALNUM, 20))),
    Format("OpenRouter key", "sk-or" + "-v1-", ((_HEX, 64),)),
    Format("SonarCloud token", "sq" + "co_", ((_ALNUM, 59),)),
    Format("SonarQube token", "sq" + "u_", ((_HEX, 40),)),
    Format("Stripe webhook secret", "wh" + "sec_", ((_ALNUM + "+/", 32),)),
    Format("Render key", "rn" + "d_", ((_ALNUM, 32),)),
    Format("Figma token", "fi" + "gd_", ((_URL, 38),)),
    Format("Flutterwave secret key", "FLW" + "SECK-", ((_HEX, 32), "-X")),
    Format("Airtable token", "pa" + "t", ((_ALNUM, 14), ".", (_HEX, 64))),
    Format("Axiom token", "xa" + "at-", _UUID),
    Format("Deno Deploy token", "dd" + "p_", ((_ALNUM, 36),)),
    Format("Honeycomb key", "hca" + "ik_", ((_LOWER, 20),)),
    Format("Netlify token", "nf" + "p_", ((_ALNUM, 36),)),
    Format("Ory API key", "ory" + "_pat_", ((_ALNUM, 24),)),
    Format("Vercel Blob token", "vercel_blob" + "_rw_", ((_ALNUM, 16), "_", (_ALNUM, 20))),
    Format("Notion token", "nt" + "n_", ((_DIGITS, 11), (_ALNUM, 35))),
    Format("1Password service account token", "op" + "s_ey", ((_ALNUM + "+/", 100),)),
    Format("Vercel token", "vc" + "p_", ((_ALNUM, 20),)),
    Format("Vercel token", "vc" + "a_", ((_ALNUM, 20),)),
    Format("Vercel token", "vc" + "k_", ((_ALNUM, 20),)),
    Format("Shopify token", "shp" + "at_", ((_ALNUM, 32),)),
    Format("Shopify token", "shp" + "ca_", ((_ALNUM, 32),)),
]
_IDS = [f"{f.kind}:{f.prefix}" for f in FORMATS]


def _kinds_at(text: str, path: str = "src/app.py") -> set[tuple[str, int, int]]:
    return {(h.kind, h.start, h.end) for h in find_secrets(text, path)}


@pytest.mark.parametrize("fmt", FORMATS, ids=_IDS)
def test_format_is_reported_with_its_kind_and_exact_span(fmt: Format) -> None:
    value = fmt.value()
    for text, path in (
        (f'client = Client(token="{value}")\n', "src/app.py"),
        (f"Ran the deploy with {value} and it worked.\n", "notes.txt"),
    ):
        start = text.index(value)
        assert (fmt.kind, start, start + len(value)) in _kinds_at(text, path), text


@pytest.mark.parametrize("prefix", ["NF" + "-", "rn" + "d_"])
def test_a_body_that_drew_no_digit_is_still_a_key(prefix: str) -> None:
    # One 32-character body in 300 has no digit; drawn under `-n 3`, this one was missed.
    value = prefix + "kNhhciHwMPPtbBLiwAyypXAQoXilIbQT"
    assert [h.end - h.start for h in find_secrets(f'token = "{value}"\n', "src/app.py")] == [
        len(value)
    ]
    named = prefix + "SomeIdentifierNameForTheFieldXyz"  # 32 letters, but words
    assert find_secrets(f'field = "{named}"\n', "src/app.py") == []


@pytest.mark.parametrize("fmt", FORMATS, ids=_IDS)
def test_look_alikes_are_not_reported(fmt: Format) -> None:
    too_short = fmt.value(short=True)
    in_a_word = "Z" + fmt.value()
    stand_in = fmt.value(fill=True)
    for value in (too_short, in_a_word, stand_in):
        text = f'client = Client(token="{value}")\n'
        assert fmt.kind not in {kind for kind, _, _ in _kinds_at(text)}, value


def test_public_keys_and_ids_beside_the_secrets_are_not_reported() -> None:
    """Langfuse's pk-lf- key ships in browsers; Atlas's mdb_sa_id_ is a client id."""
    public = Format("", "pk-" + "lf-", _UUID).value()
    client_id = Format("", "mdb_sa" + "_id_", ((_HEX, 24),)).value()
    assert find_secrets(f"{public} {client_id}\n", "src/app.py") == []


def test_prefix_in_ordinary_text_is_not_reported() -> None:
    text = (
        "Set API-GATEWAY-TIMEOUT-SECONDS-FOR-ALL-CLIENTS and read sl.txt; 1000.5 ms\n"
        "cfg = {'pk_': pk_value, 'ion_': function_name, 'NF-': nf_count}\n"
    )
    assert find_secrets(text, "src/app.py") == []


def _tunnel_token(secret_bytes: int = 32) -> str:
    """What `cloudflared tunnel token` prints: base64 of the account tag, the tunnel's id
    and its secret, random here."""
    fields = {
        "a": "".join(_RANDOM.choice(_HEX) for _ in range(32)),
        "t": str(uuid.UUID(int=_RANDOM.getrandbits(128), version=4)),
        "s": base64.b64encode(_RANDOM.randbytes(secret_bytes)).decode(),
    }
    return base64.b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (".env", "TUNNEL_TOKEN={v}\n"),
        ("docker-compose.yml", "    command: tunnel --no-autoupdate run --token {v}\n"),
        (
            "k8s/cloudflared.yaml",
            "    args:\n      - tunnel\n      - run\n      - --token\n      - {v}\n",
        ),
        ("notes.txt", "tunnel for the lab box: {v}\n"),
        ("src/tunnel.go", 'exec.Command("cloudflared", "tunnel", "run", "--token", "{v}")\n'),
    ],
)
def test_a_cloudflare_tunnel_token_is_found_wherever_it_is_written(
    path: str, template: str
) -> None:
    """A tunnel token runs the tunnel as its owner; it is base64 of JSON, which read as a
    JOSE header's few fields had let it through under a token's name."""
    token = _tunnel_token()
    text = template.format(v=token)
    assert [(h.kind, text[h.start : h.end]) for h in find_secrets(text, path)] == [
        ("Cloudflare Tunnel token", token)
    ]


def test_base64_json_without_a_drawn_value_is_not_a_tunnel_token_or_a_key() -> None:
    """A JOSE header (its `kid` hex) and a base64 object of ids and words are data; under
    a token's name, one holding random bytes in base64 is the token."""
    kid = "".join(_RANDOM.choice(_HEX) for _ in range(40))
    header = base64.urlsafe_b64encode(f'{{"alg":"RS256","kid":"{kid}","typ":"JWT"}}'.encode())
    ids = base64.b64encode(b'{"a":"acme","t":"3f0c2a8e-5d1b-4c6e-9a7f-1b2c3d4e5f60","u":"me"}')
    assert find_secrets(f'protected = "{header.decode().rstrip("=")}"\n', "src/jws.py") == []
    assert find_secrets(f'state = "{ids.decode()}"\n', "src/app.py") == []
    drawn = base64.b64encode(
        json.dumps({"u": "acme", "k": base64.b64encode(_RANDOM.randbytes(32)).decode()}).encode()
    ).decode()
    assert [h.kind for h in find_secrets(f'token = "{drawn}"\n', "src/app.py")] == [
        "secret assignment"
    ]


def test_jenkins_encrypted_secrets_are_found_in_its_xml() -> None:
    """Jenkins keeps every credential in config.xml and credentials.xml as `{…}`: base64
    of a version byte, the IV's length, the IV and the ciphertext; with the controller's
    master key (a committed JENKINS_HOME holds it) each one reads back."""
    body = base64.b64encode(
        b"\x01" + (16).to_bytes(4, "big") + (32).to_bytes(4, "big") + _RANDOM.randbytes(48)
    ).decode()
    text = (
        "<com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n"
        "  <username>deploy</username>\n"
        f"  <password>{{{body}}}</password>\n"
        "</com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n"
    )
    assert [(h.kind, text[h.start : h.end]) for h in find_secrets(text, "credentials.xml")] == [
        ("Jenkins encrypted secret", "{" + body + "}")
    ]
    # the header alone, or a brace before other base64, is no secret
    assert find_secrets("<password>{AQAAABAAAAA=}</password>\n", "credentials.xml") == []
    assert find_secrets("<hash>{AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo=}</hash>\n", "x.xml") == []


def test_mavens_master_password_is_found_and_the_passwords_it_encrypts_are_not() -> None:
    """settings-security.xml's master is encrypted with a key every Maven holds: it reads
    back at once. settings.xml's `{…}` server passwords need that master, and are made to
    be shared, as an Ansible vault is."""
    master = "{" + base64.b64encode(_RANDOM.randbytes(33)).decode() + "}"
    text = f"<settingsSecurity>\n  <master>{master}</master>\n</settingsSecurity>\n"
    assert [
        (h.kind, text[h.start : h.end]) for h in find_secrets(text, "settings-security.xml")
    ] == [("Maven master password", master)]
    server = "{" + base64.b64encode(_RANDOM.randbytes(33)).decode() + "}"
    text = f"<server>\n  <id>nexus</id>\n  <password>{server}</password>\n</server>\n"
    assert find_secrets(text, ".m2/settings.xml") == []
