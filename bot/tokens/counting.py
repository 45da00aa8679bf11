"""Token counts for budgeting prompts: exact where a tokenizer is at hand, else a safe estimate."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol


def _table(classify: dict[str, str], default: str, non_ascii: str) -> bytes:
    out = bytearray()
    for i in range(256):
        if i >= 128:
            out.append(ord(non_ascii))
            continue
        ch = chr(i)
        for name, members in classify.items():
            if ch in members:
                out.append(ord(name))
                break
        else:
            out.append(ord(default))
    return bytes(out)


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_DIGIT = "0123456789"
_SPACE = " \t\r\f\v"
# One byte per character class, so the counting is a handful of C-speed bytes.count calls.
_CLASSES = _table({"l": _LOWER, "U": _UPPER, "0": _DIGIT, " ": _SPACE, "\n": "\n"}, ".", "u")
# Letters kept, everything else made whitespace: split() then yields one item per letter run.
_LETTER_RUNS = _table({"a": _LOWER + _UPPER}, " ", " ")
_DIGIT_RUNS = _table({"0": _DIGIT}, " ", " ")
_VOWELS = _table({"v": "aeiouAEIOU"}, " ", " ")
# Chunks are estimated one by one so a base64 blob inside ordinary code is judged on its own.
_CHUNK = 16 * 1024

# Weights, per feature, of the estimate (see estimate_tokens). Tuned on real cl100k and o200k
# counts so the estimate stays above both; see tests/test_tokens.py for the measured ratios.
SAFETY = 1.03
W_WORD = 1.0  # each run of ASCII letters starts a token
W_HUMP = 1.0  # a lower->upper change (camelCase) usually starts another
W_UPPER_PAIR = 0.5  # capitals merge poorly: "AIAIgIN", "CONSTANT_NAME"
W_LETTER = 1 / 8  # long or rare words split into pieces of roughly 4-8 letters
W_LETTER_RANDOM = 1 / 2  # random letters (base64, hashes): about 2 letters a token
# Vowel share of the letters: about 0.35-0.40 in code and prose, 0.19 in random letters.
VOWELS_WORDLIKE = 0.28
VOWELS_RANDOM = 0.20
W_PUNCT = 0.75  # ASCII punctuation and "_": runs like "()", "->", "});" merge
W_NEWLINE = 1.0
W_NON_ASCII = 0.85  # per UTF-8 byte: accented letters, CJK (2-3 bytes/char), emoji (4)
W_INDENT = 0.25  # per pair of spaces: long runs of spaces are single tokens, short ones merge
# Text with almost no whitespace (base64, minified data) is costed per byte instead.
BLOB_WHITESPACE_SHARE = 0.02
W_BLOB_BYTE = 0.65
W_SPACE_DIGIT = 1.0  # a space before a digit is a token of its own (digits take no prefix)
W_SPACES_DIGIT = 1.0  # and longer runs before a digit are two: the run, then that space


def estimate_tokens(text: str) -> int:
    """Estimate of the BPE token count of `text`, meant never to be below the real count.

    Models the pre-tokenizer of cl100k/o200k-style BPE (the scheme of most code models): text
    is cut into letter runs, 1-3 digit groups, punctuation runs and whitespace, and each piece
    becomes one or a few tokens. Per 16 KiB chunk:

    - letter runs: 1 token each, +1 per camelCase hump, +0.5 per pair of capitals, and 1/8 per
      letter, rising to 1/2 per letter when the vowel share says the letters are random
      (hashes, base64);
    - digits: ceil(n/3) tokens per run of n (every 1-3 digit group is one token), bounded by
      n/3 + 2/3 per run; +1 for a space before a digit (digits take no space prefix), +1
      more when it ends a longer run of spaces;
    - ASCII punctuation and "_": 0.75 each; newlines: 1; pairs of spaces: 0.25;
    - non-ASCII: 0.85 per UTF-8 byte;
    - a chunk with almost no whitespace (minified data, base64) at least 0.65 per byte.

    Then +3%, capped at the UTF-8 byte count, a hard bound for byte-level BPE (no token is
    shorter than a byte). Measured against real cl100k and o200k counts (the larger of the two)
    on ~1,900 files of Python, C, JS, HTML, XML, Markdown, CSS, shell, translations and
    synthetic worst cases (random words, base64, hex, CJK, emoji, numbers): none under-
    counted; lowest ratio 1.02x (numeric tables), 1st percentile 1.16x, median 1.52x, 99th
    percentile 2.1x (non-ASCII prose, where 0.85 per byte is generous).
    Against self-hosted models' tokenizers (bench/token_estimate.py, docs/benchmarks.md):
    Llama 3 counts as cl100k does; Gemma 3 and Qwen give every digit a token of its own,
    so digit-dense text is under-counted for them (lowest 0.73x, an SVG of coordinates;
    5 of 183 real diff sections under 1.0 for Gemma). The server's own tokenizer, when it
    has one, counts every routed item exactly before it is sent (TokenCounter), and a
    prompt the server still refuses as too long is packed again at the size it reports
    (bot/pipeline.py): the estimate only has to be close, not always above.

    Runs at ~40 MB/s on one core: classification is bytes.translate, counting is bytes.count.
    """
    if not text:
        return 0
    data = text.encode("utf-8", "surrogatepass")
    estimate = sum(_estimate_chunk(data[i : i + _CHUNK]) for i in range(0, len(data), _CHUNK))
    return max(1, min(len(data), int(estimate * SAFETY) + 1))


def _letter_weight(letters: int, vowels: int) -> float:
    if letters == 0:
        return W_LETTER
    share = vowels / letters
    if share >= VOWELS_WORDLIKE:
        return W_LETTER
    if share <= VOWELS_RANDOM:
        return W_LETTER_RANDOM
    t = (VOWELS_WORDLIKE - share) / (VOWELS_WORDLIKE - VOWELS_RANDOM)
    return W_LETTER + t * (W_LETTER_RANDOM - W_LETTER)


def _estimate_chunk(data: bytes) -> float:
    classes = data.translate(_CLASSES)
    letters = classes.count(b"l") + classes.count(b"U")
    words = len(data.translate(_LETTER_RUNS).split()) if letters else 0
    vowels = data.translate(_VOWELS).count(b"v") if letters else 0
    digits = classes.count(b"0")
    digit_runs = len(data.translate(_DIGIT_RUNS).split()) if digits else 0
    whitespace = classes.count(b" ") + classes.count(b"\n")
    blob = W_BLOB_BYTE * len(data) if whitespace < BLOB_WHITESPACE_SHARE * len(data) else 0.0
    return max(
        blob,
        W_WORD * words
        + W_HUMP * classes.count(b"lU")
        + W_UPPER_PAIR * classes.count(b"UU")
        + _letter_weight(letters, vowels) * letters
        + digits / 3
        + digit_runs * 2 / 3
        + W_SPACE_DIGIT * classes.count(b" 0")
        + W_SPACES_DIGIT * classes.count(b"  0")
        + W_PUNCT * classes.count(b".")
        + W_NEWLINE * classes.count(b"\n")
        + W_NON_ASCII * classes.count(b"u")
        + W_INDENT * classes.count(b"  "),
    )


# tiktoken's encodings, the URL its cache is keyed by, and the sha256 it checks on load.
_TIKTOKEN_FILES = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}


def tiktoken_cache_path(encoding: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Where tiktoken would find `encoding` without downloading (tiktoken/load.py's rule).

    None when caching is disabled (TIKTOKEN_CACHE_DIR=""), since tiktoken would then always
    download.
    """
    env = os.environ if environ is None else environ
    if "TIKTOKEN_CACHE_DIR" in env:
        cache_dir = env["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in env:
        cache_dir = env["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return None
    url = _TIKTOKEN_FILES[encoding][0]
    return Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()


def cached_tiktoken_encoding(environ: Mapping[str, str] | None = None) -> str | None:
    """The first tiktoken encoding whose file is cached and intact, else None.

    tiktoken re-downloads a cached file whose hash does not match, so the hash is checked here
    first: loading must never reach for the network (air-gapped servers would hang or fail).
    """
    for name, (_url, sha256) in _TIKTOKEN_FILES.items():
        path = tiktoken_cache_path(name, environ)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == sha256:
            return name
    return None


class _Encoder(Protocol):
    def encode(self, text: str, *, disallowed_special: tuple[()] = ()) -> list[int]: ...


class _CountsTokens(Protocol):
    def count_tokens(self, text: str) -> int | None: ...


class TokenCounter:
    """Counts tokens with the best method at hand: server, then cached tiktoken, then estimate.

    Never raises and never waits on the network beyond the provider's own timeout; a method
    that fails once is not tried again. Safe to share between threads.
    """

    def __init__(self, provider: _CountsTokens | None = None, mode: str = "auto") -> None:
        if mode not in ("auto", "server", "tiktoken", "estimate"):
            raise ValueError(f"unknown tokenizer mode {mode!r}")
        self._provider = provider
        self._mode = mode
        self._lock = threading.Lock()
        self._server_ok: bool | None = None if provider is not None else False
        self._encoder: _Encoder | None = None
        self._tiktoken_tried = False

    @property
    def method(self) -> str:
        """What the next count will use: "server", "tiktoken" or "estimate"."""
        if self._mode in ("auto", "server") and self._server_ok is not False:
            return "server"
        if self._mode in ("auto", "tiktoken") and self._load_encoder() is not None:
            return "tiktoken"
        return "estimate"

    def count(self, text: str) -> int:
        if not text:
            return 0
        if self._mode in ("auto", "server") and self._server_ok is not False:
            n = self._server_count(text)
            if n is not None:
                return n
        if self._mode in ("auto", "tiktoken"):
            encoder = self._load_encoder()
            if encoder is not None:
                return len(encoder.encode(text, disallowed_special=()))
        return estimate_tokens(text)

    def _server_count(self, text: str) -> int | None:
        assert self._provider is not None
        try:
            n = self._provider.count_tokens(text)
        except Exception:  # counting must never fail a review
            n = None
        self._server_ok = n is not None
        return n

    def _load_encoder(self) -> _Encoder | None:
        with self._lock:
            if not self._tiktoken_tried:
                self._tiktoken_tried = True
                self._encoder = _load_tiktoken()
            return self._encoder


def _load_tiktoken() -> _Encoder | None:
    name = cached_tiktoken_encoding()
    if name is None:
        return None
    try:
        import tiktoken

        return tiktoken.get_encoding(name)
    except (ImportError, OSError, ValueError):
        # A broken or partial install; the estimate is still there.
        return None
