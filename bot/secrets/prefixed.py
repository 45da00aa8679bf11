"""Vendor tokens known by a documented prefix alone (`bkua_`, `sgp_`, `pgar_`, ...), for
services that neither gitleaks' pinned rules nor services.py cover. Each format is written
from the vendor's documentation or a public detector's description of it (prefix, length,
alphabet), never copied from another tool's rule file. They run like services.py's
patterns: one pass each, only when the keyword pass saw the prefix.

"Kingfisher" and "TruffleHog" below name the detector whose description of the format
(mongodb/kingfisher's data/rules, trufflesecurity/trufflehog's pkg/detectors) was read;
"Betterleaks" the rules Kingfisher 2.14 carries from gitleaks' successor.
Public and publishable keys (PubNub's, Langfuse's pk-lf-, Stripe's pk_) are left out: they
are meant to ship in client code.
"""

from __future__ import annotations

import re

from bot.secrets.patterns import TOKEN_END, TokenPattern

_E = TOKEN_END
# Base64 bodies: the value ends where the alphabet does.
_E64 = r"(?![A-Za-z0-9+/=_\-])"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def _token(
    kind: str,
    body: str,
    *keywords: str,
    random: bool = False,
    end: str = _E,
    lines: bool = False,
) -> TokenPattern:
    """A prefixed format: the regex is anchored on its literal prefix, which Python's
    engine then searches for directly; `keywords` are the prefixes, lower-cased. With
    `lines`, it runs on the lines holding a prefix only (one that opens with a choice of
    prefixes is tried at every position of the whole text)."""
    return TokenPattern(
        kind, re.compile(body + end), random=random, keywords=keywords, on_keyword_lines=lines
    )


