"""Model endpoints behind one contract (base.Provider); call complete_structured to ask one."""

from bot.providers.base import (
    Completion,
    CompletionRequest,
    ErrorKind,
    Message,
    ProbeResult,
    Provider,
    ProviderError,
    Usage,
)
from bot.providers.registry import build_providers
from bot.providers.structured import complete_structured

__all__ = [
    "Completion",
    "CompletionRequest",
    "ErrorKind",
    "Message",
    "ProbeResult",
    "Provider",
    "ProviderError",
    "Usage",
    "build_providers",
    "complete_structured",
]
