"""What a name says about the value assigned to it: secret words (`password`, `token`,
`api_key`), names that say the value is not one (`public_key`, `token_type`, a fixture),
a bare `key`. rules.py judges values; the finders ask both."""

from __future__ import annotations

import re

# Words of a key name that carry a secret, and pairs that do ("api key", "access key").
_SECRET_WORDS = ("password", "passwd", "passphrase", "passcode", "secret", "credential", "apikey")
# "Password" in Russian and Ukrainian, Chinese (simplified and traditional), Japanese and
# Korean: a label's name in prose and docs (prose.py reads them: `пароль: …`).
NON_LATIN_PASSWORDS = ("пароль", "密码", "密碼", "パスワード", "비밀번호")
# "Password" in the languages code is written in besides English: `DB_SENHA`, `passwort`,
# `contraseña`, `mot_de_passe` (read joined), `wachtwoord`, `lösenord`, `salasana`,
# `adgangskode`, `passord`, `heslo`, `jelszó`, `şifre`, and those in other scripts. (Not
# Italian's `parola`, which is "word" as often; `hasło` is a slogan too.)
FOREIGN_PASSWORDS = (
    "senha", "passwort", "kennwort", "contrasena", "contraseña", "motdepasse", "wachtwoord",
    "losenord", "lösenord", "salasana", "adgangskode", "passord", "heslo", "jelszo", "jelszó",
    "sifre", "şifre", *NON_LATIN_PASSWORDS,
)  # fmt: skip
# Words that start like a secret word and are not one.
_NOT_SECRET_PREFIXES = ("secretar", "passport", "passage", "passenger", "nopasswd")
# `psk`: a pre-shared key (wpa_supplicant's `psk="…"`, NetworkManager's, IPsec's);
# `authtok`: PAM's and sssd's word for the password (`ldap_default_authtok`).
_SECRET_EXACT = frozenset(
    {"pwd", "pw", "pass", "token", "creds", "secrets", "credentials", "psk", "authtok"}
)
# "Password" shortened or misspelt as names are (`DB_PSWD`, `PSSWRD`, `pasword`).
_PASSWORD_SPELT = re.compile(r"pa?s{1,2}w(?:o?r)?d")
# Whose password a compound word names (`dbpass`, `rootpass`, `bindpw`): `bypass`,
# `compass` and `surpass` name no owner.
_PASS_OWNERS = frozenset(
    {"db", "user", "admin", "root", "app", "sys", "mail", "smtp", "ftp", "sftp", "ldap",
     "bind", "vnc", "ssh", "sa", "web", "api", "svc", "master", "sql", "mysql", "pg",
     "redis", "rabbit", "mq", "proxy", "wifi", "vpn", "login", "auth", "key", "store",
     "remote", "local", "imap", "pop", "server", "client", "ssl", "guest", "priv"}
)  # fmt: skip


def _owned_password(word: str) -> bool:
    return any(word.endswith(t) and word[: -len(t)] in _PASS_OWNERS for t in ("pass", "pw"))


# Who issues personal access tokens under the name "PAT" (`GITHUB_PAT`, `AZURE_DEVOPS_EXT_PAT`,
# the Azure CLI's own variable, `ASANA_PAT`): "pat" alone is as often a pattern (`url_pat`).
_PAT_ISSUERS = frozenset(
    {"github", "gh", "gitlab", "gl", "glab", "gitea", "forgejo", "codeberg", "bitbucket",
     "azure", "az", "ado", "devops", "vsts", "tfs", "asana", "figma", "atlassian", "jira",
     "confluence", "databricks", "dbx", "airtable", "notion", "hf", "huggingface", "sonar",
     "sonarqube", "sonarcloud", "circleci", "docker", "dockerhub", "quay", "harbor", "jfrog",
     "artifactory", "nexus", "buildkite", "linear", "clickup", "npm", "pypi", "tfe", "tfc",
     "terraform", "grafana", "snowflake", "tableau", "personal", "git", "repo", "ci", "bot",
     "release", "deploy"}
)  # fmt: skip


