"""Where a model target runs: declared by the operator, never inferred from its address.

A target is on premises ("local") only when the server/org file says `location: local` for
it, or the environment declares it with SWITCHYARD_LOCAL_BASE_URL. Everything else is cloud,
whatever its host: a corporate gateway, a proxy or a loopback port forwarded to a hosted
API looks like a private address and is not one. Guessing "local" from a host name once sent
restricted code and raw secrets to any host missing from a short list of cloud names.

The host is still read, for one check only: a declaration of `local` for a host that is a
known public cloud API is a mistake in the declaration (a copy-paste, a wrong variable), so
it is refused rather than believed. The host is normalised first, as a resolver would see
it, so no spelling slips past: case, trailing dots, user-info, IDNs, IP literals.
"""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

Location = Literal["local", "cloud"]

# Public model APIs (hosts and their subdomains). Only used to refuse a `local` declaration.
CLOUD_API_DOMAINS = (
    "api.openai.com",
    "openai.azure.com",
    "services.ai.azure.com",
    "models.inference.ai.azure.com",
    "api.anthropic.com",
    "generativelanguage.googleapis.com",
    "aiplatform.googleapis.com",
    "api.mistral.ai",
    "api.together.xyz",
    "api.groq.com",
    "api.deepseek.com",
    "api.x.ai",
    "api.fireworks.ai",
    "api.cohere.com",
    "api.cohere.ai",
    "openrouter.ai",
    "api.perplexity.ai",
)

# What the SDKs call when no base_url is given (each is a cloud API).
SDK_DEFAULT_HOSTS = {"openai_compatible": "api.openai.com", "anthropic": "api.anthropic.com"}


def normalised_host(url: str) -> str | None:
    """The host `url` reaches, as a resolver sees it: lower case, no trailing dot, no
    user-info or port, IDNs in their ASCII (punycode) form, IP literals in canonical form.
    None when no host can be read."""
    text = url.strip()
    if "://" not in text:
        text = "//" + text  # "gpu01:8000/v1" still names a host
    try:
        host = urlsplit(text).hostname  # drops user-info and port, lowercases
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host.lower() or None


def cloud_api_domain(host: str | None) -> str | None:
    """The known public cloud API that `host` belongs to, or None."""
    if not host:
        return None
    for domain in CLOUD_API_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def local_declaration_problem(kind: str, base_url: str | None) -> str | None:
    """Why a `location: local` declaration for this endpoint cannot be true, or None."""
    if base_url is None:
        return (
            f"location: local needs a base_url: without one the SDK calls "
            f"{SDK_DEFAULT_HOSTS.get(kind, 'its cloud API')}, a cloud API"
        )
    host = normalised_host(base_url)
    if host is None:
        return f"location: local, but base_url {base_url!r} names no host"
    domain = cloud_api_domain(host)
    if domain is not None:
        return (
            f"location: local, but base_url {base_url!r} is a public cloud API ({domain}); "
            "declare only your own servers local"
        )
    return None