PREFIXED_PATTERNS: tuple[TokenPattern, ...] = (
    # Buildkite's API access tokens (Buildkite docs, "API access tokens"; Kingfisher).
    _token("Buildkite token", r"bkua_[a-z0-9]{40}", "bkua_"),
    # Mapbox's secret and temporary tokens: "sk." or "tk.", base64url of `{"u":"<user>",…`,
    # a dot and the signature (Mapbox docs, "Access tokens"; Kingfisher, TruffleHog). Its
    # public tokens, "pk.", are meant for client code.
    _token(
        "Mapbox secret token",
        r"[st]k\.eyJ1Ijoi[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{20,}",
        "sk.eyj1ijoi",
        "tk.eyj1ijoi",
    ),
    # Teamwork's API tokens: "tkn.v1_" and base64 of `<uuid>-<account>.<user>.<region>`, 72
    # characters with 6-digit ids (Teamwork Desk docs, Bearer tokens; Kingfisher).
    _token("Teamwork token", r"tkn\.v1_[A-Za-z0-9+/]{60,100}={0,2}", "tkn.v1_", end=_E64),
    # Cloudflare Tunnel tokens, which run a tunnel as its owner: base64 of
    # `{"a":"<account tag>","t":"<tunnel id>","s":"<secret>"}` (cloudflared's `tunnel
    # token` prints it; the secret is 32 random bytes or more), so always `eyJhIjoi`.
    _token(
        "Cloudflare Tunnel token", r"eyJhIjoi[A-Za-z0-9+/]{100,400}={0,2}", "eyjhijoi", end=_E64
    ),
    # Jenkins' encrypted secrets (hudson.util.Secret), as its config.xml and credentials.xml
    # keep every password, token and key: `{`, base64 of version 1, a 16-byte IV's length,
    # the IV and the AES ciphertext, `}`. Whoever holds the controller's master key reads
    # them, and one `JENKINS_HOME` committed whole holds both.
    _token(
        "Jenkins encrypted secret",
        r"\{AQAAABAAAA[A-Za-z0-9+/]{30,4000}={0,2}\}",
        "{aqaaabaaaa",
        end="",
    ),
    # Contentful's personal access tokens (Contentful CMA docs; Kingfisher, TruffleHog).
    _token("Contentful token", r"CFPAT-[A-Za-z0-9_\-]{43}", "cfpat-"),
    # Doppler's CLI, service (optionally named), service account, SCIM and audit tokens
    # (Doppler docs, "Token formats"; Kingfisher). Personal tokens, dp.pt., gitleaks finds.
    _token(
        "Doppler token",
        r"dp\.(?:ct|sa|scim|audit|st(?:\.[a-z0-9_\-]{2,35})?)\.[A-Za-z0-9]{40,44}",
        "dp.ct.",
        "dp.st.",
        "dp.sa.",
        "dp.scim.",
        "dp.audit.",
    ),
    # Dropbox's short-lived access tokens: "sl." then 130 or more URL-safe characters (the
    # newer ones "sl.u." and far longer) (Dropbox OAuth guide; Kingfisher).
    _token("Dropbox token", r"sl\.(?:u\.)?[A-Za-z0-9_\-]{130,1500}", "sl.", random=True),
    # Fleetbase live API keys (Kingfisher, TruffleHog).
    _token("Fleetbase key", r"flb_live_[A-Za-z0-9]{20}", "flb_live_"),
    # Flexport API keys (Kingfisher, TruffleHog).
    _token("Flexport key", r"shltm_[A-Za-z0-9_\-]{40}", "shltm_"),
    # HubSpot private app tokens: "pat-", a region, a UUID-like body (HubSpot developer
    # docs, private apps; Kingfisher, TruffleHog).
    _token(
        "HubSpot token",
        r"pat-(?:na|eu)[12]-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "pat-na1-",
        "pat-na2-",
        "pat-eu1-",
        "pat-eu2-",
    ),
    # Ionic Appflow personal access tokens (Kingfisher).
    _token("Ionic token", r"ion_[a-z0-9]{42}", "ion_"),
    # MongoDB Atlas service account secrets (Atlas docs, service accounts; Kingfisher).
    # The client id, mdb_sa_id_, is not a secret.
    _token("MongoDB Atlas service account secret", r"mdb_sa_sk_[A-Za-z0-9_\-]{40}", "mdb_sa_sk_"),
    # Nightfall API keys (Kingfisher, TruffleHog). "NF-" also starts
    # identifiers, so the body must look random.
    _token("Nightfall key", r"NF-[A-Za-z0-9]{32}", "nf-", random=True),
    # NVIDIA API catalogue keys (build.nvidia.com docs; Kingfisher, TruffleHog).
    # (60 to 70 characters, as Betterleaks' rule reads them)
    _token("NVIDIA API key", r"nvapi-[A-Za-z0-9_\-]{60,70}", "nvapi-"),
    # ElevenLabs API keys: "sk_" and 48 hex digits (TruffleHog; Stripe's keys go on with
    # live_/test_, not hex).
    _token("ElevenLabs API key", r"sk_[a-f0-9]{48}", "sk_"),
    # Pagar.me live secret keys (Kingfisher, TruffleHog).
    _token("Pagar.me key", r"ak_live_[A-Za-z0-9]{30}", "ak_live_"),
    # Sourcegraph Cody gateway keys (TruffleHog, Kingfisher: "slk_" and 64 hex digits).
    _token("Sourcegraph Cody key", r"slk_[a-f0-9]{64}", "slk_"),
    # Supabase's secret API keys since 2025 (Supabase docs, "API keys"); the publishable
    # sb_publishable_ key is public. Management tokens, sbp_, gitleaks finds.
    _token("Supabase secret key", r"sb_secret_[A-Za-z0-9_\-]{24,64}", "sb_secret_"),
    # Tailscale API, auth, OAuth client, SCIM and webhook keys: "tskey-", the key's kind,
    # its id, its secret (Tailscale docs, "API access"; Kingfisher, TruffleHog).
    _token(
        "Tailscale key",
        r"tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{6,24}-[A-Za-z0-9]{20,64}",
        "tskey-",
    ),
    # Typeform personal access tokens (Typeform developer docs; Kingfisher, TruffleHog).
    _token("Typeform token", r"tfp_[A-Za-z0-9_]{40,59}", "tfp_"),
    # Ubidots account tokens (Kingfisher, TruffleHog).
    _token("Ubidots token", r"BBFF-[A-Za-z0-9]{30}", "bbff-"),
    # Zoho OAuth access and refresh tokens: "1000.", two 32-digit hex parts (Zoho API
    # docs, OAuth; Kingfisher, TruffleHog).
    _token("Zoho token", r"1000\.[a-f0-9]{32}\.[a-f0-9]{32}", "1000."),
    # Segment's Public API (workspace management) tokens: "sgp_" and 64 characters
    # (Segment docs, Public API; Kingfisher). Sourcegraph's sgp_ tokens are hex, 40 long.
    _token("Segment token", r"sgp_[A-Za-z0-9]{64}", "sgp_"),
    # ClickUp personal API tokens: "pk_", the user's numeric id, 32 upper-case letters and
    # digits (ClickUp API docs; Kingfisher).
    _token("ClickUp token", r"pk_[0-9]{6,10}_[0-9A-Z]{32}", "pk_"),
    # pganalyze API keys (TruffleHog: "pgar_" and 27 letters or digits).
    _token("pganalyze key", r"pgar_[A-Za-z0-9]{27}", "pgar_"),
    # Rootly API keys (TruffleHog).
    _token("Rootly key", r"rootly_[a-f0-9]{64}", "rootly_"),
    # SpectralOps personal API keys (TruffleHog: "spu-" and 32 lower-case letters/digits).
    _token("SpectralOps key", r"spu-[a-z0-9]{32}", "spu-"),
    # Voiceflow Dialog Manager and workspace API keys: "VF.", "DM." or "WS.", a 24-digit
    # hex id, a 16-character secret (Voiceflow API docs; TruffleHog).
    _token("Voiceflow key", r"VF\.(?:DM\.|WS\.)?[a-f0-9]{24}\.[A-Za-z0-9]{16}", "vf."),
    # Bitbucket Data Center HTTP access tokens (Atlassian docs; TruffleHog).
    _token("Bitbucket Data Center token", r"BBDC-[A-Za-z0-9+/@_\-]{40,50}", "bbdc-", end=_E64),
    # AWS AppSync API keys: "da2-" and 26 lower-case letters or digits (AWS AppSync docs,
    # API keys; TruffleHog).
    _token("AWS AppSync key", r"da2-[a-z0-9]{26}", "da2-"),
    # Fly.io macaroon tokens as `fly tokens create` prints them: "FlyV1 fm2_" and several
    # hundred base64 characters, comma-separated (Fly.io docs, access tokens; TruffleHog).
    _token(
        "Fly.io token",
        r"FlyV1 fm\d_[A-Za-z0-9+/=,_\-]{100,2000}",
        "flyv1 fm",
        end=r"(?![\w+/=,\-])",
    ),
    # TruffleHog Enterprise API secrets (TruffleHog's own detector).
    _token("TruffleHog Enterprise secret", r"thog-secret-[a-f0-9]{32}", "thog-secret-"),
    # Docker Swarm's join tokens, `SWMTKN-1-` with the CA certificate's digest (50 base-36
    # characters) and the secret (25) that lets a node join as a worker or a manager, and
    # its unlock key, `SWMKEY-1-` and 32 bytes in base64 (Docker docs, `docker swarm
    # join-token`, `docker swarm unlock-key`; the Engine API's examples are published).
    _token("Docker Swarm join token", r"SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}", "swmtkn-1-"),
    _token("Docker Swarm unlock key", r"SWMKEY-1-[A-Za-z0-9+/]{43}", "swmkey-1-", end=_E64),
    # Sentry organisation auth tokens: "sntrys_" and a base64 JSON payload (Sentry docs,
    # auth tokens; TruffleHog). User tokens, sntryu_, gitleaks finds.
    _token("Sentry token", r"sntrys_eyJ[A-Za-z0-9+/_=]{100,400}", "sntrys_eyj", end=_E64),
    # Langfuse secret keys: "sk-lf-" and a UUID (Langfuse docs; TruffleHog). The public
    # key, pk-lf-, is not a secret.
    _token("Langfuse secret key", r"sk-lf-" + _UUID, "sk-lf-"),
    # LaunchDarkly API access tokens and server-side SDK keys: "api-" or "sdk-" and a
    # version 4 UUID (LaunchDarkly docs, "Keys"; TruffleHog). Mobile keys are public.
    _token("LaunchDarkly key", r"(?:api|sdk)-" + _UUID4, "api-", "sdk-", lines=True),
    # PhotoRoom API keys, live or sandbox: "sk_pr_", a name, 40 hex digits (TruffleHog).
    _token("PhotoRoom key", r"(?:sandbox_sk_pr_|sk_pr_)[A-Za-z0-9]{1,64}_[a-f0-9]{40}", "sk_pr_"),
    # Apify API tokens (Apify docs, integrations; TruffleHog).
    _token("Apify token", r"apify_api_[A-Za-z0-9]{36}", "apify_api_"),
    # CircleCI's personal and project API tokens since 2023: "CCIPAT_" or "CCIPRJ_", a
    # base58 UUID (22 characters), "_", 40 hex digits (CircleCI changelog, "New format for
    # API access tokens"; TruffleHog). Kingfisher's examples are wider in both parts.
    _token(
        "CircleCI token",
        r"CCIP(?:AT|RJ)_[A-Za-z0-9]{20,24}_[A-Za-z0-9]{40}",
        "ccipat_",
        "cciprj_",
    ),
    # Cloudflare's global API keys in their prefixed form (TruffleHog: "cfk_", 40
    # characters, an 8-digit hex check).
    _token("Cloudflare global API key", r"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}", "cfk_"),
    # Cloudflare's user and account API tokens in the prefixed form of 2025: "cfut_" or
    # "cfat_", 40 characters, an 8-digit hex check (Cloudflare docs, "API token formats";
    # secretlint's cloudflare rule).
    _token("Cloudflare API token", r"cf[ua]t_[A-Za-z0-9]{40}[a-f0-9]{8}", "cfut_", "cfat_"),
    # Pinecone API keys: "pcsk_", a short id, "_", 63 characters (Pinecone docs;
    # TruffleHog).
    _token("Pinecone key", r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}", "pcsk_"),
    # PostHog personal API keys (PostHog docs, "Personal API keys"; TruffleHog). Project
    # keys, phc_, are public.
    _token("PostHog personal key", r"phx_[A-Za-z0-9_]{43,48}", "phx_"),
    # Ramp API client secrets (TruffleHog). The client id is not one.
    _token("Ramp client secret", r"ramp_sec_[A-Za-z0-9]{48}", "ramp_sec_"),
    # SaladCloud API keys: "salad_cloud_", a short id, "_", the secret (TruffleHog).
    _token("SaladCloud key", r"salad_cloud_[A-Za-z0-9]{1,7}_[A-Za-z0-9]{20,235}", "salad_cloud_"),
    # OpenRouter API keys: "sk-or-v1-" and 64 hex digits (OpenRouter docs; TruffleHog).
    _token("OpenRouter key", r"sk-or-v1-[a-f0-9]{64}", "sk-or-v1-"),
    # Together AI's API keys, "tgp_v1_" and 43 base64url characters, and Cerebras', "csk-"
    # and 48 letters and digits (Betterleaks' rules, as Kingfisher 2.14 lists them:
    # `kingfisher rules list`). Both are model providers' keys a router's users hold.
    _token("Together AI key", r"tgp_v1_[A-Za-z0-9_\-]{43}", "tgp_v1_", end=_E64),
    _token("Cerebras key", r"csk-[a-z0-9]{48}", "csk-"),
    # More vendors' formats from Betterleaks' rule descriptions (its config/betterleaks.toml,
    # MIT, at 6381fa4), which the pinned gitleaks file lacks: a sample drawn from each rule's
    # pattern went through unreported. A length range over a word's alphabet asks for a
    # random-looking body.
    _token("Aikido CI token", r"AIK_CI_[A-Za-z0-9]{20,44}", "aik_ci_"),
    _token("Neon API key", r"napi_[A-Za-z0-9]{64}", "napi_"),
    _token(
        "Paddle API key",
        r"pdl_live_apikey_[a-z0-9]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3}",
        "pdl_live_apikey_",
    ),
    _token(
        "Polar token",
        r"polar_(?:pat|oat|at)_[A-Za-z0-9_\-]{20,100}",
        "polar_pat_",
        "polar_oat_",
        "polar_at_",
        random=True,
    ),
    _token("Weights & Biases API key", r"wandb_v1_[A-Za-z0-9_]{77}", "wandb_v1_"),
    _token("Zuplo API key", r"zpka_[a-z0-9]{32}_[0-9a-f]{8}", "zpka_"),
    _token(
        "Mergify key",
        r"mergify_application_key_[A-Za-z0-9_\-]{40,200}",
        "mergify_application_key_",
        random=True,
    ),
    _token("MailerSend token", r"mlsn\.[A-Za-z0-9]{30,100}", "mlsn.", random=True),
    _token("UpCloud token", r"ucat_[0-9A-Za-z]{24,32}", "ucat_", random=True),
    _token("Unkey root key", r"unkey_[A-Za-z0-9]{20,32}", "unkey_", random=True),
    _token("Val Town token", r"vtwn_[A-Za-z0-9_\-]{20,80}", "vtwn_", random=True),
    _token("Lichess token", r"lip_[A-Za-z0-9_]{16,60}", "lip_", random=True),
    _token(
        "Mercury token",
        r"mercury_production_[a-z]{3,6}_[A-Za-z0-9]{40,50}_yrucrem",
        "mercury_production_",
    ),
    _token(
        "Onfido live token",
        r"api_live(?:_ca|_us)?\.[A-Za-z0-9_\-]{20,80}",
        "api_live.",
        "api_live_ca.",
        "api_live_us.",
    ),
    _token(
        "Persona key",
        r"persona_production_[a-z0-9_\-]{20,80}",
        "persona_production_",
    ),
    _token("Pinterest token", r"pina_[A-Za-z0-9_\-]{20,200}", "pina_", random=True),
    _token("Samsara token", r"samsara_api_[A-Za-z0-9]{26,32}", "samsara_api_"),
    _token("Thunderstore token", r"tss_[A-Za-z0-9_\-]{20,80}", "tss_", random=True),
    _token("WakaTime key", r"waka_[a-z0-9]{36,64}", "waka_"),
    # SonarCloud tokens (TruffleHog: "sqco_" and 59 characters) and SonarQube's user,
    # project and global analysis tokens, "squ_", "sqp_", "sqa_" and 40 hex digits
    # (SonarQube docs, "Managing your tokens").
    _token("SonarCloud token", r"sqco_[A-Za-z0-9]{59}", "sqco_"),
    _token("SonarQube token", r"sq[upa]_[a-f0-9]{40}", "squ_", "sqp_", "sqa_"),
    # Stripe webhook signing secrets: "whsec_" and 32 or more base64 characters (Stripe
    # docs, "Check the webhook signatures").
    _token("Stripe webhook secret", r"whsec_[A-Za-z0-9+/]{32,88}={0,2}", "whsec_", end=_E64),
    # Render API keys: "rnd_" and 32 characters (Render docs, "API keys").
    _token("Render key", r"rnd_[A-Za-z0-9]{32}", "rnd_", random=True),
    # Figma personal access tokens, "figd_" (Figma REST API docs) and "figp_" (TruffleHog).
    _token("Figma token", r"fig[dp]_[A-Za-z0-9_\-]{38,54}", "figd_", "figp_", random=True),
    # Flutterwave live and test secret keys: "FLWSECK-" or "FLWSECK_TEST-", 32 hex
    # digits, "-X" (Flutterwave docs, API keys; TruffleHog). gitleaks knows the test form.
    _token("Flutterwave secret key", r"FLWSECK(?:_TEST)?-[a-f0-9]{32}-X", "flwseck"),
    # Airtable personal access tokens: "pat", a 14-character id, ".", 64 hex digits
    # (Airtable docs, "Personal access tokens").
    _token("Airtable token", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", "pat"),
    # Axiom API and personal tokens: "xaat-" or "xapt-" and a UUID (Axiom docs, tokens).
    _token("Axiom token", r"xa[ap]t-" + _UUID, "xaat-", "xapt-"),
    # Deno Deploy access tokens: "ddp_" and 36 characters (Deno Deploy docs).
    _token("Deno Deploy token", r"ddp_[A-Za-z0-9]{36}", "ddp_"),
    # Honeycomb ingest and management keys: "hcaik_", "hcxik_", "hcxmk_" (Honeycomb docs,
    # API keys).
    _token("Honeycomb key", r"hc(?:aik|xik|xmk)_[A-Za-z0-9]{20,70}", "hcaik_", "hcxik_", "hcxmk_"),
    # Shopify's admin API, custom app, partner and shared-secret tokens: "shpat_", "shpca_",
    # "shppa_", "shpss_" (Shopify docs, "Access tokens"). gitleaks' rules want 32 hex digits
    # after them, secretlint's 32-64 letters and digits; the prefix says enough to take both.
    _token(
        "Shopify token",
        r"shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}",
        "shpat_",
        "shpca_",
        "shppa_",
        "shpss_",
        random=True,
    ),
    # Netlify personal access tokens since 2023: "nfp_" (Netlify docs).
    _token("Netlify token", r"nfp_[A-Za-z0-9]{36,40}", "nfp_"),
    # Ory Network project API keys: "ory_pat_" (Ory docs, API keys).
    _token("Ory API key", r"ory_pat_[A-Za-z0-9]{24,64}", "ory_pat_"),
    # NATS nkey seeds: "S", the key's type (Account, Cluster, Operator, User, server N,
    # curve X), then base32 of the rest of 36 bytes: 58 characters in all (nats-io/nkeys,
    # strkey.go). The public keys ("U...", "A...") are meant to be shared and are left out.
    _token("NATS nkey seed", r"S[ACOUNX][A-Z2-7]{56}", "nkey", "seed", "nats"),
    # Notion's integration tokens since 2024: "ntn_", 11 digits, 35 characters (GitHub's
    # secret scanning patterns; secretlint's notion rule). The older "secret_" form is
    # TruffleHog's description, and too plain a prefix to read alone.
    _token("Notion token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}", "ntn_"),
    # 1Password service account tokens: "ops_" and base64 of a JSON object, so "ey" first
    # (1Password docs, "Service accounts"; secretlint's 1password rule).
    _token(
        "1Password service account token",
        r"ops_ey[A-Za-z0-9+/]{100,1280}={0,2}",
        "ops_ey",
        end=_E64,
    ),
    # Vercel's prefixed tokens: personal ("vcp_"), integration ("vci_"), app access and
    # refresh ("vca_", "vcr_") and AI Gateway keys ("vck_") (Vercel changelog, 2025;
    # secretlint's vercel rule).
    _token(
        "Vercel token",
        r"vc[piark]_[A-Za-z0-9]{20,60}",
        "vcp_",
        "vci_",
        "vca_",
        "vcr_",
        "vck_",
        random=True,
    ),
    # Vercel Blob read-write tokens: "vercel_blob_rw_", the store's id, "_", the secret
    # (Vercel Blob docs, BLOB_READ_WRITE_TOKEN).
    _token(
        "Vercel Blob token",
        r"vercel_blob_rw_[A-Za-z0-9]{8,32}_[A-Za-z0-9]{20,64}",
        "vercel_blob_rw_",
    ),
)