def _issued_pat(words: list[str]) -> bool:
    return "pat" in words and not _PAT_ISSUERS.isdisjoint(words)


_KEY_PAIRS = frozenset(
    {("api", "key"), ("access", "key"), ("private", "key"), ("auth", "key"),
     ("signing", "key"), ("encryption", "key"), ("master", "key"), ("client", "key"),
     ("service", "key"), ("account", "key"), ("db", "key"), ("database", "key"),
     ("priv", "key"), ("db", "pass"), ("database", "pass"), ("auth", "token"),
     ("license", "key"), ("licence", "key"), ("jwt", "key"), ("hmac", "key"), ("mac", "key"),
     ("aes", "key"), ("cipher", "key"), ("crypto", "key"), ("shared", "key")}
)  # fmt: skip
# The pairs by their second word, for `w.endswith(...)`: `acmeapi` + `key` is an API key.
_PAIR_FIRSTS: dict[str, tuple[str, ...]] = {
    second: tuple(a for a, b in _KEY_PAIRS if b == second) for second in {b for _, b in _KEY_PAIRS}
}
# `myAPIKeys`, `access_tokens`: several keys of one kind are still keys.
_SINGULAR = {"keys": "key", "tokens": "token"}
# A symmetric key's use or cipher (`jwtKey`, `hmac_key`, `AES_KEY`, `sharedKey`): the key
# itself, as a signing key is; a session key is as often a cache's or a store's name.
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "private", "secret", "auth", "signing", "encryption", "master", "client",
     "jwt", "hmac", "mac", "aes", "cipher", "crypto", "shared"}
)  # fmt: skip
# A key ending in one of these names something about the secret, not the secret itself.
_DESCRIPTOR = frozenset(
    {"url", "uri", "urls", "endpoint", "host", "type", "types", "name", "names", "field",
     "fields", "path", "paths", "file", "filename", "files", "dir", "env", "var", "variable",
     "id", "ids", "length", "len", "count", "size", "header", "headers", "prefix", "suffix",
     "label", "hint", "policy", "regex", "re", "pattern", "format", "kind", "mode", "ttl",
     "timeout", "expiry", "expires", "expiration", "limit", "placeholder", "hash", "hashed",
     "digest", "fingerprint", "thumbprint", "checksum", "algorithm", "algo", "version",
     "param", "parameter", "location", "ref", "arn", "commit", "branch", "filter", "query",
     "store", "provider", "class", "method", "scope", "scopes", "min", "max", "required",
     "enabled", "valid", "invalid", "rotation", "reset", "error", "errors", "message", "msg",
     "text", "title", "description", "help", "prompt", "input", "confirm", "confirmation",
     "form", "widget", "column", "table", "attr", "attribute", "property", "schema", "source",
     "manager", "backend", "loader", "getter", "setter", "handler", "factory", "service",
     "client", "cls", "strength", "key_id", "usage", "created", "updated",
     "at", "ts", "mask", "masked", "char", "chars", "rule", "rules", "check", "validator",
     "scheme", "schemes", "dialog", "address", "addr", "arg", "args", "argument",
     "arguments", "missing", "expired", "lifetime", "lifespan", "duration", "date"}
)  # fmt: skip
_FEW_CHARACTERS = frozenset({"last4", "last8", "first4", "first8"})
# nginx's directives that pass a request on to an upstream: `proxy_pass`, `fastcgi_pass`.
_PASSED_ON = frozenset({"proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"})
_HOW_MANY = frozenset({"four", "six", "eight", "4", "6", "8", "chars", "characters", "digits"})
_FIXTURE_WORDS = frozenset(
    {"fake", "dummy", "mock", "test", "tests", "example", "sample", "stub", "placeholder"}
)
# A public key or token, a publishable key (Stripe's pk_), a CSRF token: meant to be seen.
_PUBLIC_WORDS = frozenset({"public", "publishable", "pub", "csrf", "xsrf", "authenticity"})
_CSRF = ("csrf", "xsrf")
# A word starts at a capital after a lower-case letter or a digit, and after an acronym
# (`MACKey` -> MAC, Key; `RSAPublicKey` -> RSA, Public, Key), not inside `OAuth` or `IDs`.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})")
_WORD_SPLIT = re.compile(r"[\W_]+")  # (a letter outside ASCII is a word's: `contraseña`)


