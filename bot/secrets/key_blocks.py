"""Key blocks: PEM, OpenSSH and PGP private keys, PuTTY's .ppk files, OpenVPN's static
keys and SSH Communications' keys, from their armour to its end. Each line's key material
is its own part, so redaction keeps every line and its columns."""

from __future__ import annotations

import re

from bot.secrets import wording
from bot.secrets.key_armour import KEY_BODY, KEY_FORMATS, KEY_MATERIAL, MAX_KEY_BLOCK, KeyFormat
from bot.secrets.line_finders import RANK_PRIVATE_KEY, SWITCHYARD, Candidate
from bot.secrets.patterns import LINE_PREFIX
from bot.secrets.stand_ins import mostly_filler
from bot.secrets.text_lines import Lines


def private_keys(text: str, lines: Lines) -> list[Candidate]:
    """PEM/OpenSSH/PGP private key blocks, PuTTY's .ppk files (their private lines run from
    the header to the `Private-MAC:` line), OpenVPN's static keys and SSH Communications'
    (RFC 4716 armour) private keys (bot/secrets/key_armour.py)."""
    out: list[Candidate] = []
    for fmt in KEY_FORMATS:
        if not fmt.marks or any(mark in text for mark in fmt.marks):
            out.extend(_key_blocks(text, lines, fmt))
    return out


def _not_key_material(body: str) -> bool:
    """A key's body is DER or an OpenSSH blob: binary. One that decodes to typed text
    (base64 of "abcdef…") stands in for a key in docs or tests. A short body is still
    reported: 32 random hex digits between the markers are a secret whatever they encode."""
    raw = wording.decoded_base64(body)
    return raw is not None and wording.is_text(raw)


def _key_blocks(text: str, lines: Lines, fmt: KeyFormat) -> list[Candidate]:
    begin, end_re, kind = fmt.begin, fmt.end, fmt.kind
    out: list[Candidate] = []
    opened: list[tuple[int, int]] = []  # each BEGIN's block, in order
    pos = 0
    while (m := begin.search(text, pos)) is not None:
        end_m = end_re.search(text, m.end(), m.end() + MAX_KEY_BLOCK)
        end = end_m.end() if end_m else _unterminated_end(text, lines, m.end())
        pos = max(end, m.end())
        opened.append((m.start(), end))
        found = _block(text, lines, m.start(), m.end(), end, kind)
        if found is not None:
            out.append(found)
    # An END line with no BEGIN before it: a hunk that opens inside the block, its context
    # the last lines of a key above a changed line. As a block cut off before its END
    # runs down while lines carry key material, this one runs up.
    pos = j = 0
    while (m := end_re.search(text, pos)) is not None:
        pos = m.end()
        while j < len(opened) and opened[j][1] <= m.start():
            j += 1
        if j < len(opened) and opened[j][0] <= m.start():
            continue  # the END of a block read from its BEGIN
        start = _unopened_start(text, lines, m.start())
        # The body is above the END line (a PuTTY file's MAC line holds hex of its own).
        found = _block(text, lines, start, start, m.end(), kind, body_end=m.start())
        if found is not None:
            out.append(found)
    return sorted(out, key=lambda c: c.start)


def _block(
    text: str,
    lines: Lines,
    start: int,
    body_start: int,
    end: int,
    kind: str,
    body_end: int | None = None,
) -> Candidate | None:
    """The block from `start` to `end`, each line's key material a part; None when its
    body (from `body_start` to `body_end`, else `end`) is empty or no key's."""
    stop = end if body_end is None else body_end
    body = "".join(b.group() for b in KEY_BODY.finditer(text, body_start, stop))
    if not body:
        return None  # "-----BEGIN RSA PRIVATE KEY-----" in code that checks for one
    if mostly_filler(body) or _not_key_material(body):
        return None  # a body of "ababab...", or of base64 text: a stand-in in docs or tests
    parts: list[tuple[int, int]] = []
    for i in range(lines.index(start), lines.index(end - 1) + 1):
        ls, le = lines.bounds(i)
        seg_s, seg_e = max(ls, start), min(le, end)
        runs = list(KEY_MATERIAL.finditer(text, seg_s, seg_e))
        if runs:
            parts.append((runs[0].start(), runs[-1].end()))
    return Candidate(start, end, kind, RANK_PRIVATE_KEY, SWITCHYARD, tuple(parts))


def _unterminated_end(text: str, lines: Lines, after: int) -> int:
    """A block cut off before its END line (a truncated hunk) runs while lines carry key
    material: redacting too much is better than leaving the tail of a key. Before its
    body, an encrypted PEM key's headers (`Proc-Type:`, `DEK-Info:`) or a PGP block's
    (`Version:`, `Comment:`) and the blank line after them belong to it."""
    i = lines.index(after)
    end = lines.bounds(i)[1]
    body = False
    while i + 1 < len(lines.starts):
        i += 1
        ls, le = lines.bounds(i)
        if le - after > MAX_KEY_BLOCK:
            break
        if _key_line(text, ls, le):
            body = True
        elif body or _ARMOUR_HEADER.fullmatch(text, ls, le) is None:
            break
        end = le
    return end


# A line of an armour's headers, or the blank line that ends them, after a diff's or a
# listing's columns.
_ARMOUR_HEADER = re.compile(LINE_PREFIX + r"(?:[A-Za-z][\w-]*: [^\n]*)?[ \t\r]*")


def _unopened_start(text: str, lines: Lines, end_at: int) -> int:
    """Where a block whose END line stands at `end_at` and whose BEGIN is not in the text
    starts: the first of the lines above that carry key material without a break (the
    END line's own material before the armour counts too), or a line above them that
    opens it in a form the BEGIN pattern does not read."""
    i = lines.index(end_at)
    start = lines.bounds(i)[0]
    # Right above the END line, short lines ending in base64: the body's last line
    # (`qwI=`) and a PGP block's checksum (`=6Acw`). They are the block's once a full line
    # of the body is found above them.
    tails = 0
    body = False
    while i - tails > 0:
        ls, le = lines.bounds(i - tails - 1)
        if end_at - ls > MAX_KEY_BLOCK:
            break
        if "BEGIN" in text[ls:le].upper():
            # An opening the BEGIN pattern does not take (lower case, `_`, a long type:
            # gitleaks' rule takes them): the block is from there.
            return ls
        if _key_line(text, ls, le):
            i, start, tails, body = i - tails - 1, ls, 0, True
        elif not body and tails < 2 and _ends_in_base64(text[ls:le]):
            tails += 1
        else:
            break
    return start


def _ends_in_base64(line: str) -> bool:
    """Whether a base64 run ends `line` (a string's closing quote or `\\n` after it)."""
    tail = line.rstrip("\"'`,;+ \t\r")
    tail = tail.removesuffix("\\n")
    return bool(tail) and tail[-1].isascii() and (tail[-1].isalnum() or tail[-1] in "+/=")


def _key_line(text: str, start: int, end: int) -> bool:
    """A line of a key's body: base64 most of it (a diff's or a listing's columns beside
    it), not code whose long names are runs of letters (`assertThat(originalCredential…`
    after a test's "-----BEGIN RSA PRIVATE KEY-----")."""
    runs = [m.end() - m.start() for m in KEY_BODY.finditer(text, start, end)]
    return bool(runs) and max(runs) * 3 >= len(text[start:end].strip()) * 2
