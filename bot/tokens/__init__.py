"""Token counting: exact when a tokenizer is at hand, else a safe over-estimate."""

from bot.tokens.counting import TokenCounter, cached_tiktoken_encoding, estimate_tokens

__all__ = ["TokenCounter", "cached_tiktoken_encoding", "estimate_tokens"]