def key_words(key: str) -> list[str]:
    """A key name cut into lower-case words: `spring.datasource.dbPassword` ->
    ['spring', 'datasource', 'db', 'password']."""
    return [w.lower() for w in _WORD_SPLIT.split(_CAMEL.sub("_", key)) if w]


# Every secret-ish name holds one of these (each rule of key_is_secretish asks for one):
# a minified bundle's ten thousand `a=b` are turned down without cutting names into words.
SECRETISH_PARTS = (
    "pw", "pass", "token", "cred", "secret", "psk", "key", "authtok", "pat", "psw", "pssw",
    "pasw", "salt", "erlang", *(w for w in FOREIGN_PASSWORDS if "pass" not in w),
)  # fmt: skip
# (`pat` only where no letter follows: `path` and `dispatch` are the commonest names of all)
SECRETISH_PART = re.compile(
    "|".join(p if p != "pat" else "pat(?![a-z])" for p in SECRETISH_PARTS), re.IGNORECASE
)


def may_be_secretish(key: str) -> bool:
    """A cheap first test: False only where key_is_secretish is False too."""
    return SECRETISH_PART.search(key) is not None


# WordPress's keys and salts, which wp-config.php defines: together the secret that signs
# its login cookies and nonces (`NONCE_KEY` names no kind of key a rule knows, and a salt
# elsewhere is stored beside its hash).
_WORDPRESS_SECRETS = frozenset(
    (*prefix, last)
    for prefix in (("auth",), ("secure", "auth"), ("logged", "in"), ("nonce",))
    for last in ("key", "salt")
)

# Two words that name a platform's secret though neither does alone: Drupal's
# `$settings['hash_salt']` (it signs one-time login links and form tokens) and the Erlang
# cookie (`RABBITMQ_ERLANG_COOKIE`: whoever has it runs code on every node of the cluster).
_PLATFORM_SECRETS = frozenset({("hash", "salt"), ("erlang", "cookie")})


def key_is_secretish(key: str) -> bool:
    """`db_password`, `apiKey`, `GITHUB_TOKEN`, `client_secret`; for an attribute or a
    dotted config key only the last part counts (`token.markup` is not a token)."""
    words = key_words(last_part(key))
    if tuple(words) in _WORDPRESS_SECRETS or tuple(words[-2:]) in _PLATFORM_SECRETS:
        return True
    if words == ["key"]:
        # A dotted setting's qualifier sits one part up: `webflow.encryption.key`.
        parts = re.split(r"\.|::|->", key.strip("$@"))
        before = key_words(parts[-2]) if len(parts) > 1 else []
        if before and (before[-1] in _KEY_QUALIFIERS or (before[-1], "key") in _KEY_PAIRS):
            return True
    if _foreign_password(words) or _issued_pat(words):
        return True
    for i, w in enumerate(words):
        if w.startswith(_NOT_SECRET_PREFIXES):
            continue
        if w in _SECRET_EXACT or any(s in w for s in _SECRET_WORDS) or w.endswith("token"):
            return True
        if _PASSWORD_SPELT.fullmatch(w):
            return True
        if _owned_password(w):
            return True
        # `ACMEAPIKey` -> acmeapi, key: the word before may end in the pair's first word.
        nxt = _SINGULAR.get(words[i + 1], words[i + 1]) if i + 1 < len(words) else ""
        if w.endswith(_PAIR_FIRSTS.get(nxt, ())):
            return True
        if w.endswith("key") and w[:-3] in _KEY_QUALIFIERS:
            return True
    return False


