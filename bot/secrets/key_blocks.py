"""Key blocks: PEM, OpenSSH and PGP private keys, PuTTY's .ppk files and OpenVPN's static
keys, from their armour to its end. Each line's key material is its own part, so redaction
keeps every line and its columns."""

from __future__ import annotations

import re

from bot.secrets import rules, wording
from bot.secrets.line_finders import RANK_PRIVATE_KEY, SWITCHYARD, Candidate
from bot.secrets.patterns import (
    KEY_BODY,
    KEY_MATERIAL,
    MAX_KEY_BLOCK,
    OPENVPN_BEGIN,
    OPENVPN_END,
    OPENVPN_MARK,
    PRIVATE_KEY_BEGIN,
    PRIVATE_KEY_END,
    PUTTY_BEGIN,
    PUTTY_END,
    PUTTY_MARK,
)
from bot.secrets.text_lines import Lines


def private_keys(text: str, lines: Lines) -> list[Candidate]:
    """PEM/OpenSSH/PGP private key blocks, PuTTY's .ppk files (their private lines run from
    the header to the `Private-MAC:` line) and OpenVPN's static keys."""
    out = _key_blocks(text, lines, PRIVATE_KEY_BEGIN, PRIVATE_KEY_END)
    if PUTTY_MARK in text:  # a substring test spares a second regex pass over every text
        out.extend(_key_blocks(text, lines, PUTTY_BEGIN, PUTTY_END))
    if OPENVPN_MARK in text:
        out.extend(_key_blocks(text, lines, OPENVPN_BEGIN, OPENVPN_END, OPENVPN_KEY))
    return out


OPENVPN_KEY = "OpenVPN static key"


def _not_key_material(body: str) -> bool:
    """A key's body is DER or an OpenSSH blob: binary. One that decodes to typed text
    (base64 of "abcdef…") stands in for a key in docs or tests. A short body is still
    reported: 32 random hex digits between the markers are a secret whatever they encode."""
    raw = wording.decoded_base64(body)
    return raw is not None and wording.is_text(raw)


def _key_blocks(
    text: str,
    lines: Lines,
    begin: re.Pattern[str],
    end_re: re.Pattern[str],
    kind: str = "private key",
) -> list[Candidate]:
    out: list[Candidate] = []
    pos = 0
    while (m := begin.search(text, pos)) is not None:
        end_m = end_re.search(text, m.end(), m.end() + MAX_KEY_BLOCK)
        end = end_m.end() if end_m else _unterminated_end(text, lines, m.end())
        pos = max(end, m.end())
        body = "".join(b.group() for b in KEY_BODY.finditer(text, m.end(), end))
        if not body:
            continue  # "-----BEGIN RSA PRIVATE KEY-----" in code that checks for one
        if rules.is_filler(body) or _not_key_material(body):
            continue  # a body of "ababab...", or of base64 text: a stand-in in docs or tests
        parts: list[tuple[int, int]] = []
        for i in range(lines.index(m.start()), lines.index(end - 1) + 1):
            ls, le = lines.bounds(i)
            seg_s, seg_e = max(ls, m.start()), min(le, end)
            runs = list(KEY_MATERIAL.finditer(text, seg_s, seg_e))
            if runs:
                parts.append((runs[0].start(), runs[-1].end()))
        out.append(Candidate(m.start(), end, kind, RANK_PRIVATE_KEY, SWITCHYARD, tuple(parts)))
    return out


def _unterminated_end(text: str, lines: Lines, after: int) -> int:
    """A block cut off before its END line (a truncated hunk) runs while lines carry key
    material: redacting too much is better than leaving the tail of a key."""
    i = lines.index(after)
    end = lines.bounds(i)[1]
    while i + 1 < len(lines.starts):
        i += 1
        ls, le = lines.bounds(i)
        if not _key_line(text, ls, le) or le - after > MAX_KEY_BLOCK:
            break
        end = le
    return end


def _key_line(text: str, start: int, end: int) -> bool:
    """A line of a key's body: base64 most of it (a diff's or a listing's columns beside
    it), not code whose long names are runs of letters (`assertThat(originalCredential…`
    after a test's "-----BEGIN RSA PRIVATE KEY-----")."""
    runs = [m.end() - m.start() for m in KEY_BODY.finditer(text, start, end)]
    return bool(runs) and max(runs) * 3 >= len(text[start:end].strip()) * 2
