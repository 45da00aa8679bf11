"""Finding secrets in text: where each value sits, what kind it is, never the value itself.

Four layers, cheapest first, so a 50,000-line diff scans in a fraction of a second:

1. Our own patterns for fixed-format tokens and private key blocks (key_blocks.py) run
   over the whole text in one pass each (token_pass.py: patterns.py; services.py for more
   vendors and for credentials known by their context: HTTP basic headers, connection
   strings; hashes.py for password hashes; url_secrets.py for what a URL carries), each only
   when the keyword pass saw one of its words; they give exact value spans.
2. Two prefilters over the lower-cased text pick the lines worth a closer look: lines that
   mention a secret-ish word (pass, secret, token, key, cred, auth, ...) and lines with a run
   of 20+ token characters. Typically a few percent of lines pass.
3. Only those lines go through the generic assignment pattern (with a value below its
   name joined to it: wrapped.py) and detect-secrets' plugins (plugins.py): high-entropy
   and vendor-format detectors, found by line_finders.py. (Its
   KeywordDetector is not run: gitleaks' generic rule and our assignment pattern find
   every line it found on the public suites, bench/secrets_eval.py, at a tenth of its
   cost.)
4. gitleaks' rule set (gitleaks/, pinned): one Aho-Corasick pass finds its keywords, and
   only the rules whose keyword occurs run, over the lines around it. Service formats
   count as tokens; its generic rule counts as an assignment and meets the same rules
   (gitleaks_pass.py, which also runs its service-led rules on restated.py's pairs).
   Then Microsoft's Azure key formats (microsoft/, pinned), run as layer 1's patterns are,
   so that a value gitleaks or Switchyard already names keeps that name.

Every candidate then meets the false-positive rules (rules.py), and overlapping candidates
are resolved in favour of the most specific kind.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass

from bot.secrets import allow as allowlist
from bot.secrets import paths, rules
from bot.secrets.argv_view import argv_candidates, sequence_candidates
from bot.secrets.caseless import same_length_lower
from bot.secrets.continued import with_all_pieces
from bot.secrets.cookies import COOKIE_WORDS, session_cookies
from bot.secrets.csv_tables import csv_secrets
from bot.secrets.der import in_public_armour
from bot.secrets.encoded_keys import armoured_lines, encoded_keys, wrapped_keys
from bot.secrets.entities import quotes_read
from bot.secrets.entropy_strings import entropy_tokens, named_not_secret
from bot.secrets.fallbacks import fallback_literals
from bot.secrets.gitleaks_pass import (
    allow_listed,
    gitleaks_candidates,
    restated_candidates,
    scanner,
)
from bot.secrets.installers import chpasswd_passwords
from bot.secrets.jwk import jwk_public_member
from bot.secrets.key_blocks import private_keys
from bot.secrets.key_files import key_file_secrets
from bot.secrets.line_contexts import (
    byte_array_keys,
    compared_passwords,
    dsl_calls,
    flag_values,
    line_settings,
    pgpass_passwords,
    spaced_values,
)
from bot.secrets.line_finders import (
    RANK_ENTROPY,
    RANK_PLUGIN_TOKEN,
    SWITCHYARD,
    Candidate,
    assignments,
    aws_secrets,
)
from bot.secrets.lists import listed_values
from bot.secrets.long_runs import cut_view
from bot.secrets.manifests import SEALED_KIND, sealed_value, secret_data
from bot.secrets.md_tables import table_secrets
from bot.secrets.notebooks import code_cell_lines, is_notebook
from bot.secrets.parameter_defaults import parameter_defaults
from bot.secrets.password_files import couchdb_admins, password_file_secrets
from bot.secrets.patterns import (
    slug,
)
from bot.secrets.plugin_candidates import plugin_tokens
from bot.secrets.prose import told_secrets
from bot.secrets.scan_memo import Memo
from bot.secrets.sql_rows import inserted_secrets
from bot.secrets.text_lines import Lines, line_around
from bot.secrets.token_pass import (
    lines_holding,
    token_candidates,
    token_patterns,
)
from bot.secrets.told_pairs import told_pairs
from bot.secrets.wrapped import wrapped_values


@dataclass(frozen=True, slots=True)
class SecretHit:
    """One secret in a text. Offsets, not the value: a hit can be logged safely."""

    kind: str  # "GitHub token", "private key", "password assignment", ...
    line: int  # 1-based line of the value's first character
    start: int  # offset of the value in the scanned text
    end: int
    end_line: int  # the same as `line` except for a private key block
    # The spans to replace, each within one line: one for a token, one per line of a key
    # block (its armour and base64 runs), so redaction keeps every line and its columns.
    parts: tuple[tuple[int, int], ...]
    detector: str = SWITCHYARD  # "switchyard" or the detect-secrets plugin's class name

    @property
    def slug(self) -> str:
        return slug(self.kind)

    @property
    def where(self) -> str:
        """ "GitHub token, line 12" — for reasons and log lines."""
        return f"{self.kind}, line {self.line}"


def find_secrets(text: str, path: str | None = None) -> list[SecretHit]:
    """The secrets in `text`, in order. `path` (the file the text comes from) lets the
    rules tell config files (unquoted values count) and tests (random-looking strings
    without a secret-ish name don't) from other code; without it the rules stay general."""
    return find_secrets_and_allowed(text, path)[0]


def find_secrets_and_allowed(
    text: str, path: str | None = None
) -> tuple[list[SecretHit], list[SecretHit]]:
    """find_secrets' hits, and those the allow-list's fingerprints let through: the
    security scan drops the other scanners' reports of a hard-coded secret on their lines.
    A text scanned before under the same path and allow-list is answered from MEMO."""
    allow = allowlist.current()
    known = MEMO.get(text, path, allow)
    if known is None:
        known = _scanned(text, path)
        MEMO.put(text, path, allow, known)
    return list(known[0]), list(known[1])


# The answers of texts scanned lately (scan_memo.py): hits are frozen, shared as they are.
MEMO: Memo[tuple[tuple[SecretHit, ...], tuple[SecretHit, ...]]] = Memo()


def _scanned(text: str, path: str | None) -> tuple[tuple[SecretHit, ...], tuple[SecretHit, ...]]:
    hits, allowed = _found(text, path)
    cut = cut_view(text)
    if cut is not None:
        # Values longer than the patterns read (long_runs.py), masked to their run's end.
        more, more_allowed = _found(cut.text, path)
        allow = allowlist.current()
        hits, allowed = cut.into(
            hits,
            allowed,
            [*more, *more_allowed],
            lambda h: bool(allow) and allow.value_allowed(hit_value(h, text)),
        )
    view = quotes_read(text)
    if view is None:
        return tuple(hits), tuple(allowed)
    # Quotes written as character references (`&quot;`): read again as quotes, the same
    # length, so the spans found there are the text's (entities.py).
    more, more_allowed = _found(view, path)
    return tuple(_merged(hits, more, text)), tuple(_merged(allowed, more_allowed, text))


def _merged(first: list[SecretHit], more: list[SecretHit], text: str) -> list[SecretHit]:
    """`first` and `more`, in order; where two overlap, the one of `more` when it lies
    within the other (the value without `&apos;…&apos;</code>` around it), else the first.
    A value between real quotes is whole, references and all: in `password="Xk&quot;9"`
    the `&quot;` is a quote inside the password, and the rest of it was sent."""
    kept = list(first)
    for h in more:
        over = [k for k in kept if not (h.end <= k.start or h.start >= k.end)]
        if all(k.start <= h.start and h.end <= k.end and not _quoted(k, text) for k in over):
            kept = [k for k in kept if k not in over] + [h]
    return sorted(kept, key=lambda h: h.start)


def _quoted(hit: SecretHit, text: str) -> bool:
    """Whether the same real quote stands on both sides of `hit`, or an XML element's
    tags do (`<password>Xk&quot;9</password>`)."""
    if hit.start == 0 or hit.end >= len(text):
        return False
    before, after = text[hit.start - 1], text[hit.end]
    return before == after in "\"'" or (before, after) == (">", "<")


def _found(text: str, path: str | None) -> tuple[list[SecretHit], list[SecretHit]]:
    if not text:
        return [], []
    allow = allowlist.current()
    if allow.path_allowed(path):
        return [], []
    lines = Lines(text)
    test = path is not None and paths.is_test_path(path)
    found: list[Candidate] = []
    found.extend(private_keys(text, lines))
    found.extend(pgpass_passwords(text, path, test))
    found.extend(key_file_secrets(text, path, test))
    found.extend(password_file_secrets(text, path, test))
    if "chpasswd:" in text:
        found.extend(chpasswd_passwords(text, test))
    if "[admins]" in text:
        found.extend(couchdb_admins(text, test))
    if "Default:" in text:
        found.extend(parameter_defaults(text, test))
    found.extend(secret_data(text, test))
    lowered = same_length_lower(text)
    found.extend(inserted_secrets(text, lowered, test))
    if "---" in text:  # (a Markdown table's delimiter row; most texts have none)
        found.extend(table_secrets(text, test))
    found.extend(csv_secrets(text, path, test))
    found_words = scanner().keywords(text, lowered)
    own, microsoft = token_patterns(found_words)
    found.extend(token_candidates(text, lowered, own, found_words, test))
    found.extend(gitleaks_candidates(text, lowered, path, test, found_words))
    found.extend(restated_candidates(text, path, test, found_words))
    # Microsoft's formats after gitleaks' and ours: a value one of those names keeps its name.
    found.extend(token_candidates(text, lowered, microsoft, found_words, test))
    # A command given as a list of its arguments, read as its command line (argv_view.py).
    found.extend(argv_candidates(text, lowered, own, found_words, test))
    if path is None:  # (what a user writes to the model: told_pairs.py says why only there)
        found.extend(told_pairs(text, lowered))
    keyword_lines = lines.keyword_lines(lowered, found_words)
    token_lines = lines.long_token_lines(lowered)
    armoured = armoured_lines(text, lines) if "-----BEGIN " in text else set()
    config = paths.is_config_path(path)
    line_value = paths.line_value_kind(path)
    # A lockfile's names, versions and integrity hashes, a message catalogue's translations:
    # named values that are never secrets there (a service's format still is).
    lockfile = paths.is_lock_path(path)
    # A notebook's code cells are code, whatever its suffix says (notebooks.py).
    cells = code_cell_lines(text) if is_notebook(path) else set()
    named = not (lockfile or paths.is_locale_path(path))
    for i in sorted(keyword_lines | token_lines):
        base, end = lines.bounds(i)
        line = text[base:end]
        if i in keyword_lines:
            found.extend(aws_secrets(line, base))
            if named:
                found.extend(assignments(line, base, path, config, test, code=i in cells))
                found.extend(listed_values(text, lines, i, test))
                found.extend(wrapped_values(text, lines, i, path, config, test))
                found.extend(fallback_literals(line, base, test))
            found.extend(compared_passwords(line, base, test))
            found.extend(dsl_calls(line, base, test))
            if "-" in line:  # (a flag given as a YAML sequence's item: argv_view.py)
                found.extend(sequence_candidates(text, lines, i, own, test))
            if line_value is not None:
                found.extend(line_settings(line, base, line_value, test))
        # On a token line a name no prefilter word spells counts too ("your API key is …").
        found.extend(told_secrets(line, base, test, pathless=path is None))
        if i in token_lines or (i in keyword_lines and "-" in line):
            # A flag's value may be 16-19 characters, shorter than a token line's run.
            found.extend(flag_values(line, base, test))
        if i in token_lines:
            found.extend(plugin_tokens(line, base))
            if i not in armoured:
                found.extend(encoded_keys(line, base))
                found.extend(wrapped_keys(text, lines, i))
            if i in keyword_lines:
                found.extend(spaced_values(line, base, test))
            if named and "key" in lowered[base:end]:  # only a `...key` name is a bare key
                found.extend(
                    assignments(line, base, path, config, test, bare_key=True, code=i in cells)
                )
        if not lockfile:
            found.extend(entropy_tokens(line, base, path))
    # A key written as its bytes (`aesKey := AES128Key{95, 234, …}`): its line names a key,
    # a secret or a token, though not always as the prefilters' secret words do.
    for ls, le in lines_holding(text, found_words, _BYTE_KEY_WORDS):
        found.extend(byte_array_keys(text, ls, le))
    for ls, le in lines_holding(text, found_words, COOKIE_WORDS):
        found.extend(session_cookies(text, ls, le))
    found = [c for c in found if not allow_listed(c, text, path)]
    if "kty" in lowered:  # a JSON Web Key's public members are random, and public
        found = [
            c for c in found if c.priority != RANK_ENTROPY or not jwk_public_member(text, c.start)
        ]
    if "-----BEGIN " in text:  # a line of a certificate's or a public key's armour
        found = [
            c for c in found if c.priority != RANK_ENTROPY or not in_public_armour(text, c.start)
        ]
    # A value a construct names as no secret (`define('public_key', …)`) is let through as
    # it is under that name in an assignment (entropy_strings.named_not_secret).
    found = [
        c for c in found if c.priority != RANK_ENTROPY or not named_not_secret(text, c.start, c.end)
    ]
    if SEALED_KIND in text:
        found = [c for c in found if not sealed_value(text[c.start : c.end])]
    if paths.is_doc_path(path):
        found = [c for c in found if not _illustrated(c, text)]
    # A value written in pieces over lines: each piece is the value's (continued.py).
    found = with_all_pieces(found, text, path)
    kept = _resolve(found, text)
    allowed = [c for c in kept if allow and allow.value_allowed(hit_value(c, text))]
    return [_to_hit(c, lines) for c in kept if c not in allowed], [
        _to_hit(c, lines) for c in allowed
    ]


def hit_value(c: Candidate | SecretHit, text: str) -> str:
    """The value as redaction joins it, and as the allow-list's fingerprints hash it: a key
    block's parts, one per line."""
    return "\n".join(text[s:e] for s, e in c.parts or ((c.start, c.end),))


def _illustrated(c: Candidate, text: str) -> bool:
    """In documentation: a line that calls its key an example, or one about an example
    host (`client.connect('ssh.example.com', password='thecheat')`) whose value has no
    service's format and is no machine-made key (a real token pasted into a curl line for
    `api.example.org` is one)."""
    line = line_around(text, c.start, c.end)
    if paths.marked_as_example(line):
        return True
    if c.priority <= RANK_PLUGIN_TOKEN:
        return False  # a service's format (`glpat-…`) is a key whatever host it is sent to
    return paths.names_example_host(line) and not rules.generated(text[c.start : c.end])


_BYTE_KEY_WORDS = ("key", "secret", "token")


def _to_hit(c: Candidate, lines: Lines) -> SecretHit:
    first = lines.index(c.start)
    last = lines.index(max(c.start, c.end - 1))
    return SecretHit(
        kind=c.kind,
        line=first + 1,
        start=c.start,
        end=c.end,
        end_line=last + 1,
        parts=c.parts or ((c.start, c.end),),
        detector=c.detector,
    )


def _resolve(found: list[Candidate], text: str) -> list[Candidate]:
    """Most specific first, then longest; a candidate overlapping a kept one is dropped, but
    for what it holds beyond them that is still a secret's length (_rest)."""
    # The kept never overlap, so, by start, their ends are in order too: the ones a
    # candidate meets are found by bisection (asking each kept one made a text of ten
    # thousand secrets, a dump or a line written to be slow, cost their number squared).
    kept: list[Candidate] = []
    starts: list[int] = []
    ends: list[int] = []

    def keep(k: Candidate) -> None:
        at = bisect.bisect_right(starts, k.start)
        kept.insert(at, k)
        starts.insert(at, k.start)
        ends.insert(at, k.end)

    for c in sorted(found, key=lambda c: (c.priority, c.start - c.end, c.start)):
        first = bisect.bisect_right(ends, c.start)
        last = bisect.bisect_left(starts, c.end, first)
        over = [k for k in kept[first:last] if not (c.end <= k.start or c.start >= k.end)]
        if not over:
            keep(c)
        elif c.parts is None:
            for rest in _rest(c, over, text):
                keep(rest)
    return kept


# What of a value a more specific candidate inside it leaves uncovered counts when it is
# this long once its separators are stripped, and drawn: `credentials="AKIA…,<secret
# key>"` is an AWS key id and its secret, and masked as the key id alone, the secret was
# sent; `Bearer ` around a token, or a URL's scheme, user and host around its password,
# is not one.
_REST_MIN = 12
_SEPARATORS = " \t,;:=|'\"`"


def _drawn(run: str) -> bool:
    return rules.looks_random(run) or rules.generated(run)


def _rest(c: Candidate, over: list[Candidate], text: str) -> list[Candidate]:
    """The runs of `c` that the kept candidates `over` leave uncovered and that still hold
    a secret's length, each a candidate of `c`'s kind."""
    out: list[Candidate] = []
    pos = c.start
    for k_start, k_end in [*sorted((k.start, k.end) for k in over), (c.end, c.end)]:
        s, e = pos, min(k_start, c.end)
        while s < e and text[s] in _SEPARATORS:
            s += 1
        while e > s and text[e - 1] in _SEPARATORS:
            e -= 1
        run = text[s:e]
        if len(run) >= _REST_MIN and "\n" not in run and _drawn(run):
            out.append(dataclasses.replace(c, start=s, end=e))
        pos = max(pos, k_end)
    return out