def key_is_bare_key(key: str) -> bool:
    """`key`, `Key`, `app_key`, `licenseKey`: named a key without saying which kind (a
    `public_key` or a `key_id` says it is not secret)."""
    words = key_words(last_part(key))
    return (
        bool(words)
        and words[-1] == "key"
        and not key_is_excluded(key)
        and not any(
            w.startswith(("pub", "sort", "cache", "primary", "foreign", "partition", "unique"))
            for w in words
        )
    )


def last_part(key: str) -> str:
    return re.split(r"\.|::|->", key.strip("$@"))[-1] or key


def key_is_excluded(key: str) -> bool:
    """The name says the value is a pointer or metadata, or a test fixture."""
    words = key_words(key)
    if not words:
        return False
    if words[-1] in _DESCRIPTOR or "_".join(words[-2:]) in _DESCRIPTOR:
        return True
    if _glued_descriptor(words[-1]):
        return True  # `remote_login_passwordfile`, `tokenurl`: one word, still a pointer
    if any(w in _FIXTURE_WORDS for w in words):
        return True
    if (len(words) > 1 and words[-2] == "encrypted") or words[-1] == "ciphertext":
        return True  # `encryptedKey`, `encrypted_key`: ciphertext (a JWE's wrapped key)
    if words == ["secure"]:
        return True  # Travis CI's `secure: "…"`: encrypted to the repository's key, to commit
    if len(words) > 1 and words[-1] == "pass" and words[-2] in _PASSED_ON:
        return True  # nginx's `fastcgi_pass 127.0.0.1:9000;`: where a request is passed on
    if words[-1] == "verification" and words[-2:-1] in (["site"], ["domain"], ["yandex"]):
        return True  # `google-site-verification`: a site's ownership token, on every page
    if words[0] == "msvalidate":
        return True  # Bing's `msvalidate.01`, the same
    if "hashed" in words[:-1]:
        return True  # `hashed_password`, `hashedTokenKey`: what is kept is a hash
    if words[-1] in _FEW_CHARACTERS or (
        len(words) > 1 and words[-2] in ("last", "first") and words[-1] in _HOW_MANY
    ):
        return True  # `token_last_eight`, `key_last4`: a few characters shown to tell keys apart
    # A CSRF token is sent to every browser; the secret that signs it is not
    # (`WTF_CSRF_SECRET_KEY`, `csrf_secret`).
    signing = "secret" in words and not {"public", "publishable", "pub"} & set(words)
    # `csrftoken` (Django's cookie) is one word and still a CSRF token's name.
    return not signing and any(w in _PUBLIC_WORDS or w.startswith(_CSRF) for w in words)


_GLUED_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token")


def _glued_descriptor(word: str) -> bool:
    """A secret word and a descriptor written as one word: `passwordfile`, `secretname`."""
    return any(word.startswith(w) and word[len(w) :] in _DESCRIPTOR for w in _GLUED_SECRET_WORDS)


def key_is_password(key: str) -> bool:
    words = key_words(key)
    return _foreign_password(words) or any(
        w in {"pwd", "pw", "pass", "authtok"}
        or "passw" in w
        or _PASSWORD_SPELT.fullmatch(w) is not None
        or "passphrase" in w
        or "passcode" in w
        or _owned_password(w)
        for w in words
    )


def _foreign_password(words: list[str]) -> bool:
    """A word that opens or closes with "password" in another language (`dbsenha`,
    `senhabanco`; not inside one: `statusEnhancements` holds `senha`), or French's three."""
    return any(w.startswith(FOREIGN_PASSWORDS) or w.endswith(FOREIGN_PASSWORDS) for w in words) or (
        "passe" in words and "motdepasse" in "".join(words)
    )
