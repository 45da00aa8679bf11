"""More vendors' fixed-format tokens, from each vendor's documented format.

The tokens here carry a prefix or a structure of their own (an `aio_` or `dckr_pat_`
prefix, a check suffix such as New Relic's `NRAL`, a webhook URL's path), so the format
alone says "credential"; gitleaks' pinned rule set either lacks them or asks for a keyword
nearby. They run like patterns.TOKEN_PATTERNS: one pass over the text each, only when the
keyword pass saw one of their keywords.
"""

from __future__ import annotations

import re

from bot.secrets.patterns import (
    MAX_VALUE,
    TOKEN_END,
    UUID,
    TokenPattern,
)

_E = TOKEN_END
# Between a service's name and its value: `=`, `:`, Go's `:=`, Ruby's `=>`, an XML tag's `>`.
_OP = r"\s*(?::=|=>|[:=>])\s*"
SEED_PHRASE = "wallet seed phrase"

SERVICE_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern("Adafruit IO key", re.compile(r"aio_[A-Za-z0-9]{28}" + _E), keywords=("aio_",)),
    # Azure DevOps personal access tokens since 2024: 84 characters, "AZDO" at 76-79.
    TokenPattern(
        "Azure DevOps token",
        re.compile(r"[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}" + _E),
        keywords=("azdo",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        "Azure connection key",
        re.compile(
            r"(?:SharedAccessKey|AccountKey)\s*=\s*([A-Za-z0-9+/]{40,}={0,2})(?![A-Za-z0-9+/=])"
        ),
        group=1,
        keywords=("sharedaccesskey", "accountkey"),
    ),
    # An Azure storage account's key on its own (64 random bytes: 86 base64 characters and
    # `==`) a little after a name that says storage, account or access key: a CLI's
    # `-storagekey`, `storageKey:`, `$accountKey =` (a connection string's is the one above).
    TokenPattern(
        "Azure storage account key",
        re.compile(
            r"(?i:storage|account|access)[_.-]?(?i:key)[^\n]{0,25}?(?<![A-Za-z0-9+/])"
            r"([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])"
        ),
        group=1,
        keywords=tuple(
            f"{w}{sep}key" for w in ("storage", "account", "access") for sep in ("", "_", "-", ".")
        ),
        on_keyword_lines=True,
    ),
    TokenPattern(
        "crates.io token", re.compile(r"cio[A-Za-z0-9]{32}" + _E), random=True, keywords=("cio",)
    ),
    TokenPattern(
        "Dependency-Track key", re.compile(r"odt_[A-Za-z0-9]{32,}" + _E), keywords=("odt_",)
    ),
    TokenPattern(
        "Docker Hub token",
        re.compile(r"dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,}" + _E),
        keywords=("dckr_pat_", "dckr_oat_"),
    ),
    # Vault's service, batch and recovery tokens since 1.10.
    TokenPattern(
        "Vault token",
        re.compile(r"hv[sbr]\.[A-Za-z0-9_\-]{24,}" + _E),
        random=True,
        keywords=("hvs.", "hvb.", "hvr."),
    ),
    # A new Jenkins prints its generated admin password in its log, on its own line.
    TokenPattern(
        "Jenkins initial admin password",
        re.compile(
            # The lines may carry a diff's or a prompt's prefix ("  12    14 + | ").
            r"following password to proceed to installation:[^\n]*\n"
            r"(?:[^\n\w]*\n|[ \d]*[-+ ]?\s*\|?\s*\n)?[ \d]*[-+ ]?\s*\|?\s*([a-f0-9]{32})\b"
        ),
        group=1,
        keywords=("proceed to installation",),
    ),
    # `vault operator init` prints the unseal key shares (33 bytes, 44 base64 characters).
    TokenPattern(
        "Vault unseal key",
        re.compile(r"Unseal Key(?: \d{1,2})?: ([A-Za-z0-9+/]{44})(?![A-Za-z0-9+/=])"),
        group=1,
        keywords=("unseal key",),
    ),
    # AWS STS session tokens open with a fixed header, base64 (`FwoGZXIvYXdz` "aws",
    # `IQoJb3JpZ2luX2Vj` "origin_ec"): found without a name, as the CLI's text output and
    # logs print them. (URL-encoded, in a presigned URL, the query's name finds them.)
    TokenPattern(
        "AWS session token",
        re.compile(
            r"(?:FwoGZXIvYXdz|FQoGZXIvYXdz|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+]{80,"
            + str(MAX_VALUE)
            + "}={0,2}"
        ),
        keywords=("fwogzxivyxdz", "fqogzxivyxdz", "iqojb3jpz2lux2vj"),
    ),
    TokenPattern(
        "New Relic key",
        # (Insights insert and query keys, NRII- and NRIQ-: 32 URL-safe characters.)
        re.compile(
            r"(?:NRAA-[a-f0-9]{27}|[a-f0-9]{36}NRAL|NRA[KJIS]-[A-Z0-9]{27}"
            r"|NRI[IQ]-[A-Za-z0-9_\-]{32})" + _E
        ),
        keywords=("nraa-", "nral", "nrak-", "nraj-", "nrai-", "nras-", "nrii-", "nriq-"),
        on_keyword_lines=True,
    ),
    TokenPattern("NuGet API key", re.compile(r"oy2[a-z0-9]{43}" + _E), keywords=("oy2",)),
    TokenPattern(
        "Okta API token",
        re.compile(r"\bSSWS\s+(00[A-Za-z0-9_\-]{40})" + _E),
        group=1,
        keywords=("ssws",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        "Sourcegraph token",
        re.compile(r"sgp_(?:local_|[a-f0-9]{16}_)?[a-f0-9]{40}" + _E),
        keywords=("sgp_",),
    ),
    TokenPattern(
        "Square token",
        re.compile(
            r"(?:EAAA[A-Za-z0-9+=\-]{60}|sq0atp-[A-Za-z0-9_\-]{22}|sq0csp-[A-Za-z0-9_\-]{43})" + _E
        ),
        keywords=("eaaa", "sq0atp-", "sq0csp-"),
    ),
    # A bot's numeric id, a colon, then 35 characters starting "AA".
    TokenPattern(
        "Telegram bot token",
        re.compile(r"[0-9]{8,10}:AA[A-Za-z0-9_\-]{33}" + _E),
        keywords=(":aa",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        "TeamCity token",
        re.compile(r"eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_\-]{36}\.[A-Za-z0-9_\-]{48}" + _E),
        keywords=("eyj0exaioiaivenwmij9",),
    ),
    TokenPattern(
        "Twitch stream key",
        re.compile(r"live_[0-9]{6,12}_[A-Za-z0-9]{30}" + _E),
        keywords=("live_",),
    ),
    TokenPattern("Groq API key", re.compile(r"gsk_[A-Za-z0-9]{52}" + _E), keywords=("gsk_",)),
    TokenPattern(
        "Google OAuth client secret",
        re.compile(r"GOCSPX-[A-Za-z0-9_\-]{28}" + _E),
        keywords=("gocspx-",),
    ),
    TokenPattern(
        "Google OAuth access token",
        re.compile(r"ya29\.[A-Za-z0-9_\-]{30,}" + _E),
        random=True,
        keywords=("ya29.",),
    ),
    TokenPattern(
        "LangSmith API key",
        re.compile(r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + _E),
        keywords=("lsv2_",),
    ),
    TokenPattern(
        "Replicate API token",
        re.compile(r"r8_[A-Za-z0-9]{37}" + _E),
        random=True,
        keywords=("r8_",),
    ),
    TokenPattern("Supabase access token", re.compile(r"sbp_[a-f0-9]{40}" + _E), keywords=("sbp_",)),
    TokenPattern(
        "Tavily API key",
        re.compile(r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}" + _E),
        random=True,
        keywords=("tvly-",),
    ),
    TokenPattern(
        "xAI API key", re.compile(r"xai-[A-Za-z0-9]{80}" + _E), random=True, keywords=("xai-",)
    ),
    TokenPattern(
        "Amazon MWS auth token",
        re.compile(r"amzn\.mws\." + UUID + _E),
        keywords=("amzn.mws.",),
    ),
    # Onfido's API tokens: environment, then an 11-character id and a 32-character secret.
    TokenPattern(
        "Onfido API token",
        re.compile(
            r"api_(?:live|sandbox)(?:_[a-z]{2})?\.[A-Za-z0-9_\-]{11}\.[A-Za-z0-9_\-]{32}" + _E
        ),
        keywords=("api_live", "api_sandbox"),
    ),
    TokenPattern(
        "Braintree access token",
        re.compile(r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-z]{32}" + _E),
        keywords=("access_token$",),
    ),
    # A crypto wallet's BIP39 recovery phrase (12 to 24 lower-case words) under a name that
    # says mnemonic, seed or recovery phrase (Hardhat's `accounts: { mnemonic: "…" }`,
    # `MNEMONIC=…`, ethers' `Wallet.fromPhrase("…")`): whoever has it has the wallet.
    # (token_checks: the count of words, and the published development phrases.)
    TokenPattern(
        SEED_PHRASE,
        re.compile(
            r"(?i:mnemonic|from_?phrase|(?:seed|recovery)[_ -]?(?:phrase|words))[\w.\-]{0,30}"
            r"[\"'`]?\s*(?::=|=>|[:=(,])\s*[\"'`]?"
            r"([a-z]{3,8}(?:[ ]+[a-z]{3,8}){11,23})(?![ ]*[a-z])"
        ),
        group=1,
        keywords=("mnemonic", "fromphrase", "from_phrase", "seed", "recovery"),
        on_keyword_lines=True,
    ),
    # SoftLayer (IBM Cloud classic) API keys: 64 lower-case hex-like characters after the name.
    TokenPattern(
        "SoftLayer API key",
        re.compile(
            # `sl` starts a word; the letter leads so that Python's engine skips to it (a
            # leading `\b` made this one pattern half of find_secrets' time on 100 KB).
            # (after `sl`, a word that says secret: `slang_hash := <sha256>` is a tarball's)
            r"[sS](?:(?<!\w[sS])[lL](?=[\w.\-]{0,20}?(?i:key|pwd|pass|token|secret))"
            r"|(?i:oftlayer))[\w.\-]{0,20}[\"']?\s*(?::=|=|:)\s*[\"']?"
            r"([a-z0-9]{64})" + _E
        ),
        group=1,
        keywords=("softlayer", "sl"),
        # `sl` is in most texts (`slice`, `slug`); the name and its key share a line.
        on_keyword_lines=True,
    ),
    # An AWS account's 12-digit id under an account name. AWS does not call it a secret, but
    # it names the target of every ARN and of social engineering; it is hidden from cloud
    # models like a credential (an operator who disagrees allow-lists the value).
    TokenPattern(
        "AWS account ID",
        re.compile(
            r"(?i:aws_?account_?id|account_?id|\baccount)[\"']?\s*(?:=|:)\s*[\"']?([0-9]{12})"
            r"(?![0-9A-Za-z_])"
        ),
        group=1,
        keywords=("account",),
        on_keyword_lines=True,
    ),
    # Vault's service tokens before 1.10 (`s.` and a random run), known by the name or the
    # header they are passed under; the bare `s.` prefix is too common to stand alone.
    TokenPattern(
        "Vault token",
        re.compile(
            r"(?i:vault[\w-]{0,12}token|x-vault-token)[\"'`]?\s*[:=]?\s*[\"'`]?"
            r"(s\.[A-Za-z0-9_\-]{24,})" + _E
        ),
        group=1,
        keywords=("vault",),
        on_keyword_lines=True,
    ),
    # Azure DevOps personal access tokens before 2024: 52 characters of base32, under a
    # name that says Azure DevOps.
    TokenPattern(
        "Azure DevOps token",
        re.compile(
            r"(?i:ado|azure|devops|vsts)[\w.\-]{0,20}?(?i:pat|token)[\"']?" + _OP + r"[\"']?"
            r"([a-z2-7]{52})" + _E
        ),
        group=1,
        keywords=("ado", "azure", "devops", "vsts"),
        on_keyword_lines=True,
    ),
    # Kubernetes bootstrap tokens: a 6-character id, a dot, a 16-character secret, masked
    # whole (the id is public, but `--token` takes both, and a reader of a masked line
    # should not see half a credential); and the secret alone in a bootstrap token's Secret
    # manifest.
    TokenPattern(
        "Kubernetes bootstrap token",
        re.compile(
            r"(?:bootstrap-token|kubeadm[^\n]{0,80}?--token)[=\s\"':]+([a-z0-9]{6}\.[a-z0-9]{16})"
            + _E
        ),
        group=1,
        keywords=("bootstrap-token", "kubeadm"),
    ),
    TokenPattern(
        "Kubernetes bootstrap token",
        re.compile(r"token-secret:\s*[\"']?([a-z0-9]{16})" + _E),
        group=1,
        keywords=("token-secret",),
    ),
    TokenPattern(
        "Postmark server token",
        re.compile(r"(?i:postmark)[\w.\-]{0,30}[\"']?" + _OP + r"[\"']?(" + UUID + ")" + _E),
        group=1,
        keywords=("postmark",),
        on_keyword_lines=True,
    ),
    # Vault AppRole's secret ID, with its role ID a login: a UUID under `secret_id`,
    # `secretId`, `VAULT_SECRET_ID` or `--secret-id`. (`client_secret_id` names an Azure
    # client secret's key id, which is public.)
    TokenPattern(
        "Vault AppRole secret ID",
        re.compile(
            r"(?:(?<![\w.-])|(?<=--))(?i:(?:vault|approle)[_-]?)?(?i:secret[_-]?id)[\"'`]?"
            r"\s*(?::=|=>|[:=])?\s*[\"'`]?(" + UUID + ")" + _E
        ),
        group=1,
        keywords=("secret_id", "secretid", "secret-id"),
        on_keyword_lines=True,  # no literal opens it
    ),
    # Firebase Cloud Messaging's legacy server keys: an 11-character id, a colon, 140 more.
    TokenPattern(
        "Firebase Cloud Messaging server key",
        re.compile(r"AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{134}" + _E),
        keywords=("apa91b",),
    ),
    # A Salesforce session or access token: the org's 15-character id, "!", the session.
    TokenPattern(
        "Salesforce access token",
        re.compile(r"00D[A-Za-z0-9]{12}![A-Za-z0-9._]{80,}" + _E),
        keywords=("00d",),
    ),
    # Kolide's API keys (its documented `k2sk_v1_` prefix).
    TokenPattern(
        "Kolide API key", re.compile(r"k2sk_v1_[A-Za-z0-9]{16,}" + _E), keywords=("k2sk_v1_",)
    ),
    # `django-admin startproject` writes a 50-character key from this alphabet, prefixed
    # to say it is for development; such keys still sign sessions wherever they ship.
    TokenPattern(
        "Django secret key",
        re.compile(r"django-insecure-([a-z0-9!@#$%^&*(\-_=+)]{50})(?![a-z0-9!@#$%^&*(\-_=+)])"),
        group=1,
        keywords=("django-insecure-",),
    ),
    # A Google OAuth client's id: not secret on its own in an installed app, but it names
    # the client whose secret sits beside it, and both rule sets this one is checked
    # against (noseyparker, semgrep-rules) report it.
    TokenPattern(
        "Google OAuth client ID",
        re.compile(r"[0-9]{6,}-[a-z0-9]{32}\.apps\.googleusercontent\.com"),
        keywords=("googleusercontent",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        "Hugging Face organization token",
        re.compile(r"api_org_[A-Za-z]{34}" + _E),
        keywords=("api_org_",),
    ),
)
